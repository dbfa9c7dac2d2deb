"""A renumbered municipality keeps its HR system, so its employees stay traceable."""

from __future__ import annotations

from pipelines.demo import dialects
from pipelines.demo.generate import build_workforce, hr_system_codes


def test_a_renumbered_municipality_delivers_in_its_latest_codes_dialect():
    # Hyllestad was 1413 until the 2020 county reform renumbered it 4637
    codes = hr_system_codes(build_workforce("2019-2020", 0.05, 42, "4637"))
    assert codes["1413"] == "4637"
    assert dialects.systems_for(codes["1413"]) == dialects.systems_for("4637")


def test_the_demo_municipalities_keep_their_hand_picked_systems():
    codes = hr_system_codes(build_workforce("2019-2020", 0.05, 42, "salten"))
    assert codes["1849"] == "1849"  # Hamarøy before 2020: its own dialect, as the demo shows
    assert codes["1875"] == "1875"
