"""Which slice of the indicators (years x municipalities) the loads since the last build have
made stale, kept until dbt has rebuilt it.

A delivery's rows are appended to `raw.*` (append-only, pipelines/hr/load.py). In the same
transaction, `record_loads` notes the loads in `audit.pending_loads` (one insert per batch of
files, no query: issue 16.3 made it cheap; it used to compare each file with the stored
versions at load time). The
dbt step of the delivery run (pipelines/defs/dbt/assets.py) asks `plan`, which works out, for
every pending load at once (`stale_years`), from which year on the year-grained dbt models
(`dbt/macros/year_slices.sql`) can differ, and for which municipalities (`slice_of`); dbt
rebuilds that slice, and `finish` deletes the pending rows it covered once `dbt build`
succeeded; a failed build leaves them for the next run. Raw being append-only makes the
plan-time comparison exact: the stored versions are the current versions of every raw row
but the pending loads' (what the last build read), the new ones the pending loads' rows.

The rule is conservative: it may name more years than changed, never fewer. Per kind:

* employments (municipality M, extraction date E):
  - a history extract (declaring period_start P): every year from year(P) - 1;
  - the extract itself: E's snapshot, the turnover pair after it, and every employment of M
    the previous extract E_prev listed but E does not (ended at E - 1 year, never before E_prev):
    years from year(E_prev), or year(E) - 1 for M's first extract;
  - the data horizon: when E is M's newest extract, hires and apprentice completions become
    observable 12/24 months on: years from year(previous horizon) - 2;
  - every row the load inserts or changes (a new key, or a newer version that differs in
    anything but its delivery bookkeeping): the raw table keeps one version per employment,
    and the dbt models apply it to every snapshot of the employment, so years from
    year(earliest start date of the old and new versions) - 2 (hires look 24 months ahead).
    A row whose only change is its end date (same reason) counts from the earlier end date - 2;
    a row that only moved to a newer extraction date counts from its old extraction year;
  - an employee whose national-id link changes (a row with a person key where earlier rows
    of the same employee had none, or another): all the employee's rows, from their earliest
    start - 2;
  - a municipality in a split (KLASS: one code to several), whose rows decide which
    successor a split code's employees go to: every year.
* postings: the closing years (filled, else deadline, else published) of the new and
  replaced versions of every inserted or changed row.
* backlog: the years of the months inserted or changed.

Upward the range is open: every later year is rebuilt too (turnover pairs a year with the
next, coverage and horizons look forward). One from-year serves the whole slice (the earliest).

The municipalities: those of the pending loads, widened where a dependency crosses
municipalities (conservative: may rebuild more, never fewer; `slice_of`): every municipality
where a person of a touched municipality's employments works by national id (position size
across municipalities, a leaver found elsewhere is a move, hires' retention follows the
person), every code of a KLASS split one of them takes part in (the successor choice), and
KLASS renumberings and merges to today's code; then every region containing one of them (its
figures are recomputed from all its members' persons). A load without one municipality (or
rows recorded by an older version with none) rebuilds the years over every municipality.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from pipelines.hr.contract import RAW_KEYS, RAW_TABLES
from pipelines.hr.load import RAW_COLUMNS, current_versions
from pipelines.warehouse.transaction import transaction

# Results are read with fetchall(): DuckDB 2.0 keeps a half-read result open, which blocks
# unregistering the staged rows.
# A from-year at or below every year of data: "everything".
ALL_YEARS = 0
LAST_YEAR = 9999
# Hires are followed 24 months, apprentice completions 12: a change on a date reaches back
# to the hires of two years before.
LOOK_BACK_YEARS = 2
# A slice of every year and at least this share of the municipalities with data is built in
# full: the same work without the deletes. Measured at demo scale (issue 16.3): 1804's extract,
# widened to 14 of 15 municipalities by shared persons, cost 32.8 CPU-s as a slice against 29.3
# as a full build of the same delivery.
FULL_SHARE = 0.75
BOOKKEEPING = ("extraction_date", "delivery_sha256", "source_row_number", "loaded_at")

# What a load writes: the one table, alone, so each load's check for it is cheap.
LOAD_DDL = """
create schema if not exists audit;
create table if not exists audit.pending_loads (
    delivery_sha256      varchar not null,      -- a load since the last build (issue 16.3)
    kind                 varchar not null,      -- employments | postings | backlog
    municipality_code    varchar,
    extraction_date      date,
    period_start         date,                  -- a history extract's declared first day
    recorded_at          timestamp not null
);
"""
DDL = LOAD_DDL + """
create table if not exists audit.pending_years (
    delivery_sha256      varchar not null,      -- the load that made the years stale
    kind                 varchar not null,      -- employments | postings | backlog
    municipality_code    varchar,
    from_year            integer not null,      -- years >= this may differ (0: every year)
    reason               varchar not null,      -- which rule set from_year
    recorded_at          timestamp not null
);
create table if not exists audit.dbt_builds (
    started_at           timestamp not null,
    finished_at          timestamp not null,
    mode                 varchar not null,      -- full | range | slice
    from_year            integer,
    to_year              integer,
    project_fingerprint  varchar not null,      -- dbt project files and dbt's version
    ssb_stamp            varchar not null,      -- SSB/KLASS fetches as of the build
    complete             boolean not null,      -- every dbt model and seed was selected
    run_id               varchar
);
"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
    # added by issue 16.3 (a warehouse from before gets it empty): the municipalities of a slice
    con.execute("alter table audit.dbt_builds add column if not exists municipalities varchar[]")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- at load time ---------------------------------------------------------------------------
