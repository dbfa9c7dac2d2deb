{#- The mart's columns from dbt/seeds/topic_mart_columns.csv, in order, as pivot_indicators
    reads them. Read from the loaded seed when the SQL is built (the model depends on the seed,
    so dbt loads it first); at parse time there is no database and the list is empty. A mart
    without rows in the seed is an error, never an empty table. -#}
{% macro topic_mart_columns() -%}
{%- set unique_id = model.get('tested_node_unique_id') or model.unique_id -%}
{%- if model.get('tested_node_unique_id') -%}
    {#- in a unit test `ref` would name a fixture: the layout is read from the loaded seed -#}
    {%- set seed = api.Relation.create(
        database=target.database, schema=generate_schema_name('seeds', none), identifier='topic_mart_columns'
    ) -%}
{%- else -%}
    {%- set seed = ref('topic_mart_columns') -%}
{%- endif -%}
{%- if not execute -%}{{ return([]) }}{%- endif -%}
{%- set mart = unique_id.split('.')[-1] -%}
{%- if adapter.get_relation(database=seed.database, schema=seed.schema, identifier=seed.identifier) is none -%}
    {{ exceptions.raise_compiler_error(
        mart ~ " needs the seed topic_mart_columns, which is not loaded in " ~ seed
        ~ ": build the seeds first (a full build, or `dbt seed`)"
    ) }}
{%- endif -%}
{%- set query -%}
    select column_name, indicator_id, field, is_count, breakdown_value
    from {{ seed }}
    where mart = '{{ mart }}'
    order by position
{%- endset -%}
{%- set columns = [] -%}
{%- for row in run_query(query).rows -%}
    {%- do columns.append({
        'name': row['column_name'],
        'id': row['indicator_id'],
        'field': row['field'],
        'count': row['is_count'],
        'breakdown_value': row['breakdown_value'],
    }) -%}
{%- endfor -%}
{%- if not columns -%}
    {{ exceptions.raise_compiler_error(mart ~ " has no columns in dbt/seeds/topic_mart_columns.csv") }}
{%- endif -%}
{{ return(columns) }}
{%- endmacro %}
