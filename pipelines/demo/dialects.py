"""The HR systems' dialects: which municipality writes how, and the exact headers and codes.

A dialect is a profile (the column names and value codes of one system: `canonical`,
`visma`, `sap`, `unit4`, `webcruiter`) plus how the file is written (encoding, delimiter,
title line). The profiles mirror the ingestion side's (`pipelines/hr/profiles`); keep the
two in step. The demo municipalities' assignment is fixed (and tabled in README.md) so that
every convention appears; any other municipality gets one by a hash of its code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from pipelines.demo import catalogue as cat
from pipelines.hr import contract
from pipelines.hr.profiles import export_header


@dataclass(frozen=True)
class Dialect:
    profile: str  # canonical | visma | sap | unit4 | webcruiter
    encoding: str = "utf-8"  # utf-8 | utf-8-sig (BOM) | cp1252 | utf-16 (LE with BOM); unused for xlsx
    delimiter: str = ";"
    title: bool = False  # a title line (and a blank line) above the header

    @property
    def extension(self) -> str:
        if self.profile == "unit4":
            return "xlsx"
        return "txt" if self.delimiter == "\t" else "csv"  # Excel's "Text (tab delimited)"

    @property
    def line_terminator(self) -> str:
        """Windows-born files (cp1252, UTF-16, BOM) end lines with CRLF."""
        return "\n" if self.encoding == "utf-8" else "\r\n"

    def describe(self) -> str:
        if self.profile == "unit4":
            return "unit4, xlsx, title row"
        names = {"\t": "tab", ";": ";", ",": ",", "|": "|"}
        encodings = {
            "utf-8": "UTF-8",
            "utf-8-sig": "UTF-8 BOM",
            "cp1252": "Windows-1252",
            "utf-16": "UTF-16 LE",
        }
        title = ", title line" if self.title else ""
        return f"{self.profile}, {encodings[self.encoding]}, `{names[self.delimiter]}`{title}"


@dataclass(frozen=True)
class Systems:
    """One municipality's three deliveries."""

    employments: Dialect
    postings: Dialect
    backlog: Dialect


VISMA_CP1252_TITLE = Dialect("visma", "cp1252", ";", True)
VISMA_BOM = Dialect("visma", "utf-8-sig", ";")
VISMA_CP1252 = Dialect("visma", "cp1252", ";")
VISMA_UTF8_TITLE = Dialect("visma", "utf-8", ";", True)
SAP = Dialect("sap", "utf-16", "\t")
UNIT4 = Dialect("unit4")
WEBCRUITER = Dialect("webcruiter", "utf-8-sig", ";")
CANONICAL_UTF8_SEMICOLON = Dialect("canonical", "utf-8", ";")


def canonical(encoding: str, delimiter: str) -> Dialect:
    return Dialect("canonical", encoding, delimiter)


def _same(d: Dialect) -> Systems:
    """Canonical files throughout, in the municipality's own encoding and delimiter."""
    return Systems(d, d, d)


DEMO_SYSTEMS: dict[str, Systems] = {
    "1804": Systems(VISMA_CP1252_TITLE, WEBCRUITER, canonical("cp1252", ";")),  # Bodø
    "1836": _same(canonical("utf-16", "\t")),  # Rødøy
    "1837": Systems(UNIT4, WEBCRUITER, CANONICAL_UTF8_SEMICOLON),  # Meløy
    "1838": _same(canonical("utf-8", ",")),  # Gildeskål
    "1839": Systems(VISMA_BOM, WEBCRUITER, canonical("utf-8-sig", ";")),  # Beiarn
    "1840": Systems(SAP, WEBCRUITER, CANONICAL_UTF8_SEMICOLON),  # Saltdal
    "1841": Systems(canonical("utf-8-sig", ";"), WEBCRUITER, canonical("utf-8-sig", ";")),  # Fauske
    "1845": _same(canonical("cp1252", "|")),  # Sørfold
    "1848": Systems(VISMA_CP1252, WEBCRUITER, canonical("cp1252", ";")),  # Steigen
    "1849": Systems(UNIT4, WEBCRUITER, CANONICAL_UTF8_SEMICOLON),  # Hamarøy before 2020
    "1875": Systems(UNIT4, WEBCRUITER, CANONICAL_UTF8_SEMICOLON),  # Hamarøy
    "1856": Systems(VISMA_UTF8_TITLE, WEBCRUITER, canonical("utf-8", ";")),  # Røst
    "1857": _same(canonical("utf-8", "\t")),  # Værøy
    "1859": Systems(UNIT4, WEBCRUITER, CANONICAL_UTF8_SEMICOLON),  # Flakstad
    "1874": Systems(canonical("cp1252", ","), WEBCRUITER, canonical("cp1252", ",")),  # Moskenes
}

