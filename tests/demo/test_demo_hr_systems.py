"""A renumbered municipality keeps its HR system, so its employees stay traceable."""

from __future__ import annotations

from pipelines.demo import dialects
from pipelines.demo.generate import hr_system_codes
from pipelines.demo.geography import load_geography


def test_a_renumbered_municipality_delivers_in_its_latest_codes_dialect():
    # Hyllestad was 1413 until the 2020 county reform renumbered it 4637
    codes = hr_system_codes(load_geography("4637"))
    assert codes["1413"] == "4637"
    assert dialects.systems_for(codes["1413"]) == dialects.systems_for("4637")


def test_the_demo_municipalities_keep_their_hand_picked_systems():
    codes = hr_system_codes(load_geography("salten"))
    assert codes["1849"] == "1849"  # Hamarøy before 2020: its own dialect, as the demo shows
    assert codes["1875"] == "1875"


def test_the_floor_reads_a_renumbered_municipalitys_file_in_the_dialect_it_was_written_in(tmp_path):
    # The benchmark's floor groups files by dialect the way the generator writes them: Hyllestad's
    # 1413 extract of 2019 is in 4637's dialect (the floor once crashed on such files at Nordland scale)
    from pipelines.bench.floor import employment_files

    (tmp_path / "1413_arbeidsforhold_2019-12-15.csv").write_text("")
    (tmp_path / "4637_arbeidsforhold_2020-12-15.csv").write_text("")
    groups = employment_files(tmp_path)
    assert len(groups) == 1
    assert next(iter(groups)) == dialects.systems_for("4637").employments
