-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): postings by
-- the year they closed — time to fill, applicants, cost per hire, own apprentices hired.
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart() }}
