-- Grain: one row per (area_type, area_code, year): key positions (leaders at levels 1-4 and
-- the codes on dbt/seeds/key_position_codes.csv) — their turnover and tenure, and how their
-- postings went (days to fill, cost per hire, re-advertised share).
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in (
        'key_turnover', 'key_median_tenure_years', 'key_vacancy_days', 'key_cost_per_hire',
        'key_readvertised_share'
    )
      and breakdown = 'total'
),

pivoted as (
    select
        area_type,
        area_code,
        year,
        {{ pivot_indicators([
            {'name': 'key_employees_previous_year', 'id': 'key_turnover', 'field': 'denominator', 'count': true},
            {'name': 'key_leavers', 'id': 'key_turnover', 'field': 'numerator', 'count': true},
            {'name': 'key_turnover', 'id': 'key_turnover'},
            {'name': 'key_employees', 'id': 'key_median_tenure_years', 'field': 'denominator', 'count': true},
            {'name': 'key_median_tenure_years', 'id': 'key_median_tenure_years'},
            {'name': 'key_postings', 'id': 'key_readvertised_share', 'field': 'denominator', 'count': true},
            {'name': 'key_postings_readvertised', 'id': 'key_readvertised_share', 'field': 'numerator', 'count': true},
            {'name': 'key_readvertised_share', 'id': 'key_readvertised_share'},
            {'name': 'key_postings_filled', 'id': 'key_cost_per_hire', 'field': 'denominator', 'count': true},
            {'name': 'key_hiring_cost_nok', 'id': 'key_cost_per_hire', 'field': 'numerator'},
            {'name': 'key_cost_per_hire', 'id': 'key_cost_per_hire'},
            {'name': 'key_vacancy_days', 'id': 'key_vacancy_days'},
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
        pivoted.key_employees_previous_year,
        pivoted.key_leavers,
        pivoted.key_turnover,
        pivoted.key_employees,
        pivoted.key_median_tenure_years,
        pivoted.key_postings,
        pivoted.key_postings_readvertised,
        pivoted.key_readvertised_share,
        pivoted.key_postings_filled,
        pivoted.key_hiring_cost_nok,
        pivoted.key_cost_per_hire,
        pivoted.key_vacancy_days
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
