"""`workforce sql` behaves like a tool (issue 18, deliverable 2), on the session's real
published demo warehouse: every output format and `--output`, no silent row cap, wide tables
readable at 80 columns, the DuckDB CLI's dot commands, a non-zero exit on error, counts as
integers and a Norwegian label for every code in the marts.

Most calls run through the CLI's entry point in this process (fast); the prompt and the
80-column layout run in a subprocess, where the terminal width and stdin are the user's.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.settings import REPO_ROOT, Settings
from pipelines.warehouse.publish import open_published
from tests.cli_support import run_cli
from tests.orchestration.conftest import DemoWarehouse, home_env
from tests.orchestration.orch_support import workforce_command

pytestmark = pytest.mark.slow

# The topic marts' columns that count persons or postings (dbt/models/_decisions.md 33).
COUNT_COLUMNS = {
    "fct_turnover": ("employees_previous_year", "leavers", "sector_leavers", "leavers_excl_retirement",
                     "leavers_retained_in_region", "employees_both_years", "changed_position_group"),
    "fct_fulltime": ("counted_employees", "fulltime_employees", "short_parttime_employees", "new_hires",
                     "new_hires_fulltime"),
    "fct_stability": ("hires_followed_12m", "retained_12m", "hires_followed_24m", "retained_24m",
                      "temporary_employees"),
    "fct_recruitment": ("filled_postings", "postings_with_applicants", "applicants", "qualified_applicants",
                        "own_apprentice_hires"),
    "fct_key_positions": ("key_employees_previous_year", "key_leavers", "key_employees", "key_postings",
                          "key_postings_readvertised", "key_postings_filled"),
    "fct_apprentices": ("apprentices", "inhabitants", "apprentices_finished", "apprentices_hired_12m"),
    "fct_diversity": ("employees_in_age_band", "retiring_5y", "retiring_10y"),
}  # fmt: skip


@pytest.fixture(scope="module")
def home(demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield demo_warehouse.copy_to(tmp_path_factory.mktemp("sql-tool") / "home", monkeypatch)


@pytest.fixture(scope="module")
def published(home: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The analysts' own locked connection (DuckDB refuses a second one to the same file in
    this process with other settings, so the CLI and the test must open it alike)."""
    con = open_published(home.published_db_path)
    yield con
    con.close()


