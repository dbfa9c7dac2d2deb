"""Norwegian words and number formats shared by the workbook and the report.

One place for the bokmål labels of units, breakdowns and families, and for formatting
numbers the Norwegian way (decimal comma, space as thousands separator), so the Excel
file and the HTML report never disagree about what a figure is called or how it reads.
"""

from __future__ import annotations

import math

UNIT_NB = {
    "share": "andel",
    "percent": "prosent",
    "count": "antall",
    "fte": "årsverk",
    "days": "dager",
    "nok": "kroner",
    "years": "år",
    "per_1000": "per 1 000 innbyggere",
    "index": "indeks",
    "applicants": "søkere",
    "persons": "personer",
}

BREAKDOWN_NB = {
    "total": "Totalt",
    "service_area": "Tjenesteområde",
    "position_group": "Stillingsgruppe",
    "gender": "Kjønn",
    "age_band": "Aldersgruppe",
    "function_family": "Funksjon",
    "transition": "Overgang",
    "service": "Tjeneste",
}

# Breakdown values the models produce as codes (dbt/seeds/age_bands.csv, position_groups.csv,
# function_families.csv and the transitions of int_indicators__turnover). Service areas and
# backlog services are the municipalities' own words and are shown as delivered.
VALUE_NB = {
    "total": "Totalt",
    "F": "Kvinner",
    "M": "Menn",
    "ukjent": "Ukjent",
    "unknown": "Ukjent",
    "under_30": "Under 30 år",
    "30_44": "30–44 år",
    "45_54": "45–54 år",
    "55_61": "55–61 år",
    "62_plus": "62 år og eldre",
    "unskilled": "Ufaglært",
    "skilled": "Fagarbeider",
    "bachelor": "Høyskole",
    "master": "Master",
    "leader": "Leder",
    "hr": "HR og personal",
    "payroll": "Lønn",
    "accounting": "Regnskap",
    "invoicing": "Fakturering",
    "finance": "Økonomi",
    "technical_planning": "Teknisk og plan",
    "ict": "IKT",
    "same_municipality_same_service_area": "Samme kommune, samme tjenesteområde",
    "same_municipality_other_service_area": "Samme kommune, annet tjenesteområde",
    "other_municipality_in_region": "Annen kommune i regionen",
    "other_municipality_outside_region": "Annen kommune utenfor regionen",
    "not_employed": "Ikke ansatt i en kommune",
    "helse_omsorg": "Helse og omsorg",
    "oppvekst": "Oppvekst",
    "administrasjon": "Administrasjon",
    "teknisk": "Teknisk",
    "kultur": "Kultur",
}

# Indicator families are the catalogue's `topic` (dbt/seeds/indicator_catalogue.csv), in
# the order the report and the workbook show them.
FAMILY_NB = {
    "fulltime": "Heltid",
    "turnover": "Turnover og mobilitet",
    "stability": "Stabilitet",
    "key_positions": "Nøkkelstillinger",
    "recruitment": "Rekruttering",
    "apprentices": "Lærlinger",
    "diversity": "Mangfold og alder",
    "capacity": "Fellesfunksjoner",
    "competence": "Kompetanse",
    "backlog": "Restanser",
}
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

# `basis` of a person figure (fct_indicators.basis).
BASIS_NB = {
    "sector": "Hele kommunesektoren",
    "municipality": "Innen kommunen",
}

AREA_TYPE_NB = {"municipality": "Kommune", "region": "Region"}
REASON_NB = {"primary": "primær", "secondary": "sekundær"}

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


def family_nb(family: str | None) -> str:
    if not family:
        return "Andre"
    return FAMILY_NB.get(family, family.replace("_", " ").capitalize())


def value_nb(value: str | None) -> str:
    """A breakdown value as a reader sees it: the Norwegian label, or the municipality's own word."""
    if value is None:
        return ""
    if value in VALUE_NB:
        return VALUE_NB[value]
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def unit_nb(unit: str | None) -> str:
    return UNIT_NB.get(unit or "", unit or "")


def basis_nb(basis: str | None) -> str:
    return BASIS_NB.get(basis or "", "")


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


def format_value(value: float | None, unit: str, *, symbol: str = "") -> str:
    """A published figure as a reader sees it ('45,2 %', '38 dager', 'kr 61 500', ':')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return symbol or ".."
    if unit == "share":
        return f"{format_number(100 * value, 1)}\u00a0%"
    if unit == "percent":
        return f"{format_number(value, 1)}\u00a0%"
    if unit == "days":
        return f"{format_number(value, 0)}\u00a0dager"
    if unit == "nok":
        return f"kr\u00a0{format_number(value, 0)}"
    if unit == "years":
        return f"{format_number(value, 1)}\u00a0år"
    if unit == "fte":
        return f"{format_number(value, 1)}\u00a0årsverk"
    if unit == "index":
        return format_number(value, 2)
    if unit in ("per_1000", "applicants"):
        return format_number(value, 1)
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
