-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): whether staff
-- stay — new hires still employed after 12 and 24 months (by hire year), median tenure and
-- the temporary share on 1 December.
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart() }}
