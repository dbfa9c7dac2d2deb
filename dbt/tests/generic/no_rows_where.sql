{#- A row-level rule on a table: rows where `condition` holds are the failures. Each failing
    row names its municipality (`municipality`) and, on raw HR tables, the row of the
    delivered file (`source_row_number`), so the quality gate can tell that municipality's HR
    office what to fix; `show` lists the columns that explain the failure. -#}
{% test no_rows_where(model, condition, show=[], municipality='municipality_code', row_number=none) %}
{{ config(store_failures=true) }}
select
    {{ municipality }} as municipality_code,
    {%- if row_number %} {{ row_number }} as source_row_number,{% endif %}
    {%- for column in show %} {{ column }},{% endfor %}
    1 as failing_rows
from {{ model }}
where {{ condition }}
{% endtest %}
