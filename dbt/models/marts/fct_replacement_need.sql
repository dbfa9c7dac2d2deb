-- Grain: one row per (area_type, area_code, year, function_family, horizon_years): the
-- replacement need h = 5 and 10 years ahead of base year Y = `year` for a family staffed on
-- 1 December of Y, by the issue's cohort rule (decisions 27-30):
-- (`is_latest_year` marks the issue's "latest year Y with data" of each area)
--   S    = stock (counted persons; FTE beside it)
--   R_h  = persons of S reaching 67 by the end of Y + h
--   q    = mean of the turnover excluding retirement of turnover years Y-2, Y-1, Y
--   H    = mean of the hires of years Y-2, Y-1, Y
--   L_h  = (S - R_h) * (1 - (1 - q)^h)
--   I_h  = h * H
--   G_h  = R_h + L_h - I_h   (positive = shortfall)
-- and the band: low = R_h + L_h(min q) - h * max H, high = R_h + L_h(max q) - h * min H.
-- FTE uses the same q on the stock's FTE and the hires' FTE. The history (int_replacement_base)
-- pools the area's municipalities with data in Y; years without a turnover figure are left
-- out of q's mean, years without data for every one of those municipalities out of H's
-- (`turnover_years`, `hire_years`). A base year without any turnover year has no projection.
with base as (
    select * from {{ ref('int_replacement_base') }}
),

horizons as (
    select * from (values (5), (10)) as horizons(horizon_years)
),

projected as (
    select
        base.*,
        horizons.horizon_years,
        case horizons.horizon_years when 5 then base.retirements_5y else base.retirements_10y end as retirements,
        case horizons.horizon_years when 5 then base.retirements_fte_5y else base.retirements_fte_10y end
            as retirements_fte
    from base
    cross join horizons
    where base.turnover_years > 0
),

flows as (
    select
        projected.*,
        (stock_persons - retirements) * (1 - pow(1 - q_mean, horizon_years)) as other_leavers,
        (stock_persons - retirements) * (1 - pow(1 - q_min, horizon_years)) as other_leavers_low,
        (stock_persons - retirements) * (1 - pow(1 - q_max, horizon_years)) as other_leavers_high,
        (stock_fte - retirements_fte) * (1 - pow(1 - q_mean, horizon_years)) as other_leavers_fte,
        (stock_fte - retirements_fte) * (1 - pow(1 - q_min, horizon_years)) as other_leavers_fte_low,
        (stock_fte - retirements_fte) * (1 - pow(1 - q_max, horizon_years)) as other_leavers_fte_high,
        horizon_years * hires_mean as inflow,
        horizon_years * hires_fte_mean as inflow_fte
    from projected
),

final as (
    select
        area_type,
        area_code,
        year,
        is_latest_year,
        function_family,
        horizon_years,
        year + horizon_years as target_year,
        stock_persons,
        cast(stock_fte as double) as stock_fte,  -- FTE sums are exact DECIMALs upstream (macros/exact.sql)
        retirements,
        cast(retirements_fte as double) as retirements_fte,
        q_mean as turnover_excl_retirement,
        q_min as turnover_excl_retirement_min,
        q_max as turnover_excl_retirement_max,
        turnover_years,
        hires_mean,
        hires_min,
        hires_max,
        hires_fte_mean,
        cast(hires_fte_min as double) as hires_fte_min,
        cast(hires_fte_max as double) as hires_fte_max,
        hire_years,
        other_leavers,
        other_leavers_fte,
        inflow,
        inflow_fte,
        retirements + other_leavers - inflow as gap,
        retirements + other_leavers_low - horizon_years * hires_max as gap_low,
        retirements + other_leavers_high - horizon_years * hires_min as gap_high,
        retirements_fte + other_leavers_fte - inflow_fte as gap_fte,
        retirements_fte + other_leavers_fte_low - horizon_years * hires_fte_max as gap_fte_low,
        retirements_fte + other_leavers_fte_high - horizon_years * hires_fte_min as gap_fte_high
    from flows
)

select * from final
