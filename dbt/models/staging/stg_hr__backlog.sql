with source as (
    select * from {{ source('raw', 'hr_backlog') }}
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