def load_row(
    *,
    sha256: str,
    kind: str,
    municipality_code: str | None,
    extraction_date: date | None,
    rows: pl.DataFrame,
    period_start: date | None = None,
) -> tuple | None:
    """The `audit.pending_loads` row that notes a load which may make years stale (None: it
    cannot). Which years, and which municipalities, is worked out for every load since the
    last build at once, when the build is planned (`stale_years`), from the raw rows the loads
    appended (raw is append-only)."""
    if kind not in RAW_KEYS or (rows.height == 0 and kind != "employments"):
        return None  # an employments extract counts even when empty (its employments ended)
    return (sha256, kind, municipality_code, extraction_date, period_start, _now())


def record_loads(con: duckdb.DuckDBPyConnection, loads: list[tuple]) -> None:
    """Note loads (`load_row`s) in one insert; call inside the loads' transaction, so a load
    rolled back leaves nothing."""
    if not loads:
        return
    con.execute(LOAD_DDL)  # "if not exists": cheap; a failed insert would abort the whole batch
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(loads))
    con.execute(f"insert into audit.pending_loads values {values}", [v for load in loads for v in load])


def stale_years(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, int, str]]:
    """(kind, municipality, from-year, rule) for every load noted since the last build, and the
    rows an earlier version recorded at load time (`audit.pending_years`): the years from which
    the year-grained models can differ, by the rules of the module docstring.

    Set-based over every pending load at once: the new rows are the raw rows of the pending
    deliveries, the stored versions are the current versions of the other raw rows (what the
    last build read). Several pending loads of the same key are each compared with the stored
    version, which names at least the years the sequence of loads changes."""
    ensure_tables(con)
    found: list[tuple[str, str | None, int, str]] = [
        (kind, code, int(year), reason)
        for kind, code, year, reason in con.execute(
            "select kind, municipality_code, from_year, reason from audit.pending_years"
        ).fetchall()
    ]
    loads = con.execute(
        "select delivery_sha256, kind, municipality_code, extraction_date, period_start from audit.pending_loads"
    ).fetchall()
    if not loads:
        return found
    con.execute("create or replace temp table pending_shas as select distinct delivery_sha256 from audit.pending_loads")
    try:
        kinds = {kind for _, kind, *_ in loads}
        for kind in ("postings", "backlog"):
            if kind in kinds:
                new, old = _SIMPLE_YEARS[kind]
                found += [
                    (kind, code, int(year), f"{kind}: earliest year of a new or changed row")
                    for code, year in con.execute(
                        f"with c as ({_changed_rows(kind)}) "
                        f"select municipality_code, min(least({new}, coalesce({old}, {new}))) from c group by 1"
                    ).fetchall()
                    if year is not None
                ]
        if "employments" in kinds:
            found += _employment_years(con, [load for load in loads if load[1] == "employments"])
    finally:
        con.execute("drop table if exists pending_shas")
    return found


