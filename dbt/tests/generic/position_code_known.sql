{#- The position code is in KS's list (dbt/seeds/ks_position_codes.csv), valid on `at`. A
    well-formed code in no list loads with position group `unknown` (issue 12), so this warns
    rather than blocks; one failing row per municipality and code. -#}
{% test position_code_known(model, column_name, at, municipality='municipality_code') %}
{{ config(store_failures=true) }}
select {{ municipality }} as municipality_code, {{ column_name }} as position_code, count(*) as failing_rows
from {{ model }} as checked
where not exists (
    select 1 from {{ ref('ks_position_codes') }} as codes
    where lpad(cast(codes.position_code as varchar), 4, '0') = checked.{{ column_name }}
      and coalesce(cast(codes.valid_from as date), date '1900-01-01') <= checked.{{ at }}
)
group by all
{% endtest %}
