-- Grain: one row per (area_type, area_code, year): apprentices on 1 December, per 1,000
-- inhabitants (KS's target: at least 2), and those who finished in the year and were
-- employed by the same municipality within 12 months.
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in ('apprentices', 'apprentices_per_1000', 'apprentice_conversion_12m')
      and breakdown = 'total'
),

pivoted as (
    select
        area_type,
        area_code,
        year,
        {{ pivot_indicators([
            {'name': 'apprentices', 'id': 'apprentices', 'count': true},
            {'name': 'inhabitants', 'id': 'apprentices_per_1000', 'field': 'denominator', 'count': true},
            {'name': 'apprentices_per_1000', 'id': 'apprentices_per_1000'},
            {'name': 'apprentices_finished', 'id': 'apprentice_conversion_12m', 'field': 'denominator', 'count': true},
            {'name': 'apprentices_hired_12m', 'id': 'apprentice_conversion_12m', 'field': 'numerator', 'count': true},
            {'name': 'apprentice_conversion_12m', 'id': 'apprentice_conversion_12m'},
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
        pivoted.apprentices,
        pivoted.inhabitants,
        pivoted.apprentices_per_1000,
        pivoted.apprentices_finished,
        pivoted.apprentices_hired_12m,
        pivoted.apprentice_conversion_12m
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
