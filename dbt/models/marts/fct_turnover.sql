-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): turnover from
-- 1 December of year - 1 to 1 December of year, its variants, regional retention, internal
-- mobility and (on the total row) the transitions split, which sums to 1.
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart() }}
