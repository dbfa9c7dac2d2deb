-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): does the
-- workforce mirror the municipality? Women's shares, the age bands of employees beside the
-- population aged 20-66 (breakdown = age_band), the dissimilarity indices, the replacement
-- need ahead (reaching 67) and employees per 1,000 inhabitants.
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in (
        'women_share', 'women_share_leaders', 'age_distribution', 'population_age_distribution',
        'population_women_share', 'age_dissimilarity', 'gender_dissimilarity',
        'retirement_wave_5y', 'retirement_wave_10y', 'employees_per_1000'
    )
),

pivoted as (
    select
        area_type,
        area_code,
        year,
        breakdown,
        breakdown_value,
        {{ pivot_indicators([
            {'name': 'women_share', 'id': 'women_share'},
            {'name': 'women_share_leaders', 'id': 'women_share_leaders'},
            {'name': 'population_women_share', 'id': 'population_women_share'},
            {'name': 'employees_in_age_band', 'id': 'age_distribution', 'field': 'numerator', 'count': true},
            {'name': 'employee_age_share', 'id': 'age_distribution'},
            {'name': 'population_age_share', 'id': 'population_age_distribution'},
            {'name': 'age_dissimilarity', 'id': 'age_dissimilarity'},
            {'name': 'gender_dissimilarity', 'id': 'gender_dissimilarity'},
            {'name': 'retiring_5y', 'id': 'retirement_wave_5y', 'field': 'numerator', 'count': true},
            {'name': 'retirement_wave_5y', 'id': 'retirement_wave_5y'},
            {'name': 'retiring_10y', 'id': 'retirement_wave_10y', 'field': 'numerator', 'count': true},
            {'name': 'retirement_wave_10y', 'id': 'retirement_wave_10y'},
            {'name': 'employees_per_1000', 'id': 'employees_per_1000'},
        ]) }}
    from indicators
    group by all
),

final as (
    select
        pivoted.area_type,
        pivoted.area_code,
        area_names.area_name,
        pivoted.year,
        pivoted.breakdown,
        pivoted.breakdown_value,
        pivoted.women_share,
        pivoted.women_share_leaders,
        pivoted.population_women_share,
        pivoted.employees_in_age_band,
        pivoted.employee_age_share,
        pivoted.population_age_share,
        pivoted.age_dissimilarity,
        pivoted.gender_dissimilarity,
        pivoted.retiring_5y,
        pivoted.retirement_wave_5y,
        pivoted.retiring_10y,
        pivoted.retirement_wave_10y,
        pivoted.employees_per_1000
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
