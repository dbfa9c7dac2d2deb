-- Grain: one row per (area_type, area_code, year, function_family): recruitment difficulty of
-- the shared-service function families, from the postings that closed in the year (filled,
-- else deadline, else published; decision 17). A posting's family comes from its position
-- code alone (dbt/seeds/function_family_map.csv): postings carry no service area.
-- The same figures are in fct_indicators by breakdown function_family (time_to_fill_days,
-- applicants_per_posting, qualified_per_posting, readvertised_share).
with postings as (
    select * from {{ ref('int_hr__postings') }}
    where function_family is not null
),

areas as (
    select * from {{ ref('int_areas') }}
),

final as (
    select
        areas.area_type,
        areas.area_code,
        postings.posting_year as year,
        postings.function_family,
        count(*) as postings,
        count(*) filter (where postings.is_filled) as filled,
        median(postings.days_to_fill) filter (where postings.is_filled) as median_days_to_fill,
        sum(postings.applicants) / nullif(count(postings.applicants), 0) as applicants_per_posting,
        sum(postings.qualified_applicants) / nullif(count(postings.qualified_applicants), 0)
            as qualified_per_posting,
        count(*) filter (where postings.is_readvertised_or_withdrawn) as readvertised,
        count(*) filter (where postings.is_readvertised_or_withdrawn) / count(*) as readvertised_share
    from postings
    inner join areas on areas.municipality_code = postings.municipality_code
    group by all
)

select * from final
