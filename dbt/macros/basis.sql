{#- A figure's basis: `sector` when every person in its population was linked across
    municipalities by national id, else `municipality` (positions summed within it). -#}
{% macro basis_of(has_person_key_expression, filter=None) -%}
    case
        when bool_and({{ has_person_key_expression }}){% if filter %} filter (where {{ filter }}){% endif %}
            then 'sector'
        else 'municipality'
    end
{%- endmacro %}
