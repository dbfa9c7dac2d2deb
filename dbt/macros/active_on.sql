{#- An employment of `relation` (int_hr__employments) is active on `date_expression` (a 1 December):
    it counts from its own code's first extract period (snapshot_from_date) and until its end,
    an employment ending that day included. The one declaration of "active at a snapshot". -#}
{% macro is_active_on(relation, date_expression) -%}
    {{ date_expression }} >= {{ relation }}.snapshot_from_date
       and ({{ relation }}.effective_end_date is null or {{ date_expression }} <= {{ relation }}.effective_end_date)
{%- endmacro %}
