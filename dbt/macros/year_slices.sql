{#-
    Rebuilding a range of years: `dbt build --vars '{from_year: 2019, to_year: 2021}'`.

    Without the vars every model is a table rebuilt whole, as always. With them, the models whose
    grain includes the year (person snapshots, year pairs, function staff and capacity, every
    indicator family, int_indicators, fct_indicators) become incremental: a pre-hook deletes the
    years in the range and the model inserts only those years, computed from its upstream
    tables. The other years stay as the last full build left them. Models without a year in
    their grain (cleaned employments, extracts, coverage, hires and apprenticeships per person,
    population, areas) and the marts derived from fct_indicators are rebuilt whole, so they
    always describe every year.

    The years outside the range must be current: a range rebuild reads them (turnover for the
    first year of the range pairs it with the year before). A delivery that changes an earlier
    year needs that year in the range. A range rebuild on a database without a full build is
    refused by the Dagster asset (the tables would hold the range only).
-#}

{% macro year_range() -%}
    {%- set lo = var('from_year', none) -%}
    {%- set hi = var('to_year', none) -%}
    {%- if lo is none and hi is none -%}{{ return(none) }}{%- endif -%}
    {{ return([(lo if lo is not none else 0) | int, (hi if hi is not none else 9999) | int]) }}
{%- endmacro %}


{#- The config of a year-grained model: a table, or incremental by year slices in a range run. -#}
{% macro year_slice_config() -%}
    {%- set range = year_range() -%}
    {%- if range is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': "{% if is_incremental() %}delete from {{ this }} where year between "
                    ~ range[0] ~ " and " ~ range[1] ~ "{% endif %}",
    }) }}
{%- endmacro %}


{#- A boolean SQL expression: the row's year is in the range (always true without one). -#}
{% macro in_year_slice(column='year') -%}
    {%- set range = year_range() -%}
    {%- if range is none -%}true{%- else -%}{{ column }} between {{ range[0] }} and {{ range[1] }}{%- endif -%}
{%- endmacro %}
