"""Norwegian labels and number formats shared by the workbook and the report.

The labels of codes (units, breakdown values, basis, families) are the marts' own
(`marts.dim_label`, read through `inputs.READS`); this module holds what is the release's
alone: the report's family introductions, how many decimals a published value keeps, and
formatting numbers the Norwegian way (decimal comma, space as thousands separator), so the
Excel file and the HTML report never disagree about how a figure reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.release.errors import ReleaseError

# The report's one-line introduction of each indicator family (catalogue `topic`): report
# prose, not a label of a code, so it lives with the release.
FAMILY_INTRO_NB = {
    "fulltime": "Hvor mange som jobber fulle stillinger, og hvor store stillingene er.",
    "turnover": "Hvor mange som slutter, og hvor de går.",
    "stability": "Hvor lenge nyansatte blir, og hvor mange som er midlertidig ansatt.",
    "key_positions": "Ledere og fagfolk det er vanskelig å erstatte.",
    "recruitment": "Hvor lang tid og hvor mye det koster å besette en stilling.",
    "apprentices": "Om kommunene ansetter lærlingene de selv har utdannet.",
    "diversity": "Kjønn, alder og hvor mange som når pensjonsalder de neste årene.",
    "capacity": "Funksjoner som HR, lønn og regnskap: der én person bærer en funksjon, kan én oppsigelse stoppe "
    "tjenesten.",
    "competence": "Utdanning blant de ansatte, og hvor mange som må erstattes når de går av med pensjon.",
    "backlog": "Saker på overtid i tjenestene.",
}


@dataclass(frozen=True)
class Labels:
    """The Norwegian label of every code the marts carry, as `marts.dim_label` publishes it.

    The release keeps no copy of these words: units, breakdowns and their values, basis, area
    types and indicator families are read from the mart (seeds own them), so the workbook,
    the report and an analyst's query of the marts say the same thing. A code without a label
    is an error naming the kind and the code, never a silent fallback to the code.
    """

    names: Mapping[tuple[str, str], str]
    order: Mapping[tuple[str, str], int]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> Labels:
        names: dict[tuple[str, str], str] = {}
        order: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (str(row["kind"]), str(row["code"]))
            names[key] = str(row["label_nb"])
            if row["sort_order"] is not None:
                order[key] = int(row["sort_order"])
        return cls(names=dict(sorted(names.items())), order=dict(sorted(order.items())))

    def label(self, kind: str, code: str) -> str:
        try:
            return self.names[(kind, code)]
        except KeyError:
            raise ReleaseError(
                f"marts.dim_label har ingen etikett for {kind} = {code!r}; legg den til i seeden som eier koden "
                "(dbt/seeds/labels.csv eller kodens egen seed) og bygg modellene på nytt."
            ) from None

    def family(self, code: str) -> str:
        return self.label("topic", code)

    def unit(self, code: str) -> str:
        return self.label("unit", code)

    def basis(self, code: str | None) -> str:
        return self.label("basis", code) if code else ""

    def area_type(self, code: str) -> str:
        return self.label("area_type", code)

    def breakdown(self, code: str) -> str:
        return self.label("breakdown", code)

    def value(self, breakdown: str, code: str) -> str:
        """A breakdown value: `dim_label.kind = breakdown`, as the mart's own documentation joins it."""
        return self.label(breakdown, code)

    def family_rank(self, code: str) -> tuple[int, str]:
        """Where a family goes in the workbook and the report: the seed's sort order."""
        return (self.order.get(("topic", code), 10**6), code)


# Decimals a published value keeps, by unit: enough to read, not more than the data carry.
VALUE_DECIMALS = {
    "share": 4,
    "percent": 1,
    "count": 2,
    "fte": 1,
    "days": 1,
    "nok": 0,
    "years": 1,
    "per_1000": 2,
    "index": 3,
    "applicants": 1,
    "persons": 1,  # only projections (replacement gaps) are in persons: 3,6, not 4
}


def format_count(value: float | int) -> str:
    """A count of persons (or municipalities) as an integer with thousands separators."""
    return group_thousands(str(round(value)))


def group_thousands(text: str) -> str:
    """'1234567' → '1 234 567' with no-break spaces (Norwegian style)."""
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + "\u00a0".join(groups)


def format_number(value: float, decimals: int) -> str:
    """A number in Norwegian notation: '12 345,6'."""
    text = f"{value:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    whole = group_thousands(whole)
    return f"{whole},{fraction}" if fraction else whole


# unit → (scale, decimals, template): how a published figure of that unit is written.
UNIT_FORMATS: dict[str, tuple[int, int, str]] = {
    "share": (100, 1, "{}\u00a0%"),
    "percent": (1, 1, "{}\u00a0%"),
    "days": (1, 0, "{}\u00a0dager"),
    "nok": (1, 0, "kr\u00a0{}"),
    "years": (1, 1, "{}\u00a0år"),
    "fte": (1, 1, "{}\u00a0årsverk"),
    "index": (1, 2, "{}"),
    "per_1000": (1, 1, "{}"),
    "applicants": (1, 1, "{}"),
}


def format_value(value: float | None, unit: str, *, symbol: str = "") -> str:
    """A published figure as a reader sees it ('45,2 %', '38 dager', 'kr 61 500', ':')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return symbol or ".."
    if unit in UNIT_FORMATS:
        scale, decimals, template = UNIT_FORMATS[unit]
        return template.format(format_number(scale * value, decimals))
    if unit in ("count", "persons"):
        return format_count(value)
    return format_number(value, 0 if float(value).is_integer() else 1)


def _decimals_for(step: float) -> int:
    """Just enough decimals to tell ticks `step` apart (step 2.5 → 1, step 0.05 → 2)."""
    if step <= 0 or not math.isfinite(step):
        return 0
    for decimals in range(0, 6):
        if abs(round(step, decimals) - step) < step * 1e-6:
            return decimals
    return 6


def format_axis(value: float, unit: str, step: float = 1.0) -> str:
    """A short tick label for a chart axis, with as many decimals as the tick step needs."""
    if unit == "share":
        return f"{format_number(100 * value, _decimals_for(100 * step))}\u00a0%"
    if unit == "nok" and step >= 1000:
        return f"{format_number(value / 1000, _decimals_for(step / 1000))}\u00a0k"
    return format_number(value, _decimals_for(step))


def format_date(text: str | None) -> str:
    """'2025-03-02T10:00:00' → '02.03.2025 kl. 10.00'; '2025-01-15' → '15.01.2025'."""
    if not text:
        return "ukjent"
    value = str(text)
    if len(value) < 10 or value[4] != "-" or value[7] != "-":
        return value
    day = f"{value[8:10]}.{value[5:7]}.{value[0:4]}"
    time = value[11:16] if len(value) >= 16 else ""
    return f"{day} kl. {time.replace(':', '.')}" if time and time != "00:00" else day
