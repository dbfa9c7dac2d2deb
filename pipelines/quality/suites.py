"""A thin Great Expectations 1.x wrapper: suite files in `expectations/`, small pandas frames.

Why our own wrapper: `dagster-ge` requires GX < 1.0, and GX 1.x has no working DuckDB path,
so each suite names the SQL that builds its frame (DuckDB query → pandas → GX's pandas
datasource). Frames stay small: aggregates per delivery, municipality or area — never a national table, and
never a row-level rule (those are dbt tests on the sources and models, issue 15).

A suite file is a GX suite (`name`, `expectations`, `meta`) with two additions in `meta`:
`frames` (name → scope and SQL) and, on every expectation, `meta.severity` (`block`/`warn`)
and `meta.frame`. Scopes:

- `deliveries`: one row per delivery not yet checked (`$deliveries` is the list of their
  sha256): per-delivery counts and shares;
- `table`: one small frame (aggregates) per run.

It fails closed: a missing or broken suite file, a GX that will not import, a GX API error or a
frame whose SQL fails gives a failed `block` result with the reason — never a silent pass.
GX is imported inside the functions only (it takes ~10 s), once per process, and every suite
runs in one ephemeral context with `result_format` SUMMARY and no data docs. scipy.stats and
altair, which GX imports only for expectations no suite uses, are imported when first used
(`defer_unused_imports`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import sys
import threading
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.quality.references import table_exists
from pipelines.quality.results import SEVERITIES, CheckResult, ensure_results_schema
from pipelines.settings import EXPECTATIONS_DIR

# Suite name → the asset it checks. The file is `expectations/<name>.json`; a missing file is a
# failed check, so this list (not the folder) says which suites must exist.
SUITES: dict[str, tuple[str, ...]] = {
    "hr_employments": ("raw", "hr_employments"),
    "hr_postings": ("raw", "hr_postings"),
    "hr_backlog": ("raw", "hr_backlog"),
    "ssb_population": ("raw", "ssb_population"),
    "ssb_kostra_fte": ("raw", "ssb_kostra_fte"),
    "fct_indicators": ("marts", "fct_indicators"),
    "fct_fulltime": ("marts", "fct_fulltime"),
    "fct_turnover": ("marts", "fct_turnover"),
}
SCOPES = ("deliveries", "table")
EXAMPLES = 5
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list",)
TAG = "_workforce_position"  # our position of an expectation in its frame, carried through GX


class SuiteError(Exception):
    """The suite file cannot be used as it is (missing, not JSON, not a valid suite)."""


@dataclass(frozen=True)
class Frame:
    name: str
    scope: str
    sql: str
    min_rows: int = 1
    example_columns: tuple[str, ...] = ()
    # Norwegian: why an empty frame means the figure cannot be computed yet (a first extract
    # has no turnover); then its expectations are recorded as not applicable, never failed.
    not_applicable_when_empty: str | None = None


@dataclass
class Suite:
    name: str
    path: Path
    version: str  # sha256 of the file: a changed suite re-checks every delivery
    asset_key: tuple[str, ...]
    title: str
    frames: dict[str, Frame]
    expectations: list[dict[str, Any]]
    delivery_kind: str | None = None
    delivery_table: str | None = None
    problems: list[str] = field(default_factory=list)  # expectations left out, with the reason


def suite_path(name: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{name}.json"


def expectation_name(suite: str, frame: str, expectation: dict[str, Any]) -> str:
    """A stable, readable check name: `suite.frame.type(column)` or `meta.name` when given."""
    meta = expectation.get("meta") or {}
    if meta.get("name"):
        return f"{suite}.{meta['name']}"
    kwargs = expectation.get("kwargs") or {}
    target = kwargs.get("column") or kwargs.get("column_A") or ""
    if kwargs.get("column_B"):
        target = f"{target},{kwargs['column_B']}"
    if kwargs.get("column_list"):
        target = ",".join(kwargs["column_list"])
    kind = str(expectation.get("type", "?")).removeprefix("expect_")
    return f"{suite}.{frame}.{kind}({target})" if target else f"{suite}.{frame}.{kind}"


def load_suite(name: str, directory: Path = EXPECTATIONS_DIR) -> Suite:
    """Read and check the structure of a suite file (GX itself is not needed for this)."""
    if name not in SUITES:
        raise SuiteError(f"ukjent suite {name!r}")
    path = suite_path(name, directory)
    try:
        raw_bytes = path.read_bytes()
    except OSError:
        raise SuiteError(f"suitefilen {path.name} finnes ikke") from None
    try:
        data = json.loads(raw_bytes)
    except json.JSONDecodeError as error:
        raise SuiteError(
            f"suitefilen {path.name} er ikke gyldig JSON: {error.msg} (linje {error.lineno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"suitefilen {path.name} mangler listen «expectations»")
    if data.get("name") != name:
        raise SuiteError(f"suitefilen {path.name} heter {data.get('name')!r}, ventet {name!r}")
    meta = data.get("meta") or {}
    frames: dict[str, Frame] = {}
    for frame_name, spec in (meta.get("frames") or {}).items():
        if not isinstance(spec, dict) or spec.get("scope") not in SCOPES or not spec.get("sql"):
            raise SuiteError(f"rammen {frame_name!r} i {path.name} må ha scope ({', '.join(SCOPES)}) og sql")
        sql = spec["sql"] if isinstance(spec["sql"], str) else "\n".join(spec["sql"])
        frames[frame_name] = Frame(
            name=frame_name,
            scope=spec["scope"],
            sql=sql,
            min_rows=int(spec.get("min_rows", 1)),
            example_columns=tuple(spec.get("example_columns", ())),
            not_applicable_when_empty=spec.get("not_applicable_when_empty"),
        )
    if not frames:
        raise SuiteError(f"suitefilen {path.name} definerer ingen rammer (meta.frames)")
    needs_deliveries = any(f.scope == "deliveries" for f in frames.values())
    if needs_deliveries and not (meta.get("delivery_kind") and meta.get("delivery_table")):
        raise SuiteError(
            f"suitefilen {path.name} har leveranserammer, men mangler delivery_kind/delivery_table"
        )
    if not data["expectations"]:
        raise SuiteError(f"suitefilen {path.name} har ingen forventninger")
    seen: set[str] = set()
    for i, exp in enumerate(data["expectations"], start=1):
        emeta = (exp or {}).get("meta") or {}
        if emeta.get("severity") not in SEVERITIES:
            raise SuiteError(f"forventning nr. {i} i {path.name} mangler meta.severity (block|warn)")
        if emeta.get("frame") not in frames:
            raise SuiteError(
                f"forventning nr. {i} i {path.name} viser til ukjent ramme {emeta.get('frame')!r}"
            )
        check = expectation_name(name, emeta["frame"], exp)
        if check in seen:
            raise SuiteError(f"to forventninger i {path.name} får samme navn {check!r}; sett meta.name")
        seen.add(check)
    return Suite(
        name=name,
        path=path,
        version=hashlib.sha256(raw_bytes).hexdigest(),
        asset_key=SUITES[name],
        title=str(meta.get("title") or name),
        frames=frames,
        expectations=data["expectations"],
        delivery_kind=meta.get("delivery_kind"),
        delivery_table=meta.get("delivery_table"),
    )


# --- Great Expectations, imported lazily, one context per process ----------------------------
# GX's package imports every expectation it ships, and the distribution tests among them (KL
# divergence, the KS tests) import scipy.stats and altair at module level: ~0.7 of GX's ~1.9
# CPU-s import (issue 16.4), for expectations no suite here uses. They are imported on first use.
DEFERRED_MODULES = ("scipy.stats", "altair")


class DeferredModule(types.ModuleType):
    """Stands in `sys.modules` for a module until an attribute of it is first read, then imports
    the real one (which takes its place in `sys.modules`) and hands on every attribute."""

    _lock = threading.Lock()

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_real"] = None

    def __getattr__(self, attribute: str) -> Any:
        with DeferredModule._lock:
            real = self.__dict__["_real"]
            if real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                real = importlib.import_module(self.__name__)
                self.__dict__["_real"] = real
        return getattr(real, attribute)


def defer_unused_imports() -> None:
    """Put a `DeferredModule` for each of DEFERRED_MODULES not yet imported (and installed)."""
    for name in DEFERRED_MODULES:
        if name not in sys.modules and importlib.util.find_spec(name.split(".")[0]) is not None:
            sys.modules[name] = DeferredModule(name)


class _Gx:
    """The one ephemeral GX context of this process and its pandas batch definition."""

    def __init__(self) -> None:
        self.batch_definition: Any = None
        self.import_seconds = 0.0

    def module(self) -> Any:
        """Import GX (cheap after the first time). Raises when GX is missing or broken —
        callers turn that into a failed check; nothing here swallows it."""
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        started = time.perf_counter()
        if "great_expectations" not in sys.modules:
            defer_unused_imports()
        import great_expectations as gx

        if self.batch_definition is None:
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            config = DataContextConfig(
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            )
            context = gx.get_context(mode="ephemeral", project_config=config)
            datasource = context.data_sources.add_pandas("workforce_frames")
            asset = datasource.add_dataframe_asset(name="frame")
            self.batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
            self.import_seconds = time.perf_counter() - started
        return gx

    def build(self, suite_name: str, expectations: Sequence[dict[str, Any]]) -> tuple[Any, list[str]]:
        """A GX suite from expectation dicts; configuration errors come back as messages
        (GX itself would log and drop an invalid expectation: that would be a silent pass)."""
        gx = self.module()
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        built, problems = [], []
        for position, exp in enumerate(expectations):
            try:
                # GX does not keep the suite's order in its results: tag each expectation
                meta = {**(exp.get("meta") or {}), TAG: position}
                config = ExpectationConfiguration(
                    type=exp["type"], kwargs=dict(exp.get("kwargs") or {}), meta=meta
                )
                built.append(config.to_domain_obj())
            except Exception as error:
                problems.append(f"{exp.get('type')}: {str(error).splitlines()[0][:200]}")
        if len(built) != len(expectations):
            return None, problems
        return gx.ExpectationSuite(name=suite_name, expectations=built), problems

    def validate(self, suite: Any, frame: Any, partial: int = 20) -> Any:
        self.module()
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(
            suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": partial}
        )


GX = _Gx()


def gx_import_seconds() -> float:
    return GX.import_seconds


# --- running a suite --------------------------------------------------------------------------
@dataclass
class _Outcome:
    """One expectation's verdict on one unit (a frame, a chunk or one delivery)."""

    success: bool
    evaluated: int
    unexpected: int | None
    observed: str | None
    message: str
    examples: list[dict[str, Any]]
    unexpected_index: list[int]


