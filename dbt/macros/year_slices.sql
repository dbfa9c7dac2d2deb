{#-
    Rebuilding a slice of the indicators: `dbt build --vars '{from_year: 2019, to_year: 2021}'`
    (a range of years over every municipality), or, from a delivery run, a slice of years x
    municipalities: `--vars '{from_year: 2019, to_year: 9999, municipalities: ["1804"],
    regions: ["nordland", "salten"], region_members: [...every member of those regions]}'`.

    Without the vars every model is a table rebuilt whole, as always. With them, the models whose
    grain includes the year (listed in `slice_grains()` below with the rest of their grain) become
    incremental: a pre-hook deletes the slice and the model inserts only the slice, computed from
    its upstream tables. Everything outside the slice stays as the last full build left it.
    Models without a year in their grain (cleaned employments, extracts, coverage, hires and
    apprenticeships per person, population, areas) and the marts derived from fct_indicators are
    rebuilt whole, so they always describe every year and municipality.

    The slice of a model, by its grain:
    * `municipality` (person rows: snapshots, year pairs, education, function staff): the years,
      and `municipality_code` in `municipalities`;
    * `area` (indicator rows, by area): the years, and the area is one of `municipalities` or
      one of `regions`. A region's figures are recomputed from its members' person rows (all of
      them: the upstream person tables are complete), never patched.

    What the slice must contain is decided before dbt, in pipelines/warehouse/pending.py (`plan`):
    the municipalities the loads touched, widened to every municipality that shares a person with
    them (a person linked by national id has one position size across municipalities, and a
    leaver found in another municipality is a move, not an exit), to every successor of a KLASS
    split they take part in, and the regions that contain any of them. This file only applies it.

    The rows outside the slice must be current: a slice rebuild reads them (turnover for the
    first year of the range pairs it with the year before; a region's figures read every member).
    A range rebuild on a database without a full build is refused by the Dagster asset (the
    tables would hold the range only).

    The checks (dbt data tests) of a slice run read only the slice of a sliced model where the
    test judges rows one by one or within the slice (`get_where_subquery` below); every other
    test, and every test of a full build, reads everything.
-#}

{#- The grain of each sliced model beyond the year; one declaration. -#}
{% macro slice_grains() -%}
    {{ return({
        'int_person_snapshots': 'municipality',
        'int_person_year_pairs': 'municipality',
        'int_person_education': 'municipality',
        'int_function_staff': 'municipality',
        'int_function_capacity': 'area',
        'int_education_rollup': 'area',
        'int_indicators__snapshot': 'area',
        'int_indicators__turnover': 'area',
        'int_indicators__hires': 'area',
        'int_indicators__apprentices': 'area',
        'int_indicators__postings': 'area',
        'int_indicators__backlog': 'area',
        'int_indicators__capacity': 'area',
        'int_indicators__population': 'area',
        'int_indicators__competence': 'area',
        'int_indicators': 'area',
        'fct_indicators': 'area',
        'fct_qualification_gap': 'area',
        'fct_education_profile': 'area',
    }) }}
{%- endmacro %}


{% macro year_range() -%}
    {%- set lo = var('from_year', none) -%}
    {%- set hi = var('to_year', none) -%}
    {%- if lo is none and hi is none -%}{{ return(none) }}{%- endif -%}
    {{ return([(lo if lo is not none else 0) | int, (hi if hi is not none else 9999) | int]) }}
{%- endmacro %}


{#- The municipalities of a slice run (none: every municipality). -#}
{% macro slice_municipalities() -%}
    {%- set codes = var('municipalities', none) -%}
    {%- if codes is none or year_range() is none -%}{{ return(none) }}{%- endif -%}
    {{ return(codes | list) }}
{%- endmacro %}


{% macro _sql_list(codes) -%}
    ({%- for code in codes -%}'{{ code | replace("'", "''") }}'{%- if not loop.last -%}, {% endif -%}{%- endfor -%}
    {%- if codes | length == 0 -%}null{%- endif -%})
{%- endmacro %}


{#- The config of a year-grained model: a table, or incremental by slices in a slice run. -#}
{% macro year_slice_config() -%}
    {%- if year_range() is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where "
                    ~ in_slice() ~ "{% endif %}",
    }) }}
{%- endmacro %}


{#- A boolean SQL expression: the row's year is in the range (always true without one). For
    the inputs of a sliced model; its output is filtered by `in_slice`. -#}
{% macro in_year_slice(column='year') -%}
    {%- set range = year_range() -%}
    {%- if range is none -%}true{%- else -%}{{ column }} between {{ range[0] }} and {{ range[1] }}{%- endif -%}
{%- endmacro %}


{#- A boolean SQL expression: the row (of a model of this grain) is in the slice; the pre-hook
    deletes exactly these rows and the model inserts exactly these rows. `prefix`: a table alias
    with its dot. `members`: for an area grain, also the municipal rows of every member of the
    slice's regions (what a test comparing a region with its members needs). -#}
{% macro in_slice(grain=none, prefix='', members=false) -%}
    {%- set grain = grain if grain is not none else slice_grains()[model.name] -%}
    {%- set codes = slice_municipalities() -%}
    {{ in_year_slice(prefix ~ 'year') }}
    {%- if codes is not none and grain == 'municipality' %}
    and {{ prefix }}municipality_code in {{ _sql_list(codes) }}
    {%- elif codes is not none and grain == 'area' -%}
        {%- set municipal = (codes + var('region_members', [])) if members else codes %}
    and (({{ prefix }}area_type = 'municipality' and {{ prefix }}area_code in {{ _sql_list(municipal) }})
         or ({{ prefix }}area_type = 'region' and {{ prefix }}area_code in {{ _sql_list(var('regions', [])) }}))
    {%- endif -%}
{%- endmacro %}


{#- An input filter of a person-grained model: the rows of the slice's municipalities and
    every row, in any municipality, of the persons those rows hold (a person's position size
    sums every municipality where the person is linked; a leaver is looked for in the others).
    `relation` is the model's input, `years` a year condition on it. -#}
{% macro in_person_slice(relation, years='true') -%}
    {%- set codes = slice_municipalities() -%}
    {%- if codes is none -%}true{%- else -%}
    (municipality_code in {{ _sql_list(codes) }}
     or person_number in (
        select person_number from {{ relation }}
        where municipality_code in {{ _sql_list(codes) }} and {{ years }}
     ))
    {%- endif -%}
{%- endmacro %}


{#- Tests whose verdict on a row depends only on that row or on rows of the same slice: in a
    slice run they read the slice of a sliced model. The others (a mart against the model, an
    emptiness check) read everything. -#}
{% macro slice_local_tests() -%}
    {{ return([
        'not_null', 'unique', 'accepted_values', 'relationships', 'grain', 'unique_combination_of_columns',
        'columns_not_null', 'numerator_within_denominator', 'no_rows_where', 'found_in',
        'region_equals_sum_of_municipalities',
    ]) }}
{%- endmacro %}


{#- dbt's own hook for a test's `where` config, extended: in a slice run, a row-local test of a
    sliced model reads only that model's slice. Without a slice it is dbt's default. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set grain = slice_grains().get(relation.identifier) if relation.identifier is defined else none -%}
    {%- set test_name = ((model.test_metadata or {}).get('name') if model is mapping else none) -%}
    {%- set sliced = year_range() is not none and grain is not none and test_name in slice_local_tests() -%}
    {%- if sliced -%}
        {#- no alias: some tests alias the model themselves (`{{ model }} as model`) -#}
        {%- set where = ('(' ~ where ~ ') and ' if where else '') ~ '(' ~ in_slice(grain, members=true) ~ ')' -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ')') -%}
    {%- elif where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
