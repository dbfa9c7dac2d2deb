{#- A table the pipeline needs has rows: an empty load is a failure, never an empty result. -#}
{% test not_empty(model) %}
select '{{ model }}' as table_name
where not exists (select 1 from {{ model }})
{% endtest %}
