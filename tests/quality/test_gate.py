"""The whole gate against a real DuckDB file: verdict, audit.check_results, reports, CLI."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from pipelines.cli import main
from pipelines.quality.check_run import run_all_checks
from pipelines.quality.results import blocking_failures, gate_is_open, record_dbt_results, run_results
from pipelines.settings import Settings
from tests.quality import fixtures


def _recorded(settings: Settings, run_id: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        return con.execute(
            "select check_name, asset_key, severity, passed, kind, unexpected_count, evaluated_rows "
            "from audit.check_results where run_id = ? order by check_name",
            [run_id],
        ).fetchall()


def test_clean_warehouse_opens_the_gate_and_records_every_check(gx: object, settings: Settings) -> None:
    result = run_all_checks(settings)
    assert result.passed, [(r.check_name, r.message) for r in result.blocking_failures]
    assert result.warnings == []
    rows = _recorded(settings, result.run_id)
    assert len(rows) == len(result.results) > 50  # the row checks are dbt tests: tests/dbt/test_dbt_checks.py
    assert {kind for *_, kind, _, _ in rows} == {"sql", "gx"}
    assert all(passed for _, _, _, passed, *_ in rows)
    assert ("hr_employments_delivery_in_ledger", "raw/hr_employments", "block", True, "sql", 0, 80) in rows
    assert result.report_path == settings.quality_dir / result.run_id / "index.html"
    assert "Porten er åpen" in result.report_path.read_text()


def test_bad_data_closes_the_gate_with_the_right_checks_and_severities(
    gx: object, settings: Settings, breaking
) -> None:
    breaking(fixtures.break_ledger, fixtures.break_kostra, fixtures.break_turnover)
    result = run_all_checks(settings)
    assert not result.passed
    failed = {(r.check_name, r.severity, r.kind) for r in result.results if not r.passed}
    assert failed == {
        ("hr_employments_ledger_reconciles", "block", "sql"),
        ("hr_fte_vs_kostra_fte", "warn", "sql"),
        ("fct_indicators.area_year.column_values_to_be_between(turnover)", "block", "gx"),
        ("fct_indicators.area_year.turnover_max_at_most_60_percent", "warn", "gx"),
        ("fct_turnover.area_type_year.turnover_max_at_most_60_percent", "warn", "gx"),
    }
    recorded_failures = {
        (name, sev) for name, _, sev, passed, *_ in _recorded(settings, result.run_id) if not passed
    }
    assert recorded_failures == {(name, sev) for name, sev, _ in failed}

    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        assert {r.check_name for r in blocking_failures(con)} == {
            name for name, sev, _ in failed if sev == "block"
        }
        is_open, reasons = gate_is_open(con)
    assert not is_open and any("hr_employments_ledger_reconciles" in r for r in reasons)


def test_history_is_kept_and_the_current_verdict_follows_the_latest_run(
    gx: object, settings: Settings, breaking, clean_db: Path
) -> None:
    breaking(fixtures.break_population)
    first = run_all_checks(settings)
    assert not first.passed
    breaking(  # SSB's corrected table, as it were: the population as it was before the break
        lambda con: con.execute(
            f"attach '{clean_db}' as clean (read_only); delete from raw.ssb_population; "
            "insert into raw.ssb_population select * from clean.raw.ssb_population; detach clean"
        )
    )
    second = run_all_checks(settings)
    assert second.passed
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        runs = con.execute(
            "select run_id, passed from audit.check_results "
            "where check_name = 'employees_within_population' order by checked_at"
        ).fetchall()
        assert runs == [(first.run_id, False), (second.run_id, True)]
        assert gate_is_open(con) == (True, [])


def test_the_report_names_failing_checks_with_example_rows(gx: object, settings: Settings, breaking) -> None:
    breaking(fixtures.break_ledger, fixtures.break_population)
    result = run_all_checks(settings)
    html = result.report_path.read_text()
    headings = (
        "Kvalitetsrapport",
        "Feilet – blokkerende",
        "Advarsler",
        "Bestått",
        "Tilbakemelding til kommunene",
    )
    for heading in (*headings, "Eksempler på rader som feiler"):
        assert heading in html
    assert "Porten er stengt" in html
    assert "hr_employments_ledger_reconciles" in html and "employees_within_population" in html
    assert "lest ≠ lastet + karantene + duplikater" in html  # the failing row's problem, in an example
    assert "arbeidsforhold_1856_2024.csv" in html
    assert "flere ansatte enn innbyggere 15–74 år" in html
    assert "demotall" in html
    assert not re.search(r"(?<!\d)\d{11}(?!\d)", html), "no national-id-like number in a report"


def _reject_a_file_from_vaeroy(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into audit.deliveries (delivery_sha256, file_name, kind, municipality_code, extraction_date, "
        "profile, rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_stale, outcome, reason, "
        "archive_path, loaded_at, period_start) values ('rejected-sha', 'vaeroy_2025.xlsx', 'employments', '1857', "
        "date '2025-12-31', null, 120, 0, 0, 0, 0, 'rejected', "
        "'mangler kolonnen stillingsprosent (prøvde: stillingsprosent, stilling %)', null, "
        "timestamp '2026-01-20 09:00', null)"
    )


def test_the_municipality_feedback_says_what_to_fix(gx: object, settings: Settings, breaking) -> None:
    # a failed row check's advice on the page: tests/dbt/test_dbt_checks.py (they are dbt tests)
    breaking(fixtures.break_ledger, _reject_a_file_from_vaeroy)
    result = run_all_checks(settings)
    pages = {p.name: p.read_text() for p in result.feedback_paths}
    assert set(pages) == {"kommune_1856.html", "kommune_1857.html"}
    roest = pages["kommune_1856.html"]
    assert "Røst (1856)" in roest
    assert "Dette må rettes i eksporten" in roest
    assert "Rader som ble satt i karantene" in roest and "stillingsprosent 250 er utenfor 0–100" in roest
    assert "Leveransen har feil som må rettes" in roest
    vaeroy = pages["kommune_1857.html"]
    assert "Filen vaeroy_2025.xlsx ble avvist: mangler kolonnen stillingsprosent" in vaeroy
    assert "Stillingsprosent må være mellom 0 og 100." not in vaeroy


def test_dbt_test_results_land_in_the_same_table(gx: object, settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    "model.workforce.fct_indicators": {
                        "name": "fct_indicators", "config": {"schema": "marts"}},
                    "test.workforce.not_null_fct_indicators_value.1a": {
                        "config": {"severity": "ERROR"}, "attached_node": "model.workforce.fct_indicators"},
                    "test.workforce.accepted_values_fct_indicators_unit.2b": {
                        "config": {"severity": "warn"}, "attached_node": "model.workforce.fct_indicators"},
                }
            }
        )
    )  # fmt: skip
    (target / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.workforce.fct_indicators", "status": "success"},
                    {"unique_id": "test.workforce.not_null_fct_indicators_value.1a", "status": "fail",
                     "failures": 3,
                     "message": "Got 3 results, configured to fail if != 0"},
                    {"unique_id": "test.workforce.accepted_values_fct_indicators_unit.2b", "status": "pass",
                     "failures": 0},
                ]
            }
        )
    )  # fmt: skip
    result = run_all_checks(settings, dbt_run_results=target / "run_results.json")
    assert not result.passed
    with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
        dbt_rows = [r for r in run_results(con, result.run_id) if r.kind == "dbt"]
    assert [(r.check_name, r.asset, r.severity, r.passed, r.unexpected_count) for r in dbt_rows] == [
        ("not_null_fct_indicators_value", "marts/fct_indicators", "block", False, 3),
        ("accepted_values_fct_indicators_unit", "marts/fct_indicators", "warn", True, 0),
    ]
    with duckdb.connect(str(settings.build_db_path)) as con:  # and on its own, without the gate
        recorded = record_dbt_results(con, "dbt-only", target / "run_results.json")
        assert len(recorded) == 2


def test_workforce_check_exits_1_on_a_blocking_failure_and_0_otherwise(
    gx: object, settings: Settings, breaking, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys, "argv", ["workforce", "check"])
    monkeypatch.setattr("pipelines.cli.console", Console(width=200))
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    assert "Porten er åpen" in capsys.readouterr().out

    breaking(fixtures.break_ledger)
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1
    out = capsys.readouterr().out
    assert "Porten er stengt" in out and "hr_employments_ledger_reconciles" in out


def test_workforce_check_without_a_build_database_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("WORKFORCE_HOME", str(tmp_path / "empty"))
    monkeypatch.setattr(sys, "argv", ["workforce", "check"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    assert "ingen byggedatabase" in capsys.readouterr().err


def test_the_dbt_test_catalog_is_read_again_when_the_manifest_changes(tmp_path: Path) -> None:
    """The report reads the manifest's test titles once per version of the file (issue 16.4)."""
    from pipelines.quality.results import dbt_test_catalog

    manifest = tmp_path / "manifest.json"

    def write(title: str) -> None:
        node = {"name": "a_test", "resource_type": "test", "config": {"meta": {"title": title}}}
        manifest.write_text(json.dumps({"nodes": {"test.x.a_test": node}}))

    write("Første tittel")
    assert dbt_test_catalog(manifest)["a_test"] == ("Første tittel", None)
    catalog = dbt_test_catalog(manifest)
    catalog["a_test"] = ("endret av kalleren", None)  # a caller's change never reaches the next caller
    assert dbt_test_catalog(manifest)["a_test"] == ("Første tittel", None)
    write("En annen og lengre tittel")
    assert dbt_test_catalog(manifest)["a_test"] == ("En annen og lengre tittel", None)
