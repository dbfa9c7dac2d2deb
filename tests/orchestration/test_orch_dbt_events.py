"""dbt's process as the pipeline starts it skips the log events no log writes
(pipelines/orchestration/dbt_events.py) and reuses what dbt would make again for every node
(pipelines/orchestration/dbt_reuse.py, issue 16.4): what dbt writes, to stdout for dagster-dbt,
to dbt.log, to target/compiled and target/run, and its results, must be exactly what plain dbt
writes, and a debug log must still get every debug event. Real dbt runs (two seeds and their
tests) into a throwaway database."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipelines.indicators.build import DBT_PROJECT_DIR, dbt_env, seed_partial_parse
from pipelines.orchestration.dbt_reuse import JINJA_CODE_ENV, load_code
from pipelines.processes import real_dbt

pytestmark = pytest.mark.slow

SELECTION = ["--select", "regions", "region_members", "--indirect-selection", "cautious", "--threads", "1"]
# Run figures that differ between any two runs: times, counts of seconds.
TIMES = re.compile(r"\d+\.\d+s|\d+\.\d+ seconds|\d{2}:\d{2}:\d{2}")


def _dbt(
    launcher: list[str], folder: Path, *extra: str, jinja_code: Path | None = None
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(stdout events, dbt.log events) of one `dbt build` as (name, level, message without times);
    with `jinja_code`, the pipeline's dbt starts from and adds to the Jinja code stored there."""
    db = folder / "build" / "workforce.duckdb"
    db.parent.mkdir(parents=True)
    target = folder / "target"
    seed_partial_parse(target, db)
    env = dbt_env(db, {"DBT_LOG_FORMAT": "json", "DBT_LOG_PATH": str(target), "DBT_TARGET_PATH": str(target)})
    env.pop(JINJA_CODE_ENV, None)
    if jinja_code is not None:
        env[JINJA_CODE_ENV] = str(jinja_code)
    env.pop("WORKFORCE_DBT_CWD", None)
    done = subprocess.run(
        [
            *launcher,
            "build",
            *SELECTION,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            *extra,
        ],
        cwd=db.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def events(lines: list[str]) -> list[tuple[str, str, str]]:
        found = []
        for line in lines:
            info = json.loads(line)["info"]
            found.append((info["name"], info["level"], TIMES.sub("T", info["msg"])))
        return found

    log = (target / "dbt.log").read_text(encoding="utf-8").splitlines()
    return events(done.stdout.splitlines()), events(log)


def _written(folder: Path) -> dict[str, str]:
    """What a build wrote besides its log: every compiled and run SQL file, each result's status."""
    target = folder / "target"
    files = {
        str(p.relative_to(target)): p.read_text(encoding="utf-8")
        for folder in ("compiled", "run")
        for p in (target / folder).rglob("*")
        if p.is_file()
    }
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    for result in results:
        files[result["unique_id"]] = f"{result['status']} {result['failures']} {result['message']}"
    assert any(name.startswith("compiled/") for name in files) and any(name.startswith("run/") for name in files)
    return files


def test_dbt_writes_the_same_lines_with_unwritten_events_skipped(tmp_path: Path) -> None:
    pipeline = [sys.executable, "-m", "pipelines.orchestration.lifecycle"]
    plain_out, plain_log = _dbt([real_dbt()], tmp_path / "plain", "--log-level-file", "info")
    ours_out, ours_log = _dbt(pipeline, tmp_path / "ours", "--log-level-file", "info")
    assert Counter(ours_out) == Counter(plain_out)
    assert Counter(ours_log) == Counter(plain_log)
    assert _written(tmp_path / "ours") == _written(tmp_path / "plain")

    # started from the Jinja code a first build stored, a second writes the same once more
    store = tmp_path / "jinja_code.marshal"
    _dbt(pipeline, tmp_path / "cold", "--log-level-file", "info", jinja_code=store)
    stored = load_code(store)
    assert len(stored) > 10
    warm_out, warm_log = _dbt(pipeline, tmp_path / "warm", "--log-level-file", "info", jinja_code=store)
    assert Counter(warm_out) == Counter(plain_out)
    assert Counter(warm_log) == Counter(plain_log)
    assert _written(tmp_path / "warm") == _written(tmp_path / "plain")
    assert load_code(store).keys() == stored.keys()  # nothing new to compile
    assert {"LogStartLine", "LogSeedResult", "LogTestResult"} <= {name for name, _, _ in ours_out}
    assert {level for _, level, _ in ours_log} <= {"info", "warn", "error"}

    # a debug log gets every debug event, as from plain dbt: the skip turns itself off
    debug_out, debug_log = _dbt(pipeline, tmp_path / "debug", "--log-level-file", "debug")
    assert Counter(debug_out) == Counter(plain_out)
    debug_names = Counter(name for name, level, _ in debug_log if level == "debug")
    assert debug_names["SQLQuery"] > 0 and debug_names["NodeStart"] > 0 and debug_names["NodeFinished"] > 0
    # DuckDB's settings come from the on-run-start hook (dbt_project.yml), before any node
    queries = [message for name, _, message in debug_log if name == "SQLQuery"]
    first_node = next(i for i, (name, _, _) in enumerate(debug_log) if name == "NodeStart")
    settings = [i for i, q in enumerate(queries) if "set memory_limit = '3GB'" in q and "preserve_insertion_order" in q]
    assert settings, queries[:5]
    assert debug_log.index(next(e for e in debug_log if e[0] == "SQLQuery" and "set memory_limit" in e[2])) < first_node


def test_only_quiet_events_that_no_log_writes_are_skipped() -> None:
    """The rule itself, on dbt_common's own event manager with dbt's own event classes."""
    from dbt_common.events.event_manager import EventManager

    from pipelines.orchestration.dbt_events import skip_unwritten_events

    original = EventManager.fire_event
    skip_unwritten_events()
    skip_unwritten_events()  # once per process, however often it is called
    try:
        assert EventManager.fire_event.__wrapped__ is original  # type: ignore[attr-defined]
        _check_the_rule()
    finally:
        EventManager.fire_event = original  # type: ignore[method-assign]


def _check_the_rule() -> None:
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.logger import LoggerConfig
    from dbt_common.events.types import Note, PrintEvent

    manager = EventManager()
    manager.add_logger(LoggerConfig(name="lean_test_info", level=EventLevel.INFO))
    seen: list[str] = []
    manager.add_callback(lambda msg: seen.append(f"{msg.info.level}:{msg.info.msg}"))
    # a callback we do not know might want a debug event: nothing is skipped
    manager.fire_event(Note(msg="for the callback"), level=EventLevel.DEBUG)
    assert seen == ["debug:for the callback"]
    manager.callbacks = [track_behavior_change_warn, lambda msg: seen.append(msg.info.msg)]
    manager.fire_event(Note(msg="one unknown callback"), level=EventLevel.DEBUG)
    assert seen[-1] == "one unknown callback"
    manager.callbacks = [track_behavior_change_warn]
    written: list[str] = []
    manager.loggers[0].write_line = lambda msg: written.append(msg.info.msg)  # type: ignore[method-assign]
    manager.fire_event(Note(msg="quiet"), level=EventLevel.DEBUG)
    manager.fire_event(Note(msg="said"), level=EventLevel.INFO)
    manager.fire_event(PrintEvent(msg="printed"), level=EventLevel.DEBUG)  # print events: always
    assert written == ["said", "printed"]
    manager.add_logger(LoggerConfig(name="lean_test_debug", level=EventLevel.DEBUG))
    manager.fire_event(Note(msg="now wanted"), level=EventLevel.DEBUG)
    assert written[-1] == "now wanted"


def test_an_event_builds_its_message_when_first_read_as_dbt_would() -> None:
    """Deferred events carry the same message as dbt's own, built on the first read of any
    field, and only then; a skipped event is never built."""
    from dbt.adapters.events.types import SQLQuery
    from dbt_common.events.base_types import BaseEvent, msg_from_base_event

    from pipelines.orchestration.dbt_events import build_events_when_read

    eager = SQLQuery(conn_name="master", sql="select 1", node_info={})
    expected = (eager.to_dict(), eager.message(), msg_from_base_event(eager).data)
    methods = (BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__)
    build_events_when_read()
    build_events_when_read()  # once per process
    try:
        assert BaseEvent.__init__.__wrapped__ is methods[0]  # type: ignore[attr-defined]
        lazy = SQLQuery(conn_name="master", sql="select 1", node_info={})
        assert "pb_msg" not in lazy.__dict__  # nothing built yet
        assert lazy.sql == "select 1"  # a field read builds it
        assert "pb_msg" in lazy.__dict__ and "_fields" not in lazy.__dict__
        assert (lazy.to_dict(), lazy.message(), msg_from_base_event(lazy).data) == expected
        written = SQLQuery(conn_name="master", sql="select 1", node_info={})
        written.conn_name = "other"  # a field written first builds it too, then sets the field
        assert written.conn_name == "other" and written.sql == "select 1"
    finally:
        BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__ = methods  # type: ignore[method-assign]
