-- Grain: one row per (area_type, area_code, year, function_family): staff of a shared-service
-- function family on 1 December. A region's staff is pooled over its members, so a family
-- that is vulnerable in each small municipality may not be in the region: the point of a
-- host-municipality (vertskommune) arrangement.
{{ config(**year_slice_config()) }}
with final as (
    select
        areas.area_type,
        areas.area_code,
        facts.year,
        facts.function_family,
        count(*) as persons,
        sum({{ exact('facts.fte') }}) as fte,
        coalesce(sum({{ exact('facts.fte') }}) filter (where facts.age >= {{ var('function_risk_age') }}), 0) as fte_aged_risk,
        count(*) = 1 or sum({{ exact('facts.fte') }}) < 1 as is_vulnerable
    from {{ ref('int_function_staff') }} as facts
    inner join {{ ref('int_areas') }} as areas on areas.municipality_code = facts.municipality_code
    group by all
)

select * from final
where {{ in_slice() }}
