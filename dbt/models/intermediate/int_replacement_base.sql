-- Grain: one row per (area_type, area_code, year, function_family) for every year an area has
-- data (a region: the years any member has): the family's flows pooled over the area's
-- municipalities with data that year (int_function_flows), the stock's retirements within
-- 5 and 10 years (reaching 67 by the end of year + h, as retirement_wave_*; a person without
-- a birth year is not counted as retiring), and that year's turnover excluding retirement
-- q = leavers_excl_retirement / previous_persons (null without a previous snapshot or staff).
with flows as (
    select * from {{ ref('int_function_flows') }}
),

staff as (
    select * from {{ ref('int_function_staff') }}
),

areas as (
    select * from {{ ref('int_areas') }}
),

pooled as (
    select
        areas.area_type,
        areas.area_code,
        flows.year,
        flows.function_family,
        sum(flows.stock_persons) as stock_persons,
        sum(flows.stock_fte) as stock_fte,
        sum(flows.previous_persons) as previous_persons,
        sum(flows.leavers_excl_retirement) as leavers_excl_retirement,
        sum(flows.hires) as hires,
        sum(flows.hires_fte) as hires_fte
    from flows
    inner join areas on areas.municipality_code = flows.municipality_code
    group by all
),

retiring as (
    select
        areas.area_type,
        areas.area_code,
        staff.year,
        staff.function_family,
        count(*) filter (where staff.age + 5 >= {{ var('retirement_age') }}) as retirements_5y,
        coalesce(sum(staff.fte) filter (where staff.age + 5 >= {{ var('retirement_age') }}), 0) as retirements_fte_5y,
        count(*) filter (where staff.age + 10 >= {{ var('retirement_age') }}) as retirements_10y,
        coalesce(sum(staff.fte) filter (where staff.age + 10 >= {{ var('retirement_age') }}), 0) as retirements_fte_10y
    from staff
    inner join areas on areas.municipality_code = staff.municipality_code
    group by all
),

final as (
    select
        pooled.*,
        case when pooled.previous_persons > 0 then pooled.leavers_excl_retirement / pooled.previous_persons end
            as turnover_excl_retirement,
        coalesce(retiring.retirements_5y, 0) as retirements_5y,
        coalesce(retiring.retirements_fte_5y, 0) as retirements_fte_5y,
        coalesce(retiring.retirements_10y, 0) as retirements_10y,
        coalesce(retiring.retirements_fte_10y, 0) as retirements_fte_10y
    from pooled
    left join retiring using (area_type, area_code, year, function_family)
)

select * from final
