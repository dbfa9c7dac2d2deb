-- Grain: one row per (area_type, area_code, year): apprentices on 1 December, per 1,000
-- inhabitants (KS's target: at least 2), and those who finished in the year and were
-- employed by the same municipality within 12 months.
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart(breakdowns=false) }}
