"""The catalogue of SSB tables (`catalogue.toml`), read into typed entries.

Declaring the tables as data keeps "what we fetch" reviewable by someone who knows SSB
but not Python, and lets a new table be one TOML block.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines.errors import WorkforceError
from pipelines.ssb.query import Query

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
CADENCES = ("monthly", "quarterly", "yearly")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class TableSpec:
    """One catalogue table: where it comes from, what we ask for, where it lands."""

    name: str
    table_id: str
    title: str
    purpose: str
    cadence: str
    values: dict[str, list[str]]
    codelists: dict[str, str] = field(default_factory=dict)
    region_variable: str | None = None
    region_codes: list[str] = field(default_factory=list)
    fill_mandatory: bool = True
    verified: str = ""

    @property
    def raw_table(self) -> str:
        return f"raw.ssb_{self.name}"

    @property
    def cache_key(self) -> str:
        return f"{self.table_id}-{self.name}"

    def query(self, lang: str = "no") -> Query:
        values = dict(self.values)
        if self.region_variable and self.region_codes:
            values = {self.region_variable: self.region_codes, **values}
        # the region list is the county's municipalities, not a claim about the table: a table
        # without one of them drops it with a warning; every other catalogue code must exist
        open_variables = (self.region_variable,) if self.region_variable and self.region_codes else ()
        return Query.build(self.table_id, values, self.codelists, lang=lang, open_variables=open_variables)


@dataclass(frozen=True)
class KlassSpec:
    classification: str
    from_date: str
    purpose: str


@dataclass(frozen=True)
class Catalogue:
    tables: dict[str, TableSpec]
    klass: KlassSpec
    regions: dict[str, list[str]]

    def select(self, which: str | None) -> list[TableSpec]:
        """All tables, or the one named by catalogue name or SSB table id."""
        if not which:
            return list(self.tables.values())
        for spec in self.tables.values():
            if which in (spec.name, spec.table_id, spec.raw_table):
                return [spec]
        known = ", ".join(f"{s.name} ({s.table_id})" for s in self.tables.values())
        raise WorkforceError(f"Katalogen har ingen tabell {which!r}; velg en av {known}, eller klass.")


def _str_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorkforceError(f"catalogue.toml: {where} må være en liste med tekster (koder står i anførselstegn).")
    return list(value)


def parse_catalogue(text: str) -> Catalogue:
    """Read and check the TOML; a mistake names the table and key."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WorkforceError(f"catalogue.toml er ikke gyldig TOML: {error}") from None
    regions = {k: _str_list(v, f"regions.{k}") for k, v in (doc.get("regions") or {}).items()}
    tables: dict[str, TableSpec] = {}
    for name, raw in (doc.get("tables") or {}).items():
        where = f"tables.{name}"
        if not _NAME.match(name):
            raise WorkforceError(f"catalogue.toml: {where}: navnet må skrives lower_snake_case.")
        for key in ("table_id", "title", "purpose", "cadence", "values"):
            if key not in raw:
                raise WorkforceError(f"catalogue.toml: {where} mangler {key!r}.")
        if not re.fullmatch(r"\d{5}", str(raw["table_id"])):
            raise WorkforceError(f"catalogue.toml: {where}.table_id må være fem sifre i anførselstegn.")
        if raw["cadence"] not in CADENCES:
            raise WorkforceError(f"catalogue.toml: {where}.cadence må være en av {', '.join(CADENCES)}.")
        region_codes: list[str] = []
        if raw.get("region_set"):
            prefix = raw.get("region_prefix", "")
            for set_key in ("region_set", "region_history"):
                set_name = raw.get(set_key)
                if set_name and set_name not in regions:
                    raise WorkforceError(
                        f"catalogue.toml: {where}.{set_key} nevner et ukjent regionsett {set_name!r}."
                    )
                region_codes += [prefix + c for c in regions.get(set_name, [])] if set_name else []
            region_codes += _str_list(raw.get("extra_regions", []), f"{where}.extra_regions")
            if not raw.get("region_variable"):
                raise WorkforceError(f"catalogue.toml: {where} har region_set, men ingen region_variable.")
        values = {k: _str_list(v, f"{where}.values.{k}") for k, v in raw["values"].items()}
        tables[name] = TableSpec(
            name=name,
            table_id=str(raw["table_id"]),
            title=str(raw["title"]),
            purpose=str(raw["purpose"]),
            cadence=str(raw["cadence"]),
            values=values,
            codelists={str(k): str(v) for k, v in (raw.get("codelists") or {}).items()},
            region_variable=raw.get("region_variable"),
            region_codes=list(dict.fromkeys(region_codes)),
            fill_mandatory=bool(raw.get("fill_mandatory", True)),
            verified=str(raw.get("verified", "")),
        )
    klass_raw = doc.get("klass") or {}
    klass = KlassSpec(
        classification=str(klass_raw.get("classification", "131")),
        from_date=str(klass_raw.get("from_date", "2015-01-01")),
        purpose=str(klass_raw.get("purpose", "")),
    )
    return Catalogue(tables=tables, klass=klass, regions=regions)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(path.read_text(encoding="utf-8"))
