"""Synthetic national-scale raw tables, generated inside DuckDB for the dbt benchmark.

The demo generator (pipelines/demo) writes delivery files in HR systems' dialects; a dbt
benchmark needs only the raw tables, so this writes them directly with SQL: ~500,000
employees on any 1 December across every municipality, 11 yearly extracts (2015-2025), people
moving between neighbouring municipalities, part-time and second positions, apprentices,
postings, backlog and an SSB-shaped population. The numbers are plausible, not realistic.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.settings import REPO_ROOT
from pipelines.ssb.catalogue import load_catalogue
from pipelines.warehouse.schema import ensure_schema

FIRST_YEAR, LAST_YEAR = 2015, 2025
MEAN_SPELL_YEARS = 8.0
SPELL_WINDOW_YEARS = 40  # spells start uniformly over the 40 years up to the last extract

# The SSB tables the dbt project reads, with the columns the catalogue declares (the loader's).
SSB_TABLES = ("population", "education_level", "kostra_fte")


def generate(db_path: Path, active_employees: int = 500_000, seed: int = 42) -> dict[str, int]:
    """Write the raw and audit tables of a national warehouse into `db_path` (a new file)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        db_path.unlink()
    # persons whose first spell starts in the window: active ~= persons x mean / window
    persons = int(active_employees * SPELL_WINDOW_YEARS / MEAN_SPELL_YEARS / 1.15)
    con = duckdb.connect(str(db_path))
    try:
        ensure_schema(con)
        con.execute(load_catalogue().raw_ddl(SSB_TABLES))
        con.execute("set enable_progress_bar = false")
        con.execute(f"select setseed({(seed % 1000) / 1000})")
        reference = REPO_ROOT / "pipelines" / "reference" / "municipalities.csv"
        con.execute(
            "insert into raw.klass_municipality (code, name, valid_from, valid_to, source) "
            "select code, name, valid_from, valid_to, 'snapshot' "
            "from read_csv(?, header = true, columns = {'code': 'varchar', 'name': 'varchar', "
            "'valid_from': 'date', 'valid_to': 'date'})",
            [str(reference)],
        )
        con.execute("""
            insert into raw.klass_municipality_changes
                (old_code, old_name, new_code, new_name, change_occurred, weight, source) values
            ('1849', 'Hamarøy', '1875', 'Hamarøy', date '2020-01-01', 1.0, 'snapshot'),
            ('1805', 'Narvik', '1806', 'Narvik', date '2020-01-01', 1.0, 'snapshot'),
            ('1854', 'Ballangen', '1806', 'Narvik', date '2020-01-01', 1.0, 'snapshot'),
            ('1850', 'Tysfjord', '1806', 'Narvik', date '2020-01-01', 0.6, 'snapshot'),
            ('1850', 'Tysfjord', '1875', 'Hamarøy', date '2020-01-01', 0.4, 'snapshot')
        """)
        con.execute("""
            create temp table municipalities as
            select
                code as municipality_code,
                row_number() over (order by code) - 1 as idx,
                -- sizes from tiny (Røst) to Oslo: a heavy-tailed weight
                exp(random() * 5) as weight
            from raw.klass_municipality
            where valid_to is null
        """)
        con.execute("""
            create temp table municipality_shares as
            select *, sum(weight) over (order by idx) / sum(weight) over () as upper_share,
                   (sum(weight) over (order by idx) - weight) / sum(weight) over () as lower_share
            from municipalities
        """)
        municipality_count = con.execute("select count(*) from municipalities").fetchone()[0]
        con.execute(f"""
            create temp table persons as
            select
                i as pid,
                1950 + cast(floor(random() * 55) as integer) as birth_year,
                case when random() < 0.7 then 'F' else 'M' end as gender,
                random() as home_draw,
                random() < 0.3 as moves,
                random() < 0.05 as lacks_national_id
            from range({persons}) as t(i)
        """)
        # spells: one per person, a second in a neighbouring municipality for movers
        con.execute(f"""
            create temp table spells as
            with first_spells as (
                select
                    persons.*,
                    shares.idx as municipality_idx,
                    date '{LAST_YEAR}-12-31'
                        - cast(floor(random() * 365.25 * {SPELL_WINDOW_YEARS}) as integer) as start_date,
                    cast(-ln(1 - random()) * 365.25 * {MEAN_SPELL_YEARS} as integer) as length_days,
                    1 as spell
                from persons
                inner join municipality_shares as shares
                    on persons.home_draw >= shares.lower_share and persons.home_draw < shares.upper_share
            ),
            second_spells as (
                select
                    * replace (
                        (municipality_idx + 1) % {municipality_count} as municipality_idx,
                        start_date + length_days + cast(floor(random() * 120) as integer) as start_date,
                        cast(-ln(1 - random()) * 365.25 * {MEAN_SPELL_YEARS} as integer) as length_days,
                        2 as spell
                    )
                from first_spells
                where moves
            )
            select *, start_date + length_days as end_date
            from (select * from first_spells union all select * from second_spells)
            where start_date + length_days >= date '{FIRST_YEAR}-01-01'
              and start_date <= date '{LAST_YEAR}-12-31'
        """)
        con.execute(f"""
            create temp table employments as
            with positions as (
                select spells.*, 1 as position, random() as type_draw, random() as size_draw,
                       random() as code_draw
                from spells
                union all
                select spells.*, 2, random(), random(), random()
                from spells
                where random() < 0.12
            )
            select
                municipalities.municipality_code,
                md5(concat_ws(':', pid, spell, position)) as employment_key,
                md5(concat_ws(':', municipalities.municipality_code, pid)) as employee_key,
                case when lacks_national_id then null else md5(cast(pid as varchar)) end as person_key,
                birth_year,
                gender,
                case
                    when position = 1 and code_draw < 0.03 then '9451'
                    when code_draw < 0.25 then '6572'
                    when code_draw < 0.45 then '7076'
                    when code_draw < 0.60 then '7174'
                    when code_draw < 0.72 then '7962'
                    when code_draw < 0.80 then '7517'
                    when code_draw < 0.86 then '8530'
                    when code_draw < 0.90 then '7050'
                    when code_draw < 0.94 then '7051'
                    else '7004'
                end as position_code,
                case
                    when position = 2 then 20 + floor(size_draw * 4) * 10
                    when size_draw < 0.58 then 100
                    when size_draw < 0.62 then 0
                    else 20 + floor(size_draw * 8) * 10
                end as fte_percent,
                case
                    when position = 1 and type_draw < 0.03 then 'apprentice'
                    when type_draw < 0.08 then 'substitute'
                    when type_draw < 0.20 then 'temporary'
                    else 'permanent'
                end as employment_type,
                start_date,
                case when end_date <= date '{LAST_YEAR}-12-31' then end_date end as end_date,
                case when end_date <= date '{LAST_YEAR}-12-31' then
                    case when random() < 0.2 then 'pensjon'
                         when random() < 0.5 then 'egen oppsigelse' else 'annet' end
                end as termination_reason,
                ['helse og omsorg', 'oppvekst', 'teknisk', 'administrasjon', 'kultur']
                    [1 + floor(random() * 5)::integer] as service_area,
                make_date(least(year(end_date), {LAST_YEAR}), 12, 31) as extraction_date
            from positions
            inner join municipalities on municipalities.idx = positions.municipality_idx
        """)
        con.execute("""
            insert into raw.hr_employments (
                municipality_code, employment_key, employee_key, person_key, birth_year, gender,
                position_code, position_title, fte_percent, employment_type, start_date, end_date,
                termination_reason, unit, service_area, kostra_function, manager_level,
                education_level, extraction_date, delivery_sha256, source_row_number, loaded_at)
            select
                municipality_code, employment_key, employee_key, person_key, birth_year, gender,
                position_code, null, fte_percent,
                case when employment_type = 'apprentice' then 'apprentice' else employment_type end,
                start_date, end_date, termination_reason, null, service_area, null,
                case when position_code = '9451' then 3 end, null, extraction_date,
                md5(concat_ws(':', municipality_code, year(extraction_date))),
                row_number() over (), now()::timestamp
            from employments
        """)
        con.execute(f"""
            insert into audit.deliveries (delivery_sha256, file_name, kind, municipality_code,
                extraction_date, profile, rows_read, rows_loaded, outcome, loaded_at)
            select md5(concat_ws(':', municipality_code, y)),
                   'national_' || municipality_code || '_' || y || '.csv',
                   'employments', municipality_code, make_date(y, 12, 31), 'canonical', 0, 0, 'loaded',
                   now()::timestamp
            from municipalities, range({FIRST_YEAR}, {LAST_YEAR + 1}) as t(y)
        """)
        con.execute(f"""
            insert into raw.hr_postings
            select
                municipalities.municipality_code,
                'P' || i,
                ['9451', '7174', '7076', '6572', '7004'][1 + floor(random() * 5)::integer],
                null, null, 100, 'permanent',
                date '{FIRST_YEAR}-01-01' + cast(floor(random() * 4000) as integer) as published_date,
                null,
                case when random() < 0.8
                    then date '{FIRST_YEAR}-01-01' + cast(floor(random() * 4000) as integer) + 60 end,
                'filled',
                cast(floor(random() * 20) as integer), cast(floor(random() * 8) as integer),
                null,
                ['external', 'internal', 'own_apprentice', 'other_municipality']
                    [1 + floor(random() * 4)::integer],
                round(random() * 50000),
                date '{LAST_YEAR}-12-31', 'bench', i, now()::timestamp
            from range({active_employees // 5}) as t(i)
            inner join municipalities on municipalities.idx = i % {municipality_count}
        """)
        con.execute("update raw.hr_postings set status = 'open' where filled_date is null")
        con.execute(
            "update raw.hr_postings set filled_date = published_date + 45 where filled_date < published_date"
        )
        con.execute(f"""
            insert into raw.hr_backlog
            select municipality_code, service, make_date(y, m, 1),
                   20 + cast(floor(random() * 100) as integer), cast(floor(random() * 20) as integer),
                   date '{LAST_YEAR}-12-31', 'bench', 1, now()::timestamp
            from municipalities, (values ('byggesak'), ('fakturering'), ('lønn')) s(service),
                 range({FIRST_YEAR}, {LAST_YEAR + 1}) as y(y), range(1, 13) as mm(m)
        """)
        con.execute(f"""
            insert into raw.ssb_population
                (municipality_code, year, kjonn_code, alder_code, contentscode_code, value, status, is_demo)
            select 'K-' || municipality_code, y, k, lpad(cast(a as varchar), 3, '0'), 'Personer1',
                   round(weight * 30 * (1 + random())), null, true
            from municipalities, range({FIRST_YEAR}, {LAST_YEAR + 2}) as y(y),
                 (values ('1'), ('2')) g(k), range(0, 106) as age(a)
        """)
        counts = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("raw.hr_employments", "raw.hr_postings", "raw.hr_backlog", "raw.ssb_population")
        }
        counts["active_on_1_december_2025"] = con.execute(
            "select count(distinct coalesce(person_key, employee_key)) from raw.hr_employments "
            "where start_date <= date '2025-12-01' and (end_date is null or end_date >= date '2025-12-01')"
        ).fetchone()[0]
        return counts
    finally:
        con.close()
