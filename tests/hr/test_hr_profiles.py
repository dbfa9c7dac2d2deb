"""Profiles are data: every profile loads, is documented, and is recognised from its own
header; a header two profiles read equally well is refused rather than guessed."""

from __future__ import annotations

from datetime import date

import pytest
from hr_support import Home, write_text

from pipelines.hr.profiles import PROFILES_DIR, candidates, load_profiles, match_header
from pipelines.hr.readers import read_table

REQUIRED_PROFILES = {"canonical", "visma", "sap", "unit4", "webcruiter"}


def test_required_profiles_exist_and_are_documented():
    profiles = load_profiles()
    assert set(profiles) >= REQUIRED_PROFILES
    readme = (PROFILES_DIR / "README.md").read_text(encoding="utf-8")
    for name in profiles:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize(
    ("profile", "kind"), [(p.name, k) for p in load_profiles().values() for k in p.kinds]
)
def test_each_profile_recognises_its_own_preferred_header(profile: str, kind: str):
    kmap = load_profiles()[profile].kinds[kind]
    header = [names[0] for names in kmap.columns.values()]
    best = match_header(header, candidates(None, None))[0]
    assert (best.profile.name, best.kind) == (profile, kind)
    assert best.matched == len(header)


def test_headers_match_case_accent_and_punctuation_insensitively():
    header = [
        "KOMMUNENR",
        "ansatt nr",
        "FODSELSNUMMER",
        "Stillings-kode",
        "Stillingsprosent ",
        "Ansettelses form",
        "START DATO",
        "Fødsels år",
        "kjonn",
    ]
    best = match_header(header, candidates("employments", None))[0]
    assert best.profile.name == "visma" and best.matched == 9


def test_canonical_backlog_in_norwegian(home: Home):
    path = write_text(
        home.files / "b.csv",
        ["kommunenr", "tjeneste", "måned", "åpne saker", "forfalte saker"],
        [["1804", "lønn", "05.2023", "1 204", "12"]],
    )
    table = read_table(path.read_bytes(), candidates(None, None))
    assert (table.match.profile.name, table.match.kind) == ("canonical", "backlog")
    result = home.ingest_one(path)
    assert home.query("select service, month, open_cases from raw.hr_backlog") == [
        ("lønn", date(2023, 5, 1), 1204)
    ]
    assert result.extraction_date.isoformat() == "2023-05-01"


def test_ambiguous_header_is_rejected_naming_the_candidates(home: Home):
    # Only names an employments and a postings profile share: no way to tell the kinds apart.
    path = write_text(
        home.files / "x.csv",
        ["kommunenr", "stillingskode", "stillingsprosent", "ansettelsesform"],
        [["1804", "7174", "100", "fast"]],
    )
    result = home.ingest_one(path)
    assert result.outcome == "rejected"
    assert "visma/employments" in result.reason and "webcruiter/postings" in result.reason
    assert "--kind" in result.reason
