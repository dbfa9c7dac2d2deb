-- Long rows of the competence indicators: delivered education and the qualification gap
-- (int_education_rollup, additive: regions pool their members' persons), the population's
-- higher education (SSB 09429, for the municipalities with a snapshot), and the replacement
-- gap 5 and 10 years ahead with its band per function family (fct_replacement_need's cohort
-- rule; not additive: a region's turnover is pooled, then projected). The gap can be
-- negative (more hires than leavers), so it is an index-like value over the stock
-- (denominator = persons in the family on 1 December), with no numerator.
{{ config(**year_slice_config()) }}
with education as (
    select * from {{ ref('int_education_rollup') }}
    where {{ in_year_slice() }}
),

population as (
    select
        areas.area_type,
        areas.area_code,
        population.year,
        'total' as breakdown,
        'total' as breakdown_value,
        sum({{ exact('population.persons', 18) }}) filter (where population.education_level in ('hoyskole', 'master')) as higher,
        sum({{ exact('population.persons', 18) }}) as persons
    from {{ ref('int_education_population') }} as population
    inner join {{ ref('int_areas') }} as areas on areas.municipality_code = population.municipality_code
    where {{ in_year_slice('population.year') }}
    group by all
),

need as (
    select
        area_type,
        area_code,
        year,
        'function_family' as breakdown,
        function_family as breakdown_value,
        horizon_years,
        stock_persons,
        gap,
        gap_low,
        gap_high
    from {{ ref('fct_replacement_need') }}
    where {{ in_year_slice() }}
),

final as (
    {{ indicator_rows('education', [
        {'id': 'education_reported_share', 'persons': 'employees', 'numerator': 'employees_known', 'denominator': 'employees'},
        {'id': 'higher_education_share', 'persons': 'employees_known', 'numerator': 'employees_hoyskole + employees_master', 'denominator': 'employees_known'},
        {'id': 'qualification_gap', 'persons': 'requiring_known', 'numerator': 'requiring_below', 'denominator': 'requiring_known'},
    ], basis="'municipality'") }}
    union all
    {{ indicator_rows('population', [
        {'id': 'population_higher_education_share', 'numerator': 'higher', 'denominator': 'persons'},
    ], basis='null') }}
    union all
    {% for horizon in [5, 10] %}
    {{ indicator_rows('need', [
        {'id': 'replacement_gap_' ~ horizon ~ 'y', 'persons': 'stock_persons', 'numerator': 'null', 'denominator': 'stock_persons', 'value': 'gap', 'where': 'horizon_years = ' ~ horizon},
        {'id': 'replacement_gap_' ~ horizon ~ 'y_low', 'persons': 'stock_persons', 'numerator': 'null', 'denominator': 'stock_persons', 'value': 'gap_low', 'where': 'horizon_years = ' ~ horizon},
        {'id': 'replacement_gap_' ~ horizon ~ 'y_high', 'persons': 'stock_persons', 'numerator': 'null', 'denominator': 'stock_persons', 'value': 'gap_high', 'where': 'horizon_years = ' ~ horizon},
    ], basis="'municipality'") }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
where {{ in_slice() }}
