-- Grain: one row per (municipality_code, service, month_date) on today's municipality code;
-- months of merged predecessors are summed.
with backlog as (
    select * from {{ ref('stg_hr__backlog') }}
),

final as (
    select
        {{ todays_code('backlog') }} as municipality_code,
        backlog.service,
        backlog.month_date,
        sum(backlog.open_cases) as open_cases,
        sum(backlog.overdue_cases) as overdue_cases
    from backlog
    {{- code_map_join('backlog', primary_only=true) }}
    group by all
)

select * from final
