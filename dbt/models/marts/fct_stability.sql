-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): whether staff
-- stay — new hires still employed after 12 and 24 months (by hire year), median tenure and
-- the temporary share on 1 December.
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in ('retention_12m', 'retention_24m', 'median_tenure_years', 'temporary_share')
),

pivoted as (
    select
        area_type,
        area_code,
        year,
        breakdown,
        breakdown_value,
        {{ pivot_indicators([
            {'name': 'hires_followed_12m', 'id': 'retention_12m', 'field': 'denominator', 'count': true},
            {'name': 'retained_12m', 'id': 'retention_12m', 'field': 'numerator', 'count': true},
            {'name': 'retention_12m', 'id': 'retention_12m'},
            {'name': 'hires_followed_24m', 'id': 'retention_24m', 'field': 'denominator', 'count': true},
            {'name': 'retained_24m', 'id': 'retention_24m', 'field': 'numerator', 'count': true},
            {'name': 'retention_24m', 'id': 'retention_24m'},
            {'name': 'median_tenure_years', 'id': 'median_tenure_years'},
            {'name': 'temporary_employees', 'id': 'temporary_share', 'field': 'numerator', 'count': true},
            {'name': 'temporary_share', 'id': 'temporary_share'},
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
        pivoted.hires_followed_12m,
        pivoted.retained_12m,
        pivoted.retention_12m,
        pivoted.hires_followed_24m,
        pivoted.retained_24m,
        pivoted.retention_24m,
        pivoted.median_tenure_years,
        pivoted.temporary_employees,
        pivoted.temporary_share
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
