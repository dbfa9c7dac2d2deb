-- KLASS 131 changes. A row without old_code is a new code, without new_code a ceased one.
-- `weight` is the share of the old municipality that went to new_code (1 unless it was split).
with source as (
    select * from {{ source('raw', 'klass_municipality_changes') }}
),

renamed as (
    select
        cast(old_code as varchar) as old_code,
        old_name,
        cast(new_code as varchar) as new_code,
        new_name,
        cast(change_occurred as date) as change_occurred,
        coalesce(cast(weight as double), 1.0) as weight
    from source
)

select * from renamed
