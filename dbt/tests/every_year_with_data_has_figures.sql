-- The other side of "no figure without data": every municipality-year with an employments
-- snapshot has its headcount, full-time share (when anyone is counted) and, when the year
-- before has a snapshot with counted employees, its turnover. Rows returned are the gaps.
with coverage as (
    select * from {{ ref('int_data_coverage') }} where has_snapshot
),

figures as (
    select indicator_id, area_code as municipality_code, year, denominator, numerator
    from {{ ref('fct_indicators') }}
    where area_type = 'municipality' and breakdown = 'total'
),

counted as (
    select municipality_code, year, numerator as counted
    from figures
    where indicator_id = 'counted_employees'
)

select coverage.municipality_code, coverage.year, 'counted_employees' as missing
from coverage
left join counted using (municipality_code, year)
where counted.year is null

union all

select coverage.municipality_code, coverage.year, 'fulltime_share'
from coverage
inner join counted using (municipality_code, year)
left join figures
    on figures.indicator_id = 'fulltime_share'
   and figures.municipality_code = coverage.municipality_code
   and figures.year = coverage.year
where counted.counted > 0 and figures.year is null

union all

select coverage.municipality_code, coverage.year, 'turnover'
from coverage
inner join counted as previous
    on previous.municipality_code = coverage.municipality_code
   and previous.year = coverage.year - 1
left join figures
    on figures.indicator_id = 'turnover'
   and figures.municipality_code = coverage.municipality_code
   and figures.year = coverage.year
where coverage.can_follow_persons and previous.counted > 0 and figures.year is null
