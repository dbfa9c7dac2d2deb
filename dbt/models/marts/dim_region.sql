-- Grain: one row per region (dbt/seeds/regions.csv): name, level, its members, and how many
-- of them have delivered HR data, in figures and in words ("14 av 41 kommuner"), so a
-- regional figure is not read as the whole region's when only some members are in the data.
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

with_data as (
    select distinct municipality_code
    from {{ ref('int_data_coverage') }}
    where has_snapshot or has_postings or has_backlog
),

covered as (
    select
        region_members.region_code,
        count(with_data.municipality_code) as municipalities_with_data
    from {{ ref('region_members') }} as region_members
    left join with_data using (municipality_code)
    group by region_members.region_code
),

final as (
    select
        regions.region_code,
        regions.region_name,
        regions.region_level,
        regions.description,
        members.member_count,
        members.member_codes,
        covered.municipalities_with_data,
        covered.municipalities_with_data || ' av ' || members.member_count
            || ' kommuner har levert HR-data' as coverage_nb,
        regions.source
    from regions
    inner join members using (region_code)
    inner join covered using (region_code)
)

select * from final
