"""Which municipalities the demo simulates, how big they are, and which code each carries when.

A municipality is simulated as one *entity* across municipal reforms, so its staff do not
vanish on 1 January 2020: an entity is a lineage of KLASS codes (Hamarøy is 1849 up to 2019
and 1875 from 2020; Narvik 1806 continues Narvik 1805 and Ballangen 1854). Links come from
the 2019→2020 change table (`reform_2020.csv`, derived from SSB's change list) and, at any
other boundary in `pipelines/reference/municipalities.csv` (the 2024 county split), from
names: a code that ends and a code that starts the next day with the same name are one
municipality. Before a merger each employee belongs to one of the predecessors, drawn by
their size, so the pre-reform files carry the old codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.errors import WorkforceError
from pipelines.reference import EARLIEST_KLASS_LIST

HERE = Path(__file__).resolve().parent
REFERENCE_CSV = HERE.parent / "reference" / "municipalities.csv"
SIZES_CSV = HERE / "municipalities.csv"
REFORM_2020_CSV = HERE / "reform_2020.csv"

NORWAY_INHABITANTS = 5_500_000
SALTEN = ("1804", "1836", "1837", "1838", "1839", "1840", "1841", "1845", "1848", "1875")
OUTER_LOFOTEN = ("1856", "1857", "1859", "1874")
PRESETS = {"salten": SALTEN, "outer-lofoten": OUTER_LOFOTEN}


class DemoArgumentError(WorkforceError):
    """A demo-data argument (years, municipalities, scale) that cannot be used."""


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    inhabitants: int

    def valid_in(self, year: int, first_year: int) -> bool:
        """Valid on 1 January of the year (reforms take effect then); years before the
        reference list starts use its first year's codes."""
        when = dt.date(max(year, first_year), 1, 1)
        return self.valid_from <= when and (self.valid_to is None or when <= self.valid_to)


@dataclass(frozen=True)
class Entity:
    """One municipality followed through reforms."""

    index: int
    key_code: str  # the latest code
    name: str
    inhabitants: int
    region: str  # named region (salten, outer-lofoten, ...) or the county number
    county: str
    codes: tuple[Code, ...]


@dataclass(frozen=True)
class Geography:
    entities: tuple[Entity, ...]
    first_year: int  # the first year the reference list covers
    code_filter: tuple[str, ...] | None  # only codes with these prefixes are written

    def codes_in_year(self, entity: Entity, year: int) -> list[tuple[str, float]]:
        """The entity's codes valid in `year` with their share of its staff."""
        codes = [c for c in entity.codes if c.valid_in(year, self.first_year)]
        total = sum(c.inhabitants for c in codes) or 1
        return [(c.code, c.inhabitants / total) for c in codes]

    def writes(self, code: str) -> bool:
        return self.code_filter is None or code.startswith(self.code_filter)


def _name_parts(name: str) -> set[str]:
    """'Hábmer - Hamarøy' and 'Hamarøy' are the same place; so are 'Våler (Viken)' and
    'Våler (Østfold)' when one ends and the other starts on the same day."""
    plain = re.sub(r"\s*\(.*?\)", "", name).lower()
    return {part.strip() for part in plain.split(" - ") if part.strip()}


def _read_reference() -> list[tuple[str, str, dt.date, dt.date | None]]:
    rows = []
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["code"] == "9999":  # "Uoppgitt"
                continue
            rows.append(
                (
                    row["code"],
                    row["name"],
                    dt.date.fromisoformat(row["valid_from"]) if row["valid_from"] else EARLIEST_KLASS_LIST,
                    dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                )
            )
    return rows


def _read_sizes() -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]]:
    by_code: dict[str, tuple[int, str]] = {}
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with SIZES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            value = (int(row["inhabitants"]), row["region"])
            by_code[row["code"]] = value
            for part in _name_parts(row["name"]):
                by_name[part].append(value)
    unique = {name: values[0] for name, values in by_name.items() if len(values) == 1}
    return by_code, unique


def _unknown_size(code: str) -> int:
    """A deterministic small-municipality size for codes without a listed one."""
    digest = int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big")
    rng = np.random.default_rng(digest)
    return int(np.clip(rng.lognormal(np.log(3200), 0.75), 300, 25_000))


