-- Grain: one row per (municipality_code, year, gender, age_band) for every municipality-year
-- with an HR snapshot: the population set beside the 1 December snapshot. SSB counts the
-- population on 1 January; the nearest count to 1 December of `year` is 1 January of
-- year + 1, used when SSB has published it, else 1 January of `year` (population_year says
-- which). Only municipalities with HR data that year enter, so a region's employees and
-- population cover the same municipalities.
with population as (
    select * from {{ ref('int_population') }}
),

latest as (
    select max(year) as latest_year from population
),

snapshots as (
    select municipality_code, year
    from {{ ref('int_data_coverage') }}
    where has_snapshot
),

final as (
    select
        snapshots.municipality_code,
        snapshots.year,
        population.year as population_year,
        population.gender,
        population.age_band,
        population.persons,
        population.persons_comparison_ages,
        population.is_demo
    from snapshots
    cross join latest
    inner join population
        on population.municipality_code = snapshots.municipality_code
       and population.year = case
            when latest.latest_year >= snapshots.year + 1 then snapshots.year + 1
            else snapshots.year
        end
)

select * from final
