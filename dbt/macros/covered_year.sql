{#- Keeps the rows of `relation` whose event (the date expression) falls in a year its
    municipality has a 1 December snapshot for (int_data_coverage), and brings `coverage`
    (employment_data_until: how far the follow-up can see). A hire or an apprenticeship's end in
    a year without data is not counted. -#}
{% macro join_covered_year(relation, date_expression) %}
    inner join {{ ref('int_data_coverage') }} as coverage
        on coverage.municipality_code = {{ relation }}.municipality_code
       and coverage.year = year({{ date_expression }})
       and coverage.has_snapshot
{%- endmacro %}
