with source as (
    select * from {{ source('raw', 'hr_postings') }}
),

renamed as (
    select
        municipality_code as reported_municipality_code,
        posting_id,
        trim(position_code) as position_code,
        position_title,
        cast(manager_level as integer) as manager_level,
        cast(fte_percent as double) as fte_percent,
        lower(trim(employment_type)) as employment_type,
        cast(published_date as date) as published_date,
        cast(closing_date as date) as closing_date,
        cast(filled_date as date) as filled_date,
        lower(trim(status)) as status,
        cast(applicants as integer) as applicants,
        cast(qualified_applicants as integer) as qualified_applicants,
        hired_employee_key,
        lower(trim(hire_source)) as hire_source,
        cast(cost_nok as double) as cost_nok,
        cast(extraction_date as date) as extraction_date,
        delivery_sha256,
        source_row_number
    from source
)

select * from renamed
