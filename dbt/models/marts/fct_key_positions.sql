-- Grain: one row per (area_type, area_code, year): key positions (leaders at levels 1-4 and
-- the codes on dbt/seeds/key_position_codes.csv) — their turnover and tenure, and how their
-- postings went (days to fill, cost per hire, re-advertised share).
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart(breakdowns=false) }}
