with source as (
    -- raw is append-only, one row per delivered version (pipelines/hr/load.py): the current
    -- version of each key is the newest extract's, of equal extracts the later load's, so
    -- extracts delivered out of order give the same result as in order
    select * from {{ source('raw', 'hr_postings') }}
    qualify row_number() over (
        partition by municipality_code, posting_id order by extraction_date desc, loaded_at desc
    ) = 1
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