_SIMPLE_YEARS = {
    "postings": (
        "year(coalesce(c.filled_date, c.closing_date, c.published_date))",
        "year(coalesce(c.old_filled_date, c.old_closing_date, c.old_published_date))",
    ),
    "backlog": ("year(c.month)", "year(c.month)"),  # month is in the key
}


def _new_rows(kind: str) -> str:
    return f"select * from {RAW_TABLES[kind]} where delivery_sha256 in (select delivery_sha256 from pending_shas)"


def _stored_rows(kind: str) -> str:
    """The current versions as the last build read them: every raw row but the pending loads',
    of the municipalities the pending loads touch."""
    return current_versions(
        kind,
        "where delivery_sha256 not in (select delivery_sha256 from pending_shas) "
        f"and municipality_code in (select municipality_code from ({_new_rows(kind)}))",
    )


def _changed_rows(kind: str) -> str:
    """New rows that win against the stored version (or have none) and differ from it,
    with the stored version's columns as old_*: what the loads really change."""
    keys = RAW_KEYS[kind]
    on = " and ".join(f"o.{k} = s.{k}" for k in keys)
    content = [c for c in RAW_COLUMNS[kind] if c not in keys and c not in BOOKKEEPING]
    differs = " or ".join(f"s.{c} is distinct from o.{c}" for c in content)
    return (
        f"select s.*, o.{keys[0]} is null as is_new, ({differs}) as content_changed, "
        + ", ".join(f"o.{c} as old_{c}" for c in RAW_COLUMNS[kind] if c not in keys)
        + f" from ({_new_rows(kind)}) s left join ({_stored_rows(kind)}) o on {on} "
        f"where o.{keys[0]} is null or (s.extraction_date >= o.extraction_date and "
        f"(({differs}) or s.extraction_date <> o.extraction_date))"
    )


def _employment_years(con: duckdb.DuckDBPyConnection, loads: list[tuple]) -> list[tuple[str, str | None, int, str]]:
    found: list[tuple[str, str | None, int, str]] = []

    # Per extract: its own year, what ends at the previous extract, the data horizon.
    per_load = con.execute(
        """
        with loads as (
            select delivery_sha256, municipality_code, extraction_date, period_start
            from audit.pending_loads where kind = 'employments'
        ),
        extracts as (
            select municipality_code, extraction_date, delivery_sha256 from audit.deliveries
            where kind = 'employments' and outcome in ('loaded', 'already_loaded')
              and municipality_code in (select municipality_code from loads)
            union all
            select municipality_code, extraction_date, delivery_sha256 from raw.hr_employments
            where municipality_code in (select municipality_code from loads)
        )
        select
            l.municipality_code, l.extraction_date, l.period_start,
            (select max(e.extraction_date) from extracts e
             where e.municipality_code = l.municipality_code and e.extraction_date < l.extraction_date),
            (select max(e.extraction_date) from extracts e
             where e.municipality_code = l.municipality_code
               and e.delivery_sha256 not in (select delivery_sha256 from pending_shas))
        from loads l
        """
    ).fetchall()
    for code, extracted, period_start, previous, horizon in per_load:
        if code is None or extracted is None:
            found.append(
                ("employments", code, ALL_YEARS, "employments: file without one municipality and extraction date")
            )
            continue
        if previous is not None:
            found.append(
                ("employments", code, previous.year, "employments: extract after the one of the previous extract")
            )
        found.append(("employments", code, extracted.year - 1, "employments: the extract's period"))
        if horizon is None or extracted > horizon:
            since = horizon.year if horizon is not None else extracted.year
            found.append(
                (
                    "employments",
                    code,
                    since - LOOK_BACK_YEARS,
                    "employments: the data horizon moves (12/24-month follow-up)",
                )
            )
        if period_start is not None:
            # a history extract: snapshots from its first 1 December, ends imputed before it
            found.append(("employments", code, period_start.year - 1, "employments: the extract's declared history"))

    # Rows the loads insert or change, per municipality.
    rows = con.execute(
        f"""
        with c as ({_changed_rows("employments")})
        select
            municipality_code,
            min(year(least(start_date, coalesce(old_start_date, start_date))))
                filter (where is_new or content_changed and not (
                    start_date = old_start_date
                    and termination_reason is not distinct from old_termination_reason
                    and {_only_end_changed()}
                )),
            min(year(least(coalesce(end_date, date '9999-12-31'), coalesce(old_end_date, date '9999-12-31'))))
                filter (where not is_new and content_changed),
            min(year(old_extraction_date)) filter (where not is_new),
            min(start_date), max(coalesce(end_date, date '9999-12-31'))
        from c
        group by municipality_code
        """
    ).fetchall()
    for code, changed_start, end_only, moved, first_start, last_end in rows:
        if changed_start is not None:
            found.append(
                (
                    "employments",
                    code,
                    changed_start - LOOK_BACK_YEARS,
                    "employments: new or changed employment (earliest start)",
                )
            )
        if end_only is not None:
            found.append(("employments", code, end_only - LOOK_BACK_YEARS, "employments: changed end date"))
        if moved is not None:
            found.append(("employments", code, moved, "employments: employment carried to a newer extract"))
        if first_start is not None and _in_split(con, code, first_start, last_end):
            found.append(("employments", code, ALL_YEARS, "employments: municipality in a split (successor choice)"))

    # Employees whose national-id link changes: every row of theirs.
    linked = con.execute(
        f"""
        with new as ({_new_rows("employments")}),
        stored as (
            select r.* from ({_stored_rows("employments")}) r
            where (r.municipality_code, r.employee_key) in (select (municipality_code, employee_key) from new)
        ),
        after as (
            select municipality_code, employee_key, person_key from new
            union all
            select municipality_code, employee_key, person_key from stored
            where (municipality_code, employment_key) not in (select (municipality_code, employment_key) from new)
        ),
        link_before as (
            select municipality_code, employee_key, max(person_key) as k, min(start_date) as s from stored group by 1, 2
        ),
        link_after as (select municipality_code, employee_key, max(person_key) as k from after group by 1, 2)
        select b.municipality_code, min(year(b.s))
        from link_before b join link_after a using (municipality_code, employee_key)
        where b.k is distinct from a.k
        group by 1
        """
    ).fetchall()
    found += [
        ("employments", code, year - LOOK_BACK_YEARS, "employments: an employee's national-id link changed")
        for code, year in linked
        if year is not None
    ]
    return found


