with source as (
    select * from {{ source('raw', 'klass_municipality') }}
),

renamed as (
    select
        cast(code as varchar) as municipality_code,
        name as municipality_name,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from source
)

select * from renamed
