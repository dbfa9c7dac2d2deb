"""The benchmark's data sizes.

Each scale is a set of delivery files: a *source* (one run of the demo generator) and the
extract years taken from it. The three Norway histories are cut from one national
generation (2016–2025), so they differ only in how many yearly extracts the warehouse holds,
and the generator runs once for them. `smoke` is the CI scale: the demo municipalities over
three years at a quarter of their headcount.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.errors import WorkforceError


@dataclass(frozen=True)
class Source:
    """One generator run (`generate_deliveries` arguments)."""

    municipalities: str
    years: str
    scale: float = 1.0

    @property
    def name(self) -> str:
        area = self.municipalities.replace(",", "+")
        size = "" if self.scale == 1.0 else f"-x{self.scale:g}"
        return f"{area}-{self.years}{size}"


@dataclass(frozen=True)
class Scale:
    name: str
    description: str
    source: Source
    first_year: int  # extracts from this year up to the source's last
    # Hold back one municipality's last employments extract, for the incremental measurement.
    hold_back: bool = False
    # Also time `make demo` in a fresh WORKFORCE_HOME (issue 16's "make demo after install").
    make_demo: bool = False

    @property
    def last_year(self) -> int:
        return int(self.source.years.split("-")[-1])

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1


DEMO = "salten,outer-lofoten"
NORWAY = Source("norway", "2016-2025")

SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("smoke", "demo municipalities, 2023–2025, ¼ headcount (CI)", Source(DEMO, "2023-2025", 0.25), 2023),
        Scale(
            "demo",
            "demo municipalities (Salten, outer Lofoten), 2016–2025",
            Source(DEMO, "2016-2025"),
            2016,
            hold_back=True,
            make_demo=True,
        ),
        Scale("nordland", "all of Nordland, 2016–2025", Source("nordland", "2016-2025"), 2016),
        Scale("norway-3y", "all of Norway, 2023–2025", NORWAY, 2023),
        Scale("norway-6y", "all of Norway, 2020–2025", NORWAY, 2020),
        Scale("norway-10y", "all of Norway, 2016–2025", NORWAY, 2016, hold_back=True),
    )
}
DEFAULT_SCALES = ("smoke", "demo", "nordland", "norway-3y", "norway-6y", "norway-10y")


def parse_scales(text: str) -> list[Scale]:
    """`all` or a comma-separated list of scale names, in the order given."""
    names = list(DEFAULT_SCALES) if text.strip() == "all" else [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCALES]
    if unknown or not names:
        known = ", ".join(SCALES)
        raise WorkforceError(f"--scales {text!r}: ukjent {', '.join(unknown) or 'tom'}; bruk all eller {known}.")
    return [SCALES[n] for n in names]