def _expected_text(exp: dict[str, Any]) -> str:
    kwargs = {k: v for k, v in (exp.get("kwargs") or {}).items() if k not in COLUMN_KWARGS}
    return json.dumps(kwargs, ensure_ascii=False, default=str)[:300]


def _failure(suite: Suite, name: str, message: str, severity: str = "block") -> CheckResult:
    return CheckResult(
        check_name=name,
        asset_key=suite.asset_key,
        severity=severity,
        passed=False,
        kind="gx",
        message=message,
        observed="kunne ikke kjøres",
        suite=suite.name,
        title=suite.title,
    )


def _missing_columns(exp: dict[str, Any], columns: Sequence[str]) -> list[str]:
    kwargs = exp.get("kwargs") or {}
    wanted = [kwargs[k] for k in COLUMN_KWARGS if kwargs.get(k)]
    for key in COLUMN_LIST_KWARGS:
        wanted += list(kwargs.get(key) or [])
    return [c for c in wanted if c not in columns]


def _outcomes(
    suite_obj: Any, expectations: Sequence[dict[str, Any]], df: Any, example_columns: Sequence[str]
) -> list[_Outcome]:
    """Validate one frame; one outcome per expectation, in order."""
    columns = list(df.columns)
    runnable = [e for e in expectations if not _missing_columns(e, columns)]
    by_id: dict[int, Any] = {}
    if runnable:
        if len(runnable) != len(expectations):
            suite_obj, _ = GX.build(suite_obj.name, runnable)
        result = GX.validate(suite_obj, df, partial=max(20, min(len(df), 1000)))
        for res in result.results:
            by_id[id(runnable[int(res.expectation_config.meta[TAG])])] = res
        if len(by_id) != len(runnable):  # a result missing is a check not run: fail, do not pass
            raise RuntimeError(f"GX returned {len(by_id)} results for {len(runnable)} expectations")
    outcomes = []
    for exp in expectations:
        missing = _missing_columns(exp, columns)
        if missing:
            outcomes.append(
                _Outcome(
                    False,
                    len(df),
                    None,
                    "kolonne mangler",
                    f"kolonnen {', '.join(missing)} finnes ikke",
                    [],
                    [],
                )
            )
            continue
        res = by_id[id(exp)]
        info = res.result or {}
        raised = _exception_message(res.exception_info)
        index = [
            int(i) for i in (info.get("partial_unexpected_index_list") or []) if isinstance(i, int | float)
        ]
        shown = _example_rows(df, index[:EXAMPLES], exp, example_columns)
        if not shown and info.get("partial_unexpected_list"):
            shown = [{"verdi": v} for v in info["partial_unexpected_list"][:EXAMPLES]]
        unexpected = info.get("unexpected_count")
        observed = info.get("observed_value")
        if observed is None and unexpected is not None:
            observed = f"{unexpected} av {info.get('element_count', len(df))} rader avviker"
        message = "OK" if res.success else (raised or f"avvik: {observed}")
        outcomes.append(
            _Outcome(
                success=bool(res.success) and not raised,
                evaluated=int(info.get("element_count") or len(df)),
                unexpected=int(unexpected) if unexpected is not None else (0 if res.success else None),
                observed=None if observed is None else str(observed)[:300],
                message=message,
                examples=shown,
                unexpected_index=index,
            )
        )
    return outcomes


