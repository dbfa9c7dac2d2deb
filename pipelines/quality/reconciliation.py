"""The checks that cross systems, as SQL inside DuckDB: the ledger against the raw tables, and
the HR extracts against SSB's figures.

Every check that looks at one table, or at models of the same dbt project, is a dbt test
(dbt/models/**/_*.yml, generic tests in dbt/tests/generic/; issue 15). What is left here
compares what one system wrote with what another did: ingestion's ledger (`audit.deliveries`,
`audit.quarantine`, `audit.ssb_fetches`) with the rows in `raw`, and the HR extracts with
SSB's population and KOSTRA FTEs. They are facts about deliveries and sources, not about the
SQL that dbt builds, so they run in the quality gate against the build database.

Each check is a query that returns the *failing* rows (zero rows = pass), so the same query
gives the verdict, the count and the examples. A check whose input table is missing, or whose
SQL fails, fails; it never passes by default.

Conventions of the queries:
- a column `failing_rows` (when present) says how many data rows one output row stands for;
  otherwise each output row is one;
- a column `municipality_code` (when present) attributes failures to a municipality, which
  feeds that municipality's delivery feedback;
- no query selects a national id (none is ever stored).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from pipelines.quality.references import table_exists
from pipelines.quality.results import CheckResult, failing_rows_summary

KOSTRA_FTE_TOLERANCE = 0.20  # relative difference between HR FTEs and SSB's KOSTRA FTEs before a warning

# Aggregates several checks share, computed once per run when their source exists.
PRELUDES: dict[str, tuple[str, str]] = {
    "q_person_year": (
        "intermediate.int_person_snapshots",
        """
        select municipality_code, year, count(distinct person_number) as persons,
               sum(position_size_municipality) as position_size_sum
        from intermediate.int_person_snapshots group by all
        """,
    ),
}


@dataclass(frozen=True)
class SqlCheck:
    """One reconciliation: `sql` returns the failing rows; `tables` must exist for it to run."""

    name: str
    asset_key: tuple[str, ...]
    severity: str
    title: str  # Norwegian, shown in reports
    sql: str
    tables: tuple[str, ...]
    evaluated_table: str  # rows "evaluated" = count(*) of this table
    feedback: str | None = None  # Norwegian: what a municipality's HR office should fix
    references: tuple[str, ...] = field(default=())  # reference views used (for the report)
    # SQL giving one Norwegian text (or null) added to the result's message: what the check
    # could not compare (e.g. years SSB has no figures for), so a pass never overstates itself
    note_sql: str | None = None


HR_KINDS = {
    "employments": ("raw", "hr_employments"),
    "postings": ("raw", "hr_postings"),
    "backlog": ("raw", "hr_backlog"),
}
EMPLOYMENTS = ("raw", "hr_employments")
SSB_POPULATION = ("raw", "ssb_population")
INT_PERSON_YEAR = ("intermediate", "int_person_snapshots")
FCT_INDICATORS = ("marts", "fct_indicators")


def _ledger_checks(kind: str) -> list[SqlCheck]:
    """Every row of a raw HR table belongs to a loaded delivery, and the ledger's counts add up."""
    schema, name = HR_KINDS[kind]
    table = f"{schema}.{name}"
    asset = (schema, name)
    return [
        SqlCheck(
            name=f"{name}_delivery_in_ledger",
            asset_key=asset,
            severity="block",
            title="Hver rad hører til en lastet leveranse i leveranseloggen",
            sql=f"""
                select * from (
                select r.municipality_code, left(r.delivery_sha256, 12) as delivery, count(*) as failing_rows,
                          case when d.delivery_sha256 is null then 'leveransen finnes ikke i audit.deliveries'
                                when d.outcome <> 'loaded' then 'leveransen er registrert som ' || d.outcome
            when d.kind is distinct from '{kind}' then 'leveransen er av typen ' || coalesce(d.kind, 'ukjent')
                                when d.municipality_code is distinct from r.municipality_code
            then 'kommunenummeret avviker fra leveransens (' || coalesce(d.municipality_code, 'ukjent') || ')'
                     when d.extraction_date <> r.extraction_date then 'uttrekksdatoen avviker fra leveransens'
                           end as problem
                    from {table} r left join audit.deliveries d using (delivery_sha256)
                    group by all
                ) where problem is not null
            """,
            tables=(table, "audit.deliveries"),
            evaluated_table=table,
        ),
        SqlCheck(
            name=f"{name}_ledger_reconciles",
            asset_key=asset,
            severity="block",
            title="Leveranseloggen går opp: lest = lastet + karantene + duplikater",
            sql=f"""
                with raw_counts as (select delivery_sha256, count(*) as rows_in_raw from {table} group by 1),
                quarantined as (
                    select delivery_sha256, count(distinct source_row_number) as rows_in_quarantine
                    from audit.quarantine group by 1
                ),
                checked as (
                    select d.municipality_code, d.file_name, d.outcome, d.rows_read, d.rows_loaded,
                           d.rows_quarantined, d.rows_duplicate, d.rows_stale,
                           coalesce(r.rows_in_raw, 0) as rows_in_raw,
                           coalesce(q.rows_in_quarantine, 0) as rows_in_quarantine,
                           concat_ws('; ',
                               case when d.outcome <> 'rejected' and d.rows_read <>
                                         d.rows_loaded + d.rows_quarantined + d.rows_duplicate
                                    then 'lest ≠ lastet + karantene + duplikater' end,
                               -- stale rows (valid, but older than what was stored) are part of
                               -- the loaded ones (pipelines/hr/ledger.py), never more than them
                               case when d.rows_stale > d.rows_loaded
                                    then 'flere utdaterte enn lastede rader' end,
                               case when d.rows_quarantined <> coalesce(q.rows_in_quarantine, 0)
                                    then 'antall i karantene ≠ rader i audit.quarantine' end,
                               case when coalesce(r.rows_in_raw, 0) > d.rows_loaded
                                    then 'flere rader i raw enn leveransen lastet' end,
                    case when d.outcome = 'rejected' and (d.rows_loaded > 0 or coalesce(r.rows_in_raw, 0) > 0)
                                    then 'avvist leveranse har lastede rader' end,
                               case when d.outcome not in ('loaded', 'rejected', 'already_loaded')
                                    then 'ukjent utfall ' || d.outcome end
                           ) as problem
                    from audit.deliveries d
                    left join raw_counts r using (delivery_sha256)
                    left join quarantined q using (delivery_sha256)
                    where d.kind = '{kind}'
                )
                select * from checked where problem <> ''
            """,
            tables=(table, "audit.deliveries", "audit.quarantine"),
            evaluated_table="audit.deliveries",
        ),
    ]


