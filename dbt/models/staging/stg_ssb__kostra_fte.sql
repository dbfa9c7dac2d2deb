-- SSB KOSTRA agreed FTEs. Only the columns every catalogue version has are named here; the
-- function columns pass through as the loader wrote them (quality checks compare totals).
with source as (
    select * from {{ source('raw', 'ssb_kostra_fte') }}
),

renamed as (
    select
        regexp_replace(cast(municipality_code as varchar), '^K-', '') as reported_municipality_code,
        cast(year as integer) as year,
        cast(value as double) as fte,
        * exclude (municipality_code, year, value)
    from source
)

select * from renamed
