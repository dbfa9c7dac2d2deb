-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): the full-time
-- indicators side by side (a wide view of fct_indicators).
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in (
        'counted_employees', 'fulltime_share', 'avg_position_size', 'short_parttime_share',
        'fte', 'fulltime_share_new_hires'
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
            {'name': 'counted_employees', 'id': 'counted_employees', 'count': true},
            {'name': 'fulltime_employees', 'id': 'fulltime_share', 'field': 'numerator', 'count': true},
            {'name': 'fulltime_share', 'id': 'fulltime_share'},
            {'name': 'avg_position_size', 'id': 'avg_position_size'},
            {'name': 'short_parttime_employees', 'id': 'short_parttime_share', 'field': 'numerator', 'count': true},
            {'name': 'short_parttime_share', 'id': 'short_parttime_share'},
            {'name': 'fte', 'id': 'fte'},
            {'name': 'new_hires', 'id': 'fulltime_share_new_hires', 'field': 'denominator', 'count': true},
            {'name': 'new_hires_fulltime', 'id': 'fulltime_share_new_hires', 'field': 'numerator', 'count': true},
            {'name': 'fulltime_share_new_hires', 'id': 'fulltime_share_new_hires'},
            {'name': 'basis', 'id': 'fulltime_share', 'field': 'basis'},
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
        pivoted.counted_employees,
        pivoted.fulltime_employees,
        pivoted.fulltime_share,
        pivoted.avg_position_size,
        pivoted.short_parttime_employees,
        pivoted.short_parttime_share,
        pivoted.fte,
        pivoted.new_hires,
        pivoted.new_hires_fulltime,
        pivoted.fulltime_share_new_hires,
        pivoted.basis
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
