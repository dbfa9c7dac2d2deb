"""Row validation: source strings -> canonical typed columns, with one reason per failing column.

Every rule is a polars expression, so a national-size file is checked in one vectorised
pass. A value is either typed or explained: each canonical column gets an error column
(`__err__<column>`) holding a Norwegian reason or null, and a row with any reason goes to
quarantine as a whole. Reasons never quote values (values may be personal data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from pipelines.hr import fnr, parse
from pipelines.hr.contract import COLUMNS, Column
from pipelines.hr.profiles import KindMap, Profile
from pipelines.hr.readers import EXTRA_PREFIX, ROW
from pipelines.hr.references import References

ERR = "__err__"
NID = "__nid"  # the normalised, valid national id (never leaves memory)
NID_TEXT = "__nid_text"  # whether the id cell had any text
EMPLOYMENT_REF = "__employment_ref"  # employment id, or the one derived for the key
EXTRA = "__extra"
MIN_WORKING_AGE = 13


@dataclass(frozen=True)
class FileContext:
    """What validation needs to know about the file as a whole."""

    kind: str
    profile: Profile
    source_for: dict[str, str]  # canonical column -> source column
    municipality_fallback: str | None
    refs: References

    @property
    def kind_map(self) -> KindMap:
        return self.profile.kinds[self.kind]


def missing_required(ctx: FileContext) -> list[str]:
    """Canonical columns the file must carry but does not (file-level rule)."""
    have = set(ctx.source_for)
    missing = []
    for col in COLUMNS[ctx.kind]:
        if not col.required or col.name in have:
            continue
        if col.name == "municipality_code" and ctx.municipality_fallback:
            continue
        missing.append(col.name)
    if ctx.kind == "employments" and "national_id" not in have:
        missing += [c for c in ("birth_year", "gender") if c not in have]
    return missing


def _chain(pairs: Iterable[tuple[pl.Expr, str]]) -> pl.Expr:
    """The first reason whose condition holds, else null."""
    expr = None
    for condition, reason in pairs:
        expr = (pl.when(condition) if expr is None else expr.when(condition)).then(pl.lit(reason))
    return pl.lit(None, dtype=pl.String) if expr is None else expr.otherwise(pl.lit(None, dtype=pl.String))


class _Rules:
    """Builds (value, error) expressions per canonical column for one file."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.kmap = ctx.kind_map
        self.formats = ctx.profile.date_formats
        self.open_end = ctx.profile.open_end_dates

    def raw(self, name: str) -> pl.Expr:
        source = self.ctx.source_for.get(name)
        return pl.col(source) if source else pl.lit(None, dtype=pl.String)

    def label(self, name: str) -> str:
        return self.ctx.source_for.get(name, name)

    def build(self, col: Column) -> tuple[pl.Expr, pl.Expr]:
        raw = self.raw(col.name)
        present = parse.has_text(raw)
        missing = (~present, "mangler verdi") if col.required else None
        value, checks = getattr(self, f"_{col.type}")(col, raw, present)
        if col.type in ("municipality",):
            missing = None  # the rule itself knows the file-level fallback
        pairs = ([missing] if missing else []) + checks
        reason = _chain((cond, f"{self.label(col.name)}: {text}") for cond, text in pairs)
        return value.alias(col.name), reason.alias(ERR + col.name)

    # --- one method per column type ---------------------------------------------------
    def _text(self, col: Column, raw: pl.Expr, present: pl.Expr):
        return parse.clean(raw), []

    def _municipality(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.clean(raw)
        value = pl.when(value.str.contains(r"^\d{3}$")).then("0" + value).otherwise(value)
        fallback = self.ctx.municipality_fallback
        if fallback:
            value = pl.coalesce(value, pl.lit(fallback))
        known = list(self.ctx.refs.municipalities)
        return value, [
            (value.is_null(), "mangler kommunenummer"),
            (~value.str.contains(r"^\d{4}$"), "ugyldig kommunenummer (ikke fire sifre)"),
            (~value.is_in(known), "ukjent kommunenummer"),
        ]

    def _position_code(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.clean(raw).str.replace(r"\.0+$", "")
        return value, [
            (present & ~value.str.contains(r"^\d{4}$"), "ugyldig stillingskode (ikke fire sifre)"),
            (present & ~value.is_in(list(self.ctx.refs.position_codes)), "ukjent stillingskode (ikke i KS-listen)"),
        ]

    def _percent(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.number(raw) * self.kmap.fte_scale
        return value, [
            (present & value.is_null(), "ugyldig tall"),
            ((value < 0) | (value > 100), "utenfor 0–100 %"),
        ]

    def _int(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.integer(raw)
        return value, [(present & value.is_null(), "ugyldig heltall")]

    def _count(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.integer(raw)
        return value, [(present & value.is_null(), "ugyldig heltall"), (value < 0, "negativt antall")]

    def _amount(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.number(raw)
        return value, [(present & value.is_null(), "ugyldig beløp"), (value < 0, "negativt beløp")]

    def _date(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.date_value(raw, self.formats, self.open_end)
        open_end = parse.is_open_end(raw, self.formats, self.open_end)
        checks = [(present & value.is_null() & ~open_end, "ugyldig dato")]
        if col.required:
            checks.append((value.is_null(), "mangler dato"))
        return value, checks

    def _month(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.month_value(raw, self.formats)
        return value, [(present & value.is_null(), "ugyldig måned")]

    def _coded(self, col: Column, raw: pl.Expr, present: pl.Expr, what: str):
        value = parse.coded(raw, self.kmap.values[col.name])
        return value, [(present & value.is_null(), f"ukjent {what}")]

    def _gender(self, col: Column, raw: pl.Expr, present: pl.Expr):
        return self._coded(col, raw, present, "kjønnskode")

    def _employment_type(self, col: Column, raw: pl.Expr, present: pl.Expr):
        return self._coded(col, raw, present, "ansettelsesform")

    def _status(self, col: Column, raw: pl.Expr, present: pl.Expr):
        return self._coded(col, raw, present, "status")

    def _hire_source(self, col: Column, raw: pl.Expr, present: pl.Expr):
        return self._coded(col, raw, present, "rekrutteringskilde")

    def _kostra_function(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.clean(raw).str.replace(r"\.0+$", "")
        return value, [(present & ~value.str.contains(r"^\d{3}$"), "ugyldig KOSTRA-funksjon (ikke tre sifre)")]

    def _manager_level(self, col: Column, raw: pl.Expr, present: pl.Expr):
        value = parse.integer(raw)
        return value, [(present & (value.is_null() | ~value.is_between(1, 4)), "ugyldig ledernivå (må være 1–4)")]

    def _national_id(self, col: Column, raw: pl.Expr, present: pl.Expr):
        normalised = fnr.normalise(parse.clean(raw))
        return normalised, [(present & ~fnr.analyse(normalised)["valid"], "ugyldig fødselsnummer")]


def typed(frame: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    """`__row`, every canonical column of the kind (typed), and its `__err__` column."""
    rules = _Rules(ctx)
    columns = COLUMNS[ctx.kind]
    selects: list[pl.Expr] = [pl.col(ROW)]
    for col in columns:
        value, error = rules.build(col)
        selects += [value, error]
    extras = [c for c in frame.columns if c.startswith(EXTRA_PREFIX)]
    extra_text = pl.any_horizontal([parse.has_text(pl.col(c)) for c in extras]) if extras else pl.lit(False)
    selects.append(_chain([(extra_text, "raden har flere felt enn overskriften")]).alias(ERR + EXTRA))
    out = frame.select(selects)
    return _CROSS_CHECKS[ctx.kind](out, ctx, rules)


def _add_reason(name: str, pairs: list[tuple[pl.Expr, str]], label: str) -> pl.Expr:
    """Keep the column's first reason; add a cross-column one only where it had none."""
    return pl.coalesce(pl.col(ERR + name), _chain((c, f"{label}: {t}") for c, t in pairs)).alias(ERR + name)


def _employments(out: pl.DataFrame, ctx: FileContext, rules: _Rules) -> pl.DataFrame:
    nid = pl.col("national_id")
    facts = fnr.analyse(nid)
    has_nid_column = "national_id" in ctx.source_for
    out = out.with_columns(
        pl.when(facts["valid"]).then(nid).otherwise(None).alias(NID),
        nid.is_not_null().alias(NID_TEXT),
        pl.coalesce(pl.col("birth_year"), facts["birth_year"]).alias("birth_year"),
        pl.coalesce(pl.col("gender"), facts["gender"]).alias("gender"),
    ).drop("national_id")
    by, start = pl.col("birth_year"), pl.col("start_date")
    levels = ctx.refs.manager_levels
    seed_level = pl.col("position_code").replace_strict(
        list(levels), list(levels.values()), default=None, return_dtype=pl.Int64
    )
    checks = [
        _add_reason(
            "birth_year",
            [
                (by.is_null(), "mangler verdi" if not has_nid_column else "mangler verdi (og fødselsnummeret gir det ikke)"),
                (~by.is_between(1900, 2100), "ugyldig fødselsår"),
                (by > start.dt.year() - MIN_WORKING_AGE, "ugyldig fødselsår (for ung ved startdato)"),
            ],
            rules.label("birth_year"),
        ),
        _add_reason(
            "gender",
            [(pl.col("gender").is_null(), "mangler verdi" if not has_nid_column else "mangler verdi (og fødselsnummeret gir det ikke)")],
            rules.label("gender"),
        ),
        _add_reason("end_date", [(pl.col("end_date") < start, "sluttdato før startdato")], rules.label("end_date")),
        pl.coalesce(pl.col("manager_level"), seed_level).cast(pl.Int32).alias("manager_level"),
        pl.coalesce(
            pl.col("employment_id"),
            pl.concat_str(
                [pl.col("employee_number"), pl.col("position_code"), start.dt.strftime("%Y-%m-%d")], separator="/"
            ),
        ).alias(EMPLOYMENT_REF),
    ]
    return out.with_columns(checks).with_columns(pl.col("birth_year").cast(pl.Int32))


def _postings(out: pl.DataFrame, ctx: FileContext, rules: _Rules) -> pl.DataFrame:
    published = pl.col("published_date")
    levels = ctx.refs.manager_levels
    seed_level = pl.col("position_code").replace_strict(
        list(levels), list(levels.values()), default=None, return_dtype=pl.Int64
    )
    return out.with_columns(
        _add_reason("filled_date", [(pl.col("filled_date") < published, "besatt før publisert")], rules.label("filled_date")),
        _add_reason(
            "closing_date", [(pl.col("closing_date") < published, "søknadsfrist før publisert")], rules.label("closing_date")
        ),
        _add_reason(
            "qualified_applicants",
            [(pl.col("qualified_applicants") > pl.col("applicants"), "flere kvalifiserte enn søkere")],
            rules.label("qualified_applicants"),
        ),
        pl.coalesce(pl.col("manager_level"), seed_level).cast(pl.Int32).alias("manager_level"),
        pl.col("applicants").cast(pl.Int32),
        pl.col("qualified_applicants").cast(pl.Int32),
    )


def _backlog(out: pl.DataFrame, ctx: FileContext, rules: _Rules) -> pl.DataFrame:
    return out.with_columns(
        _add_reason(
            "overdue_cases",
            [(pl.col("overdue_cases") > pl.col("open_cases"), "flere forfalte enn åpne saker")],
            rules.label("overdue_cases"),
        ),
        pl.col("open_cases").cast(pl.Int32),
        pl.col("overdue_cases").cast(pl.Int32),
    )


_CROSS_CHECKS = {"employments": _employments, "postings": _postings, "backlog": _backlog}


def error_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(ERR)]


def has_error(frame: pl.DataFrame) -> pl.Expr:
    cols = error_columns(frame)
    return pl.any_horizontal([pl.col(c).is_not_null() for c in cols]) if cols else pl.lit(False)
