-- Grain: one row per goal (dbt/seeds/goals.csv): the baseline, the latest value, the target
-- and whether the goal is met and whether the trend reaches it.
--   * baseline year: the goal's, else the first year the area has the indicator;
--   * target: the goal's target value, else baseline x (1 + relative change), else the
--     baseline itself (a goal with a direction only: any improvement meets it);
--   * trend: least-squares slope of the yearly values from the baseline year on; with a
--     target year it is projected to that year, without one it must point the right way.
with goals as (
    select * from {{ ref('goals') }}
),

values_ as (
    select indicator_id, area_type, area_code, year, value
    from {{ ref('fct_indicators') }}
    where breakdown = 'total'
),

with_baseline_year as (
    select
        goals.*,
        coalesce(
            goals.baseline_year,
            (
                select min(values_.year) from values_
                where values_.indicator_id = goals.indicator_id
                  and values_.area_type = goals.area_type
                  and values_.area_code = goals.area_code
            )
        ) as effective_baseline_year
    from goals
),

series as (
    select
        with_baseline_year.goal_id,
        values_.year,
        values_.value
    from with_baseline_year
    inner join values_
        on values_.indicator_id = with_baseline_year.indicator_id
       and values_.area_type = with_baseline_year.area_type
       and values_.area_code = with_baseline_year.area_code
       and values_.year >= with_baseline_year.effective_baseline_year
),

summary as (
    select
        goal_id,
        min(year) as first_year,
        max(year) as latest_year,
        arg_min(value, year) as baseline_value,
        arg_max(value, year) as latest_value,
        count(*) as years_with_values,
        -- regr_slope(value, year) from exact sums: regr_slope adds DOUBLEs in the order
        -- DuckDB's threads hand them over, so a trend differed in its last bits between builds
        (count(*) * sum({{ exact('value', 18) }} * year) - sum(year) * sum({{ exact('value', 18) }}))
            / nullif(count(*) * sum(year * year) - sum(year) * sum(year), 0) as trend_per_year
    from series
    group by goal_id
),

targets as (
    select
        with_baseline_year.*,
        summary.baseline_value,
        summary.latest_year,
        summary.latest_value,
        summary.years_with_values,
        summary.trend_per_year,
        coalesce(
            with_baseline_year.target_value,
            summary.baseline_value * (1 + with_baseline_year.target_relative_change),
            summary.baseline_value
        ) as target,
        with_baseline_year.target_value is null
            and with_baseline_year.target_relative_change is null as is_direction_only
    from with_baseline_year
    left join summary using (goal_id)
),

final as (
    select
        goal_id,
        area_type,
        area_code,
        indicator_id,
        direction,
        goal_text,
        source,
        effective_baseline_year as baseline_year,
        baseline_value,
        latest_year,
        latest_value,
        target_relative_change,
        target as target_value,
        target_year,
        latest_value - baseline_value as change_since_baseline,
        case when baseline_value <> 0 then latest_value / baseline_value - 1 end as relative_change_since_baseline,
        trend_per_year,
        case
            when target_year is not null and trend_per_year is not null
                then latest_value + trend_per_year * (target_year - latest_year)
        end as projected_value_at_target_year,
        case
            when latest_year is null or latest_year = baseline_year then null
            when direction = 'increase' and is_direction_only then latest_value > target
            when direction = 'decrease' and is_direction_only then latest_value < target
            when direction = 'increase' then latest_value >= target
            else latest_value <= target
        end as is_target_met,
        case
            when years_with_values is null or years_with_values < 2 then null
            when target_year is not null and direction = 'increase'
                then latest_value + trend_per_year * (target_year - latest_year) >= target
            when target_year is not null
                then latest_value + trend_per_year * (target_year - latest_year) <= target
            when direction = 'increase' then trend_per_year > 0 or latest_value >= target and not is_direction_only
            else trend_per_year < 0 or latest_value <= target and not is_direction_only
        end as trend_reaches_target
    from targets
)

select * from final
