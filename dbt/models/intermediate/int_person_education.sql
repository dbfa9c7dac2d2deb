-- Grain: one row per (municipality_code, year, person_number): every counted employee on
-- 1 December with the education the HR export delivered, never imputed.
--   * education_level: the recognised level (dbt/seeds/education_level_aliases.csv) of the
--     person's main employment's education_level (education describes the person; reading
--     it off the main employment spares a second pass over every employment and snapshot);
--     null when not recognised;
--   * education_status: 'levert' (a level is known), 'ukjent' (the municipality delivers
--     education that year but not a recognised level for this person) or 'ikke_levert' (no
--     counted employee of the municipality's snapshot carries any education_level);
--   * required_education_level: what the person's main position group requires
--     (dbt/seeds/position_group_education.csv); null for groups without a requirement;
--   * is_below_requirement: known level below the requirement (null when either is missing).
{{ config(**year_slice_config()) }}
with persons as (
    select
        *,
        nullif(lower(trim(main_education_level)), '') as delivered_education
    from {{ ref('int_person_snapshots') }}
    where is_counted and {{ in_slice() }}
),

levels as (
    select * from {{ ref('education_levels') }}
),

aliases as (
    select lower(trim(alias)) as alias, education_level from {{ ref('education_level_aliases') }}
),

requirements as (
    select * from {{ ref('position_group_education') }}
),

delivered as (
    -- a municipality-year delivers education when any counted employee carries a value
    select municipality_code, year, bool_or(delivered_education is not null) as delivers_education
    from persons
    group by all
),

final as (
    select
        persons.municipality_code,
        persons.year,
        persons.person_number,
        persons.main_position_group,
        persons.main_service_area,
        levels.education_level,
        levels.education_rank,
        case
            when not delivered.delivers_education then 'ikke_levert'
            when levels.education_level is null then 'ukjent'
            else 'levert'
        end as education_status,
        requirements.required_education_level,
        required.education_rank as required_education_rank,
        levels.education_rank < required.education_rank as is_below_requirement
    from persons
    inner join delivered using (municipality_code, year)
    left join aliases on aliases.alias = persons.delivered_education
    left join levels on levels.education_level = aliases.education_level
    left join requirements on requirements.position_group = persons.main_position_group
    left join levels as required on required.education_level = requirements.required_education_level
)

select * from final