def _ssb_ledger_checks() -> list[SqlCheck]:
    return [
        SqlCheck(
            "ssb_fetch_logged",
            SSB_POPULATION,
            "block",
            "SSB-hentingene er logget (tabellversjon)",
            "select 'audit.ssb_fetches' as table_name where not exists (select 1 from audit.ssb_fetches)",
            ("audit.ssb_fetches",),
            "audit.ssb_fetches",
        ),
    ]


def _hr_against_ssb() -> list[SqlCheck]:
    """HR extracts against SSB's figures. They sit on fct_indicators where they block: a
    Dagster blocking check only holds back the direct dependants of its asset, and the
    release reads fct_indicators."""
    ipy = "intermediate.int_person_snapshots"
    return [
        SqlCheck(
            "hr_fte_vs_kostra_fte",
            INT_PERSON_YEAR,
            "warn",
            f"HR-årsverk per kommune og år ligger innenfor ±{KOSTRA_FTE_TOLERANCE:.0%} "
            "av SSBs KOSTRA-årsverk",
            f"""
                 with hr as (select municipality_code, year, position_size_sum / 100.0 as hr_fte
                             from q_person_year),
                      -- avtalte årsverk, all functions (FG2)
                      k as (select municipality_code, year, sum(value) as kostra_fte
                            from raw.ssb_kostra_fte
                            where kokfunksjon0000_code = 'FG2' and contentscode_code = 'KOSavtaltearsver0000'
                            group by all)
                 select hr.municipality_code, hr.year, round(hr.hr_fte, 1) as hr_fte,
           round(k.kostra_fte, 1) as kostra_fte, round(hr.hr_fte / k.kostra_fte - 1, 3) as relative_difference
                 from hr join k using (municipality_code, year)
                 where k.kostra_fte > 0 and abs(hr.hr_fte / k.kostra_fte - 1) > {KOSTRA_FTE_TOLERANCE}
                 """,
            (ipy, "raw.ssb_kostra_fte"),
            ipy,
            feedback="Summen av stillingsprosenter avviker mye fra SSBs KOSTRA-årsverk; "
            "kontroller at uttrekket er komplett.",
            # 11918 ends in 2019 (docs/reference/ssb_tables.md): later years are not compared
            note_sql="""
                 with k as (select distinct year from raw.ssb_kostra_fte
                            where kokfunksjon0000_code = 'FG2' and contentscode_code = 'KOSavtaltearsver0000'
                              and value is not null),
                      missing as (select distinct year from q_person_year where year not in (select year from k))
                 select string_agg(cast(year as varchar), ', ' order by year)
                        || ': ingen KOSTRA-tall for dette året (ikke sammenlignet)'
                 from missing
                 """,
        ),
        SqlCheck(
            "employees_within_population",
            FCT_INDICATORS,
            "block",
            "Antall ansatte overstiger aldri kommunens befolkning 15–74 år",
            """
                 with persons as (select municipality_code, year, persons as employees from q_person_year),
                 pop as (
                     select municipality_code, year, sum(value) as population_15_74
                     from raw.ssb_population
                     where try_cast(regexp_extract(alder_code, '\\d+') as integer) between 15 and 74
                     group by all
                 ),
                 matched as (
                     select p.municipality_code, p.year, p.employees,
                  arg_min(pop.year, abs(pop.year - p.year) * 2 + (pop.year > p.year)::int) as population_year,
                          arg_min(pop.population_15_74, abs(pop.year - p.year) * 2 + (pop.year > p.year)::int)
                                as population_15_74
                     from persons p left join pop using (municipality_code)
                     group by p.municipality_code, p.year, p.employees
                 )
                 select municipality_code, year, employees, population_year, population_15_74,
                        'flere ansatte enn innbyggere 15–74 år' as problem
                 from matched where employees > population_15_74
                 """,
            (ipy, "raw.ssb_population"),
            ipy,
            feedback="Uttrekket har flere ansatte enn kommunen har innbyggere i arbeidsfør alder; "
            "kontroller for dubletter eller feil kommunenummer.",
        ),
        SqlCheck(
            "population_known_for_employer_municipalities",
            FCT_INDICATORS,
            "warn",
            "SSB-befolkning finnes for alle kommuner med ansatte",
            """
                 select distinct p.municipality_code,
                        'mangler befolkningstall for kommunen (utenfor SSB-katalogens regionsett?)' as problem
                 from q_person_year p
                 where not exists (
                     select 1 from raw.ssb_population pop where pop.municipality_code = p.municipality_code
                 )
                 """,
            (ipy, "raw.ssb_population"),
            ipy,
            feedback="SSB har ingen befolkningstall for kommunen i varehuset; tall per innbygger og "
            "kontrollen mot befolkningen mangler. Utvid regionsettet i pipelines/ssb/catalogue.toml.",
        ),
    ]


