"""Row validation: source strings -> canonical typed columns, with one reason per failing column.

A value is either typed or explained. Each canonical column gets an error column
(`__err__<column>`) holding a Norwegian reason or null; a row with any reason goes to
quarantine as a whole. Reasons never quote values (values may be personal data).

Speed: exports repeat themselves (a few hundred position codes, a few thousand dates), so
each column is parsed once per *distinct* value and mapped back; the checks then compare
materialised columns. No expression is evaluated twice and no Python runs per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from pipelines.hr import fnr, parse
from pipelines.hr.contract import COLUMNS, Column
from pipelines.hr.limits import MAX_VALUE_CHARS
from pipelines.hr.profiles import KindMap, Profile
from pipelines.hr.readers import EXTRA_PREFIX, ROW
from pipelines.hr.references import References

ERR = "__err__"
HAS = "__has__"  # whether the source cell had any text
NID = "__nid"  # the normalised, valid national id (never leaves memory)
NID_TEXT = "__nid_text"  # whether the id cell had any text
EMPLOYMENT_REF = "__employment_ref"  # employment id, or the one derived for the key
OPEN_END = "__open_end"  # end date given as an open-end sentinel such as 31.12.9999
EXTRA = "__extra"
MIN_WORKING_AGE = 13


@dataclass(frozen=True)
class FileContext:
    """What validation needs to know about the file as a whole."""

    kind: str
    profile: Profile
    source_for: dict[str, str]  # canonical column -> source column
    # for blank municipality cells; a batch of files (pipelines/hr/batch.py) gives each row its file's
    municipality_fallback: str | pl.Series | None
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


# --- parsing the columns -------------------------------------------------------------------
# Parsed values by (profile, kind, column), kept across the files one process validates: a
# run's files repeat the same codes, years and dates, so after the first few files a column
# is mapped from known values with no parsing at all (most files are small, and parsing even
# a handful of distinct values costs a regex compilation per expression). Bounded: a memo
# that outgrows MEMO_LIMIT values starts again.
MEMO_LIMIT = 100_000
_MEMOS: dict[tuple[int, str, str], tuple[Profile, dict]] = {}

Parser = Callable[[pl.Expr], pl.Expr]


def _memo(profile: Profile, kind: str, column: str) -> dict:
    key = (id(profile), kind, column)
    held = _MEMOS.get(key)
    if held is None or held[0] is not profile:  # the profile object pins its id while memoised
        held = _MEMOS[key] = (profile, {})
    return held[1]


def _parsed_all(jobs: list[tuple[list[str], Parser, pl.DataType, dict]]) -> list[list]:
    """For each job `(values, convert, dtype, memo)`: `convert` of each value (distinct, not
    null), from the memo; the unseen values of every job parsed together in one polars select
    (one frame, each job's unseen values in a column of its own padded with nulls: the parsers
    work value by value, so the padding changes nothing) and remembered."""
    unseen = [[v for v in values if v not in memo] for values, _, _, memo in jobs]
    todo = [i for i, u in enumerate(unseen) if u]
    found: dict[int, dict] = {}
    if todo:
        height = max(len(unseen[i]) for i in todo)
        frame = pl.DataFrame(
            {f"v{i}": pl.Series(unseen[i] + [None] * (height - len(unseen[i])), dtype=pl.String) for i in todo}
        )
        parsed = frame.select(jobs[i][1](pl.col(f"v{i}")).alias(f"v{i}") for i in todo)
        # An integer is a number without a fraction, decided on the parsed number (one parse).
        parsed = parsed.select(
            (parse.whole(pl.col(f"v{i}")) if jobs[i][2] == pl.Int64 else pl.col(f"v{i}")).cast(jobs[i][2])
            for i in todo
        )
        for i in todo:
            found[i] = dict(zip(unseen[i], parsed.get_column(f"v{i}").head(len(unseen[i])).to_list(), strict=True))
    results = []
    for i, (values, _, _, memo) in enumerate(jobs):
        new = found.get(i, {})
        results.append([new[v] if v in new else memo[v] for v in values])
        if new:
            if len(memo) + len(new) > MEMO_LIMIT:
                memo.clear()
            memo.update(new)
    return results


class _Converter:
    """Typed values for each column type: a parser applied to each distinct value once, and
    what is done to the whole column after it."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.kmap = ctx.kind_map
        self.formats = ctx.profile.date_formats

    def parser(self, col: Column) -> tuple[Parser, pl.DataType] | None:
        """How one distinct value of the column is parsed (None: the column is not parsed)."""
        t = col.type
        if t in ("text", "national_id"):
            return None
        if t == "municipality":
            return (lambda e: pl.when(e.str.contains(r"^\d{3}$")).then("0" + e).otherwise(e)), pl.String
        if t in ("position_code", "kostra_function"):
            return (lambda e: e.str.replace(r"\.0+$", "")), pl.String
        if t in ("percent", "amount"):
            return parse.number, pl.Float64
        if t in ("int", "count", "manager_level"):
            return parse.number, pl.Int64  # then `parse.whole` (see _parsed_all)
        if t == "date":
            # Sentinels are kept here (so the check can tell "open" from "bad") and nulled later.
            return (lambda e: parse.date_value(e, self.formats)), pl.Date
        if t == "month":
            return (lambda e: parse.month_value(e, self.formats)), pl.Date
        if t in ("gender", "employment_type", "status", "hire_source"):
            mapping = self.kmap.values[col.name]
            return (lambda e: parse.coded(e, mapping)), pl.String
        raise ValueError(f"unknown column type {t!r}")

    def finish(self, col: Column, value: pl.Series) -> pl.Series:
        if col.type == "municipality" and self.ctx.municipality_fallback is not None:
            return value.fill_null(self.ctx.municipality_fallback)
        if col.type == "percent":
            return value * self.kmap.fte_scale
        if col.type == "national_id":
            return self._national_id(value)
        return value

    def columns(self, text: pl.DataFrame, columns: Iterable[Column]) -> dict[str, pl.Series]:
        """Each of `columns` (present in `text`, trimmed, blanks null) typed: the distinct values
        of every column taken in one pass, the unseen ones parsed, and all mapped back in one."""
        columns = list(columns)
        parsers = {col.name: self.parser(col) for col in columns}
        via = [col for col in columns if parsers[col.name] is not None]
        distinct = text.select(pl.col(c.name).drop_nulls().unique().implode() for c in via).row(0) if via else ()
        jobs = [
            (values, *parsers[col.name], _memo(self.ctx.profile, self.ctx.kind, col.name))  # type: ignore[misc]
            for col, values in zip(via, distinct, strict=True)
            if values
        ]
        results = iter(_parsed_all(jobs))
        mapped = []
        for col, values in zip(via, distinct, strict=True):
            dtype = parsers[col.name][1]  # type: ignore[index]
            if not values:  # nothing but nulls
                mapped.append(pl.col(col.name).cast(dtype, strict=False))
                continue
            old, parsed = pl.Series(values, dtype=pl.String), pl.Series(next(results), dtype=dtype)
            mapped.append(pl.col(col.name).replace_strict(old, parsed, default=None, return_dtype=dtype))
        typed = text.select(mapped) if mapped else pl.DataFrame()
        return {
            col.name: self.finish(col, typed.get_column(col.name) if parsers[col.name] else text.get_column(col.name))
            for col in columns
        }

    def _national_id(self, text: pl.Series) -> pl.Series:
        # Most ids arrive as 11 plain digits; only the others go through normalisation.
        odd = (~text.str.contains(r"^[0-9]{11}$")).fill_null(False)
        if not odd.any():
            return text
        index = odd.arg_true()
        fixed = text.gather(index).to_frame("v").select(fnr.normalise(pl.col("v"))).to_series()
        return text.clone().scatter(index, fixed)


