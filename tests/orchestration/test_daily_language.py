"""One language per audience: everything the Dagster UI shows a user is Norwegian bokmål.

Walks the real code location (jobs, sensors, schedules, assets, asset checks) and fails on a
description that holds common English words, so a new English description cannot slip in."""

from __future__ import annotations

import re

import pytest

# Words frequent in English prose and absent from Norwegian bokmål.
ENGLISH = {
    "the", "and", "of", "with", "which", "when", "every", "each", "from", "into", "is", "are",
    "run", "runs", "rebuild", "build", "publish", "files", "file", "new", "after", "one", "was",
    "that", "this", "their", "its", "on", "not", "no", "or", "fetch", "ingest", "marks",
}
WORD = re.compile(r"[A-Za-zÆØÅæøå_]+")


def english_words(text: str) -> set[str]:
    # Code-ish tokens (paths, identifiers in backticks) are not prose.
    prose = re.sub(r"`[^`]*`|\S*[/_.<>]\S*", " ", text)
    return {w.lower() for w in WORD.findall(prose)} & ENGLISH


@pytest.fixture(scope="module")
def described() -> list[tuple[str, str]]:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    items: list[tuple[str, str | None]] = []
    items += [(f"job {j.name}", j.description) for j in defs.resolve_all_job_defs() if not j.name.startswith("__")]
    items += [(f"sensor {s.name}", s.description) for s in defs.sensors]
    items += [(f"schedule {s.name}", s.description) for s in defs.schedules]
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            items.append((f"asset {key.to_user_string()}", node.description))
    for assets_def in [*defs.assets, *defs.asset_checks]:
        for spec in getattr(assets_def, "check_specs", []):
            items.append((f"check {spec.key.name}", spec.description))
    return items


def test_every_job_sensor_schedule_and_asset_has_a_description(described):
    kinds = ("job", "sensor", "schedule", "asset")
    missing = [name for name, text in described if name.startswith(kinds) and not text]
    assert not missing, missing
    assert sum(1 for name, _ in described if name.startswith("check")) > 100


def test_no_description_a_user_reads_is_english(described):
    english = {name: sorted(english_words(text)) for name, text in described if text and english_words(text)}
    assert not english, english
    # The detector itself finds English.
    assert english_words("Rebuild the indicators and publish the warehouse") >= {"rebuild", "the", "publish"}
    assert not english_words("Bygg indikatorene på nytt og publiser analysebasen")


def test_the_job_descriptions_are_norwegian(described):
    jobs = dict(described)
    assert "kvalitetsporten" in jobs["job ingest_deliveries"]
    assert "publiser" in jobs["job rebuild_indicators"].lower()
