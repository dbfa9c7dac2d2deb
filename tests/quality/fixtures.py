"""A small, clean warehouse in a real DuckDB file, and one way to break it per check family.

The tables follow the contracts the quality gate is built against (raw/audit tables of
`pipelines/warehouse/schema.py`, the SSB raw tables, and the dbt models `int_person_snapshots`,
`fct_indicators`, `fct_fulltime`, `fct_turnover`), generated in SQL so the same code makes
40 rows for a test and a few hundred thousand for the benchmark. Every figure is consistent:
the ledger reconciles, the marts are recomputed from the intermediate model, the population
is larger than the workforce, and KOSTRA FTEs are within 5 % of the HR FTEs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from pipelines.quality.references import KS_POSITION_CODES_CSV, MUNICIPALITIES_CSV
from pipelines.warehouse.schema import ensure_schema

OUTER_LOFOTEN = ("1856", "1857", "1859", "1874")
POSITION_CODES = ("6572", "7076", "7174", "7963", "8530", "9451", "7962", "7517")
FTE_PERCENTS = (100, 80, 50, 100, 75, 100, 40, 100)


def build_warehouse(
    path: Path,
    *,
    municipalities: Sequence[str] = OUTER_LOFOTEN[:2],
    employees: int = 40,
    years: Sequence[int] = (2023, 2024),
    seed_table: bool = False,
) -> Path:
    """Write a consistent warehouse to `path` (a fresh file). `employees` is per municipality."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        con.execute("create schema if not exists intermediate; create schema if not exists marts")
        con.execute(
            "create temp table p_muni as select unnest(?::varchar[]) as municipality_code",
            [list(municipalities)],
        )
        con.execute("create temp table p_year as select unnest(?::integer[]) as year", [list(years)])
        _klass(con)
        _employments(con, employees)
        _postings_and_backlog(con)
        _models(con)
        _ssb(con, employees)
        if seed_table:
            con.execute(
                f"create table main.ks_position_codes as select * from read_csv('{KS_POSITION_CODES_CSV}')"
            )
    finally:
        con.close()
    return path