def _only_end_changed() -> str:
    """True when, apart from the end date and bookkeeping, the staged row equals the stored one."""
    same = [
        c
        for c in RAW_COLUMNS["employments"]
        if c not in RAW_KEYS["employments"] and c not in BOOKKEEPING and c not in ("end_date", "termination_reason")
    ]
    return " and ".join(f"{c} is not distinct from old_{c}" for c in same)


def _in_split(con: duckdb.DuckDBPyConnection, municipality: str, first_start: date, last_end: date) -> bool:
    """Is the municipality a split code or a successor of one, with rows near the change?
    (dbt's int_hr__employments decides a split code's employees by where they work within a
    year after the change; without dbt's code map, assume yes.)"""
    present = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'intermediate' and table_name = 'int_municipality_code_map'"
    ).fetchall()[0][0]
    if not present:
        return True
    return bool(
        con.execute(
            """
            with splits as (select * from intermediate.int_municipality_code_map where is_split),
            mine as (
                select coalesce((select municipality_code from intermediate.int_municipality_code_map
                                 where source_code = ? and is_primary), ?) as code
            )
            select exists (
                select 1 from splits, mine
                where (splits.source_code = ? or splits.municipality_code = mine.code)
                  and ? < splits.changed_on + interval 1 year
                  and ? >= splits.changed_on
            )
            """,
            [municipality, municipality, municipality, first_start, last_end],
        ).fetchall()[0][0]
    )


