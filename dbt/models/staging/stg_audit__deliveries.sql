with source as (
    select * from {{ source('audit', 'deliveries') }}
),

renamed as (
    select
        delivery_sha256,
        file_name,
        lower(kind) as kind,
        municipality_code as reported_municipality_code,
        cast(extraction_date as date) as extraction_date,
        -- set when an employments extract declares a history (issue 12); else null
        cast(period_start as date) as period_start_date,
        profile,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_duplicate,
        outcome,
        loaded_at
    from source
)

select * from renamed