# --- the checks ----------------------------------------------------------------------------
def _chain(pairs: Iterable[tuple[pl.Expr, str]]) -> pl.Expr:
    """The first reason whose condition holds, else null."""
    expr = None
    for condition, reason in pairs:
        expr = (pl.when(condition) if expr is None else expr.when(condition)).then(pl.lit(reason))
    return pl.lit(None, dtype=pl.String) if expr is None else expr.otherwise(pl.lit(None, dtype=pl.String))


def _checks(col: Column, ctx: FileContext) -> list[tuple[pl.Expr, str]]:
    """(condition, reason) pairs over the materialised value and presence columns."""
    value, has = pl.col(col.name), pl.col(HAS + col.name)
    pairs: list[tuple[pl.Expr, str]] = []
    if col.required and col.type not in ("municipality", "date"):
        pairs.append((~has, "mangler verdi"))
    t = col.type
    if t == "municipality":
        pairs += [
            (value.is_null(), "mangler kommunenummer"),
            (~value.str.contains(r"^\d{4}$"), "ugyldig kommunenummer (ikke fire sifre)"),
            (~value.is_in(list(ctx.refs.municipalities)), "ukjent kommunenummer"),
        ]
    elif t == "position_code":
        pairs += [
            # A well-formed code that is in no list loads (position group `unknown`) and is
            # reported per delivery; only a malformed one is a reason (issue 12).
            (has & ~value.str.contains(r"^\d{4}$"), "ugyldig stillingskode (ikke fire sifre)"),
        ]
    elif t == "percent":
        pairs += [(has & value.is_null(), "ugyldig tall"), ((value < 0) | (value > 100), "utenfor 0–100 %")]
    elif t == "int":
        pairs += [(has & value.is_null(), "ugyldig heltall")]
    elif t == "count":
        pairs += [(has & value.is_null(), "ugyldig heltall"), (value < 0, "negativt antall")]
    elif t == "amount":
        pairs += [(has & value.is_null(), "ugyldig beløp"), (value < 0, "negativt beløp")]
    elif t == "date":
        pairs += [(has & value.is_null() & ~pl.col(OPEN_END + col.name), "ugyldig dato")]
        if col.required:
            pairs += [(value.is_null() | pl.col(OPEN_END + col.name), "mangler dato")]
    elif t == "month":
        pairs += [(has & value.is_null(), "ugyldig måned")]
    elif t in ("gender", "employment_type", "status", "hire_source"):
        what = {
            "gender": "kjønnskode",
            "employment_type": "ansettelsesform",
            "status": "status",
            "hire_source": "rekrutteringskilde",
        }[t]
        pairs += [(has & value.is_null(), f"ukjent {what}")]
    elif t == "kostra_function":
        pairs += [(has & ~value.str.contains(r"^\d{3}$"), "ugyldig KOSTRA-funksjon (ikke tre sifre)")]
    elif t == "manager_level":
        pairs += [(has & (value.is_null() | ~value.is_between(1, 4)), "ugyldig ledernivå (må være 1–4)")]
    elif t == "national_id":
        pairs += [(has & ~pl.col("__fnr_valid"), "ugyldig fødselsnummer")]
    elif t == "text":  # a stored value has a bound (a 50 MB cell is not a job title)
        pairs += [(value.str.len_chars() > MAX_VALUE_CHARS, f"for lang verdi (over {MAX_VALUE_CHARS} tegn)")]
    return pairs


