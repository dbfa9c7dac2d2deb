-- Grain: one row per municipality code (today's codes, plus any other code met in the data):
-- name, home region, region memberships and the years it has HR data for.
with municipalities as (
    select * from {{ ref('int_municipalities') }}
),

memberships as (
    select municipality_code, string_agg(region_code, ' ' order by region_code) as region_codes
    from {{ ref('region_members') }}
    group by municipality_code
),

coverage as (
    select
        municipality_code,
        min(year) filter (where has_snapshot) as first_snapshot_year,
        max(year) filter (where has_snapshot) as last_snapshot_year,
        count(*) filter (where has_snapshot) as snapshot_years
    from {{ ref('int_data_coverage') }}
    group by municipality_code
),

final as (
    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.is_valid_today,
        municipalities.home_region_code,
        coalesce(memberships.region_codes, '') as region_codes,
        coverage.first_snapshot_year,
        coverage.last_snapshot_year,
        coalesce(coverage.snapshot_years, 0) as snapshot_years
    from municipalities
    left join memberships using (municipality_code)
    left join coverage using (municipality_code)
)

select * from final
