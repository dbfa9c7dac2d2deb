"""Column-mapping profiles: which source headers and values mean which canonical column.

A profile is a small TOML file in `profiles/` (format in `profiles/README.md`), one per
source system. Keeping them declarative means a new municipality's dialect is a reviewed
data change, not new code; this module only loads them and matches a header against them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from pipelines.errors import WorkforceError
from pipelines.hr.contract import CODED_VALUES, COLUMNS, KINDS
from pipelines.hr.names import fold

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DATE_FORMATS = ("dd.mm.yyyy", "dd.mm.yy", "yyyy-mm-dd", "yyyymmdd", "excel")
# A header line must name at least this many columns of a profile to count as a header.
MIN_HEADER_MATCHES = 3


@dataclass(frozen=True)
class KindMap:
    """How one profile maps one file kind."""

    kind: str
    columns: dict[str, tuple[str, ...]]  # canonical -> accepted source names, as written
    by_folded: dict[str, tuple[str, int]]  # folded source name -> (canonical, rank in its list)
    values: dict[str, dict[str, str]]  # canonical column -> folded source value -> canonical value
    fte_scale: float = 1.0

    def source_names(self, canonical: str) -> tuple[str, ...]:
        return self.columns.get(canonical, ())


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    kinds: dict[str, KindMap]
    date_formats: tuple[str, ...]
    open_end_dates: tuple[date, ...]
    sheet: str | None = None


@dataclass(frozen=True)
class HeaderMatch:
    """A header line read through one (profile, kind): which field is which canonical column."""

    profile: Profile
    kind: str
    mapping: dict[int, str] = field(default_factory=dict)  # field index -> canonical column
    primary: int = 0  # fields matched by the first (preferred) name of their column
    # canonical column -> the other field indices that name it too (not chosen; compared by
    # `pipelines.hr.conflicts`, so two columns giving one fact can never disagree silently)
    alternates: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return len(self.mapping)

    @property
    def kind_map(self) -> KindMap:
        return self.profile.kinds[self.kind]

    @property
    def label(self) -> str:
        return f"{self.profile.name}/{self.kind}"


def _parse_sentinel(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"open_end_dates: {text!r} is neither dd.mm.yyyy nor yyyy-mm-dd")


def _load_kind(profile_name: str, kind: str, spec: dict) -> KindMap:
    known = {col.name: col for col in COLUMNS[kind]}
    columns: dict[str, tuple[str, ...]] = {}
    by_folded: dict[str, tuple[str, int]] = {}
    for canonical, names in spec.get("columns", {}).items():
        if canonical not in known:
            raise ValueError(f"profile {profile_name}: {kind} has no canonical column {canonical!r}")
        names = (names,) if isinstance(names, str) else tuple(names)
        columns[canonical] = names
        for rank, name in enumerate(names):
            key = fold(name)
            if key in by_folded and by_folded[key][0] != canonical:
                raise ValueError(
                    f"profile {profile_name}: {name!r} is given for both {by_folded[key][0]} and {canonical}"
                )
            by_folded.setdefault(key, (canonical, rank))
    values: dict[str, dict[str, str]] = {}
    for canonical, mapping in spec.get("values", {}).items():
        allowed = CODED_VALUES.get(canonical)
        if allowed is None:
            raise ValueError(f"profile {profile_name}: {canonical} has no coded values to map")
        folded: dict[str, str] = {fold(v): v for v in allowed}  # canonical words always pass
        for source, target in mapping.items():
            if target not in allowed:
                raise ValueError(
                    f"profile {profile_name}: {canonical} value {target!r} is not one of {allowed}"
                )
            folded[fold(str(source))] = target
        values[canonical] = folded
    for canonical, allowed in CODED_VALUES.items():
        if canonical in known and canonical not in values:
            values[canonical] = {fold(v): v for v in allowed}
    return KindMap(kind, columns, by_folded, values, float(spec.get("fte_scale", 1.0)))


def load_profile(path: Path) -> Profile:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    name = spec.get("name", path.stem)
    formats = tuple(spec.get("date_formats", DATE_FORMATS))
    unknown = [f for f in formats if f not in DATE_FORMATS]
    if unknown:
        raise ValueError(f"profile {name}: unknown date formats {unknown}; use {DATE_FORMATS}")
    kinds = {}
    for kind in spec.get("kinds", []):
        if kind not in KINDS:
            raise ValueError(f"profile {name}: unknown kind {kind!r}")
        kinds[kind] = _load_kind(name, kind, spec.get(kind, {}))
    return Profile(
        name=name,
        title=spec.get("title", name),
        kinds=kinds,
        date_formats=formats,
        open_end_dates=tuple(_parse_sentinel(s) for s in spec.get("open_end_dates", [])),
        sheet=spec.get("sheet"),
    )


@cache
def load_profiles() -> dict[str, Profile]:
    """Every profile in `profiles/`, by name (read once per process)."""
    profiles = {}
    for path in sorted(PROFILES_DIR.glob("*.toml")):
        try:
            profile = load_profile(path)
        except (tomllib.TOMLDecodeError, ValueError) as error:
            raise WorkforceError(f"Profilen {path.name} er ugyldig: {error}") from None
        profiles[profile.name] = profile
    return profiles


def export_header(profile: str, kind: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The header a system writes for these contract columns: each one's first (preferred)
    source name in the profile. The demo's files and the tests' and benchmarks' extracts take
    their headers from here, so a system's header is declared once, in its profile."""
    names = load_profiles()[profile].kinds[kind].columns
    missing = [c for c in columns if c not in names]
    if missing:
        raise ValueError(f"profile {profile}/{kind} names no source column for {', '.join(missing)}")
    return tuple(names[c][0] for c in columns)