def _klass(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        create or replace table raw.klass_municipality as
     select code, name, coalesce(cast(nullif(valid_from, '') as date), date '2019-01-01') as valid_from,
            cast(nullif(valid_to, '') as date) as valid_to
        from read_csv('{MUNICIPALITIES_CSV}', all_varchar = true)
        """
    )


def _employments(con: duckdb.DuckDBPyConnection, employees: int) -> None:
    codes = list(POSITION_CODES)
    ftes = list(FTE_PERCENTS)
    con.execute(
        """
        create temp table bounds as select min(year) as first_year, max(year) as last_year from p_year;
        create temp table emp as
        select m.municipality_code, e,
               sha256('employment:' || m.municipality_code || ':' || e) as employment_key,
               sha256('employee:' || m.municipality_code || ':' || e) as employee_key,
               1960 + (e * 7) % 40 as birth_year,
               case when e % 3 = 0 then 'M' else 'F' end as gender,
               ($codes::varchar[])[1 + e % 8] as position_code,
               ($ftes::double[])[1 + (e * 5) % 8] as fte_percent,
               case when e % 20 = 0 then 'temporary' when e % 37 = 0 then 'substitute' else 'permanent' end
                   as employment_type,
               case when e % 10 = 3 then make_date(b.last_year, 2, 1)
                    when e % 10 = 2 then make_date(b.first_year - 1 - e % 5, 1, 1)
                    else date '2005-01-01' + cast((e * 53) % 5000 as integer) end as start_date,
               case when e % 10 = 1 then make_date(b.last_year, 6, 30)
                    when e % 10 = 2 then make_date(b.first_year, 3, 31) end as end_date
        from p_muni m, bounds b, range(1, $n + 1) t(e)
        """,
        {"codes": codes, "ftes": ftes, "n": employees},
    )
    # the newest extract that contains an employment owns its row (later extracts supersede)
    con.execute(
        """
        create temp table owned as
        select e.*, max(y.year) as owner_year
        from emp e join p_year y
    on e.start_date <= make_date(y.year, 12, 31)
   and (e.end_date is null or e.end_date >= make_date(y.year, 1, 1))
        group by all;

        create temp table contained as
        select e.municipality_code, y.year, count(*) as n
        from emp e join p_year y
    on e.start_date <= make_date(y.year, 12, 31)
   and (e.end_date is null or e.end_date >= make_date(y.year, 1, 1))
        group by all;

        insert into audit.deliveries
        (delivery_sha256, file_name, kind, municipality_code, extraction_date, profile, rows_read, rows_loaded,
         rows_quarantined, rows_duplicate, rows_stale, outcome, reason, archive_path, loaded_at, period_start)
        select sha256('delivery:employments:' || c.municipality_code || ':' || c.year),
      'arbeidsforhold_' || c.municipality_code || '_' || c.year || '.csv', 'employments', c.municipality_code,
               make_date(c.year, 12, 31), 'visma', c.n + 2, c.n, 1, 1, 0, 'loaded', null,
               'landing/' || c.municipality_code || '_' || c.year || '.csv',
               make_timestamp(c.year + 1, 1, 15, 8, 0, 0), null
        from contained c;

        insert into audit.quarantine
        select delivery_sha256, rows_read, 'fte_percent', 'stillingsprosent 250 er utenfor 0–100',
               '{"fte_percent": "250"}'
        from audit.deliveries where kind = 'employments';

        insert into raw.hr_employments
    select o.municipality_code, o.employment_key, o.employee_key, null, o.birth_year, o.gender,
           o.position_code,
               'stilling', o.fte_percent, o.employment_type, o.start_date, o.end_date,
               case when o.end_date is not null then 'egen oppsigelse' end, 'enhet ' || (o.e % 4),
               'helse og omsorg', '253', case when o.position_code = '9451' then 3 end, 'høgskole',
               make_date(o.owner_year, 12, 31),
               sha256('delivery:employments:' || o.municipality_code || ':' || o.owner_year),
               row_number() over (partition by o.municipality_code, o.owner_year order by o.e)
        from owned o;
        """
    )


def _postings_and_backlog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        insert into audit.deliveries
        (delivery_sha256, file_name, kind, municipality_code, extraction_date, profile, rows_read, rows_loaded,
         rows_quarantined, rows_duplicate, rows_stale, outcome, reason, archive_path, loaded_at, period_start)
        select sha256('delivery:' || k.kind || ':' || m.municipality_code || ':' || b.last_year),
            k.kind || '_' || m.municipality_code || '_' || b.last_year || '.csv', k.kind, m.municipality_code,
               make_date(b.last_year, 12, 31), 'webcruiter', k.n, k.n, 0, 0, 0, 'loaded', null, null,
               make_timestamp(b.last_year + 1, 1, 16, 8, 0, 0), null
        from p_muni m, bounds b, (values ('postings', 6), ('backlog', 6)) k(kind, n);

        insert into raw.hr_backlog
        select m.municipality_code, s.service, make_date(b.last_year, mo, 1), 20 + mo, mo,
               make_date(b.last_year, 12, 31),
               sha256('delivery:backlog:' || m.municipality_code || ':' || b.last_year),
               row_number() over (partition by m.municipality_code order by s.service, mo)
        from p_muni m, bounds b, (values ('byggesak'), ('lønn')) s(service), range(1, 4) t(mo);
        """
    )
    con.execute(
        """
        insert into raw.hr_postings
     select m.municipality_code, 'P' || i, ($codes::varchar[])[1 + i % 8], 'stilling', null, 100, 'permanent',
               make_date(b.last_year, i, 1), make_date(b.last_year, i, 20),
               case when i % 3 <> 0 then make_date(b.last_year, i + 2, 1) end,
               case when i % 3 <> 0 then 'filled' else 'open' end,
    10 + i, 4 + i, case when i % 3 <> 0 then sha256('employee:' || m.municipality_code || ':' || (i * 4)) end,
               case when i % 3 <> 0 then 'external' end, 15000 * i, make_date(b.last_year, 12, 31),
               sha256('delivery:postings:' || m.municipality_code || ':' || b.last_year), i
        from p_muni m, bounds b, range(1, 7) t(i)
        """,
        {"codes": list(POSITION_CODES)},
    )


