-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): does the
-- workforce mirror the municipality? Women's shares, the age bands of employees beside the
-- population aged 20-66 (breakdown = age_band), the dissimilarity indices, the replacement
-- need ahead (reaching 67) and employees per 1,000 inhabitants.
-- Columns: dbt/seeds/topic_mart_columns.csv (macros/topic_mart.sql).
{{ topic_mart() }}