def candidates(kind: str | None, profile: str | None) -> list[tuple[Profile, str]]:
    """The (profile, kind) pairs a file may be read with, given the user's options.

    Unknown names are the user's mistake, so they raise a `WorkforceError` before any file is read.
    """
    profiles = load_profiles()
    if kind is not None and kind not in KINDS:
        raise WorkforceError(f"Ukjent --kind {kind!r}; bruk en av {', '.join(KINDS)}.")
    if profile is not None and profile not in profiles:
        raise WorkforceError(f"Ukjent --profile {profile!r}; tilgjengelige profiler: {', '.join(profiles)}.")
    chosen = [profiles[profile]] if profile else list(profiles.values())
    pairs = [(p, k) for p in chosen for k in p.kinds if kind is None or k == kind]
    if not pairs:
        raise WorkforceError(f"Profilen {profile} leser ikke filtypen {kind}.")
    return pairs


_WITH_DIGIT = re.compile(r"[0-9]")


@cache
def _digit_free(names: frozenset[str]) -> bool:
    return not any(_WITH_DIGIT.search(name) for name in names)


_KNOWN: dict[tuple[tuple[int, str], ...], tuple[list[tuple[Profile, str]], frozenset[str]]] = {}


def _known_names(pairs: list[tuple[Profile, str]]) -> frozenset[str]:
    """Every folded source name any of `pairs` reads (worked out once per list of candidates)."""
    key = tuple((id(profile), kind) for profile, kind in pairs)
    held = _KNOWN.get(key)
    if held is None or any(a[0] is not b[0] for a, b in zip(held[0], pairs, strict=True)):
        names = frozenset(name for profile, kind in pairs for name in profile.kinds[kind].by_folded)
        held = _KNOWN[key] = (list(pairs), names)  # the profiles kept pin the ids of the key
    return held[1]


def match_header(fields: list[str], pairs: list[tuple[Profile, str]], minimum: int = 0) -> list[HeaderMatch]:
    """Every candidate's reading of a header line, best first (most columns, then most
    preferred names). When one source column name appears twice, the first one is read; when
    two source columns map to the same canonical column, the one listed earlier in the profile
    is read. Either way the others are kept as `alternates`: the caller refuses the file when
    they disagree with the column read. With a `minimum`, a line that fewer of its fields name
    a known column than that gives no readings at all (header search: most lines are data)."""
    known = _known_names(pairs)
    # Only fields that some candidate knows can match (a data line has none or few of them).
    # No known name has a digit, and folding keeps ASCII digits: a field with one (an id, a
    # date, an amount: most of a data line) cannot match, and is not folded at all.
    digits = _WITH_DIGIT if _digit_free(known) else None
    named = [
        (index, key)
        for index, key in enumerate(fold(f) if f and (digits is None or not digits.search(f)) else "" for f in fields)
        if key in known
    ]
    if len(named) < minimum:  # no candidate can match `minimum` columns (a data line): none asked for
        return []
    matches = []
    for profile, kind in pairs:
        kmap = profile.kinds[kind]
        best: dict[str, tuple[int, int]] = {}  # canonical -> (rank, index)
        seen: dict[str, list[int]] = {}  # canonical -> every index naming it
        for index, key in named:
            hit = kmap.by_folded.get(key)
            if hit is None:
                continue
            canonical, rank = hit
            seen.setdefault(canonical, []).append(index)
            if canonical not in best or rank < best[canonical][0]:
                best[canonical] = (rank, index)
        mapping = {index: canonical for canonical, (rank, index) in best.items()}
        primary = sum(1 for rank, _ in best.values() if rank == 0)
        alternates = {
            canonical: tuple(i for i in indices if i != best[canonical][1])
            for canonical, indices in seen.items()
            if len(indices) > 1
        }
        matches.append(HeaderMatch(profile, kind, mapping, primary, alternates))
    matches.sort(key=lambda m: (-m.matched, -m.primary))
    return matches
