{#- A key refers to a row of another table within the same municipality (a relationship that
    may be empty); one failing row per municipality. -#}
{% test found_in(model, column_name, to, field, municipality='municipality_code') %}
{{ config(store_failures=true) }}
select checked.{{ municipality }} as municipality_code, count(*) as failing_rows
from {{ model }} as checked
where checked.{{ column_name }} is not null
  and not exists (
    select 1 from {{ to }} as target
    where target.{{ municipality }} = checked.{{ municipality }} and target.{{ field }} = checked.{{ column_name }}
)
group by all
{% endtest %}
