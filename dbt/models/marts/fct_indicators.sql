-- Grain: one row per (indicator_id, area_type, area_code, year, breakdown, breakdown_value):
-- every published figure in one shape, with its numerator and denominator, so any regional
-- figure can be recomputed from people and any ratio checked. Publication rules:
--   * only the breakdowns dbt/seeds/indicator_catalogue.csv lists for the indicator;
--   * a ratio needs a numerator and a positive denominator (no 0/0 figures);
--   * a breakdown row of nobody (persons = 0) is not a figure either: a group exists in
--     every table only where someone is in it, so no indicator shows a 0 that another
--     states by leaving the row out (that pair would publish the zero and defeat disclosure
--     control); totals keep their zeros (a municipality with no apprentices says so);
--   * value = numerator / denominator x scale for ratios, the numerator for counts, and
--     the median or index itself for medians and indices.
{{ config(**year_slice_config()) }}
with indicators as (
    select * from {{ ref('int_indicators') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

coverage as (
    select * from {{ ref('int_area_coverage') }}
),

published as (
    select
        indicators.indicator_id,
        indicators.area_type,
        indicators.area_code,
        indicators.year,
        indicators.breakdown,
        indicators.breakdown_value,
        indicators.numerator,
        indicators.denominator,
        case catalogue.value_kind
            when 'ratio' then indicators.numerator / indicators.denominator * catalogue.scale
            when 'count' then indicators.numerator
            else indicators.value
        end as value,
        indicators.persons,
        catalogue.unit,
        indicators.basis,
        catalogue.coverage_rule
    from indicators
    inner join catalogue on catalogue.indicator_id = indicators.indicator_id
    where list_contains(string_split(catalogue.breakdowns, ' '), indicators.breakdown)
      and case catalogue.value_kind
            when 'ratio' then indicators.numerator is not null and indicators.denominator > 0
            when 'count' then indicators.numerator is not null
            else indicators.value is not null
        end
      and (indicators.breakdown = 'total' or coalesce(indicators.persons, 1) > 0)
),

final as (
    select
        published.indicator_id,
        published.area_type,
        published.area_code,
        published.year,
        published.breakdown,
        published.breakdown_value,
        published.numerator,
        published.denominator,
        published.value,
        published.persons,
        published.unit,
        published.basis,
        coalesce(coverage.municipalities_with_data, 0) as municipalities_with_data
    from published
    left join coverage
        on coverage.area_type = published.area_type
       and coverage.area_code = published.area_code
       and coverage.year = published.year
       and coverage.coverage_rule = published.coverage_rule
)

select * from final
where {{ in_year_slice() }}
