-- Grain: one row per region (dbt/seeds/regions.csv): name, level and its members.
with regions as (
    select * from {{ ref('regions') }}
),

members as (
    select
        region_code,
        count(*) as member_count,
        string_agg(municipality_code, ' ' order by municipality_code) as member_codes
    from {{ ref('region_members') }}
    group by region_code
),

final as (
    select
        regions.region_code,
        regions.region_name,
        regions.region_level,
        regions.description,
        members.member_count,
        members.member_codes,
        regions.source
    from regions
    inner join members using (region_code)
)

select * from final
