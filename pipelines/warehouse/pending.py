"""Which years of the indicators a load has made stale, kept until dbt has rebuilt them.

A delivery's rows are merged into `raw.*` by the superseding load (pipelines/hr/load.py). In
the same transaction, `record_load` works out from which year on the year-grained dbt models
(`dbt/macros/year_slices.sql`) can differ because of it, and writes that year to
`audit.pending_years`. The dbt step of the delivery run (pipelines/defs/dbt/assets.py) then
rebuilds only the years from the earliest pending one on, and deletes the rows it covered
once `dbt build` succeeded (`clear`); a failed build leaves them for the next run.

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

The year-grained models are per year over all municipalities, so a change in one
municipality's year (a person linked elsewhere, a region's total) is covered by rebuilding
that year. Upward the range is open: every later year is rebuilt too (turnover pairs a year
with the next, coverage and horizons look forward).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from pipelines.hr.contract import RAW_KEYS
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
BOOKKEEPING = ("extraction_date", "delivery_sha256", "source_row_number", "loaded_at")

DDL = """
create schema if not exists audit;
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
def record_load(
    con: duckdb.DuckDBPyConnection,
    *,
    sha256: str,
    kind: str,
    municipality_code: str | None,
    extraction_date: date | None,
    rows: pl.DataFrame,
    period_start: date | None = None,
) -> int | None:
    """Record the years this load makes stale (call inside the load's transaction, *before*
    the upsert: the rule compares the staged rows with the stored versions). Returns the
    from-year, or None when the load changes nothing the indicators read."""
    ensure_tables(con)
    if rows.height == 0 and kind != "employments":  # an employments extract counts even when empty
        return None
    con.register("pending_staged", rows.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        if kind == "employments":
            found = _employment_years(con, municipality_code, extraction_date)
            if period_start is not None and found is not None and found[0] > period_start.year - 1:
                # a history extract: snapshots from its first 1 December, ends imputed before it
                found = (period_start.year - 1, "employments: the extract's declared history")
        elif kind == "postings":
            found = _simple_years(
                con,
                "postings",
                "year(coalesce(c.filled_date, c.closing_date, c.published_date))",
                "year(coalesce(c.old_filled_date, c.old_closing_date, c.old_published_date))",
            )
        elif kind == "backlog":
            found = _simple_years(con, "backlog", "year(c.month)", "year(c.month)")  # month is in the key
        else:
            found = None
    finally:
        con.unregister("pending_staged")
    if found is None:
        return None
    year, reason = found
    con.execute(
        "insert into audit.pending_years values (?, ?, ?, ?, ?, ?)",
        [sha256, kind, municipality_code, max(int(year), ALL_YEARS), reason, _now()],
    )
    return max(int(year), ALL_YEARS)


def _changed_rows(kind: str) -> str:
    """Staged rows that win against the stored version (or have none) and differ from it,
    with the stored version's columns as old_*: what the upsert will really change."""
    keys = RAW_KEYS[kind]
    on = " and ".join(f"o.{k} = s.{k}" for k in keys)
    # the stored current versions (raw is append-only) of the municipalities staged
    stored = current_versions(kind, "where municipality_code in (select municipality_code from pending_staged)")
    content = [c for c in RAW_COLUMNS[kind] if c not in keys and c not in BOOKKEEPING]
    differs = " or ".join(f"s.{c} is distinct from o.{c}" for c in content)
    return (
        f"select s.*, o.{keys[0]} is null as is_new, ({differs}) as content_changed, "
        + ", ".join(f"o.{c} as old_{c}" for c in RAW_COLUMNS[kind] if c not in keys)
        + f" from pending_staged s left join ({stored}) o on {on} "
        f"where o.{keys[0]} is null or (s.extraction_date >= o.extraction_date and "
        f"(({differs}) or s.extraction_date <> o.extraction_date))"
    )


def _simple_years(con: duckdb.DuckDBPyConnection, kind: str, new: str, old: str) -> tuple[int, str] | None:
    row = con.execute(
        f"with c as ({_changed_rows(kind)}) select min(least({new}, coalesce({old}, {new}))) from c"
    ).fetchall()[0]
    if row[0] is None:
        return None
    return int(row[0]), f"{kind}: earliest year of a new or changed row"


def _year(value: date | None) -> int | None:
    return value.year if value is not None else None


def _employment_years(
    con: duckdb.DuckDBPyConnection, municipality: str | None, extracted: date | None
) -> tuple[int, str] | None:
    candidates: list[tuple[int, str]] = []
    if municipality is None or extracted is None:
        return ALL_YEARS, "employments: file without one municipality and extraction date"

    # The extract: its own year, and what ends at the previous extract.
    previous, horizon = con.execute(
        "select max(extraction_date) filter (where extraction_date < ?), max(extraction_date) from ("
        "  select extraction_date from audit.deliveries"
        "  where kind = 'employments' and municipality_code = ? and outcome in ('loaded', 'already_loaded')"
        "  union all select extraction_date from raw.hr_employments where municipality_code = ?)",
        [extracted, municipality, municipality],
    ).fetchall()[0]
    if previous is not None:
        candidates.append((previous.year, "employments: extract after the one of the previous extract"))
    candidates.append((extracted.year - 1, "employments: the extract's period"))
    if horizon is None or extracted > horizon:
        since = horizon.year if horizon is not None else extracted.year
        candidates.append((since - LOOK_BACK_YEARS, "employments: the data horizon moves (12/24-month follow-up)"))

    # Rows the upsert inserts or changes.
    row = con.execute(
        f"""
        with c as ({_changed_rows("employments")})
        select
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
        """
    ).fetchall()[0]
    changed_start, end_only, moved, first_start, last_end = row
    if changed_start is not None:
        candidates.append((changed_start - LOOK_BACK_YEARS, "employments: new or changed employment (earliest start)"))
    if end_only is not None:
        candidates.append((end_only - LOOK_BACK_YEARS, "employments: changed end date"))
    if moved is not None:
        candidates.append((moved, "employments: employment carried to a newer extract"))

    # Employees whose national-id link changes: every row of theirs.
    linked = con.execute(
        f"""
        with touched as (select distinct employee_key from pending_staged),
        stored as (
            select r.* from ({current_versions("employments", "where municipality_code = ?")}) r
            where r.employee_key in (select employee_key from touched)
        ),
        after as (
            select employee_key, person_key, start_date from pending_staged
            union all
            select employee_key, person_key, start_date from stored
            where employment_key not in (select employment_key from pending_staged)
        ),
        link_before as (select employee_key, max(person_key) as k, min(start_date) as s from stored group by 1),
        link_after as (select employee_key, max(person_key) as k from after group by 1)
        select min(year(b.s))
        from link_before b join link_after a using (employee_key)
        where b.k is distinct from a.k
        """,
        [municipality],
    ).fetchall()[0][0]
    if linked is not None:
        candidates.append((linked - LOOK_BACK_YEARS, "employments: an employee's national-id link changed"))

    if first_start is not None and _in_split(con, municipality, first_start, last_end):
        candidates.append((ALL_YEARS, "employments: municipality in a split (successor choice)"))
    return min(candidates)


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
        shas = tuple(r[0] for r in con.execute("select distinct delivery_sha256 from audit.pending_years").fetchall())
        return Plan("full", None, reason, shas, project_fingerprint(), ssb_stamp(con))

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
    """Full build, or a range from the earliest pending year: the decision rule of
    docs/orchestration.md ("Incremental delivery runs")."""
    ensure_tables(con)
    fingerprint, stamp = project_fingerprint(), ssb_stamp(con)
    pending = con.execute("select delivery_sha256, from_year from audit.pending_years order by recorded_at").fetchall()
    shas = tuple(dict.fromkeys(sha for sha, _ in pending))

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
    if not pending:
        # Nothing loaded changed a year (a rejected or repeated file): the year-grained
        # models are current; the rest is rebuilt whole as in every range build.
        return Plan("range", LAST_YEAR, "no load changed any year", shas, fingerprint, stamp)
    from_year = min(year for _, year in pending)
    touched = con.execute("select distinct kind, municipality_code from audit.pending_years").fetchall()
    if all(code is not None for _, code in touched):
        codes, regions, members = slice_of(
            con,
            sorted({code for kind, code in touched if kind == "employments"}),
            sorted({code for kind, code in touched if kind != "employments"}),
        )
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
    first = con.execute("select min(year) from intermediate.int_data_coverage").fetchall()[0][0]
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
            con.execute(
                "delete from audit.pending_years where delivery_sha256 in (select unnest(?))",
                [list(done.pending)],
            )
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