def load_geography(selection: str) -> Geography:
    """Entities for `selection`: 'salten', 'outer-lofoten' (comma-combinable), 'nordland',
    'norway', or a comma list of 4-digit codes (any code of a lineage selects all of it)."""
    reference = _read_reference()
    first_year = min(r[2] for r in reference).year
    by_code, by_name = _read_sizes()

    sizes: dict[str, int] = {}
    regions: dict[str, str] = {}
    unknown: list[str] = []
    for code, name, _, valid_to in reference:
        found = by_code.get(code)
        if found is None and valid_to is None:  # a current code listed under another number
            matches = [by_name[p] for p in _name_parts(name) if p in by_name]
            found = matches[0] if len(matches) == 1 else None
        if found is None:
            sizes[code] = _unknown_size(code)
            unknown.append(code)
        else:
            sizes[code], regions[code] = found[0], found[1]

    # Lineages: union-find over successor links.
    parent = {r[0]: r[0] for r in reference}

    def find(code: str) -> str:
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    def link(old: str, new: str) -> None:
        parent[find(old)] = find(new)

    reform_2020: dict[str, str] = {}
    with REFORM_2020_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            # a split municipality (Tysfjord, Snillfjord) follows its first successor
            reform_2020.setdefault(row["old_code"], row["new_code"])
    starts: dict[dt.date, list[tuple[str, str]]] = defaultdict(list)
    validity = {code: (valid_from, valid_to) for code, _, valid_from, valid_to in reference}
    for code, name, valid_from, _ in reference:
        starts[valid_from].append((code, name))
    for code, name, _, valid_to in reference:
        if valid_to is None:
            continue
        next_day = valid_to + dt.timedelta(days=1)
        target = reform_2020.get(code)
        if target in validity:
            start, end = validity[target]
            if start <= next_day and (end is None or next_day <= end):
                link(code, target)  # also into a code that goes on (Finnøy into Stavanger)
                continue
        successors = starts.get(next_day, [])
        same_name = [c for c, n in successors if _name_parts(n) & _name_parts(name)]
        if len(same_name) == 1:
            link(code, same_name[0])

    # The listed sizes are real-ish; the others share what is left of Norway's total.
    groups: dict[str, list[tuple[str, str, dt.date, dt.date | None]]] = defaultdict(list)
    for row in reference:
        groups[find(row[0])].append(row)
    key_of = {root: max(rows, key=lambda r: (r[3] is None, r[2], r[0]))[0] for root, rows in groups.items()}
    keys = set(key_of.values())
    known_total = sum(sizes[k] for k in keys if k not in unknown)
    unknown_keys = sorted(k for k in keys if k in unknown)
    unknown_total = sum(sizes[k] for k in unknown_keys)
    if unknown_total:
        factor = max(NORWAY_INHABITANTS - known_total, 0) / unknown_total
        for k in unknown_keys:
            sizes[k] = max(200, round(sizes[k] * factor))

    entities = []
    for root in sorted(groups, key=lambda r: key_of[r]):
        rows = sorted(groups[root], key=lambda r: (r[2], r[0]))
        key = key_of[root]
        key_name = _name_parts(next(r[1] for r in rows if r[0] == key))
        for code, name, _, _ in rows:
            if code != key and code not in by_code and _name_parts(name) & key_name:
                # the old town a merger was named after: the biggest of the predecessors
                sizes[code] = round(sizes[key] * 0.6)
        codes = tuple(Code(c, n, vf, vt, sizes[c]) for c, n, vf, vt in rows)
        county = key[:2]
        entities.append(
            Entity(
                index=len(entities),
                key_code=key,
                name=next(c.name for c in codes if c.code == key),
                inhabitants=sizes[key],
                region=regions.get(key) or f"county-{county}",
                county=county,
                codes=codes,
            )
        )

    chosen, code_filter = _select(entities, selection)
    reindexed = tuple(
        Entity(i, e.key_code, e.name, e.inhabitants, e.region, e.county, e.codes)
        for i, e in enumerate(chosen)
    )
    return Geography(entities=reindexed, first_year=first_year, code_filter=code_filter)


def _select(entities: list[Entity], selection: str) -> tuple[list[Entity], tuple[str, ...] | None]:
    words = [w.strip().lower() for w in selection.split(",") if w.strip()]
    if not words:
        raise DemoArgumentError(
            "--municipalities er tom; bruk salten, outer-lofoten, nordland, norway eller kommunenumre."
        )
    if words == ["norway"]:
        return list(entities), None
    if words == ["nordland"]:
        chosen = [e for e in entities if any(c.code.startswith("18") for c in e.codes)]
        return chosen, ("18",)
    if {"nordland", "norway"} & set(words):
        raise DemoArgumentError("--municipalities: nordland og norway står alene; ikke kombiner dem med annet.")
    wanted: list[str] = []
    for word in words:
        if word in PRESETS:
            wanted.extend(PRESETS[word])
        elif re.fullmatch(r"\d{4}", word):
            wanted.append(word)
        else:
            raise DemoArgumentError(
                f"--municipalities: {word!r} er verken salten, outer-lofoten, nordland, norway "
                "eller et firesifret kommunenummer."
            )
    by_code = {c.code: e for e in entities for c in e.codes}
    missing = [w for w in wanted if w not in by_code]
    if missing:
        raise DemoArgumentError(
            f"--municipalities: ingen kommune med nummer {', '.join(missing)} "
            "i pipelines/reference/municipalities.csv."
        )
    seen: dict[int, Entity] = {}
    for code in wanted:
        entity = by_code[code]
        seen.setdefault(entity.index, entity)
    return [seen[i] for i in sorted(seen)], None