def _exception_message(info: Any) -> str | None:
    """GX reports a failed metric inside `exception_info` (flat or keyed by metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return f"GX-feil: {str(info.get('exception_message'))[:300]}"
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return f"GX-feil: {str(value.get('exception_message'))[:300]}"
    return None


def _example_rows(
    df: Any, index: Sequence[int], exp: dict[str, Any], example_columns: Sequence[str]
) -> list[dict]:
    kwargs = exp.get("kwargs") or {}
    missing = [c for c in example_columns if c not in df.columns]
    if missing:  # a suite's example columns are part of its contract with the frame: never dropped quietly
        raise ValueError(f"example_columns {missing} are not columns of the frame ({', '.join(df.columns)})")
    cols = list(example_columns)
    for key in (*COLUMN_KWARGS, *COLUMN_LIST_KWARGS):
        value = kwargs.get(key)
        for c in value if isinstance(value, list) else [value]:
            if c and c in df.columns and c not in cols:
                cols.append(c)
    rows = []
    for i in index:
        if 0 <= i < len(df):
            row = df.iloc[i]
            rows.append({c: _plain(row[c]) for c in cols})
    return rows


def _plain(value: Any) -> Any:
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        try:
            return value.item()
        except (AttributeError, ValueError):
            pass
    return value if isinstance(value, bool | int | float | str) else str(value)


def pending_deliveries(con: duckdb.DuckDBPyConnection, suite: Suite) -> list[dict[str, Any]]:
    """Loaded deliveries of the suite's kind that still have rows in the raw table and have not
    passed this version of the suite: new deliveries, and those that failed before."""
    ensure_results_schema(con)
    cur = con.execute(
        f"""
        with present as (
            select delivery_sha256, count(*) as rows_in_raw from {suite.delivery_table} group by 1
        )
        select d.delivery_sha256, d.municipality_code, d.file_name, p.rows_in_raw
        from audit.deliveries d join present p using (delivery_sha256)
        where d.kind = ? and d.outcome = 'loaded'
          and not exists (
              select 1 from audit.contract_checks c
              where c.suite = ? and c.suite_version = ? and c.delivery_sha256 = d.delivery_sha256 and c.passed
          )
        order by d.municipality_code, d.extraction_date, d.delivery_sha256
        """,
        [suite.delivery_kind, suite.name, suite.version],
    )
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def _frame(con: duckdb.DuckDBPyConnection, frame: Frame, deliveries: Sequence[dict[str, Any]] | None) -> Any:
    if frame.scope == "table":
        return con.execute(frame.sql).df()
    return con.execute(frame.sql, {"deliveries": [d["delivery_sha256"] for d in deliveries or []]}).df()


@dataclass
class SuiteRun:
    """What one suite produced: results to record, deliveries checked, where time went."""

    results: list[CheckResult]
    checked_deliveries: dict[str, bool] = field(default_factory=dict)  # sha → passed (no block failure)
    seconds: float = 0.0
    version: str = ""


def run_suite(
    con: duckdb.DuckDBPyConnection,
    name: str,
    directory: Path = EXPECTATIONS_DIR,
) -> SuiteRun:
    """Run one suite against the build database. Never raises for a broken suite or GX:
    those become failed `block` results."""
    started = time.perf_counter()
    asset_key = SUITES.get(name, ("unknown", name))
    try:
        suite = load_suite(name, directory)
    except SuiteError as error:
        stub = Suite(name, suite_path(name, directory), "", asset_key, name, {}, [])
        return SuiteRun([_failure(stub, f"{name}.suite", f"Suiten kan ikke brukes: {error}")], seconds=0.0)
    try:
        run = _run_loaded(con, suite)
    except Exception as error:
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"
        run = SuiteRun(
            [_failure(suite, f"{name}.suite", f"Great Expectations kunne ikke kjøre suiten ({reason})")]
        )
    run.seconds = time.perf_counter() - started
    return run


def _run_loaded(con: duckdb.DuckDBPyConnection, suite: Suite) -> SuiteRun:
    GX.module()  # import errors surface here, before any frame is read
    results: list[CheckResult] = []
    by_frame: dict[str, list[dict[str, Any]]] = {}
    for exp in suite.expectations:
        by_frame.setdefault(exp["meta"]["frame"], []).append(exp)

    built: dict[str, Any] = {}
    for frame_name, exps in by_frame.items():
        gx_suite, problems = GX.build(f"{suite.name}.{frame_name}", exps)
        if gx_suite is None:
            results.append(
                _failure(
                    suite, f"{suite.name}.suite", "Ugyldige forventninger i suiten: " + "; ".join(problems)
                )
            )
            # run the valid ones anyway: their verdicts help whoever fixes the file
            valid = [e for e in exps if GX.build("probe", [e])[0] is not None]
            by_frame[frame_name] = valid
            gx_suite = GX.build(f"{suite.name}.{frame_name}", valid)[0] if valid else None
        built[frame_name] = gx_suite

    deliveries: list[dict[str, Any]] = []
    delivery_failed: dict[str, bool] = {}
    deliveries_readable = True
    if any(suite.frames[f].scope != "table" for f in by_frame):
        missing = [t for t in (suite.delivery_table, "audit.deliveries") if not table_exists(con, str(t))]
        if missing:
            deliveries_readable = False
            results.append(
                _failure(
                    suite,
                    f"{suite.name}.deliveries",
                    f"Kan ikke kjøres: tabellen {', '.join(missing)} finnes ikke.",
                )
            )
        else:
            deliveries = pending_deliveries(con, suite)
            delivery_failed = {d["delivery_sha256"]: False for d in deliveries}

    for frame_name, exps in by_frame.items():
        frame = suite.frames[frame_name]
        if not exps or built.get(frame_name) is None:
            continue
        if frame.scope != "table":
            if not deliveries_readable:
                continue  # the failure above already says why
            if not deliveries:
                results += [_no_new_deliveries(suite, frame_name, e) for e in exps]
                continue
        try:
            results += _run_frame(con, suite, frame, exps, built[frame_name], deliveries, delivery_failed)
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0][:300]
            results.append(_failure(suite, f"{suite.name}.{frame_name}", f"Rammen kan ikke bygges: {first}"))
            for sha in delivery_failed:
                delivery_failed[sha] = True
    checked = {sha: not failed for sha, failed in delivery_failed.items()}
    return SuiteRun(results, checked, version=suite.version)


def _no_new_deliveries(suite: Suite, frame: str, exp: dict[str, Any]) -> CheckResult:
    return CheckResult(
        check_name=expectation_name(suite.name, frame, exp),
        asset_key=suite.asset_key,
        severity=exp["meta"]["severity"],
        passed=True,
        kind="gx",
        message="Ingen nye leveranser å kontrollere",
        observed="0 nye leveranser",
        expected=_expected_text(exp),
        evaluated_rows=0,
        unexpected_count=0,
        suite=suite.name,
        title=exp["meta"].get("title"),
    )


NOT_APPLICABLE = "ikke aktuelt"


def _frame_ran(suite: Suite, frame: Frame, rows: int) -> CheckResult:
    """The frame itself could be built with enough rows. Recorded under the name its failure
    has (`suite.frame`), so a frame that failed in an earlier run (e.g. empty before a second
    extract existed) does not keep the gate closed once it runs again."""
    return CheckResult(
        check_name=f"{suite.name}.{frame.name}",
        asset_key=suite.asset_key,
        severity="block",
        passed=True,
        kind="gx",
        message="OK" if rows else f"Ikke aktuelt: {frame.not_applicable_when_empty}",
        observed=f"{rows} rader",
        expected=f"minst {frame.min_rows} rader",
        evaluated_rows=rows,
        unexpected_count=0,
        suite=suite.name,
        title=f"Rammen {frame.name} kan bygges",
    )


def _not_applicable(suite: Suite, frame: Frame, exp: dict[str, Any]) -> CheckResult:
    """An expectation on a figure the data cannot compute yet: recorded, passed, never blocking."""
    return CheckResult(
        check_name=expectation_name(suite.name, frame.name, exp),
        asset_key=suite.asset_key,
        severity=exp["meta"]["severity"],
        passed=True,
        kind="gx",
        message=f"Ikke aktuelt: {frame.not_applicable_when_empty}",
        observed=f"{NOT_APPLICABLE} (0 rader)",
        expected=_expected_text(exp),
        evaluated_rows=0,
        unexpected_count=0,
        suite=suite.name,
        title=exp["meta"].get("title"),
    )


def _result(suite: Suite, frame: str, exp: dict[str, Any], outcome: _Outcome, **extra: Any) -> CheckResult:
    return CheckResult(
        check_name=expectation_name(suite.name, frame, exp),
        asset_key=suite.asset_key,
        severity=exp["meta"]["severity"],
        passed=outcome.success,
        kind="gx",
        message=outcome.message if not outcome.success else "OK",
        observed=outcome.observed,
        expected=_expected_text(exp),
        evaluated_rows=outcome.evaluated,
        unexpected_count=outcome.unexpected,
        suite=suite.name,
        examples=outcome.examples,
        title=exp["meta"].get("title"),
        **extra,
    )


def _run_frame(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    frame: Frame,
    exps: list[dict[str, Any]],
    gx_suite: Any,
    deliveries: list[dict[str, Any]],
    delivery_failed: dict[str, bool],
) -> list[CheckResult]:
    """A `table` or `deliveries` frame: one result per expectation; failing rows attributed to
    municipalities (and deliveries) through the frame's own columns."""
    df = _frame(con, frame, deliveries)
    missing = [c for c in frame.example_columns if c not in df.columns]
    if missing:  # a suite naming columns its frame lacks is an error, not examples left out quietly
        return [
            _failure(
                suite,
                f"{suite.name}.{frame.name}",
                f"Rammen {frame.name!r} mangler eksempelkolonnene {', '.join(missing)} som suiten viser",
            )
        ]
    if len(df) == 0 and frame.not_applicable_when_empty:
        return [_frame_ran(suite, frame, 0)] + [_not_applicable(suite, frame, exp) for exp in exps]
    if len(df) < frame.min_rows:
        return [
            _failure(
                suite,
                f"{suite.name}.{frame.name}",
                f"Rammen {frame.name!r} har {len(df)} rader; minst {frame.min_rows} kreves",
            )
        ]
    results = []
    for exp, outcome in zip(exps, _outcomes(gx_suite, exps, df, frame.example_columns), strict=True):
        by_municipality: dict[str, dict[str, Any]] = {}
        if not outcome.success and "municipality_code" in df.columns:
            for i in outcome.unexpected_index:
                code = str(df.iloc[i]["municipality_code"])
                entry = by_municipality.setdefault(code, {"count": 0, "examples": []})
                entry["count"] += 1
                if len(entry["examples"]) < 3:
                    entry["examples"] += _example_rows(df, [i], exp, frame.example_columns)
        if not outcome.success and exp["meta"]["severity"] == "block" and frame.scope == "deliveries":
            if "delivery_sha256" in df.columns and outcome.unexpected_index:
                for i in outcome.unexpected_index:
                    delivery_failed[str(df.iloc[i]["delivery_sha256"])] = True
            else:  # cannot tell which delivery: none of them passes
                for sha in delivery_failed:
                    delivery_failed[sha] = True
        results.append(_result(suite, frame.name, exp, outcome, by_municipality=by_municipality))
    return [_frame_ran(suite, frame, len(df)), *results]


def record_contract_checks(
    con: duckdb.DuckDBPyConnection, run_id: str, suite_name: str, run: SuiteRun
) -> None:
    """Remember which deliveries passed this suite version, so they are not checked again."""
    if not run.checked_deliveries or not run.version:
        return
    ensure_results_schema(con)
    con.executemany(
        "insert into audit.contract_checks values (?, ?, ?, ?, ?, current_timestamp::timestamp)",
        [(run_id, suite_name, run.version, sha, passed) for sha, passed in run.checked_deliveries.items()],
    )
