{#- Required columns have a value. One failing row per data row, naming the empty columns,
    so one test covers a table's required columns and its feedback says which are empty. -#}
{% test columns_not_null(model, columns, municipality='municipality_code', row_number=none) %}
{{ config(store_failures=true) }}
select
    {{ municipality }} as municipality_code,
    {%- if row_number %} {{ row_number }} as source_row_number,{% endif %}
    concat_ws(', ', {% for c in columns %}case when {{ c }} is null then '{{ c }}' end{% if not loop.last %}, {% endif %}{% endfor %}) as empty_columns
from {{ model }}
where {% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
