-- Grain: one row per (area_type, area_code, year, function_family) staffed on 1 December of
-- `year` (the base year Y): what the replacement projection starts from.
--   * stock and retirements: staff of the family on 1 December of Y, and those of them who
--     reach 67 by the end of Y + 5 / Y + 10 (as retirement_wave_*; already 67 included; a
--     person without a birth year is not counted as retiring);
--   * the history of turnover years Y-2, Y-1, Y: per year, turnover excluding retirement
--     q_t = leavers_excl_retirement / previous_persons and hires H_t, pooled over the area's
--     municipalities that have data in Y (a region's member without data in Y adds nothing,
--     not even its history); a year enters q's mean when it has a turnover figure (a previous
--     snapshot and staff then), H's when every one of those municipalities has data that year
--     (hires are a count: a member's missing year would count as no hires; decision 30).
--     Mean, smallest and largest of each, and how many years were used;
--   * is_latest_year: Y is the area's latest year with data (any member's snapshot).
with flows as (
    select * from {{ ref('int_function_flows') }}
),

staff as (
    select * from {{ ref('int_function_staff') }}
),

areas as (
    select * from {{ ref('int_areas') }}
),

base_members as (
    -- the municipalities with data in the base year, per area
    select distinct areas.area_type, areas.area_code, flows.year, flows.municipality_code
    from flows
    inner join areas on areas.municipality_code = flows.municipality_code
),

base_size as (
    select
        area_type,
        area_code,
        year,
        count(*) as base_members,
        max(max(year)) over (partition by area_type, area_code) as latest_year
    from base_members
    group by area_type, area_code, year
),

history_sums as (
    select
        base_members.area_type,
        base_members.area_code,
        base_members.year,
        history.function_family,
        history.year as history_year,
        sum(history.previous_persons) as previous_persons,
        sum(history.leavers_excl_retirement) as leavers_excl_retirement,
        sum(history.hires) as hires,
        sum({{ exact('history.hires_fte') }}) as hires_fte,
        count(*) as members_with_data
    from base_members
    inner join flows as history
        on history.municipality_code = base_members.municipality_code
       and history.year between base_members.year - 2 and base_members.year
    group by all
),

history_years as (
    -- a history year is complete when every municipality with data in the base year has data then
    select
        history_sums.*,
        history_sums.members_with_data = base_size.base_members as is_complete
    from history_sums
    inner join base_size using (area_type, area_code, year)
),

history as (
    select
        area_type,
        area_code,
        year,
        function_family,
        avg({{ exact('turnover', 18) }}) as q_mean,
        min(turnover) as q_min,
        max(turnover) as q_max,
        count(turnover) as turnover_years,
        avg(hires) filter (where is_complete) as hires_mean,
        min(hires) filter (where is_complete) as hires_min,
        max(hires) filter (where is_complete) as hires_max,
        avg({{ exact('hires_fte') }}) filter (where is_complete) as hires_fte_mean,
        min(hires_fte) filter (where is_complete) as hires_fte_min,
        max(hires_fte) filter (where is_complete) as hires_fte_max,
        count(*) filter (where is_complete) as hire_years
    from (
        select
            *,
            case when previous_persons > 0 then leavers_excl_retirement / previous_persons end as turnover
        from history_years
    ) as history_turnover
    group by all
),

stock as (
    select
        areas.area_type,
        areas.area_code,
        staff.year,
        staff.function_family,
        count(*) as stock_persons,
        sum({{ exact('staff.fte') }}) as stock_fte,
        count(*) filter (where staff.age + 5 >= {{ var('retirement_age') }}) as retirements_5y,
        coalesce(sum({{ exact('staff.fte') }}) filter (where staff.age + 5 >= {{ var('retirement_age') }}), 0) as retirements_fte_5y,
        count(*) filter (where staff.age + 10 >= {{ var('retirement_age') }}) as retirements_10y,
        coalesce(sum({{ exact('staff.fte') }}) filter (where staff.age + 10 >= {{ var('retirement_age') }}), 0) as retirements_fte_10y
    from staff
    inner join areas on areas.municipality_code = staff.municipality_code
    group by all
),

final as (
    select
        stock.*,
        history.q_mean,
        history.q_min,
        history.q_max,
        history.turnover_years,
        history.hires_mean,
        history.hires_min,
        history.hires_max,
        history.hires_fte_mean,
        history.hires_fte_min,
        history.hires_fte_max,
        history.hire_years,
        stock.year = base_size.latest_year as is_latest_year
    from stock
    inner join history using (area_type, area_code, year, function_family)
    inner join base_size using (area_type, area_code, year)
)

select * from final
