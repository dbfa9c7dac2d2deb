-- Grain: one row per (municipality_code, person_id, year): a counted employee on 1 December
-- of year - 1 and where they are on 1 December of `year` (both snapshots must have data).
--   * is_employed_here_at_t: any active employment in the same municipality (also substitute
--     or hourly work): the person has not left (turnover);
--   * other_municipalities_at_t: other municipalities of the data where the same person
--     (linked by national id) is employed at t: moves, not exits (sector turnover, regional
--     retention, transitions). Empty for persons without a national id pseudonym.
with snapshots as (
    select * from {{ ref('int_person_snapshots') }}
),

coverage as (
    select municipality_code, year
    from {{ ref('int_data_coverage') }}
    where has_snapshot and has_previous_snapshot
),

previous as (
    select snapshots.*
    from snapshots
    inner join coverage
        on coverage.municipality_code = snapshots.municipality_code
       and coverage.year = snapshots.year + 1
    where snapshots.is_counted
),

elsewhere as (
    select person_id, year, list(distinct municipality_code) as municipality_codes
    from snapshots
    where has_person_key
    group by person_id, year
),

final as (
    select
        previous.municipality_code,
        previous.person_id,
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
        current_year.person_id is not null as is_employed_here_at_t,
        coalesce(current_year.is_counted, false) as is_counted_at_t,
        current_year.main_service_area as main_service_area_at_t,
        current_year.main_position_group as main_position_group_at_t,
        coalesce(
            list_filter(elsewhere.municipality_codes, lambda code: code <> previous.municipality_code),
            []
        ) as other_municipalities_at_t
    from previous
    left join snapshots as current_year
        on current_year.municipality_code = previous.municipality_code
       and current_year.person_id = previous.person_id
       and current_year.year = previous.year + 1
    left join elsewhere
        on elsewhere.person_id = previous.person_id
       and elsewhere.year = previous.year + 1
       and previous.has_person_key
)

select * from final
