{#- A topic mart (`mart`) holds exactly the areas and years its indicator has in the model
    (fct_indicators): a figure is never in one and missing in the other. -#}
{% test same_areas_and_years(model, mart, indicator) %}
with mart as (
    select distinct area_type, area_code, year from {{ mart }}
),

published as (
    select distinct area_type, area_code, year from {{ model }}
    where indicator_id = '{{ indicator }}'
)

select
    coalesce(mart.area_type, published.area_type) as area_type,
    coalesce(mart.area_code, published.area_code) as area_code,
    coalesce(mart.year, published.year) as year,
    case when mart.year is null then 'mangler i {{ mart.identifier }}' else 'mangler i fct_indicators' end as problem
from mart
full outer join published
    on mart.area_type = published.area_type and mart.area_code = published.area_code and mart.year = published.year
where mart.year is null or published.year is null
{% endtest %}
