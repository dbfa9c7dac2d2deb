-- Long rows of the shared-service capacity indicators: FTE and age risk per function family
-- (and in total), and the number of vulnerable function families (one person or under one
-- FTE) against the number of staffed families.
{{ config(**year_slice_config()) }}
with capacity as (
    select * from {{ ref('int_function_capacity') }}
),

staff as (
    select * from {{ ref('int_function_staff') }}
    where {{ in_year_slice() }}
),

staff_totals as (
    -- distinct persons over all function families: one person may work in two families
    {{- area_rollup('staff', [], 'count(distinct (facts.municipality_code, facts.person_number)) as persons') }}
),

by_family as (
    select
        area_type,
        area_code,
        year,
        'function_family' as breakdown,
        function_family as breakdown_value,
        persons,
        fte,
        fte_aged_risk
    from capacity
    union all
    select
        capacity.area_type,
        capacity.area_code,
        capacity.year,
        'total',
        'total',
        any_value(staff_totals.persons),
        sum({{ exact('capacity.fte') }}),
        sum({{ exact('capacity.fte_aged_risk') }})
    from capacity
    inner join staff_totals using (area_type, area_code, year)
    group by all
),

vulnerable as (
    select
        area_type,
        area_code,
        year,
        'total' as breakdown,
        'total' as breakdown_value,
        count(*) filter (where capacity.is_vulnerable) as vulnerable_families,
        count(*) as staffed_families,
        any_value(staff_totals.persons) as persons
    from capacity
    inner join staff_totals using (area_type, area_code, year)
    group by all
),

final as (
    {{ indicator_rows('by_family', [
        {'id': 'function_fte', 'persons': 'persons', 'numerator': 'fte'},
        {'id': 'function_age_risk', 'persons': 'persons', 'numerator': 'fte_aged_risk', 'denominator': 'fte'},
    ], basis='null') }}
    union all
    {{ indicator_rows('vulnerable', [
        {'id': 'single_person_functions', 'persons': 'persons', 'numerator': 'vulnerable_families', 'denominator': 'staffed_families'},
    ], basis='null') }}
)

select * from final
where {{ in_slice() }}
