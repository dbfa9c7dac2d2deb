{#- The `table` materialization of this project on DuckDB: one `create or replace table ... as`.

    Why: at demo scale the pipeline's `dbt build` spent more CPU in dbt's per-model Jinja than in
    DuckDB, and dbt-duckdb's `table` materialization (dbt/include/duckdb/macros/materializations/
    table.sql in dbt-duckdb 1.11) does four cache look-ups, a create under a temporary name,
    two renames and a drop per model. DuckDB replaces a table atomically in one statement (views
    that read it are bound when queried, so nothing depends on the old table object), and dbt
    runs each model in its own transaction, so the result is the same table. Each of dbt-duckdb's
    renames and drops is an adapter call that builds a fresh macro context (all ~560 macros):
    with dbt's unwritten log events skipped (pipelines/orchestration/dbt_events.py), this
    materialization took the demo's dbt build from 12.65 to 11.10 CPU-s (4 alternating pairs,
    identical results for every node; issue 16.4).

    Kept from dbt-duckdb's: pre- and post-hooks (inside and outside the transaction), the
    commit, `sql_header`, and a view of the same name replaced by the table (dbt-duckdb drops it
    through its backup rename). Dropped, because this project uses none of them (a model that
    does fails here loudly, not silently): model contracts (`contract.enforced`), foreign-key
    constraints and indexes (`build in place`, `create_indexes`), grants, `persist_docs` (off
    in dbt_project.yml), DuckLake `partitioned_by`/`sorted_by`, Python models. The year-grained
    models of a slice run are `incremental` (macros/year_slices.sql): that materialization is
    dbt-duckdb's own, untouched. -#}
{% materialization table, adapter='duckdb' %}
  {%- set unsupported = [] -%}
  {%- if model['language'] != 'sql' -%}{%- do unsupported.append('language=' ~ model['language']) -%}{%- endif -%}
  {%- if config.get('contract').enforced -%}{%- do unsupported.append('contract') -%}{%- endif -%}
  {%- for key in ['grants', 'indexes', 'partitioned_by', 'sorted_by'] -%}
    {%- if config.get(key) -%}{%- do unsupported.append(key) -%}{%- endif -%}
  {%- endfor -%}
  {%- set docs = config.get('persist_docs') or {} -%}
  {%- if docs.get('relation') or docs.get('columns') -%}{%- do unsupported.append('persist_docs') -%}{%- endif -%}
  {%- if unsupported -%}
    {{ exceptions.raise_compiler_error("this project's table materialization (macros/materialization_table.sql) does not support: " ~ unsupported | join(', ')) }}
  {%- endif -%}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is not none and not existing_relation.is_table %}
    {{ adapter.drop_relation(existing_relation) }}
  {% endif %}

  {% call statement('main') -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create or replace table {{ target_relation }} as (
      {{ compiled_code }}
    );
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  -- `COMMIT` happens here
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
