{#-
    A topic mart: the wide view of fct_indicators for one topic, one row per area and year
    (and breakdown, with `breakdowns=true`), the area's name beside it. Its columns, in order,
    are the mart's rows of dbt/seeds/topic_mart_columns.csv: each names the catalogue indicator
    (dbt/seeds/indicator_catalogue.csv) and the field of it the column shows, whether it counts
    persons or postings (stored as BIGINT, see pivot_indicators) and, for a figure split by a
    breakdown value (turnover's transitions), the value it shows on the total row. So a figure
    has one definition (fct_indicators), a mart one layout (the seed), and the SQL is written
    once here. The mart is the model the macro is called from (in a dbt unit test, the model
    under test).
-#}
{% macro topic_mart(breakdowns=true) -%}
{%- set columns = topic_mart_columns() -%}
{%- set keys = ['area_type', 'area_code', 'year'] + (['breakdown', 'breakdown_value'] if breakdowns else []) -%}
{%- set indicator_ids = columns | map(attribute='id') | unique | list -%}
{%- set spread_ids = columns | selectattr('breakdown_value') | map(attribute='id') | unique | list -%}
with indicators as (
    select
        indicator_id,
        area_type,
        area_code,
        year,
        {%- if spread_ids %}
        -- a figure split by breakdown value lands in columns of the total row
        case when indicator_id in {{ sql_list(spread_ids) }} then 'total' else breakdown end as breakdown,
        case when indicator_id in {{ sql_list(spread_ids) }} then 'total' else breakdown_value end as breakdown_value,
        breakdown_value as figure_breakdown_value,
        {%- else %}
        breakdown,
        breakdown_value,
        {%- endif %}
        numerator,
        denominator,
        value,
        basis
    from {{ ref('fct_indicators') }}
    where indicator_id in {{ sql_list(indicator_ids) }}
    {%- if not breakdowns %}
      and breakdown = 'total'
    {%- endif %}
),

pivoted as (
    select
        {{ keys | join(',\n        ') }},
        {{ pivot_indicators(columns) }}
    from indicators
    group by all
    {%- if spread_ids %}
    -- only rows that the other figures have (the split alone makes no row)
    having count(*) filter (where indicator_id not in {{ sql_list(spread_ids) }}) > 0
    {%- endif %}
)

select
    pivoted.area_type,
    pivoted.area_code,
    area_names.area_name,
    {%- for key in keys[2:] %}
    pivoted.{{ key }},
    {%- endfor %}
    {%- for column in columns %}
    pivoted.{{ column.name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from pivoted
left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
{%- endmacro %}


{#- ('a', 'b'): a SQL list of string literals. -#}
{% macro sql_list(values) -%}
({% for value in values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