def _models(con: duckdb.DuckDBPyConnection) -> None:
    """Stand-ins for the dbt models, computed the way indicators.md defines them."""
    con.execute(
        """
        create table intermediate.int_person_snapshots as
        select e.municipality_code, y.year, e.employee_key as person_number,
               sum(e.fte_percent) as position_size, sum(e.fte_percent) as position_size_municipality,
       bool_or(e.employment_type not in ('apprentice', 'substitute')) and sum(e.fte_percent) > 0 as is_counted
        from raw.hr_employments e join p_year y
    on e.start_date <= make_date(y.year, 12, 1)
   and (e.end_date is null or e.end_date >= make_date(y.year, 12, 1))
        group by all;

        create table intermediate.int_employment_snapshots as
        select e.municipality_code, y.year, make_date(y.year, 12, 1) as snapshot_date,
               e.employee_key as person_number, e.position_code,
               e.employment_type in ('permanent', 'temporary') and e.fte_percent > 0 as is_counted_type
        from raw.hr_employments e join p_year y
    on e.start_date <= make_date(y.year, 12, 1)
   and (e.end_date is null or e.end_date >= make_date(y.year, 12, 1));

        create temp table areas as
        select municipality_code, 'municipality' as area_type, municipality_code as area_code from p_muni
        union all select municipality_code, 'region', 'ytre-lofoten' from p_muni;

        create temp table counted as
    select a.area_type, a.area_code, p.*
    from intermediate.int_person_snapshots p join areas a using (municipality_code)
        where p.is_counted;

        create table marts.fct_indicators (
            indicator_id varchar, area_type varchar, area_code varchar, year integer, breakdown varchar,
      breakdown_value varchar, numerator double, denominator double, value double, unit varchar, basis varchar
        );
        insert into marts.fct_indicators
        select 'fulltime_share', area_type, area_code, year, null, null,
               count(*) filter (where position_size >= 100), count(*),
               count(*) filter (where position_size >= 100) / count(*), 'share', 'municipality'
        from counted group by all;
        insert into marts.fct_indicators
        select 'fulltime_share', c.area_type, c.area_code, c.year, 'gender', e.gender,
               count(distinct c.person_number) filter (where c.position_size >= 100), count(distinct c.person_number),
              count(distinct c.person_number) filter (where c.position_size >= 100) / count(distinct c.person_number),
               'share', 'municipality'
        from counted c join (select distinct employee_key, gender from raw.hr_employments) e
          on e.employee_key = c.person_number
        group by all;
        insert into marts.fct_indicators
    select 'avg_position_size', area_type, area_code, year, null, null,
           sum(least(position_size, 100)), count(*),
               sum(least(position_size, 100)) / count(*), 'percent', 'municipality'
        from counted group by all;
        insert into marts.fct_indicators
        select 'short_parttime_share', area_type, area_code, year, null, null,
               count(*) filter (where position_size < 50), count(*),
               count(*) filter (where position_size < 50) / count(*), 'share', 'municipality'
        from counted group by all;
        insert into marts.fct_indicators
        select 'turnover', prev.area_type, prev.area_code, prev.year + 1, null, null,
               count(*) filter (where cur.person_number is null), count(*),
               count(*) filter (where cur.person_number is null) / count(*), 'share', 'municipality'
        from counted prev
        left join (select distinct municipality_code, year, person_number from intermediate.int_person_snapshots) cur
          on cur.municipality_code = prev.municipality_code and cur.person_number = prev.person_number
         and cur.year = prev.year + 1
        where prev.year + 1 in (select year from p_year)
        group by all;

        create table marts.fct_fulltime as
        select area_type, area_code, year,
               max(value) filter (where indicator_id = 'fulltime_share') as fulltime_share,
               max(value) filter (where indicator_id = 'avg_position_size') as avg_position_size,
               max(denominator) filter (where indicator_id = 'fulltime_share') as counted_employees
    from marts.fct_indicators
    where breakdown is null and indicator_id in ('fulltime_share', 'avg_position_size')
        group by all;

        create table marts.fct_turnover as
        select area_type, area_code, year, value as turnover, numerator as leavers,
               denominator as employees_previous_year
        from marts.fct_indicators where indicator_id = 'turnover' and breakdown is null;
        """
    )


