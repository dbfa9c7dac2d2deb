-- SSB 07459: one row per municipality, year (population on 1 January), sex and single-year
-- age. Region codes arrive as SSB writes them ('K-1804' with the agg_KommSummer code list,
-- or '1804'); the 'K-' prefix is dropped so they join to every other municipality code.
with source as (
    select * from {{ source('raw', 'ssb_population') }}
),

renamed as (
    select
        regexp_replace(cast(municipality_code as varchar), '^K-', '') as reported_municipality_code,
        cast(year as integer) as year,
        case cast(kjonn_code as varchar) when '2' then 'F' when '1' then 'M' end as gender,
        cast(regexp_extract(cast(alder_code as varchar), '^(\d+)', 1) as integer) as age,
        cast(contentscode_code as varchar) as contents_code,
        cast(value as double) as persons,
        status,
        coalesce(cast(is_demo as boolean), false) as is_demo
    from source
)

select * from renamed
