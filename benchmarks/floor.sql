-- The floor: one hand-written DuckDB script computing only full-time share and turnover per
-- municipality and year from raw.hr_employments (KS population, 1 December snapshots),
-- without dbt, cleaning, code harmonisation or any other indicator.
create or replace temp table snapshot_dates as
select distinct make_date(year(extraction_date), 12, 1) as snapshot_date
from raw.hr_employments;

create or replace temp table person_snapshots as
select
    e.municipality_code,
    coalesce(e.person_key, e.employee_key) as person_id,
    d.snapshot_date,
    sum(e.fte_percent) filter (where e.employment_type in ('permanent', 'temporary') and e.fte_percent > 0)
        as position_size
from raw.hr_employments as e
inner join snapshot_dates as d
    on e.start_date <= d.snapshot_date and (e.end_date is null or e.end_date >= d.snapshot_date)
group by all;

create or replace temp table fulltime as
select municipality_code, year(snapshot_date) as year,
       count(*) filter (where position_size >= 100) / count(*) as fulltime_share
from person_snapshots
where position_size > 0
group by all;

create or replace temp table turnover as
select p.municipality_code, year(p.snapshot_date) + 1 as year,
       count(*) filter (where c.person_id is null) / count(*) as turnover
from person_snapshots as p
left join person_snapshots as c
    on c.municipality_code = p.municipality_code
   and c.person_id = p.person_id
   and c.snapshot_date = p.snapshot_date + interval 1 year
where p.position_size > 0
  and p.snapshot_date < (select max(snapshot_date) from snapshot_dates)
group by all;

select (select count(*) from fulltime) as fulltime_rows, (select count(*) from turnover) as turnover_rows;