# --- at build time ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What the dbt step of a delivery run does: a full build, the years from `from_year` over
    every municipality (range), or those years of some municipalities and their regions
    (slice: `municipalities`, `regions`, and `region_members`, every member of those regions)."""

    mode: str  # full | range | slice
    from_year: int | None
    reason: str
    pending: tuple[str, ...]  # the deliveries whose pending rows a successful build clears
    fingerprint: str
    ssb_stamp: str
    municipalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    region_members: tuple[str, ...] = ()

    @staticmethod
    def full_build(con: duckdb.DuckDBPyConnection, reason: str) -> Plan:
        """A full build asked for (rebuild_indicators): it covers every pending year."""
        ensure_tables(con)
        return Plan("full", None, reason, _pending_shas(con), project_fingerprint(), ssb_stamp(con))

    def dbt_vars(self) -> str | None:
        """The `--vars` of dbt for this plan (dbt/macros/year_slices.sql); None for a full build."""
        if self.mode == "full":
            return None
        found: dict[str, object] = {"from_year": self.from_year, "to_year": LAST_YEAR}
        if self.mode == "slice":
            found |= {
                "municipalities": list(self.municipalities),
                "regions": list(self.regions),
                "region_members": list(self.region_members),
            }
        return json.dumps(found, separators=(",", ":"))


def project_fingerprint() -> str:
    """The dbt project's files (models, macros, seeds, tests, dbt_project.yml) and dbt's version."""
    from importlib.metadata import version

    from pipelines.settings import DBT_PROJECT_DIR
    from pipelines.warehouse.docs import PROJECT_PARTS

    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for part in PROJECT_PARTS:
        root = DBT_PROJECT_DIR / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root] if root.is_file() else []
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def ssb_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """Every SSB/KLASS fetch so far, in one string: a new fetch changes it."""
    row = con.execute("select count(*), cast(max(fetched_at) as varchar) from audit.ssb_fetches").fetchall()[0]
    return f"{row[0]}:{row[1]}"


def plan(con: duckdb.DuckDBPyConnection) -> Plan:
    """Full build, a slice (the earliest pending year on, of the municipalities `slice_of`
    names and their regions), or a range over every municipality when a load names none: the
    decision rule of docs/orchestration.md ("Incremental delivery runs")."""
    ensure_tables(con)
    fingerprint, stamp = project_fingerprint(), ssb_stamp(con)
    shas = _pending_shas(con)

    def full(reason: str) -> Plan:
        return Plan("full", None, reason, shas, fingerprint, stamp)

    found = con.execute(
        "select project_fingerprint, ssb_stamp from audit.dbt_builds where mode = 'full' and complete "
        "order by finished_at desc limit 1"
    ).fetchall()
    last = found[0] if found else None
    if last is None:
        return full("no complete full build recorded yet")
    if not _has_marts(con):
        return full("the marts are missing")
    if last[0] != fingerprint:
        return full("the dbt project (models, seeds, macros) or dbt changed since the last full build")
    if last[1] != stamp:
        return full("SSB or KLASS data were fetched since the last full build")
    pending = stale_years(con)
    if not pending:
        # Nothing loaded changed a year (a rejected or repeated file): the year-grained
        # models are current; the rest is rebuilt whole as in every range build.
        return Plan("range", LAST_YEAR, "no load changed any year", shas, fingerprint, stamp)
    from_year = min(year for _, _, year, _ in pending)
    touched = {(kind, code) for kind, code, _, _ in pending}
    first, with_data = con.execute(
        "select min(year), count(distinct municipality_code) from intermediate.int_data_coverage"
    ).fetchall()[0]
    if all(code is not None for _, code in touched):
        codes, regions, members = slice_of(
            con,
            sorted({code for kind, code in touched if kind == "employments"}),
            sorted({code for kind, code in touched if kind != "employments"}),
        )
        if first is not None and from_year <= first and len(codes) >= FULL_SHARE * with_data:
            return full(f"the loads change every year of {len(codes)} of {with_data} municipalities")
        return Plan(
            "slice",
            from_year,
            f"the loads change the years from {from_year} of {len(codes)} municipalities "
            f"({', '.join(codes)}) and {len(regions)} regions",
            shas,
            fingerprint,
            stamp,
            codes,
            regions,
            members,
        )
    if first is None or from_year <= first:
        return full(f"the loads change every year (from {from_year})")
    return Plan("range", from_year, f"the loads change the years from {from_year}", shas, fingerprint, stamp)


def slice_of(
    con: duckdb.DuckDBPyConnection, employments: Sequence[str], others: Sequence[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The municipalities (today's codes) a slice run rebuilds for loads of employments of the
    `employments` codes and of postings or backlog of the `others` (delivered codes), the
    regions containing any of them, and every member of those regions. Postings and backlog
    are per municipality (no person links them across), so their codes are only mapped.

    Conservative, from every stored version (raw is append-only, so the versions the last build
    read and the new ones alike), before dbt runs:
    * every municipality where a person of the touched ones works, by national id: a person's
      position size sums every municipality (int_person_snapshots), a leaver found in another
      municipality has moved (int_person_year_pairs), a hire's retention follows the person
      (int_hires); and where an employee of a touched code is linked through another row;
    * a KLASS split (one code to several): its source code and every successor, when any of them
      is touched or reached above (a split code's employees go to the successor where they work;
      a delivery to one successor can move them between successors);
    * the codes through KLASS (int_municipality_code_map: renumberings and merges go to today's
      code); the delivered code itself is kept too.
    The regions are those of `seeds.region_members` holding any of the municipalities; their
    figures are recomputed from all their members' person rows."""
    code_map = _has_table(con, "intermediate", "int_municipality_code_map")
    splits = (
        "select source_code, municipality_code from intermediate.int_municipality_code_map where is_split"
        if code_map
        else "select null::varchar as source_code, null::varchar as municipality_code where false"
    )
    mapped = (
        "select municipality_code from intermediate.int_municipality_code_map where source_code in (select c from w)"
        if code_map
        else "select null::varchar where false"
    )
    rows = con.execute(
        f"""
        with touched as (select unnest(?::varchar[]) as c),
        others as (select unnest(?::varchar[]) as c),
        splits as ({splits}),
        split_family as (
            -- split sources one of whose codes (source or successor) is touched, and their successors
            select distinct s.source_code from splits s
            where s.source_code in (select c from touched) or s.municipality_code in (select c from touched)
        ),
        seeds as (
            select c from touched
            union select source_code from split_family
            union select municipality_code from splits where source_code in (select source_code from split_family)
        ),
        keys as (
            select distinct person_key from raw.hr_employments
            where municipality_code in (select c from seeds) and person_key is not null
        ),
        w as (
            select c from seeds
            union select c from others
            union select distinct municipality_code from raw.hr_employments
            where person_key in (select person_key from keys)
        ),
        today as (
            select c from w
            union {mapped}
        ),
        with_splits as (
            select c from today
            union select municipality_code from splits
            where source_code in (select source_code from splits where source_code in (select c from today)
                                  or municipality_code in (select c from today))
        )
        select list(distinct c order by c) from with_splits where c is not null
        """,
        [employments, list(others)],
    ).fetchall()
    codes = tuple(rows[0][0] or sorted({*employments, *others}))
    if not _has_table(con, "seeds", "region_members"):
        return codes, (), ()
    regions, members = con.execute(
        """
        with r as (
            select distinct region_code from seeds.region_members
            where municipality_code in (select unnest(?::varchar[]))
        )
        select (select list(region_code order by region_code) from r),
               (select list(distinct municipality_code order by municipality_code) from seeds.region_members
                where region_code in (select region_code from r))
        """,
        [list(codes)],
    ).fetchall()[0]
    return codes, tuple(regions or ()), tuple(members or ())


