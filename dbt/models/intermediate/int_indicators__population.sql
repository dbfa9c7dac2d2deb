-- Long rows of the indicators that set the workforce beside the population (SSB 07459):
-- employees and apprentices per 1,000 inhabitants, the population's age and gender
-- distribution (ages 20-66) and the dissimilarity indices (half the sum of absolute
-- differences between the employees' and the population's shares). Both sides cover the
-- same municipality-years (those with an HR snapshot and a population count), so a region
-- compares like with like.
{{ config(**year_slice_config()) }}
with population_facts as (
    select * from {{ ref('int_population_snapshot_years') }}
),

areas as (
    select * from {{ ref('int_areas') }}
),

with_population as (
    select distinct municipality_code, year from population_facts
),

employee_facts as (
    select
        snapshots.municipality_code,
        snapshots.year,
        snapshots.is_counted,
        snapshots.is_apprentice,
        snapshots.has_person_key,
        coalesce(snapshots.gender, 'ukjent') as gender,
        coalesce(snapshots.age_band, 'ukjent') as age_band
    from {{ ref('int_person_snapshots') }} as snapshots
    inner join with_population using (municipality_code, year)
),

population as (
    select
        areas.area_type,
        areas.area_code,
        population_facts.year,
        population_facts.gender,
        population_facts.age_band,
        sum({{ exact('population_facts.persons', 18) }}) as persons,
        sum({{ exact('population_facts.persons_comparison_ages', 18) }}) as persons_comparison_ages
    from population_facts
    inner join areas on areas.municipality_code = population_facts.municipality_code
    group by all
),

population_totals as (
    select
        area_type,
        area_code,
        year,
        sum({{ exact('persons', 18) }}) as inhabitants,
        sum({{ exact('persons_comparison_ages', 18) }}) as comparison_total,
        coalesce(sum({{ exact('persons_comparison_ages', 18) }}) filter (where gender = 'F'), 0) as comparison_women
    from population
    group by all
),

population_bands as (
    select area_type, area_code, year, age_band, sum({{ exact('persons_comparison_ages', 18) }}) as comparison_band
    from population
    group by all
),

employee_bands as (
    select
        areas.area_type,
        areas.area_code,
        employee_facts.year,
        employee_facts.age_band,
        count(*) filter (where employee_facts.is_counted) as counted
    from employee_facts
    inner join areas on areas.municipality_code = employee_facts.municipality_code
    group by all
),

employee_totals as (
    select
        areas.area_type,
        areas.area_code,
        employee_facts.year,
        count(*) filter (where employee_facts.is_counted) as counted,
        count(*) filter (where employee_facts.is_apprentice) as apprentices,
        count(*) filter (where employee_facts.is_counted and employee_facts.gender = 'F') as women,
        {{ basis_of('employee_facts.has_person_key', 'employee_facts.is_counted') }} as basis
    from employee_facts
    inner join areas on areas.municipality_code = employee_facts.municipality_code
    group by all
),

bands as (
    -- every band present on either side; a missing side counts as a share of 0
    select
        coalesce(employee_bands.area_type, population_bands.area_type) as area_type,
        coalesce(employee_bands.area_code, population_bands.area_code) as area_code,
        coalesce(employee_bands.year, population_bands.year) as year,
        coalesce(employee_bands.age_band, population_bands.age_band) as age_band,
        coalesce(employee_bands.counted, 0) as employees_in_band,
        coalesce(population_bands.comparison_band, 0) as population_in_band
    from employee_bands
    full outer join population_bands
        on population_bands.area_type = employee_bands.area_type
       and population_bands.area_code = employee_bands.area_code
       and population_bands.year = employee_bands.year
       and population_bands.age_band = employee_bands.age_band
),

combined as (
    select
        population_totals.area_type,
        population_totals.area_code,
        population_totals.year,
        'total' as breakdown,
        'total' as breakdown_value,
        population_totals.inhabitants,
        population_totals.comparison_total,
        population_totals.comparison_women,
        employee_totals.counted,
        employee_totals.apprentices,
        employee_totals.women,
        employee_totals.basis
    from population_totals
    inner join employee_totals using (area_type, area_code, year)
    where population_totals.inhabitants > 0
),

dissimilarity as (
    select
        combined.area_type,
        combined.area_code,
        combined.year,
        'total' as breakdown,
        'total' as breakdown_value,
        combined.counted,
        combined.basis,
        0.5 * sum({{ exact('abs(bands.employees_in_band / combined.counted - bands.population_in_band / combined.comparison_total)', 18) }})
            as age_dissimilarity,
        abs(combined.women / combined.counted - combined.comparison_women / combined.comparison_total)
            as gender_dissimilarity
    from combined
    inner join bands using (area_type, area_code, year)
    where combined.counted > 0
      and combined.comparison_total > 0
    group by all
),

population_band_rows as (
    select
        population_bands.area_type,
        population_bands.area_code,
        population_bands.year,
        'age_band' as breakdown,
        population_bands.age_band as breakdown_value,
        population_bands.comparison_band,
        population_totals.comparison_total
    from population_bands
    inner join population_totals using (area_type, area_code, year)
),

final as (
    {{ indicator_rows('combined', [
        {'id': 'employees_per_1000', 'persons': 'counted', 'numerator': 'counted', 'denominator': 'inhabitants'},
        {'id': 'apprentices_per_1000', 'persons': 'apprentices', 'numerator': 'apprentices', 'denominator': 'inhabitants', 'basis': "'municipality'"},
        {'id': 'population_women_share', 'numerator': 'comparison_women', 'denominator': 'comparison_total', 'basis': 'null'},
    ]) }}
    union all
    {{ indicator_rows('dissimilarity', [
        {'id': 'age_dissimilarity', 'persons': 'counted', 'numerator': 'null', 'denominator': 'counted', 'value': 'age_dissimilarity'},
        {'id': 'gender_dissimilarity', 'persons': 'counted', 'numerator': 'null', 'denominator': 'counted', 'value': 'gender_dissimilarity'},
    ]) }}
    union all
    {{ indicator_rows('population_band_rows', [
        {'id': 'population_age_distribution', 'numerator': 'comparison_band', 'denominator': 'comparison_total'},
    ], basis='null') }}
)

select * from final
where {{ in_slice() }}
