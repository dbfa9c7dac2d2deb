-- One row per delivered employment, typed and named for the models; nothing derived beyond
-- normalising free-text codes (case, whitespace) so joins on them are reliable.
with source as (
    -- raw is append-only, one row per delivered version (pipelines/hr/load.py): the current
    -- version of each key is the newest extract's, of equal extracts the later load's, so
    -- extracts delivered out of order give the same result as in order
    select * from {{ source('raw', 'hr_employments') }}
    qualify row_number() over (
        partition by municipality_code, employment_key order by extraction_date desc, loaded_at desc
    ) = 1
),

renamed as (
    select
        municipality_code as reported_municipality_code,
        employment_key,
        employee_key,
        person_key,
        cast(birth_year as integer) as birth_year,
        upper(trim(gender)) as gender,
        trim(position_code) as position_code,
        position_title,
        cast(fte_percent as double) as fte_percent,
        lower(trim(employment_type)) as employment_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        nullif(lower(trim(termination_reason)), '') as termination_reason,
        unit,
        nullif(lower(trim(service_area)), '') as service_area,
        nullif(trim(kostra_function), '') as kostra_function,
        cast(manager_level as integer) as manager_level,
        education_level,
        cast(extraction_date as date) as extraction_date,
        delivery_sha256,
        source_row_number
    from source
)

select * from renamed