def _reason(name: str, pairs: list[tuple[pl.Expr, str]], ctx: FileContext) -> pl.Expr:
    label = ctx.source_for.get(name, name)
    return _chain((cond, f"{label}: {text}") for cond, text in pairs)


def typed(frame: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    """`__row`, every canonical column of the kind (typed), and its `__err__` column."""
    columns = COLUMNS[ctx.kind]
    mapped = {c.name: ctx.source_for[c.name] for c in columns if c.name in ctx.source_for}
    # Trim, then blank -> null, in two passes: one expression would strip every value twice.
    text = frame.select(pl.col(ROW), *(parse.strip(pl.col(src)).alias(name) for name, src in mapped.items()))
    text = text.with_columns(
        pl.when(pl.col(name).str.len_bytes() == 0).then(None).otherwise(pl.col(name)).alias(name)
        for name in mapped
    )
    converter = _Converter(ctx)
    # Columns the file does not have are all null (typed as the parser types them).
    missing = [col for col in columns if col.name not in mapped]
    text = text.with_columns(pl.lit(None, dtype=pl.String).alias(col.name) for col in missing)
    converted = converter.columns(text, columns)
    present = text.select(pl.col(col.name).is_not_null().alias(HAS + col.name) for col in columns)
    series: list[pl.Series] = [text.get_column(ROW)]
    for col in columns:
        series.append(present.get_column(HAS + col.name))
        series.append(converted[col.name].alias(col.name))
    extras = [c for c in frame.columns if c.startswith(EXTRA_PREFIX)]
    if extras:
        extra_text = frame.select(pl.any_horizontal([parse.has_text(pl.col(c)) for c in extras])).to_series()
    else:
        extra_text = pl.Series(dtype=pl.Boolean).extend_constant(False, frame.height)
    values = pl.DataFrame(series).with_columns(extra_text.alias(HAS + EXTRA))

    # Open-end sentinels (31.12.9999) are "no date", not a bad one.
    sentinels = list(ctx.profile.open_end_dates)
    dates = [c.name for c in columns if c.type == "date"]
    values = values.with_columns(
        *(
            (pl.col(d).is_in(sentinels).fill_null(False) if sentinels else pl.lit(False)).alias(OPEN_END + d)
            for d in dates
        )
    ).with_columns(*(pl.when(pl.col(OPEN_END + d)).then(None).otherwise(pl.col(d)).alias(d) for d in dates))

    if ctx.kind == "employments":
        facts = fnr.analyse_series(values.get_column("national_id"))
        values = values.with_columns(
            facts.get_column("valid").alias("__fnr_valid"),
            facts.get_column("birth_year").alias("__fnr_birth_year"),
            facts.get_column("gender").alias("__fnr_gender"),
        )

    errors = [_reason(col.name, _checks(col, ctx), ctx).alias(ERR + col.name) for col in columns]
    errors.append(_chain([(pl.col(HAS + EXTRA), "raden har flere felt enn overskriften")]).alias(ERR + EXTRA))
    values = values.with_columns(errors)
    values = _CROSS_CHECKS[ctx.kind](values, ctx)
    helpers = [c for c in values.columns if c.startswith((HAS, OPEN_END, "__fnr_"))]
    return values.drop(helpers)


def _add_reason(name: str, pairs: list[tuple[pl.Expr, str]], ctx: FileContext) -> pl.Expr:
    """Keep the column's first reason; add a cross-column one only where it had none."""
    return pl.coalesce(pl.col(ERR + name), _reason(name, pairs, ctx)).alias(ERR + name)


def _seed_level(ctx: FileContext) -> pl.Expr:
    levels = ctx.refs.manager_levels
    return pl.col("position_code").replace_strict(
        list(levels), list(levels.values()), default=None, return_dtype=pl.Int64
    )


def _employments(values: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    has_nid_column = "national_id" in ctx.source_for
    missing = "mangler verdi (og fødselsnummeret gir det ikke)" if has_nid_column else "mangler verdi"
    values = values.with_columns(
        pl.when(pl.col("__fnr_valid")).then(pl.col("national_id")).otherwise(None).alias(NID),
        pl.col(HAS + "national_id").alias(NID_TEXT),
        pl.coalesce(pl.col("birth_year"), pl.col("__fnr_birth_year")).alias("birth_year"),
        pl.coalesce(pl.col("gender"), pl.col("__fnr_gender")).alias("gender"),
    ).drop("national_id")
    by, start = pl.col("birth_year"), pl.col("start_date")
    return values.with_columns(
        _add_reason(
            "birth_year",
            [
                (by.is_null(), missing),
                (~by.is_between(1900, 2100), "ugyldig fødselsår"),
                (by > start.dt.year() - MIN_WORKING_AGE, "ugyldig fødselsår (for ung ved startdato)"),
            ],
            ctx,
        ),
        _add_reason("gender", [(pl.col("gender").is_null(), missing)], ctx),
        _add_reason("end_date", [(pl.col("end_date") < start, "før startdato")], ctx),
        pl.coalesce(pl.col("manager_level"), _seed_level(ctx)).cast(pl.Int32).alias("manager_level"),
        pl.coalesce(
            pl.col("employment_id"),
            pl.concat_str(
                [pl.col("employee_number"), pl.col("position_code"), start.dt.strftime("%Y-%m-%d")],
                separator="/",
            ),
        ).alias(EMPLOYMENT_REF),
    ).with_columns(pl.col("birth_year").cast(pl.Int32))


def _postings(values: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    published = pl.col("published_date")
    return values.with_columns(
        _add_reason("filled_date", [(pl.col("filled_date") < published, "besatt før publisert")], ctx),
        _add_reason(
            "closing_date", [(pl.col("closing_date") < published, "søknadsfrist før publisert")], ctx
        ),
        _add_reason(
            "qualified_applicants",
            [(pl.col("qualified_applicants") > pl.col("applicants"), "flere kvalifiserte enn søkere")],
            ctx,
        ),
        pl.coalesce(pl.col("manager_level"), _seed_level(ctx)).cast(pl.Int32).alias("manager_level"),
        pl.col("applicants").cast(pl.Int32),
        pl.col("qualified_applicants").cast(pl.Int32),
    )


def _backlog(values: pl.DataFrame, ctx: FileContext) -> pl.DataFrame:
    return values.with_columns(
        _add_reason(
            "overdue_cases",
            [(pl.col("overdue_cases") > pl.col("open_cases"), "flere forfalte enn åpne saker")],
            ctx,
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
