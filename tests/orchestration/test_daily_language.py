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
    # What else the UI shows: a step's description (the op, in a run), the Launchpad's config
    # fields, and an asset's own metadata (Dagster's and dagster-dbt's keys are not ours).
    for job in defs.resolve_all_job_defs():
        for node_def in job.graph.node_defs:
            items.append((f"step {node_def.name}", node_def.description))
            fields = getattr(node_def.config_schema, "config_type", None)
            for name, field in (getattr(fields, "fields", None) or {}).items():
                items.append((f"config {node_def.name}.{name}", field.description))
    for key in graph.get_all_asset_keys():
        for name, value in (graph.get(key).metadata or {}).items():
            text = getattr(value, "value", value)
            if isinstance(text, str) and not name.startswith(("dagster", "dagster_dbt", "dagster-dbt")):
                items.append((f"metadata {key.to_user_string()}.{name}", f"{name}: {text}"))
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


def test_steps_and_launchpad_fields_are_described_in_norwegian(described):
    names = dict(described)
    assert "innboksen" in names["step hr_inbox"]
    assert "dbt build" in names["step workforce_dbt"]
    assert names["config hr_inbox.files"] and names["config workforce_dbt.from_year"]
    assert "formål: " in names["metadata raw/ssb_population.formål"]


def test_the_job_descriptions_are_norwegian(described):
    jobs = dict(described)
    assert "kvalitetsporten" in jobs["job ingest_deliveries"]
    assert "publiser" in jobs["job rebuild_indicators"].lower()


# --- the command line's help pages -------------------------------------------------------
# English words a Norwegian help page has no business holding; command names (`run`,
# `publish`, `ingest`) and option names are code and are left out of the prose first.
HELP_ENGLISH = (ENGLISH - {"run", "runs", "rebuild", "build", "publish", "files", "file", "new", "fetch", "ingest",
                           "marks", "no", "on", "one", "or"}) | {
    "usage", "options", "arguments", "commands", "show", "message", "exit", "required", "default", "error",
}


def _commands(command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def help_pages() -> list[tuple[str, str]]:
    """`workforce [COMMAND …] --help` for every command and group, as a user would call it."""
    import typer.main
    from typer.testing import CliRunner

    from pipelines.cli import app

    runner = CliRunner()
    pages = []
    for path, _ in _commands(typer.main.get_command(app)):
        done = runner.invoke(app, [*path, "--help"], prog_name="workforce", env={"COLUMNS": "100"})
        assert done.exit_code == 0, (path, done.output)
        pages.append((" ".join(("workforce", *path)), done.output))
    return pages


def test_every_help_page_is_norwegian():
    pages = help_pages()
    assert len(pages) > 20
    english = {}
    for name, text in pages:
        prose = re.sub(r"(?<!\w)--?[\w-]+|\b[a-z]+_[\w]+|\S*[/.<>]\S*|`[^`]*`", " ", text)
        commands = {word for word in WORD.findall(text) if f"│ {word} " in text}  # the command table's names
        words = {w.lower() for w in WORD.findall(prose)} - commands
        if words & HELP_ENGLISH:
            english[name] = sorted(words & HELP_ENGLISH)
        assert "Bruk: workforce" in text and "Vis denne hjelpen og avslutt." in text, text
        assert "<str>" not in text and "[required]" not in text, text
    assert not english, english
