-- Grain: one row per (municipality_code, year, education_level) for every municipality-year
-- with an HR snapshot: SSB 09429's persons 16 years and older by education level beside the
-- 1 December snapshot. 09429 counts on 1 October; the same year is used when published, else
-- the latest earlier year (population_year says which: education changes slowly and SSB
-- publishes it late). Historical codes go to today's, shared by the KLASS weights. SSB's 09a
-- (not stated or none completed) is `uoppgitt`: in the total, at no level.
with education as (
    select * from {{ ref('stg_ssb__education_level') }}
),

code_map as (
    select * from {{ ref('int_municipality_code_map') }}
),

levels as (
    select * from {{ ref('education_levels') }}
),

mapped as (
    select
        coalesce(code_map.municipality_code, education.reported_municipality_code) as municipality_code,
        education.year,
        coalesce(levels.education_level, 'uoppgitt') as education_level,
        sum(education.persons * coalesce(code_map.weight, 1.0)) as persons,
        bool_or(education.is_demo) as is_demo
    from education
    left join code_map on code_map.source_code = education.reported_municipality_code
    left join levels on levels.ssb_level_code = education.ssb_level_code
    group by all
),

snapshots as (
    select municipality_code, year
    from {{ ref('int_data_coverage') }}
    where has_snapshot
),

nearest as (
    select snapshots.municipality_code, snapshots.year, max(mapped.year) as population_year
    from snapshots
    inner join mapped
        on mapped.municipality_code = snapshots.municipality_code
       and mapped.year <= snapshots.year
    group by all
),

final as (
    select
        nearest.municipality_code,
        nearest.year,
        nearest.population_year,
        mapped.education_level,
        mapped.persons,
        mapped.is_demo
    from nearest
    inner join mapped
        on mapped.municipality_code = nearest.municipality_code
       and mapped.year = nearest.population_year
)

select * from final
