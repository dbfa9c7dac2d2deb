-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): the full-time
-- indicators side by side (a wide view of fct_indicators).
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart() }}
