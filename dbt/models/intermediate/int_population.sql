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

mapped as (
    {{- on_todays_codes('population', ['year', 'gender', 'age', 'is_demo'], weighted=['persons']) }}
),

final as (
    select
        mapped.municipality_code,
        mapped.year,
        mapped.gender,
        age_bands.age_band,
        sum({{ exact('mapped.persons', 18) }}) as persons,
        coalesce(sum({{ exact('mapped.persons', 18) }}) filter (
            where mapped.age between {{ var('population_min_age') }} and {{ var('population_max_age') }}
        ), 0) as persons_comparison_ages,
        bool_or(mapped.is_demo) as is_demo
    from mapped
    inner join {{ ref('age_bands') }} as age_bands
        on mapped.age between age_bands.min_age and age_bands.max_age
    group by all
)

select * from final
