{#-
    SSB rows on today's municipality codes: a historical code maps through KLASS
    (int_municipality_code_map), a split code's persons are shared by the KLASS weights (one row
    per successor), and a code KLASS does not know stays as reported.

    relation  a CTE with `reported_municipality_code` and the columns named
    columns   carried as they are
    weighted  counts multiplied by the successor's weight
-#}
{% macro on_todays_codes(relation, columns, weighted) %}
    select
        {{ todays_code(relation) }} as municipality_code,
        {%- for column in columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        {%- for column in weighted %}
        {{ relation }}.{{ column }} * coalesce(code_map.weight, 1.0) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {{- code_map_join(relation) }}
{% endmacro %}


{#- A row's municipality code today, after code_map_join: its successor's, or as reported when
    KLASS does not know the code. -#}
{% macro todays_code(relation) -%}
    coalesce(code_map.municipality_code, {{ relation }}.reported_municipality_code)
{%- endmacro %}


{#- Joins `code_map` (int_municipality_code_map) to the rows of `relation`: every successor of a
    split code (one row each, with its weight and is_split), or with primary_only only the
    largest (rows that carry no person to follow: postings, backlog). -#}
{% macro code_map_join(relation, primary_only=false) %}
    left join {{ ref('int_municipality_code_map') }} as code_map
        on code_map.source_code = {{ relation }}.reported_municipality_code
    {%- if primary_only %}
       and code_map.is_primary
    {%- endif %}
{%- endmacro %}
