-- SSB 09429: one row per reported municipality, year (1 October), sex and education level of
-- persons 16 years and older, in persons only (the per-cent content is recomputed from
-- persons so regions can be summed). Both sexes together (Kjonn 0) when SSB gives it;
-- region codes lose a 'K-' prefix as in stg_ssb__population.
with source as (
    select * from {{ source('raw', 'ssb_education_level') }}
),

renamed as (
    select
        regexp_replace(cast(municipality_code as varchar), '^K-', '') as reported_municipality_code,
        cast(year as integer) as year,
        cast(nivaa_code as varchar) as ssb_level_code,
        cast(value as double) as persons,
        coalesce(cast(is_demo as boolean), false) as is_demo
    from source
    where cast(contentscode_code as varchar) = 'Personer'
      and cast(kjonn_code as varchar) = '0'
      and municipality_code is not null
)

select * from renamed
