-- Grain: one row per (area_type, area_code, municipality_code): every municipality is an area
-- of its own, and each region is the set of its member municipalities. Indicator models join
-- person rows to this table and group by area, so municipal and regional figures come from
-- the same person rows in one pass (regions recomputed from persons, never averaged).
-- `retention_members` is the "same region" for regional retention and transitions: the home
-- region's members for a municipality, the region's own members for a region.
with municipalities as (
    select * from {{ ref('int_municipalities') }}
),

members as (
    select region_code, municipality_code from {{ ref('region_members') }}
),

region_lists as (
    select region_code, list(municipality_code order by municipality_code) as member_codes
    from members
    group by region_code
),

municipality_areas as (
    select
        'municipality' as area_type,
        municipalities.municipality_code as area_code,
        municipalities.municipality_code,
        region_lists.member_codes as retention_members
    from municipalities
    left join region_lists on region_lists.region_code = municipalities.home_region_code
),

region_areas as (
    select
        'region' as area_type,
        members.region_code as area_code,
        members.municipality_code,
        region_lists.member_codes as retention_members
    from members
    inner join region_lists using (region_code)
),

final as (
    select * from municipality_areas
    union all
    select * from region_areas
)

select * from final