def _pending_shas(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The deliveries loaded since the last build (noted at load), in load order."""
    rows = con.execute(
        "select delivery_sha256 from (select delivery_sha256, recorded_at from audit.pending_loads "
        "union all select delivery_sha256, recorded_at from audit.pending_years) order by recorded_at"
    ).fetchall()
    return tuple(dict.fromkeys(r[0] for r in rows))


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
        ).fetchall()[0][0]
    )


def _has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) = 2 from information_schema.tables where "
            "(table_schema, table_name) in (('marts', 'fct_indicators'), ('intermediate', 'int_data_coverage'))"
        ).fetchall()[0][0]
    )


def finish(
    con: duckdb.DuckDBPyConnection, done: Plan, started_at: datetime, run_id: str | None, *, complete: bool
) -> None:
    """After a successful `dbt build`: record it and clear the pending years it covered
    (a full build covers every year, a range build the pending rows it was planned from)."""
    ensure_tables(con)
    with transaction(con):
        if done.pending:
            for table in ("audit.pending_loads", "audit.pending_years"):
                con.execute(f"delete from {table} where delivery_sha256 in (select unnest(?))", [list(done.pending)])
        con.execute(
            "insert into audit.dbt_builds (started_at, finished_at, mode, from_year, to_year, "
            "project_fingerprint, ssb_stamp, complete, run_id, municipalities) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                started_at,
                _now(),
                done.mode,
                done.from_year,
                LAST_YEAR if done.mode != "full" else None,
                done.fingerprint,
                done.ssb_stamp,
                complete,
                run_id,
                list(done.municipalities) if done.mode == "slice" else None,
            ],
        )
