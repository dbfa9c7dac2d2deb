{#- The full-time share's denominator is the number of counted employees in
    int_person_snapshots, for every municipality and year in either of them: the published
    headcount and the persons behind it are the same people. -#}
{% test denominator_is_counted_persons(model, persons, indicator='fulltime_share') %}
{{ config(store_failures=true) }}
with persons as (
    select municipality_code, year, count(distinct person_number) filter (where is_counted) as counted
    from {{ persons }}
    group by all
),

published as (
    select area_code as municipality_code, year, denominator
    from {{ model }}
    where indicator_id = '{{ indicator }}' and area_type = 'municipality' and breakdown = 'total'
)

select
    coalesce(persons.municipality_code, published.municipality_code) as municipality_code,
    coalesce(persons.year, published.year) as year,
    persons.counted as counted_in_int_person_snapshots,
    published.denominator as denominator_in_fct_indicators
from persons
full outer join published
    on persons.municipality_code = published.municipality_code and persons.year = published.year
where coalesce(persons.counted, 0) <> coalesce(published.denominator, 0)
{% endtest %}
