{#-
    Aggregate person (or posting, or case) rows to every area they belong to, for the total
    and for each breakdown, in one pass (GROUPING SETS).

    facts       name of a CTE/relation with `municipality_code`, `year`, the breakdown
                columns (non-null text) and whatever the measures read
    breakdowns  breakdown column names; each gives rows with breakdown = '<name>'
    measures    the aggregate select list; may read `areas.retention_members`

    Municipal and regional rows come from the same person rows (int_areas maps each
    municipality to itself and to its regions), so a region's count is the sum of its
    members' counts by construction: recomputed from persons, never averaged.
-#}
{% macro area_rollup(facts, breakdowns, measures) %}
    select
        areas.area_type,
        areas.area_code,
        facts.year,
        {{ breakdown_columns(breakdowns) }},
        {{ measures }}
    from {{ facts }} as facts
    inner join {{ ref('int_areas') }} as areas
        on areas.municipality_code = facts.municipality_code
    group by grouping sets (
        (areas.area_type, areas.area_code, facts.year)
        {%- for breakdown in breakdowns %},
        (areas.area_type, areas.area_code, facts.year, facts.{{ breakdown }})
        {%- endfor %}
    )
{% endmacro %}


{#-
    One long-table row set per indicator from a rolled-up relation.

    rows: list of dicts {id, numerator, denominator, persons, value (optional), where (optional)}
    Expressions are SQL over the rolled-up relation's columns. `persons` is the number of
    distinct persons (or postings) the figure rests on, judged by disclosure control; it is
    null only where no persons are involved (dbt/models/_decisions.md, "persons"). Ratios are computed once,
    in fct_indicators, from numerator and denominator; `value` is only for medians and
    indices, whose value is not a ratio of the two.
-#}
{% macro indicator_rows(relation, rows, basis='basis') %}
    {%- for row in rows %}
    select
        '{{ row.id }}' as indicator_id,
        area_type,
        area_code,
        year,
        {{ row.get('breakdown', 'breakdown') }} as breakdown,
        {{ row.get('breakdown_value', 'breakdown_value') }} as breakdown_value,
        cast({{ row.numerator }} as double) as numerator,
        cast({{ row.get('denominator', 'null') }} as double) as denominator,
        cast({{ row.get('value', 'null') }} as double) as value,
        cast({{ row.get('persons', 'null') }} as bigint) as persons,
        {{ row.get('basis', basis) }} as basis
    from {{ relation }}
    {%- if row.get('where') %}
    where {{ row.where }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}


{#-
    Additive figures in two steps, which is much cheaper on millions of person rows than
    joining every row to its areas: first count per municipality (for the total and each
    breakdown, GROUPING SETS), then sum the municipal counts into every area. A region's count
    is then the sum of its members' by construction, as it must be for additive figures.

    municipal_rollup(facts, breakdowns, measures): measures must be counts/sums, plus
      `all_keyed` = bool_and(<has a national id>) for the basis.
    sum_to_areas(relation, columns): sums the given columns per area; basis from all_keyed.
-#}
{% macro municipal_rollup(facts, breakdowns, measures) %}
    select
        facts.municipality_code,
        facts.year,
        {{ breakdown_columns(breakdowns) }},
        {{ measures }}
    from {{ facts }} as facts
    group by grouping sets (
        (facts.municipality_code, facts.year)
        {%- for breakdown in breakdowns %},
        (facts.municipality_code, facts.year, facts.{{ breakdown }})
        {%- endfor %}
    )
{% endmacro %}


{% macro sum_to_areas(relation, columns) %}
    select
        areas.area_type,
        areas.area_code,
        municipal.year,
        municipal.breakdown,
        municipal.breakdown_value,
        {%- for column in columns %}
        sum(municipal.{{ column }}) as {{ column }},
        {%- endfor %}
        case when bool_and(municipal.all_keyed) then 'sector' else 'municipality' end as basis
    from {{ relation }} as municipal
    inner join {{ ref('int_areas') }} as areas
        on areas.municipality_code = municipal.municipality_code
    group by all
{% endmacro %}


{#- `breakdown` and `breakdown_value` of a GROUPING SETS row over `facts`: the breakdown whose
    column is grouped, or 'total' on the row that groups none. -#}
{% macro breakdown_columns(breakdowns) -%}
    {%- if breakdowns -%}
        case
        {%- for breakdown in breakdowns %}
            when grouping(facts.{{ breakdown }}) = 0 then '{{ breakdown }}'
        {%- endfor %}
            else 'total'
        end as breakdown,
        coalesce(
        {%- for breakdown in breakdowns %}
            case when grouping(facts.{{ breakdown }}) = 0 then cast(facts.{{ breakdown }} as varchar) end,
        {%- endfor %}
            'total'
        ) as breakdown_value
    {%- else -%}
        'total' as breakdown,
        'total' as breakdown_value
    {%- endif -%}
{%- endmacro %}
