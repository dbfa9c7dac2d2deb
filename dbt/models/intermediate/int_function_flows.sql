-- Grain: one row per (municipality_code, year, function_family) for every year the
-- municipality has a snapshot: the flows the replacement projection reads.
--   * stock_*: staff of the family on 1 December of `year` (int_function_staff);
--   * previous_persons / leavers_excl_retirement: staff of the family on 1 December of
--     year - 1 and those of them not employed in the municipality on 1 December of `year`,
--     retirees left out as in turnover_excl_retirement (aged 62+ at t-1 or a retirement
--     termination); null when the year before has no snapshot (no turnover year);
--   * hires / hires_fte: persons hired in the year (int_hires) whose first day's counted
--     employments in the municipality include the family, with those employments' FTE.
-- A family with no staff and no hires in a year with data has zeros, so means over years
-- count the empty years.
with staff as (
    select * from {{ ref('int_function_staff') }}
),

pairs as (
    select * from {{ ref('int_person_year_pairs') }}
),

coverage as (
    select municipality_code, year, can_follow_persons
    from {{ ref('int_data_coverage') }}
    where has_snapshot
),

families as (
    select function_family from {{ ref('function_families') }}
),

employments as (
    select * from {{ ref('int_hr__employments') }}
    where is_counted_type and function_family is not null
),

hires as (
    select * from {{ ref('int_hires') }}
),

stock as (
    select
        municipality_code,
        year,
        function_family,
        count(*) as stock_persons,
        sum({{ exact('fte') }}) as stock_fte
    from staff
    group by all
),

leavers as (
    select
        staff.municipality_code,
        staff.year + 1 as year,
        staff.function_family,
        count(*) as previous_persons,
        count(*) filter (
            where not pairs.is_employed_here_at_t
              and not (pairs.age >= {{ var('retirement_leaver_age') }} or pairs.has_retirement_termination)
        ) as leavers_excl_retirement
    from staff
    inner join pairs
        on pairs.municipality_code = staff.municipality_code
       and pairs.person_number = staff.person_number
       and pairs.year = staff.year + 1
    group by all
),

hired as (
    select
        hires.municipality_code,
        hires.year,
        employments.function_family,
        count(distinct hires.person_number) as hires,
        sum({{ exact('employments.fte_percent / 100.0') }}) as hires_fte
    from hires
    inner join employments
        on employments.municipality_code = hires.municipality_code
       and employments.person_number = hires.person_number
       and employments.start_date <= hires.hire_date
       and coalesce(employments.effective_end_date, date '9999-12-31') >= hires.hire_date
    group by all
),

final as (
    select
        coverage.municipality_code,
        coverage.year,
        families.function_family,
        coalesce(stock.stock_persons, 0) as stock_persons,
        coalesce(stock.stock_fte, 0) as stock_fte,
        case when coverage.can_follow_persons then coalesce(leavers.previous_persons, 0) end as previous_persons,
        case when coverage.can_follow_persons then coalesce(leavers.leavers_excl_retirement, 0) end
            as leavers_excl_retirement,
        coalesce(hired.hires, 0) as hires,
        coalesce(hired.hires_fte, 0) as hires_fte
    from coverage
    cross join families
    left join stock using (municipality_code, year, function_family)
    left join leavers using (municipality_code, year, function_family)
    left join hired using (municipality_code, year, function_family)
)

select * from final
