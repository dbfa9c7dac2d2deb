"""An existing warehouse moves to the append-only raw layer (issue 16) with one command:
`workforce migrate-raw`. Until then it is refused with that advice; afterwards every reader
sees what it saw before, and new deliveries append."""

from __future__ import annotations

import duckdb
import pytest
from hr_support import Home, synthetic_ids, visma_file, visma_row

from pipelines.hr.contract import RAW_TABLES
from tests.cli_support import run_cli


def _extract(home: Home, name: str, date: str, fte: str, ids: list[str]):
    rows = [
        visma_row(Ansattnr=str(i), Arbeidsforholdsnr=f"{i}-1", Fødselsnummer=number, Stillingsprosent=fte)
        for i, number in enumerate(ids)
    ]
    return visma_file(home.files / name, rows, title=f"Arbeidsforhold per {date}")


def _make_old_format(home: Home) -> None:
    """The raw HR tables as a warehouse from before issue 16 kept them: one version per key
    (the one the superseding upsert kept), no load time."""
    from pipelines.hr.load import current_versions

    con = duckdb.connect(str(home.settings.build_db_path))
    try:
        for kind, table in RAW_TABLES.items():
            name = table.split(".")[1]
            con.execute(f"create table raw.{name}_old as select * exclude (loaded_at) from ({current_versions(kind)})")
            con.execute(f"drop table {table}")
            con.execute(f"alter table raw.{name}_old rename to {name}")
    finally:
        con.close()


def test_an_old_warehouse_is_refused_then_migrated_by_one_command(home: Home, monkeypatch, capsys) -> None:
    ids = synthetic_ids(4, seed=11)
    home.ingest(
        _extract(home, "1857_2022.csv", "01.12.2022", "50", ids),
        _extract(home, "1857_2023.csv", "01.12.2023", "80", ids[:3]),
    )
    current = home.current("employments")
    _make_old_format(home)
    assert len(home.table("raw.hr_employments")) == 4  # one version per employment, as before

    newer = _extract(home, "1857_2024.csv", "01.12.2024", "60", ids[:2])
    code, out, err = run_cli(monkeypatch, capsys, "ingest", str(newer))
    assert code == 2 and "feil:" in err and "workforce migrate-raw" in err
    assert "Traceback" not in out + err

    code, out, err = run_cli(monkeypatch, capsys, "migrate-raw")
    assert code == 0, err
    assert "raw.hr_employments: 4 rader" in out
    assert home.current("employments") == current  # readers see exactly what they saw
    loaded_at = dict(home.query("select delivery_sha256, loaded_at from audit.deliveries"))
    for row in home.table("raw.hr_employments"):
        assert row["loaded_at"] == loaded_at[row["delivery_sha256"]]  # the ledger's load time

    [result] = home.ingest(newer)  # and the warehouse takes deliveries again, appending
    assert result.outcome == "loaded" and len(home.table("raw.hr_employments")) == 6
    assert {r["fte_percent"] for r in home.current("employments") if r["delivery_sha256"] == result.sha256} == {60.0}

    code, out, _ = run_cli(monkeypatch, capsys, "migrate-raw")
    assert code == 0 and "allerede" in out


def test_migrate_raw_without_a_warehouse_says_so(home: Home, monkeypatch, capsys) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "migrate-raw")
    assert code == 2 and "feil:" in err and "Finner ikke lageret" in err


@pytest.mark.parametrize("command", ["migrate-raw"])
def test_the_command_has_norwegian_help(command: str, monkeypatch, capsys) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, command, "--help")
    assert code == 0 and "nye formatet" in out