def test_each_format_to_stdout_and_to_a_file(
    home: Settings, published: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
):  # fmt: skip
    query = "select indicator_id, area_code, year, value from marts.fct_indicators order by all"
    expected = published.execute(query).fetchall()
    assert len(expected) > 200  # more than a table would show

    code, out, err = run_cli(monkeypatch, capsys, "sql", query, "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["indicator_id", "area_code", "year", "value"] and len(rows) - 1 == len(expected)
    assert rows[1][:3] == [expected[0][0], expected[0][1], str(expected[0][2])]

    code, out, err = run_cli(monkeypatch, capsys, "sql", query, "--format", "json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert len(records) == len(expected) and records[0]["year"] == expected[0][2]

    for suffix, reader in ((".parquet", pl.read_parquet), (".csv", pl.read_csv), (".json", pl.read_json)):
        target = tmp_path / f"resultat{suffix}"  # the format follows the file's suffix
        code, out, err = run_cli(monkeypatch, capsys, "sql", query, "--output", str(target))
        assert code == 0 and err == "", (suffix, err)
        assert f"rader skrevet til {target}" in out
        frame = reader(target)
        assert frame.height == len(expected) and frame.columns == ["indicator_id", "area_code", "year", "value"]

    code, out, err = run_cli(monkeypatch, capsys, "sql", query, "--format", "parquet")
    assert code == 2 and "oppgi filen med --output" in err and "Traceback" not in err


def test_a_long_table_says_how_many_rows_were_cut(
    home: Settings,
    published: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    total = published.execute("select count(*) from marts.fct_indicators").fetchone()[0]
    code, out, err = run_cli(monkeypatch, capsys, "sql", "select * from marts.fct_indicators")
    assert (code, err) == (0, "")
    wanted = f"viser 200 av {total:,} rader; bruk --format csv --output FIL for alle".replace(",", " ")
    assert wanted in out
    code, out, _ = run_cli(monkeypatch, capsys, "sql", "select 1 as a union all select 2")
    assert "2 rader" in out and "viser" not in out


def test_errors_exit_non_zero_in_every_format(
    home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    for extra in ((), ("--format", "json")):
        code, out, err = run_cli(monkeypatch, capsys, "sql", "selec 1", *extra)
        assert code == 1 and out == "" and err.startswith("Feil i spørringen"), (extra, out, err)
    target = tmp_path / "stjålet.csv"
    code, out, err = run_cli(
        monkeypatch, capsys, "sql", "select * from read_text('/etc/passwd')", "--output", str(target)
    )
    assert code == 1 and err.startswith("Ikke tillatt") and not target.exists()


def test_wide_tables_and_dot_commands_at_an_80_column_terminal(home: Settings):
    env = {**home_env(home.home), "PATH": "/usr/bin:/bin", "COLUMNS": "80"}
    wide = subprocess.run(
        workforce_command("sql", "select * from marts.fct_turnover where breakdown = 'total' order by all limit 2"),
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert wide.returncode == 0, wide.stderr
    lines = wide.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for column in ("employees_previous_year", "not_employed_share", "other_municipality_outside_region_share"):
        assert any(line.startswith(column + " ") for line in lines), column  # whole name, one per line
    leavers = next(line for line in lines if line.startswith("leavers "))
    assert leavers.split("|")[1].strip().isdigit()  # a count, not 1177.0
    assert "2 rader" in wide.stdout

    script = ".help\n.tables\n.schema marts.dim_label\n.mode csv\nselect 41 + 1 as answer;\n.open x.duckdb\n.quit\n"
    prompt = subprocess.run(
        workforce_command("sql"), input=script, capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300
    )
    assert "Punktkommandoer" in prompt.stdout and "Parser Error" not in prompt.stdout + prompt.stderr
    assert "dim_label" in prompt.stdout and "label_nb" in prompt.stdout  # .tables, .schema
    assert "answer\n42\n" in prompt.stdout  # .mode csv
    assert ".open er ikke tilgjengelig" in prompt.stdout
    assert prompt.returncode == 1  # the refused .open fails the script
    assert "Traceback" not in prompt.stdout + prompt.stderr


def test_a_dot_command_on_the_command_line(
    home: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    code, out, _ = run_cli(monkeypatch, capsys, "sql", ".tables")
    assert code == 0 and "fct_indicators" in out and "dim_label" in out
    code, out, _ = run_cli(monkeypatch, capsys, "sql", ".nonsense")
    assert code == 1 and "Ukjent punktkommando .nonsense" in out


def test_counts_are_integers_in_the_published_marts(
    home: Settings,
    published: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    types = dict(
        ((table, column), data_type)
        for table, column, data_type in published.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    )
    wrong = {
        (table, column): types.get((table, column))
        for table, columns in COUNT_COLUMNS.items()
        for column in columns
        if types.get((table, column)) != "BIGINT"
    }
    assert wrong == {}
    assert types[("fct_indicators", "persons")] == "BIGINT"
    code, out, _ = run_cli(
        monkeypatch, capsys, "sql",
        "select counted_employees from marts.fct_fulltime where counted_employees is not null limit 1", "-f", "json",
    )  # fmt: skip
    assert code == 0 and isinstance(json.loads(out)[0]["counted_employees"], int)


def test_counts_in_the_long_indicator_table_are_integers_too(
    home: Settings,
    published: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """fct_indicators keeps DOUBLE value/numerator/denominator (the release reads them) and carries
    the whole-number ones again as BIGINT, declared per indicator (decision 33)."""
    types = dict(
        published.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_indicators'"
        ).fetchall()
    )
    assert {types[c] for c in ("value_count", "numerator_count", "denominator_count")} == {"BIGINT"}
    assert {types[c] for c in ("value", "numerator", "denominator")} == {"DOUBLE"}
    [(filled, differ, counts_without, fte_counts)] = published.execute(
        """
        select
            count(*) filter (where numerator_count is not null and denominator_count is not null),
            count(*) filter (where value_count <> value or numerator_count <> numerator
                             or denominator_count <> denominator),
            count(*) filter (where indicator_id in ('counted_employees', 'apprentices') and value_count is null),
            count(*) filter (where indicator_id in ('fte', 'function_fte') and value_count is not null)
        from marts.fct_indicators
        """
    ).fetchall()
    assert filled > 10_000 and differ == 0 and counts_without == 0 and fte_counts == 0
    code, out, _ = run_cli(
        monkeypatch, capsys, "sql",
        "select value, value_count, numerator_count from marts.fct_indicators "
        "where indicator_id = 'counted_employees' and breakdown = 'total' limit 1", "-f", "csv",
    )  # fmt: skip
    header, row = out.strip().splitlines()
    assert header == "value,value_count,numerator_count"
    value, value_count, numerator_count = row.split(",")
    assert code == 0 and value_count.isdigit() and value_count == numerator_count and float(value) == int(value_count)


def test_every_code_in_the_marts_has_a_norwegian_label(published: duckdb.DuckDBPyConnection):
    codes = published.execute(
        """
        select distinct breakdown as kind, breakdown_value as code from marts.fct_indicators
        union select distinct 'breakdown', breakdown from marts.fct_indicators
        union select distinct 'unit', unit from marts.fct_indicators
        union select distinct 'basis', basis from marts.fct_indicators where basis is not null
        union select distinct 'area_type', area_type from marts.fct_indicators
        union select distinct 'function_family', function_family from marts.fct_function_capacity
        union select distinct 'shared_area', shared_area from marts.fct_shared_service_candidates
        union select distinct 'education_level', education_level from marts.fct_education_profile
        union select distinct 'region', region_code from marts.dim_region
        union select distinct 'topic', topic from marts.dim_indicator
        union select distinct 'value_kind', value_kind from marts.dim_indicator
        union select distinct 'coverage_rule', coverage_rule from marts.dim_indicator
        """
    ).fetchall()
    labels = dict(
        ((kind, code), label)
        for kind, code, label in published.execute("select kind, code, label_nb from marts.dim_label").fetchall()
    )
    assert len(codes) > 40
    assert [code for code in codes if not labels.get(code)] == []
    assert labels[("age_band", "62_plus")] == "62 år og eldre"
    assert labels[("position_group", "unskilled")] == "Ufaglært"
    assert labels[("transition", "not_employed")] == "Ikke ansatt i noen kommune i dataene"


def test_region_coverage_in_words(published: duckdb.DuckDBPyConnection):
    with_data = published.execute(
        "select count(distinct area_code) from marts.fct_indicators "
        "where area_type = 'municipality' and indicator_id = 'counted_employees'"
    ).fetchone()[0]
    row = published.execute(
        "select member_count, municipalities_with_data, coverage_nb from marts.dim_region "
        "where region_code = 'nordland'"
    ).fetchone()
    assert row[1] == with_data and row[0] > with_data  # the demo delivers for some of Nordland's municipalities
    assert row[2] == f"{with_data} av {row[0]} kommuner har levert HR-data"


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` gives the command a terminal")
def test_at_a_terminal_every_row_goes_through_the_pager(
    home: Settings, published: duckdb.DuckDBPyConnection, tmp_path: Path
):
    total = published.execute("select count(*) from marts.fct_indicators").fetchone()[0]
    paged = tmp_path / "paged.txt"
    command = shlex.join(workforce_command("sql", "select * from marts.fct_indicators"))
    env = {**home_env(home.home), "PATH": "/usr/bin:/bin", "PAGER": f"cat > {shlex.quote(str(paged))}"}
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, text=True, cwd=REPO_ROOT, env=env,
        timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = paged.read_text(encoding="utf-8")
    assert f"{total:,} rader".replace(",", " ") in text and "viser 200" not in text
    assert text.count("\n") > total  # every row, none cut