# Everyone else: Visma and Unit4 dominate municipal payroll (KS names only those two), SAP is rare.
OTHER_SYSTEMS: tuple[tuple[Systems, int], ...] = (
    (Systems(VISMA_CP1252, WEBCRUITER, canonical("cp1252", ";")), 20),
    (Systems(VISMA_BOM, WEBCRUITER, canonical("utf-8-sig", ";")), 14),
    (Systems(VISMA_CP1252_TITLE, WEBCRUITER, canonical("cp1252", ";")), 8),
    (Systems(VISMA_UTF8_TITLE, WEBCRUITER, CANONICAL_UTF8_SEMICOLON), 4),
    (Systems(UNIT4, WEBCRUITER, CANONICAL_UTF8_SEMICOLON), 16),
    (Systems(SAP, WEBCRUITER, CANONICAL_UTF8_SEMICOLON), 6),
    (_same(canonical("utf-8", ",")), 8),
    (_same(canonical("utf-8-sig", ";")), 8),
    (_same(canonical("cp1252", "|")), 5),
    (_same(canonical("utf-8", "\t")), 5),
    (_same(canonical("utf-16", "\t")), 3),
    (Systems(canonical("cp1252", ","), WEBCRUITER, canonical("cp1252", ",")), 3),
)


def systems_for(code: str) -> Systems:
    if code in DEMO_SYSTEMS:
        return DEMO_SYSTEMS[code]
    total = sum(w for _, w in OTHER_SYSTEMS)
    pick = int.from_bytes(hashlib.sha256(f"hr-system:{code}".encode()).digest()[:4], "big") % total
    for systems, weight in OTHER_SYSTEMS:
        if pick < weight:
            return systems
        pick -= weight
    raise AssertionError("unreachable")


# --- headers --------------------------------------------------------------------------------
# The contract columns each export carries, in file order (the extraction date and period
# start are facts of the whole file, given in its name or title line); the names each system
# writes for them come from its profile (pipelines/hr/profiles/*.toml).
EMPLOYMENT_FIELDS = tuple(c.name for c in contract.EMPLOYMENTS if c.name not in ("extraction_date", "period_start"))
SAP_FIELDS = (  # no national id; the employee number before the company code
    "employee_number",
    "municipality_code",
    *(c for c in EMPLOYMENT_FIELDS if c not in ("municipality_code", "employee_number", "national_id")),
)
POSTING_FIELDS = tuple(c.name for c in contract.POSTINGS if c.name != "extraction_date")
BACKLOG_FIELDS = tuple(c.name for c in contract.BACKLOG if c.name != "extraction_date")

CANONICAL_EMPLOYMENTS = export_header("canonical", "employments", EMPLOYMENT_FIELDS)
VISMA_EMPLOYMENTS = export_header("visma", "employments", EMPLOYMENT_FIELDS)
SAP_EMPLOYMENTS = export_header("sap", "employments", SAP_FIELDS)
UNIT4_EMPLOYMENTS = export_header("unit4", "employments", EMPLOYMENT_FIELDS)
CANONICAL_POSTINGS = export_header("canonical", "postings", POSTING_FIELDS)
WEBCRUITER_POSTINGS = export_header("webcruiter", "postings", POSTING_FIELDS)
CANONICAL_BACKLOG = export_header("canonical", "backlog", BACKLOG_FIELDS)

