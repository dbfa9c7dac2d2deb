-- Grain: one row per (employment_key, reported_municipality_code, snapshot_date): each
-- employment active on 1 December of a year its municipality has data for. Active means
-- start <= date <= end (an employment ending on 1 December still counts that day). This is
-- the one range join of dates and employments; everything person-level builds on it.
-- A view: the join is cheap (a hash join on the municipality, then the date range), and
-- writing its rows to disk cost more than computing them in the two models that read it.
{{ config(materialized='view') }}
with employments as (
    select * from {{ ref('int_hr__employments') }}
),

snapshots as (
    select municipality_code, year, snapshot_date
    from {{ ref('int_data_coverage') }}
    where has_snapshot
),

final as (
    select
        employments.employment_key,
        employments.employment_number,
        employments.reported_municipality_code,
        employments.municipality_code,
        snapshots.year,
        snapshots.snapshot_date,
        employments.person_number,
        employments.has_person_key,
        employments.birth_year,
        employments.gender,
        employments.position_code,
        employments.position_group,
        employments.manager_level,
        employments.is_key_position,
        employments.employment_type,
        employments.is_apprentice,
        employments.is_counted_type,
        employments.fte_percent,
        employments.start_date,
        employments.service_area,
        employments.education_level,
        employments.function_family,
        employments.termination_group
    from employments
    inner join snapshots
        on snapshots.municipality_code = employments.municipality_code
       and {{ is_active_on('employments', 'snapshots.snapshot_date') }}
)

select * from final
