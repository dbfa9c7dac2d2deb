with source as (
    -- raw is append-only, one row per delivered version (pipelines/hr/load.py): the current
    -- version of each key is the newest extract's, of equal extracts the later load's, so
    -- extracts delivered out of order give the same result as in order
    select * from {{ source('raw', 'hr_backlog') }}
    qualify row_number() over (
        partition by municipality_code, service, month order by extraction_date desc, loaded_at desc
    ) = 1
),

renamed as (
    select
        municipality_code as reported_municipality_code,
        lower(trim(service)) as service,
        cast(date_trunc('month', month) as date) as month_date,
        cast(open_cases as integer) as open_cases,
        cast(overdue_cases as integer) as overdue_cases,
        cast(extraction_date as date) as extraction_date,
        delivery_sha256,
        source_row_number
    from source
)

select * from renamed
