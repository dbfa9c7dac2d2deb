{#-
    Wide columns from the long table: one column per (indicator, field).
    columns: list of dicts {name, id, field (value | numerator | denominator | basis), count,
    breakdown_value}. The topic marts are views of fct_indicators in this way (macro topic_mart),
    so a figure has one definition. `breakdown_value` picks one value of a figure split by
    breakdown (its rows carry it in `figure_breakdown_value`).
    `count: true` marks a column that counts persons or postings: it is stored as BIGINT
    (fct_indicators keeps one DOUBLE column for every unit), and a fraction there fails the
    build loudly instead of being rounded away (dbt/models/_decisions.md, "Counts are integers").
-#}
{% macro pivot_indicators(columns) -%}
    {%- for column in columns %}
    {%- set condition = "indicator_id = '" ~ column.id ~ "'" %}
    {%- if column.get('breakdown_value') %}
    {%- set condition = condition ~ " and figure_breakdown_value = '" ~ column.breakdown_value ~ "'" %}
    {%- endif %}
    {%- set expression = "max(" ~ column.get('field', 'value') ~ ") filter (where " ~ condition ~ ")" %}
    {%- if column.get('count') %}
    {{ whole_number(expression, column.name) }} as {{ column.name }}
    {%- else %}
    {{ expression }} as {{ column.name }}
    {%- endif %}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A count carried in a DOUBLE column, as BIGINT; a fraction is an error, never rounded. -#}
{% macro whole_number(expression, name) -%}
    case
        when {{ expression }} = trunc({{ expression }}) then cast({{ expression }} as bigint)
        when {{ expression }} is not null then error('{{ name }} is not a whole number: ' || {{ expression }})
    end
{%- endmacro %}