def _quarantine_orphans() -> SqlCheck:
    return SqlCheck(
        "quarantine_in_ledger",
        EMPLOYMENTS,
        "block",
        "Hver karanteneregistrering hører til en leveranse i loggen",
        "select left(q.delivery_sha256, 12) as delivery, count(*) as failing_rows from audit.quarantine q "
        "where not exists (select 1 from audit.deliveries d where d.delivery_sha256 = q.delivery_sha256) "
        "group by 1",
        ("audit.quarantine", "audit.deliveries"),
        "audit.quarantine",
    )
CHECKS: tuple[SqlCheck, ...] = (
    *(check for kind in HR_KINDS for check in _ledger_checks(kind)),
    _quarantine_orphans(),
    *_ssb_ledger_checks(),
    *_hr_against_ssb(),
)


def checks_for(asset_keys: Iterable[tuple[str, ...]] | None = None) -> list[SqlCheck]:
    """All checks, or those on the given assets."""
    if asset_keys is None:
        return list(CHECKS)
    wanted = {tuple(k) for k in asset_keys}
    return [c for c in CHECKS if c.asset_key in wanted]


def prepare_macros(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The shared aggregates the checks read; returns why an aggregate could not be built, by
    name, so the checks that use it fail with that reason."""
    errors: dict[str, str] = {}
    for name, (source, sql) in PRELUDES.items():
        if not table_exists(con, source):
            continue  # the checks over it fail on the missing table
        try:
            con.execute(f"create or replace temp table {name} as {sql}")
        except duckdb.Error as error:
            errors[name] = str(error).strip().splitlines()[0][:300]
    return errors


class _RowCounter:
    """Caches `count(*)` per table within one gate run."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.cache: dict[str, int] = {}

    def __call__(self, table: str) -> int | None:
        if table not in self.cache:
            try:
                self.cache[table] = int(self.con.execute(f"select count(*) from {table}").fetchall()[0][0])
            except duckdb.Error:
                return None
        return self.cache[table]


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: SqlCheck,
    count_rows: _RowCounter | None = None,
    prelude_errors: dict[str, str] | None = None,
) -> CheckResult:
    """Run one check. Missing input or an SQL error gives a failed result carrying the reason."""
    count_rows = count_rows or _RowCounter(con)
    base = {
        "check_name": check.name,
        "asset_key": check.asset_key,
        "severity": check.severity,
        "kind": "sql",
        "title": check.title,
        "expected": "0 rader feiler",
    }
    missing = [t for t in check.tables if not table_exists(con, t)]
    if missing:
        return CheckResult(
            **base,
            passed=False,
            message=f"Kan ikke kjøres: tabellen {', '.join(missing)} finnes ikke.",
            observed="inndata mangler",
        )
    broken = [f"{name}: {error}" for name, error in (prelude_errors or {}).items() if name in check.sql]
    if broken:
        return CheckResult(
            **base, passed=False, message=f"Kan ikke kjøres: {'; '.join(broken)}", observed="SQL-feil"
        )
    try:
        failing = failing_rows_summary(con, check.sql)
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0][:300]
        return CheckResult(
            **base, passed=False, message=f"Kan ikke kjøres: {first_line}", observed="SQL-feil"
        )
    passed = failing.outputs == 0
    message = "OK" if passed else f"{failing.rows} rader feiler: {check.title.lower()}"
    if check.note_sql:
        try:
            note = con.execute(check.note_sql).fetchall()[0][0]
        except duckdb.Error as error:
            note = f"merknaden kunne ikke beregnes ({str(error).strip().splitlines()[0][:200]})"
        if note:
            message = f"{message}; {note}"
    return CheckResult(
        **base,
        passed=passed,
        message=message,
        observed=f"{failing.rows} rader feiler",
        evaluated_rows=count_rows(check.evaluated_table),
        unexpected_count=failing.rows,
        examples=failing.examples,
        by_municipality=failing.by_municipality,
    )


def run_checks(
    con: duckdb.DuckDBPyConnection, checks: Sequence[SqlCheck], prelude_errors: dict[str, str] | None = None
) -> tuple[list[CheckResult], dict[str, float]]:
    """Run checks in order; returns the results and the seconds each took (for the benchmark)."""
    counter = _RowCounter(con)
    results: list[CheckResult] = []
    timings: dict[str, float] = {}
    for check in checks:
        started = time.perf_counter()
        results.append(run_check(con, check, counter, prelude_errors))
        timings[check.name] = time.perf_counter() - started
    return results, timings
