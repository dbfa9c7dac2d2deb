-- Grain: one row per (municipality_code, year, education_level) for every municipality-year
-- with an HR snapshot: SSB 09429's persons 16 years and older by education level beside the
-- 1 December snapshot. 09429 counts on 1 October; the same year is used when published, else
-- the latest earlier year (population_year says which: education changes slowly and SSB
-- publishes it late). Historical codes go to today's, shared by the KLASS weights. SSB's 09a
-- (not stated or none completed) is `uoppgitt`: in the total, at no level.
with education as (
    select * from {{ ref('stg_ssb__education_level') }}
),

weighted as (
    {{- on_todays_codes('education', ['year', 'ssb_level_code', 'is_demo'], weighted=['persons']) }}
),

mapped as (
    select
        weighted.municipality_code,
        weighted.year,
        coalesce(levels.education_level, 'uoppgitt') as education_level,
        sum({{ exact('weighted.persons', 18) }}) as persons,
        bool_or(weighted.is_demo) as is_demo
    from weighted
    left join {{ ref('education_levels') }} as levels on levels.ssb_level_code = weighted.ssb_level_code
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