def _ssb(con: duckdb.DuckDBPyConnection, employees: int) -> None:
    per_cell = 3 + employees // 40  # 2 × 60 cells aged 15–74: always more people than employees
    con.execute(
        f"""
        create or replace table raw.ssb_population as
        select m.municipality_code, y.year, k.kjonn_code, lpad(cast(a as varchar), 3, '0') as alder_code,
               cast({per_cell} + (a % 3) as double) as value, null::varchar as status, true as is_demo
        from p_muni m,
             (select year from p_year union select min(year) - 1 from p_year) y,
             (values ('1'), ('2')) k(kjonn_code), range(0, 106) t(a);

        create or replace table raw.ssb_kostra_fte as
        select municipality_code, year, 'FG2' as kokfunksjon0000_code,
               'KOSavtaltearsver0000' as contentscode_code,
               round(sum(position_size) / 100.0 * 1.05, 1) as value
        from intermediate.int_person_snapshots group by all;

        insert into audit.ssb_fetches (table_id, status, rows, table_updated, source, fetched_at) values
            ('07459', 'ok', 1, timestamp '2025-02-20 08:00:00', 'snapshot', timestamp '2025-03-01 10:00:00'),
            ('11918', 'ok', 1, timestamp '2024-06-15 08:00:00', 'snapshot', timestamp '2025-03-01 10:00:01');
        """
    )


# --- one way to break the warehouse per check family ---------------------------------------
def _first_delivery(con: duckdb.DuckDBPyConnection, kind: str = "employments") -> str:
    return con.execute(
        "select delivery_sha256 from audit.deliveries where kind = ? "
        "order by municipality_code, extraction_date desc "
        "limit 1",
        [kind],
    ).fetchone()[0]


def break_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Ledger: one delivery read one row more than it accounts for."""
    con.execute(
        "update audit.deliveries set rows_read = rows_read + 1 where delivery_sha256 = ?",
        [_first_delivery(con)],
    )


def break_referential(con: duckdb.DuckDBPyConnection) -> None:
    """Referential integrity: postings of a delivery the ledger does not know."""
    con.execute("update raw.hr_postings set delivery_sha256 = 'unknown-delivery' where source_row_number = 1")


def break_population(con: duckdb.DuckDBPyConnection) -> None:
    """Workforce vs population (block): a municipality with almost no inhabitants."""
    con.execute(
        "update raw.ssb_population set value = 0 where municipality_code = (select min(municipality_code) "
        "from raw.ssb_population)"
    )


def drop_population_of_one_municipality(con: duckdb.DuckDBPyConnection) -> None:
    """No SSB population for a municipality with employees (warn): outside the catalogue's regions."""
    con.execute(
        "delete from raw.ssb_population where municipality_code = (select min(municipality_code) "
        "from raw.ssb_population)"
    )


def break_kostra(con: duckdb.DuckDBPyConnection) -> None:
    """HR FTE vs KOSTRA FTE (warn): SSB reports twice the FTEs."""
    con.execute("update raw.ssb_kostra_fte set value = value * 2")


def break_turnover(con: duckdb.DuckDBPyConnection) -> None:
    """Plausibility (GX): a total turnover of 90 % (consistent numerator, so SQL agrees it is a share)."""
    con.execute(
        """
    update marts.fct_indicators
    set numerator = round(denominator * 0.9), value = round(denominator * 0.9) / denominator
        where indicator_id = 'turnover' and area_type = 'municipality' and breakdown is null
          and area_code = (select min(area_code) from marts.fct_indicators where area_type = 'municipality')
        """
    )
    con.execute(
        """
        update marts.fct_turnover t set turnover = i.value, leavers = i.numerator
        from marts.fct_indicators i
        where i.indicator_id = 'turnover' and i.breakdown is null and i.area_type = t.area_type
          and i.area_code = t.area_code and i.year = t.year
        """
    )


def drop_table(table: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """Missing input: the check on it must fail, not pass."""

    def breaker(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"drop table {table}")

    return breaker


def apply(path: Path, *breakers: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    con = duckdb.connect(str(path))
    try:
        for breaker in breakers:
            breaker(con)
    finally:
        con.close()
