"""SSB-style CSV: the real ISO-8859-1 KLASS exports (ragged rows), the change table and the IMDi export."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import pytest

from pipelines.ssb import klass
from pipelines.ssb.csvexport import read_ssb_csv
from pipelines.ssb.errors import SsbResponseError
from pipelines.ssb.snapshot import KLASS_DIR

from .conftest import FIXTURES, SHARED_SAMPLES

KLASS_2019 = KLASS_DIR / "klass131_2019_v1102.csv"
KLASS_2020 = KLASS_DIR / "klass131_2020_v1160.csv"
CHANGES = KLASS_DIR / "kommuneendringer_2019_2020.csv"
IMDI = FIXTURES / "imdi_innvandringsgrunn_nordland_rows.csv"


def test_bundled_klass_files_are_the_real_samples_byte_for_byte():
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/ssb-samples is not present")
    pairs = {
        KLASS_2019: "klass131_kommuneinndeling_2019_version1102.csv",
        KLASS_2020: "klass131_kommuneinndeling_2020_version1160.csv",
        CHANGES: "kommuneendringer_2019_til_2020_derived.csv",
    }
    for bundled, original in pairs.items():
        assert (
            hashlib.sha256(bundled.read_bytes()).digest()
            == hashlib.sha256((SHARED_SAMPLES / original).read_bytes()).digest()
        )


def test_klass_2019_export_latin1_and_ragged():
    raw = KLASS_2019.read_bytes()
    assert b"\xf8" in raw  # ø in ISO-8859-1: not UTF-8
    frame = klass.read_klass_csv(KLASS_2019)
    assert frame.columns == klass.KLASS_CSV_FIELDS
    assert frame.height == 423  # 422 municipalities and 9999 Uoppgitt
    rows = {r["code"]: r for r in frame.iter_rows(named=True)}
    assert rows["1850"]["name"] == "Tysfjord - Divtasvuodna"
    assert rows["1849"]["name"] == "Hábmer - Hamarøy"
    assert rows["1805"]["name"] == "Narvik"
    assert rows["0121"]["name"] == "Rømskog"
    # 6 fields per data row under an 8-field header: the missing ones are null, nothing shifted
    assert (
        rows["1804"]["level"] == "1" and rows["1804"]["validFrom"] is None and rows["1804"]["validTo"] is None
    )


def test_klass_2020_export_keeps_notes_and_sami_names():
    frame = klass.read_klass_csv(KLASS_2020)
    assert frame.height == 357
    rows = {r["code"]: r for r in frame.iter_rows(named=True)}
    assert rows["1826"]["name"] == "Aarborte - Hattfjelldal"
    assert rows["1826"]["notes"].startswith("Tospråklig navn Aarborte - Hattfjelldal innført fra 1. 1.  2020")
    assert rows["1841"]["name"] == "Fauske - Fuossko"
    assert rows["1875"]["name"] == "Hábmer - Hamarøy"
    assert "1849" not in rows and "1850" not in rows
    assert rows["5437"]["name"] == "Kárá?johka - Karasjok"  # ISO-8859-1 cannot hold "š": KLASS wrote "?"


def test_klass_csv_with_more_fields_than_the_header_is_refused():
    bad = b'"code";"parentCode";"level";"name"\n"1804";"";"1";"Bod\xf8";"extra"\n'
    with pytest.raises(SsbResponseError, match="Linje 2 i KLASS-CSV-filen har 5 felt"):
        klass.read_klass_csv(bad)


def test_change_table_2019_2020_with_the_tysfjord_split():
    changes = klass.read_change_table(CHANGES, change_occurred=date(2020, 1, 1))
    nordland = changes.filter(pl.col("old_code").str.starts_with("18")).sort("old_code", "new_code")
    assert nordland.select("old_code", "new_code", "split").rows() == [
        ("1805", "1806", False),
        ("1826", "1826", False),
        ("1849", "1875", False),
        ("1850", "1806", True),
        ("1850", "1875", True),
        ("1852", "5412", False),
        ("1854", "1806", False),
    ]
    tysfjord = nordland.filter(pl.col("old_code") == "1850").row(0, named=True)
    assert tysfjord["old_name"] == "Tysfjord - Divtasvuodna" and tysfjord["new_name"] == "Narvik"
    assert changes.filter(pl.col("split"))["old_code"].unique().sort().to_list() == ["1850", "5012"]


def test_imdi_subset_is_byte_identical_to_the_real_file():
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/ssb-samples is not present")
    full = (SHARED_SAMPLES / "imdi_befolkning_innvandringsgrunn_alle_kommuner.csv").read_bytes().split(b"\n")
    subset = IMDI.read_bytes().rstrip(b"\n").split(b"\n")
    assert subset[:4] == full[:4]
    assert all(line in full for line in subset[4:])


@pytest.fixture(scope="module")
def imdi() -> pl.DataFrame:
    return read_ssb_csv(IMDI)


def _cell(frame, code, year, reason="Alle", sex="Alle", unit="Personer"):
    hit = frame.filter(
        (pl.col("region_code") == code)
        & (pl.col("year") == year)
        & (pl.col("innvandringsgrunn_label") == reason)
        & (pl.col("kjonn_label") == sex)
        & (pl.col("enhet_label") == unit)
    )
    assert hit.height == 1
    return hit.row(0, named=True)


def test_imdi_export_k_prefixed_codes_and_historical_units(imdi):
    assert imdi.columns == [
        "region_code",
        "region_label",
        "municipality_code",
        "innvandringsgrunn_label",
        "kjonn_label",
        "enhet_label",
        "ar_label",
        "year",
        "value",
        "status",
    ]
    assert imdi.height == 48 * 576
    bodo = _cell(imdi, "K1804", 2006, sex="Kvinner")
    assert (bodo["region_label"], bodo["municipality_code"], bodo["value"]) == ("Bodø", "1804", 872.0)
    tysfjord = _cell(imdi, "K1850", 2019)
    assert (tysfjord["region_label"], tysfjord["value"]) == ("Tysfjord (t.o.m. 2019)", 156.0)
    hamaroy_old, hamaroy_new = _cell(imdi, "K1849", 2019), _cell(imdi, "K1875", 2020)
    assert (hamaroy_old["region_label"], hamaroy_old["value"]) == ("Hamarøy (t.o.m. 2019)", 234.0)
    assert (hamaroy_new["region_label"], hamaroy_new["value"]) == ("Hamarøy (f.o.m. 2020)", 318.0)
    # after the reform the old unit is blank (not 0); before it the new one is
    assert _cell(imdi, "K1849", 2020)["value"] is None
    assert _cell(imdi, "K1875", 2019)["value"] is None
    share = _cell(imdi, "K1856", 2006, sex="Kvinner", unit="Prosent")
    assert share["value"] == 76.9


def test_imdi_export_has_blanks_and_no_symbol_cells(imdi):
    # The real file marks missing cells by leaving them blank; the symbols are tested below.
    assert imdi["status"].null_count() == imdi.height
    assert imdi.filter(pl.col("value").is_null()).height == 1440  # the 1849/1850/1875/... gaps


def test_ssb_symbols_become_status_with_null_values():
    frame = read_ssb_csv(FIXTURES / "ssb_style_symbols.csv")
    got = {(r["region_code"], r["year"]): (r["value"], r["status"]) for r in frame.iter_rows(named=True)}
    assert got[("K1856", 2019)] == (19.0, None)
    assert got[("K1856", 2020)] == (None, ":")
    assert got[("K1849", 2020)] == (None, ".")
    assert got[("K1875", 2021)] == (None, "..")
    assert got[("K1857", 2019)] == (None, "-")
    assert got[("K1857", 2020)] == (0.0, None)  # a real zero stays a zero
    assert frame.filter(pl.col("region_code") == "K1849")["region_label"][0] == "Hamarøy (t.o.m. 2019)"


def test_a_cell_that_is_neither_number_nor_symbol_is_named():
    bad = "Region;Navn;År: 2020\nK1804;Bodø;12x\n".encode("latin-1")
    with pytest.raises(SsbResponseError, match="'12x' for K1804"):
        read_ssb_csv(bad)
