{#- A municipality code is valid in KLASS 131 at the date `at` (an expression over the row),
    or is a code in force today: history may be delivered or modelled on today's codes
    (dbt/models/_decisions.md). Dates before the first list held are checked against it
    (the bundled list starts in 2019; older codes are the same codes). KLASS's 9999
    ("Uoppgitt") is no municipality. One failing row per code and date. -#}
{% test valid_in_klass(model, column_name, at, klass=source('raw', 'klass_municipality')) %}
{{ config(store_failures=true) }}
with klass as (
    select
        cast(code as varchar) as code,
        coalesce(cast(valid_from as date), date '1900-01-01') as valid_from,
        cast(valid_to as date) as valid_to
    from {{ klass }}
    where cast(code as varchar) <> '9999'
),

coverage as (
    select coalesce(min(valid_from), date '1900-01-01') as coverage_from from klass
),

used as (
    select {{ column_name }} as municipality_code, {{ at }} as valid_at, count(*) as failing_rows
    from {{ model }}
    group by all
)

select used.*
from used
cross join coverage
where not exists (
    select 1 from klass
    where klass.code = used.municipality_code
      and (klass.valid_to is null
           or (klass.valid_from <= greatest(used.valid_at, coverage.coverage_from)
               and klass.valid_to >= greatest(used.valid_at, coverage.coverage_from)))
)
{% endtest %}
