{#- Regions are recomputed from persons: for every additive indicator
    (dim_indicator.is_additive), a region's numerator and denominator equal the sums over its
    member municipalities' rows of the same indicator, year and breakdown. The members' rows
    are read from `parts` (by default the model itself; fct_indicators passes the rows before
    publication, since a member's 0/0 figure is not published but still adds its numerator). -#}
{% test region_equals_sum_of_municipalities(model, indicators, members, parts=none) %}
{%- set parts = parts if parts is not none else model %}
with additive as (
    select indicator_id from {{ indicators }} where is_additive
),

regions as (
    select model.*
    from {{ model }} as model
    inner join additive using (indicator_id)
    where model.area_type = 'region'
),

member_sums as (
    select
        members.region_code as area_code,
        model.indicator_id,
        model.year,
        model.breakdown,
        model.breakdown_value,
        sum(model.numerator) as numerator,
        sum(model.denominator) as denominator
    from {{ parts }} as model
    inner join additive using (indicator_id)
    inner join {{ members }} as members on members.municipality_code = model.area_code
    where model.area_type = 'municipality'
    group by all
)

select
    regions.indicator_id,
    regions.area_code,
    regions.year,
    regions.breakdown,
    regions.breakdown_value,
    regions.numerator,
    member_sums.numerator as sum_of_members_numerator,
    regions.denominator,
    member_sums.denominator as sum_of_members_denominator
from regions
left join member_sums using (area_code, indicator_id, year, breakdown, breakdown_value)
where abs(coalesce(regions.numerator, 0) - coalesce(member_sums.numerator, 0)) > 1e-6
   or abs(coalesce(regions.denominator, 0) - coalesce(member_sums.denominator, 0)) > 1e-6
{% endtest %}
