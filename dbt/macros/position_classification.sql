{#-
    How an employment or a posting is classified by its position code, declared once for both
    (int_hr__employments, int_hr__postings). `row` is the alias of the delivered row (with
    position_code, position_title, manager_level and, for employments, service_area and
    kostra_function).

    position_joins(row): joins `position_codes` (each KS code's newest row: the seed is dated
      by valid_from, codes change with tariff settlements) and `key_codes`.
    manager_level_of / position_group_of / is_key_position_of(row): the delivered leader level
      wins over the code's; levels 1-4 are leaders; a key position is a leader or a code on
      dbt/seeds/key_position_codes.csv; a code in no seed row is 'unknown', never dropped.
    function_family_joins(row, match_columns) / function_family_of(match_columns): the function
      family by dbt/seeds/function_family_map.csv, the first match in the order given.
-#}
{% macro position_joins(row) %}
    left join (
        select * from {{ ref('ks_position_codes') }}
        qualify row_number() over (partition by position_code order by valid_from desc) = 1
    ) as position_codes on position_codes.position_code = {{ row }}.position_code
    left join (select distinct position_code from {{ ref('key_position_codes') }}) as key_codes
        on key_codes.position_code = {{ row }}.position_code
{%- endmacro %}


{% macro manager_level_of(row) -%}
    coalesce({{ row }}.manager_level, position_codes.manager_level)
{%- endmacro %}


{% macro position_group_of(row) -%}
    case
            when {{ manager_level_of(row) }} between 1 and 4 then 'leader'
            else coalesce(position_codes.position_group, 'unknown')
        end
{%- endmacro %}


{% macro is_key_position_of(row) -%}
    coalesce({{ manager_level_of(row) }} between 1 and 4, false)
            or key_codes.position_code is not null
{%- endmacro %}


{% macro function_family_joins(row, match_columns) %}
    {%- set values = {
        'position_code': row ~ '.position_code',
        'position_title': 'lower(trim(' ~ row ~ '.position_title))',
        'service_area': row ~ '.service_area',
        'kostra_function': row ~ '.kostra_function',
    } %}
    {%- for column in match_columns %}
    left join {{ ref('function_family_map') }} as by_{{ column }}
        on by_{{ column }}.match_column = '{{ column }}' and by_{{ column }}.match_value = {{ values[column] }}
    {%- endfor %}
{%- endmacro %}


{% macro function_family_of(match_columns) -%}
    coalesce({% for column in match_columns %}by_{{ column }}.function_family{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
