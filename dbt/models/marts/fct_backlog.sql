-- Grain: one row per (area_type, area_code, service, month_date): open and overdue cases of a
-- service, the year's overdue share against the baseline year (Lofoten's goal: -20 %), and
-- key-position turnover of the same area and year beside it (the project's hypothesis:
-- stable staffing brings the backlog down). The baseline year is the goal's, when
-- dbt/seeds/goals.csv sets one for the area, else the area's first year with backlog data.
with monthly as (
    select
        areas.area_type,
        areas.area_code,
        backlog.service,
        backlog.month_date,
        year(backlog.month_date) as year,
        sum(backlog.open_cases) as open_cases,
        sum(backlog.overdue_cases) as overdue_cases
    from {{ ref('int_hr__backlog') }} as backlog
    inner join {{ ref('int_areas') }} as areas on areas.municipality_code = backlog.municipality_code
    group by all
),

yearly as (
    select area_type, area_code, year, breakdown_value as service, value as year_overdue_share
    from {{ ref('fct_indicators') }}
    where indicator_id = 'backlog_overdue_share'
      and breakdown = 'service'
),

goal_baselines as (
    select area_type, area_code, min(baseline_year) as baseline_year
    from {{ ref('goals') }}
    where indicator_id = 'backlog_overdue_share'
      and baseline_year is not null
    group by all
),

baselines as (
    select
        monthly.area_type,
        monthly.area_code,
        coalesce(max(goal_baselines.baseline_year), min(monthly.year)) as baseline_year
    from monthly
    left join goal_baselines using (area_type, area_code)
    group by all
),

key_turnover as (
    select area_type, area_code, year, value as key_turnover
    from {{ ref('fct_indicators') }}
    where indicator_id = 'key_turnover'
      and breakdown = 'total'
),

final as (
    select
        monthly.area_type,
        monthly.area_code,
        area_names.area_name,
        monthly.service,
        monthly.month_date,
        monthly.year,
        monthly.open_cases,
        monthly.overdue_cases,
        case when monthly.open_cases > 0 then monthly.overdue_cases / monthly.open_cases end as overdue_share,
        yearly.year_overdue_share,
        baselines.baseline_year,
        baseline.year_overdue_share as baseline_overdue_share,
        case
            when baseline.year_overdue_share > 0
                then yearly.year_overdue_share / baseline.year_overdue_share - 1
        end as change_vs_baseline,
        key_turnover.key_turnover
    from monthly
    left join yearly using (area_type, area_code, year, service)
    left join baselines using (area_type, area_code)
    left join yearly as baseline
        on baseline.area_type = monthly.area_type
       and baseline.area_code = monthly.area_code
       and baseline.service = monthly.service
       and baseline.year = baselines.baseline_year
    left join key_turnover using (area_type, area_code, year)
    left join {{ ref('int_area_names') }} as area_names
        on area_names.area_type = monthly.area_type
       and area_names.area_code = monthly.area_code
)

select * from final
