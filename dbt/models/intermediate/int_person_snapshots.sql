-- Grain: one row per (municipality_code, person_id, snapshot_date): everyone with an active
-- employment in the municipality on 1 December, with the KS attributes of the snapshot.
--   * is_counted: the KS population (at least one permanent or temporary employment above
--     0 %; apprentices, substitutes and hourly-only staff are kept but not counted);
--   * position_size_municipality: sum of the counted employments' percentages here;
--   * position_size: the same summed over every municipality of the data where the person
--     is linked by national id (KS: full-time also when 100 % is reached with positions in
--     other municipalities), else the municipal sum; `basis` says which;
--   * main employment: the counted one with the largest percentage (then earliest start):
--     its position group, service area and employment type describe the person.
with employment_snapshots as (
    select * from {{ ref('int_employment_snapshots') }}
),

tenure as (
    select * from {{ ref('int_person_tenure') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

persons as (
    select
        municipality_code,
        person_id,
        year,
        snapshot_date,
        bool_or(has_person_key) as has_person_key,
        bool_or(is_counted_type) as is_counted,
        coalesce(sum(fte_percent) filter (where is_counted_type), 0) as position_size_municipality,
        bool_or(is_apprentice) as is_apprentice,
        bool_or(is_key_position and is_counted_type) as is_key_position,
        bool_or(coalesce(manager_level between 1 and 3, false) and is_counted_type) as is_leader_level_1_3,
        bool_or(coalesce(termination_group = 'retirement', false)) as has_retirement_termination,
        {% set main_order = "{'counted': is_counted_type, 'fte': fte_percent, 'start': -epoch(start_date), 'key': employment_key}" %}
        arg_max(position_group, {{ main_order }}) as main_position_group,
        arg_max(coalesce(service_area, 'ukjent'), {{ main_order }}) as main_service_area,
        arg_max(employment_type, {{ main_order }}) as main_employment_type,
        arg_max(birth_year, {{ main_order }}) as birth_year,
        arg_max(gender, {{ main_order }}) as gender
    from employment_snapshots
    group by municipality_code, person_id, year, snapshot_date
),

final as (
    select
        persons.municipality_code,
        persons.person_id,
        persons.year,
        persons.snapshot_date,
        persons.has_person_key,
        case when persons.has_person_key then 'sector' else 'municipality' end as basis,
        persons.is_counted,
        persons.position_size_municipality,
        sum(persons.position_size_municipality) over (
            partition by persons.person_id, persons.snapshot_date
        ) as position_size,
        persons.is_apprentice,
        persons.is_key_position,
        persons.is_leader_level_1_3,
        persons.has_retirement_termination,
        persons.main_position_group,
        persons.main_service_area,
        persons.main_employment_type,
        persons.birth_year,
        persons.gender,
        persons.year - persons.birth_year as age,
        age_bands.age_band,
        tenure.first_start_date,
        date_diff('day', tenure.first_start_date, persons.snapshot_date) / 365.25 as tenure_years
    from persons
    left join age_bands
        on persons.year - persons.birth_year between age_bands.min_age and age_bands.max_age
    left join tenure
        on tenure.municipality_code = persons.municipality_code
       and tenure.person_id = persons.person_id
)

select * from final
