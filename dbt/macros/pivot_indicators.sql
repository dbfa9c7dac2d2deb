{#-
    Wide columns from the long table: one column per (indicator, field).
    columns: list of dicts {name, id, field (value | numerator | denominator | basis), count}.
    The topic marts are views of fct_indicators in this way, so a figure has one definition.
    `count: true` marks a column that counts persons or postings: it is stored as BIGINT
    (fct_indicators keeps one DOUBLE column for every unit), and a fraction there fails the
    build loudly instead of being rounded away (dbt/models/_decisions.md, "Counts are integers").
-#}
{% macro pivot_indicators(columns) -%}
    {%- for column in columns %}
    {%- set expression = "max(" ~ column.get('field', 'value') ~ ") filter (where indicator_id = '" ~ column.id ~ "')" %}
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
