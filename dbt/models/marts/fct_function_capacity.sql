-- Grain: one row per (area_type, area_code, year, function_family): the staff of each
-- shared-service function family on 1 December — persons, FTE, the FTE held by persons aged
-- 60 or more, and whether one resignation could stop the service.
with final as (
    select
        capacity.area_type,
        capacity.area_code,
        area_names.area_name,
        capacity.year,
        capacity.function_family,
        families.function_family_name,
        capacity.persons,
        cast(capacity.fte as double) as fte,  -- an exact DECIMAL upstream (macros/exact.sql)
        cast(capacity.fte_aged_risk as double) as fte_aged_60_plus,
        capacity.fte_aged_risk / capacity.fte as function_age_risk,
        capacity.is_vulnerable as is_single_person_function
    from {{ ref('int_function_capacity') }} as capacity
    left join {{ ref('function_families') }} as families using (function_family)
    left join {{ ref('int_area_names') }} as area_names using (area_type, area_code)
)

select * from final
