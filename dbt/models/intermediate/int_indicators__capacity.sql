-- Long rows of the shared-service capacity indicators: FTE and age risk per function family
-- (and in total), and the number of vulnerable function families (one person or under one
-- FTE) against the number of staffed families.
{{ config(**year_slice_config()) }}
with capacity as (
    select * from {{ ref('int_function_capacity') }}
),

by_family as (
    select
        area_type,
        area_code,
        year,
        'function_family' as breakdown,
        function_family as breakdown_value,
        fte,
        fte_aged_risk
    from capacity
    union all
    select
        area_type,
        area_code,
        year,
        'total',
        'total',
        sum(fte),
        sum(fte_aged_risk)
    from capacity
    group by all
),

vulnerable as (
    select
        area_type,
        area_code,
        year,
        'total' as breakdown,
        'total' as breakdown_value,
        count(*) filter (where is_vulnerable) as vulnerable_families,
        count(*) as staffed_families
    from capacity
    group by all
),

final as (
    {{ indicator_rows('by_family', [
        {'id': 'function_fte', 'numerator': 'fte'},
        {'id': 'function_age_risk', 'numerator': 'fte_aged_risk', 'denominator': 'fte'},
    ], basis='null') }}
    union all
    {{ indicator_rows('vulnerable', [
        {'id': 'single_person_functions', 'numerator': 'vulnerable_families', 'denominator': 'staffed_families'},
    ], basis='null') }}
)

select * from final
where {{ in_year_slice() }}
