-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value, education_level):
-- counted employees on 1 December by the education the HR exports delivered, in total and by
-- service area, position group and function family, beside the population 16+ (SSB 09429)
-- on the total rows. education_level is one of the levels of dbt/seeds/education_levels.csv,
-- `ukjent` (the municipality delivers education, but not for these persons) or `ikke_levert`
-- (employees of municipalities that deliver no education that year): never imputed. Shares
-- are of employees with a known level; the population's of all persons 16+ (09a included).
{{ config(**year_slice_config()) }}
with rollup as (
    -- the status needs the not-delivered count after the unpivot has consumed its column
    select *, employees_not_delivered as not_delivered_total
    from {{ ref('int_education_rollup') }}
    where {{ in_year_slice() }}
),

levels as (
    select education_level, education_rank from {{ ref('education_levels') }}
    union all select 'ukjent', 90
    union all select 'ikke_levert', 99
),

long as (
    unpivot rollup
    on employees_grunnskole as 'grunnskole',
       employees_videregaende as 'videregaende',
       employees_fagskole as 'fagskole',
       employees_hoyskole as 'hoyskole',
       employees_master as 'master',
       employees_unknown as 'ukjent',
       employees_not_delivered as 'ikke_levert'
    into name education_level value employees_at_level
),

population as (
    select
        areas.area_type,
        areas.area_code,
        population.year,
        population.education_level,
        min(population.population_year) as population_year,
        sum({{ exact('population.persons', 18) }}) as population_persons,
        bool_or(population.is_demo) as population_is_demo
    from {{ ref('int_education_population') }} as population
    inner join {{ ref('int_areas') }} as areas on areas.municipality_code = population.municipality_code
    where {{ in_year_slice('population.year') }}
    group by all
),

population_totals as (
    select area_type, area_code, year, sum({{ exact('population_persons', 18) }}) as population_total
    from population
    group by all
),

final as (
    select
        long.area_type,
        long.area_code,
        long.year,
        long.breakdown,
        long.breakdown_value,
        long.education_level,
        levels.education_rank,
        long.employees_at_level as employees,
        long.employees as employees_total,
        long.employees_known,
        case
            when long.education_level not in ('ukjent', 'ikke_levert') and long.employees_known > 0
                then long.employees_at_level / long.employees_known
        end as employee_share,
        case
            when long.not_delivered_total = long.employees then 'ikke levert'
            when long.not_delivered_total > 0 then 'delvis levert'
            else 'levert'
        end as education_status,
        long.municipalities,
        long.municipalities_not_delivering,
        cast(population.population_persons as double) as population_persons,  -- exact DECIMAL sums (macros/exact.sql)
        cast(population_totals.population_total as double) as population_total,
        population.population_persons / nullif(population_totals.population_total, 0) as population_share,
        population.population_year,
        population.population_is_demo
    from long
    inner join levels using (education_level)
    left join population
        on long.breakdown = 'total'
       and population.area_type = long.area_type
       and population.area_code = long.area_code
       and population.year = long.year
       and population.education_level = long.education_level
    left join population_totals
        on long.breakdown = 'total'
       and population_totals.area_type = long.area_type
       and population_totals.area_code = long.area_code
       and population_totals.year = long.year
)

select * from final
where {{ in_slice() }}
