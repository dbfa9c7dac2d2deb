-- Grain: one row per (municipality_code, service, month_date) on today's municipality code;
-- months of merged predecessors are summed.
with backlog as (
    select * from {{ ref('stg_hr__backlog') }}
),

code_map as (
    select * from {{ ref('int_municipality_code_map') }}
    where is_primary
),

final as (
    select
        coalesce(code_map.municipality_code, backlog.reported_municipality_code) as municipality_code,
        backlog.service,
        backlog.month_date,
        sum(backlog.open_cases) as open_cases,
        sum(backlog.overdue_cases) as overdue_cases
    from backlog
    left join code_map on code_map.source_code = backlog.reported_municipality_code
    group by all
)

select * from final
