-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): among counted
-- employees whose main position group requires a level of education (Fagarbeider: fagbrev,
-- Høgskole: 3-4-year degree, Master: 5-year degree; dbt/seeds/position_group_education.csv),
-- the share whose delivered education is below it. The denominator is those with a known
-- level; those without one are counted beside it (`ukjent`, `ikke levert`), never imputed.
{{ config(**year_slice_config()) }}
with rollup as (
    select * from {{ ref('int_education_rollup') }}
    where {{ in_year_slice() }}
),

final as (
    select
        area_type,
        area_code,
        year,
        breakdown,
        breakdown_value,
        requiring as employees_requiring,
        requiring_known as employees_requiring_known,
        requiring_below as employees_below,
        requiring_unknown as employees_requiring_unknown,
        requiring_not_delivered as employees_requiring_not_delivered,
        case when requiring_known > 0 then requiring_below / requiring_known end as qualification_gap,
        case
            when requiring_not_delivered = requiring then 'ikke levert'
            when requiring_not_delivered > 0 then 'delvis levert'
            else 'levert'
        end as education_status,
        municipalities,
        municipalities_not_delivering
    from rollup
    where requiring > 0
)

select * from final
where {{ in_slice() }}
