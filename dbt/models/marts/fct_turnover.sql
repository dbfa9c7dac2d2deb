-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): turnover from
-- 1 December of year - 1 to 1 December of year, its variants, regional retention, internal
-- mobility and (on the total row) the transitions split, which sums to 1.
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in (
        'turnover', 'sector_turnover', 'turnover_excl_retirement', 'regional_retention',
        'internal_mobility', 'transitions'
    )
),

transitions as (
    select
        area_type,
        area_code,
        year,
        'total' as breakdown,
        'total' as breakdown_value,
        max(value) filter (where breakdown_value = 'same_municipality_same_service_area') as same_municipality_same_service_area_share,
        max(value) filter (where breakdown_value = 'same_municipality_other_service_area') as same_municipality_other_service_area_share,
        max(value) filter (where breakdown_value = 'other_municipality_in_region') as other_municipality_in_region_share,
        max(value) filter (where breakdown_value = 'other_municipality_outside_region') as other_municipality_outside_region_share,
        max(value) filter (where breakdown_value = 'not_employed') as not_employed_share
    from indicators
    where indicator_id = 'transitions'
    group by all
),

pivoted as (
    select
        area_type,
        area_code,
        year,
        breakdown,
        breakdown_value,
        {{ pivot_indicators([
            {'name': 'employees_previous_year', 'id': 'turnover', 'field': 'denominator', 'count': true},
            {'name': 'leavers', 'id': 'turnover', 'field': 'numerator', 'count': true},
            {'name': 'turnover', 'id': 'turnover'},
            {'name': 'sector_leavers', 'id': 'sector_turnover', 'field': 'numerator', 'count': true},
            {'name': 'sector_turnover', 'id': 'sector_turnover'},
            {'name': 'leavers_excl_retirement', 'id': 'turnover_excl_retirement', 'field': 'numerator', 'count': true},
            {'name': 'turnover_excl_retirement', 'id': 'turnover_excl_retirement'},
            {'name': 'leavers_retained_in_region', 'id': 'regional_retention', 'field': 'numerator', 'count': true},
            {'name': 'regional_retention', 'id': 'regional_retention'},
            {'name': 'employees_both_years', 'id': 'internal_mobility', 'field': 'denominator', 'count': true},
            {'name': 'changed_position_group', 'id': 'internal_mobility', 'field': 'numerator', 'count': true},
            {'name': 'internal_mobility', 'id': 'internal_mobility'},
            {'name': 'basis', 'id': 'sector_turnover', 'field': 'basis'},
        ]) }}
    from indicators
    where indicator_id <> 'transitions'
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
        pivoted.employees_previous_year,
        pivoted.leavers,
        pivoted.turnover,
        pivoted.sector_leavers,
        pivoted.sector_turnover,
        pivoted.leavers_excl_retirement,
        pivoted.turnover_excl_retirement,
        pivoted.leavers_retained_in_region,
        pivoted.regional_retention,
        pivoted.employees_both_years,
        pivoted.changed_position_group,
        pivoted.internal_mobility,
        transitions.same_municipality_same_service_area_share,
        transitions.same_municipality_other_service_area_share,
        transitions.other_municipality_in_region_share,
        transitions.other_municipality_outside_region_share,
        transitions.not_employed_share,
        pivoted.basis
    from pivoted
    left join transitions using (area_type, area_code, year, breakdown, breakdown_value)
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
