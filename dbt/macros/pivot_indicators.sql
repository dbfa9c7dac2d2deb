{#-
    Wide columns from the long table: one column per (indicator, field).
    columns: list of dicts {name, id, field (value | numerator | denominator | basis)}.
    The topic marts are views of fct_indicators in this way, so a figure has one definition.
-#}
{% macro pivot_indicators(columns) -%}
    {%- for column in columns %}
    max({{ column.get('field', 'value') }}) filter (where indicator_id = '{{ column.id }}') as {{ column.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