NORWEGIAN_TYPES = ("Fast", "Midlertidig", "Vikar", "Lærling")
SAP_TYPES = ("1", "2", "3", "5")
WEBCRUITER_STATUS = {
    "filled": "Besatt",
    "withdrawn": "Trukket",
    "open": "Åpen",
    "readvertised": "Utlyst på nytt",
}
WEBCRUITER_SOURCE = {
    "internal": "Intern",
    "external": "Ekstern",
    "own_apprentice": "Egen lærling",
    "other_municipality": "Annen kommune",
}


# --- value formatting -----------------------------------------------------------------------
def percent(hundredths: pl.Expr, decimal: str = ".") -> pl.Expr:
    """6250 → '62.5' (or '62,5'); 10000 → '100'."""
    whole = (hundredths // 100).cast(pl.Utf8)
    frac = (hundredths % 100).cast(pl.Utf8).str.zfill(2).str.strip_chars_end("0")
    return pl.when(frac == "").then(whole).otherwise(pl.concat_str(whole, pl.lit(decimal), frac))


def percent_two_decimals(hundredths: pl.Expr) -> pl.Expr:
    """6250 → '62.50' (SAP's BSGRD)."""
    return pl.concat_str(
        (hundredths // 100).cast(pl.Utf8), pl.lit("."), (hundredths % 100).cast(pl.Utf8).str.zfill(2)
    )


def nok_norwegian(amount: pl.Expr) -> pl.Expr:
    """12500 → '12 500,00' (space as thousands separator, decimal comma)."""
    millions = (amount // 1_000_000).cast(pl.Utf8)
    thousands = ((amount // 1000) % 1000).cast(pl.Utf8)
    units = (amount % 1000).cast(pl.Utf8)
    grouped = (
        pl.when(amount >= 1_000_000)
        .then(pl.concat_str(millions, pl.lit(" "), thousands.str.zfill(3), pl.lit(" "), units.str.zfill(3)))
        .when(amount >= 1000)
        .then(pl.concat_str(thousands, pl.lit(" "), units.str.zfill(3)))
        .otherwise(units)
    )
    return pl.concat_str(grouped, pl.lit(",00"))


def _codes(expr: pl.Expr, values: tuple[str, ...]) -> pl.Expr:
    return expr.replace_strict(list(range(len(values))), list(values), return_dtype=pl.Utf8)


def _date(expr: pl.Expr, iso: bool) -> pl.Expr:
    return expr.dt.strftime("%Y-%m-%d" if iso else "%d.%m.%Y")


# --- frames in each profile -----------------------------------------------------------------
# The demo frame's column behind each contract field.
SOURCE_COLUMNS = {
    "municipality_code": "code",
    "fte_percent": "fte",
    "employment_type": "etype",
    "start_date": "start",
    "end_date": "end",
    "termination_reason": "reason",
    "service_area": "area",
    "kostra_function": "kostra",
    "manager_level": "level",
    "education_level": "education",
    "published_date": "published",
    "closing_date": "closing",
    "filled_date": "filled",
    "qualified_applicants": "qualified",
    "cost_nok": "cost",
    "open_cases": "open",
    "overdue_cases": "overdue",
}


def _export(
    frame: pl.DataFrame,
    fields: tuple[str, ...],
    names: tuple[str, ...] | list[str],
    spelled: dict[str, pl.Expr],
    *,
    typed: bool = False,
) -> pl.DataFrame:
    """The export's columns under the profile's names: each field as the profile spells it
    (`spelled`), else the demo column as it is (as text, unless the export is typed)."""

    def plain(field: str) -> pl.Expr:
        column = pl.col(SOURCE_COLUMNS.get(field, field))
        return column if typed else column.cast(pl.Utf8)

    columns = [spelled[f] if f in spelled else plain(f) for f in fields]
    return frame.select([col.alias(name) for col, name in zip(columns, names, strict=True)])


EMPLOYMENT_DATES = ("start_date", "end_date")
POSTING_DATES = ("published_date", "closing_date", "filled_date")


def _spelling(dates: tuple[str, ...], *, norwegian: bool) -> dict[str, pl.Expr]:
    """How an export writes the position percentage, the employment type and its dates:
    canonical ('62.5', type codes, ISO dates) or as Norwegian systems do ('62,5', 'Fast', dd.mm.yyyy)."""
    c = pl.col
    spelled = {
        "fte_percent": percent(c("fte"), "," if norwegian else "."),
        "employment_type": _codes(c("etype"), NORWEGIAN_TYPES if norwegian else cat.EMPLOYMENT_TYPES),
    }
    return spelled | {field: _date(c(SOURCE_COLUMNS[field]), not norwegian) for field in dates}


def employments(frame: pl.DataFrame, profile: str) -> pl.DataFrame:
    """Typed canonical employments → the profile's columns (strings; typed for unit4)."""
    c = pl.col
    if profile == "canonical":
        return _export(frame, EMPLOYMENT_FIELDS, CANONICAL_EMPLOYMENTS, _spelling(EMPLOYMENT_DATES, norwegian=False))
    if profile == "visma":
        spelled = {
            **_spelling(EMPLOYMENT_DATES, norwegian=True),
            "gender": pl.when(c("gender") == "F").then(pl.lit("K")).otherwise(pl.lit("M")),
        }
        return _export(frame, EMPLOYMENT_FIELDS, VISMA_EMPLOYMENTS, spelled)
    if profile == "sap":  # no national id: SAP exports here carry birth year and gender only
        spelled = {
            "gender": pl.when(c("gender") == "M").then(pl.lit("1")).otherwise(pl.lit("2")),
            "fte_percent": percent_two_decimals(c("fte")),
            "employment_type": _codes(c("etype"), SAP_TYPES),
            "start_date": _date(c("start"), False),
            "end_date": _date(c("end"), False).fill_null("31.12.9999"),
        }
        return _export(frame, SAP_FIELDS, SAP_EMPLOYMENTS, spelled)
    if profile == "unit4":  # typed: numbers and dates become real Excel cells
        spelled = {
            "gender": pl.when(c("gender") == "F").then(pl.lit("Kvinne")).otherwise(pl.lit("Mann")),
            "employment_type": _codes(c("etype"), NORWEGIAN_TYPES),
        }
        return _export(frame, EMPLOYMENT_FIELDS, UNIT4_EMPLOYMENTS, spelled, typed=True)
    raise ValueError(f"no employments profile {profile!r}")


def postings(frame: pl.DataFrame, profile: str) -> pl.DataFrame:
    c = pl.col
    if profile == "canonical":
        return _export(frame, POSTING_FIELDS, CANONICAL_POSTINGS, _spelling(POSTING_DATES, norwegian=False))
    if profile == "webcruiter":
        spelled = {
            **_spelling(POSTING_DATES, norwegian=True),
            "status": c("status").replace_strict(WEBCRUITER_STATUS, return_dtype=pl.Utf8),
            "hire_source": c("hire_source").replace_strict(WEBCRUITER_SOURCE, default=None, return_dtype=pl.Utf8),
            "cost_nok": nok_norwegian(c("cost")),
        }
        return _export(frame, POSTING_FIELDS, WEBCRUITER_POSTINGS, spelled)
    raise ValueError(f"no postings profile {profile!r}")


def backlog(frame: pl.DataFrame) -> pl.DataFrame:
    return _export(frame, BACKLOG_FIELDS, CANONICAL_BACKLOG, {"month": _date(pl.col("month"), True)})
