-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): postings by
-- the year they closed — time to fill, applicants, cost per hire, own apprentices hired.
with indicators as (
    select * from {{ ref('fct_indicators') }}
    where indicator_id in (
        'time_to_fill_days', 'applicants_per_posting', 'qualified_per_posting', 'cost_per_hire',
        'own_apprentice_hire_share'
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
            {'name': 'filled_postings', 'id': 'cost_per_hire', 'field': 'denominator', 'count': true},
            {'name': 'time_to_fill_days', 'id': 'time_to_fill_days'},
            {'name': 'postings_with_applicants', 'id': 'applicants_per_posting', 'field': 'denominator', 'count': true},
            {'name': 'applicants', 'id': 'applicants_per_posting', 'field': 'numerator', 'count': true},
            {'name': 'applicants_per_posting', 'id': 'applicants_per_posting'},
            {'name': 'qualified_applicants', 'id': 'qualified_per_posting', 'field': 'numerator', 'count': true},
            {'name': 'qualified_per_posting', 'id': 'qualified_per_posting'},
            {'name': 'hiring_cost_nok', 'id': 'cost_per_hire', 'field': 'numerator'},
            {'name': 'cost_per_hire', 'id': 'cost_per_hire'},
            {'name': 'own_apprentice_hires', 'id': 'own_apprentice_hire_share', 'field': 'numerator', 'count': true},
            {'name': 'own_apprentice_hire_share', 'id': 'own_apprentice_hire_share'},
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
        pivoted.filled_postings,
        pivoted.time_to_fill_days,
        pivoted.postings_with_applicants,
        pivoted.applicants,
        pivoted.applicants_per_posting,
        pivoted.qualified_applicants,
        pivoted.qualified_per_posting,
        pivoted.hiring_cost_nok,
        pivoted.cost_per_hire,
        pivoted.own_apprentice_hires,
        pivoted.own_apprentice_hire_share
    from pivoted
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
