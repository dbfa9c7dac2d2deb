-- Grain: one row per (municipality_code, year, gender, age_band): SSB 07459 persons on
-- 1 January of `year`, on today's municipality codes (a split municipality's population is
-- shared by the KLASS weights), with the band's part inside the comparison ages 20-66.
with population as (
    select * from {{ ref('stg_ssb__population') }}
    where contents_code ilike 'personer%'
      -- municipalities only (SSB tables may also carry the country, counties or groups)
      and regexp_full_match(reported_municipality_code, '[0-9]{4}')
      and persons is not null
      and gender is not null
      and age is not null
),

code_map as (
    select * from {{ ref('int_municipality_code_map') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

mapped as (
    select
        coalesce(code_map.municipality_code, population.reported_municipality_code) as municipality_code,
        population.year,
        population.gender,
        population.age,
        population.persons * coalesce(code_map.weight, 1.0) as persons,
        population.is_demo
    from population
    left join code_map on code_map.source_code = population.reported_municipality_code
),

final as (
    select
        mapped.municipality_code,
        mapped.year,
        mapped.gender,
        age_bands.age_band,
        sum(mapped.persons) as persons,
        coalesce(sum(mapped.persons) filter (
            where mapped.age between {{ var('population_min_age') }} and {{ var('population_max_age') }}
        ), 0) as persons_comparison_ages,
        bool_or(mapped.is_demo) as is_demo
    from mapped
    inner join age_bands
        on mapped.age between age_bands.min_age and age_bands.max_age
    group by all
)

select * from final
