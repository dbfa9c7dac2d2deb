-- Grain: one row per (municipality_code, person_number, year): a counted employee on
-- 1 December of year - 1 and where they are on 1 December of `year` (both snapshots must
-- have data).
--   * is_employed_here_at_t: any active employment in the same municipality (also substitute
--     or hourly work): the person has not left (turnover);
--   * other_municipalities_at_t (leavers only): other municipalities of the data where the
--     same person (linked by national id) is employed at t: moves, not exits (sector
--     turnover, regional retention, transitions). Empty for persons without a national id.
{{ config(**year_slice_config()) }}
with snapshots as (
    -- in a slice of municipalities: theirs, and every row of their persons (where leavers went)
    select * from {{ ref('int_person_snapshots') }}
    where {{ in_person_slice(ref('int_person_snapshots')) }}
),

coverage as (
    select municipality_code, year
    from {{ ref('int_data_coverage') }}
    where has_snapshot and can_follow_persons
),

previous as (
    select snapshots.*
    from snapshots
    inner join coverage
        on coverage.municipality_code = snapshots.municipality_code
       and coverage.year = snapshots.year + 1
    where snapshots.is_counted
),

paired as (
    select
        previous.municipality_code,
        previous.person_number,
        previous.year + 1 as year,
        previous.has_person_key,
        previous.basis,
        previous.main_service_area,
        previous.main_position_group,
        previous.gender,
        previous.age,
        previous.age_band,
        previous.is_key_position,
        previous.has_retirement_termination,
        current_year.person_number is not null as is_employed_here_at_t,
        coalesce(current_year.is_counted, false) as is_counted_at_t,
        current_year.main_service_area as main_service_area_at_t,
        current_year.main_position_group as main_position_group_at_t
    from previous
    left join snapshots as current_year
        on current_year.municipality_code = previous.municipality_code
       and current_year.person_number = previous.person_number
       and current_year.year = previous.year + 1
),

elsewhere as (
    -- only leavers with a national id can be found elsewhere
    select
        paired.municipality_code,
        paired.person_number,
        list(distinct other.municipality_code order by other.municipality_code) as municipality_codes
    from paired
    inner join snapshots as other
        on other.person_number = paired.person_number
       and other.year = paired.year
       and other.municipality_code <> paired.municipality_code
    where not paired.is_employed_here_at_t
      and paired.has_person_key
    group by paired.municipality_code, paired.person_number
),

final as (
    select
        paired.*,
        coalesce(elsewhere.municipality_codes, []) as other_municipalities_at_t
    from paired
    left join elsewhere using (municipality_code, person_number)
)

select * from final
where {{ in_slice() }}
