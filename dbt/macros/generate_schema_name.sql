{#- Models land in the schema they name (staging, intermediate, marts, seeds), not in
    "<target schema>_<name>": the warehouse's schemas are part of its contract
    (ARCHITECTURE.md), and analysts query `marts.fct_indicators`, not `main_marts`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
