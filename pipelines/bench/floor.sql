-- The floor's computation: full-time share and turnover per municipality and year, from the
-- employments extracts as read (table `employments`, one row per employment per yearly extract),
-- with no cleaning, deduplication, code harmonisation or any other indicator.
-- A person's position size on 1 December of an extract's year is the sum of their permanent
-- and temporary positions in that extract; full time is ≥ 100 %. Turnover in year Y: people
-- with a position on 1 December Y-1 who have none in the same municipality on 1 December Y.
create or replace temp table person_snapshots as
select
    municipality_code,
    person_id,
    extract_year as year,
    sum(fte_percent) filter (where employment_type in ('permanent', 'temporary') and fte_percent > 0)
        as position_size
from employments
where start_date <= make_date(extract_year, 12, 1)
  and (end_date is null or end_date >= make_date(extract_year, 12, 1))
group by all;

create or replace temp table fulltime as
select municipality_code, year,
       count(*) filter (where position_size >= 100) / count(*) as fulltime_share
from person_snapshots
where position_size > 0
group by all;

create or replace temp table turnover as
select p.municipality_code, p.year + 1 as year,
       count(*) filter (where c.person_id is null) / count(*) as turnover
from person_snapshots as p
left join person_snapshots as c
    on c.municipality_code = p.municipality_code
   and c.person_id = p.person_id
   and c.position_size > 0
   and c.year = p.year + 1
where p.position_size > 0
  and p.year < (select max(year) from person_snapshots)
group by all;

select
    (select count(*) from employments) as rows_read,
    (select count(*) from fulltime) as fulltime_rows,
    (select count(*) from turnover) as turnover_rows,
    (select sum(fulltime_share * 0 + 1) from fulltime where fulltime_share between 0 and 1) as fulltime_valid,
    (select avg(turnover) from turnover) as mean_turnover;
