"""Cut yearly extracts out of the model, as typed canonical frames (one row per file row).

An extract taken on 15 December holds every employment active at any time since the
previous extract (16 December the year before), so an employment ending between two
extracts is still delivered once with its end date. Permanent employments that end after
the extraction date show no end date yet; fixed-term ones (temporary, substitute,
apprentice) show their agreed end. The postings extract holds postings published since the
last extract and those the last extract showed as still open, with their status as of the
extraction date. Dialect formatting happens later, in `dialects.py`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo import catalogue as cat
from pipelines.demo.fnr import synthetic_ids
from pipelines.demo.model import KOSTRA_CODES, POSITION_CODES, POSITION_TITLES, J, Workforce
from pipelines.demo.timeline import OPEN, day, extraction_day

UNKNOWN_POSITION_CODE = "7999"  # not a KS code: a sprinkled mistake
SPRINKLES = {  # share of rows per mistake (see README): small, deterministic
    "percent_120": 0.0010,
    "end_before_start": 0.0005,
    "unknown_position": 0.0005,
    "duplicate": 0.0010,
}
POSTING_DUPLICATES = 0.002


def _unit_hash(*columns: pl.Expr, salt: int) -> pl.Expr:
    """A deterministic pseudo-random number in [0, 1) from integer columns."""
    mixed = pl.lit(salt, dtype=pl.UInt64)
    for column in columns:
        mixed = (mixed * 6364136223846793005 + column.cast(pl.UInt64) + 1442695040888963407) % (2**61 - 1)
    mixed = (mixed ^ (mixed // 8191)) * 2654435761 % (2**32)
    return mixed.cast(pl.Float64) / 2**32


def _numbering(spells: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Employee numbers (per municipality, in order of first start: 10001, 10002, ...) and
    each person's employment ordinal within the municipality (the `-1`, `-2` of the id)."""
    ent = spells["entity"].to_numpy()
    per = spells["person"].to_numpy()
    start = spells["start"].to_numpy()
    n = len(ent)
    order = np.lexsort((spells["spell"].to_numpy(), start, per, ent))
    e_o, p_o = ent[order], per[order]
    new_group = np.r_[True, (e_o[1:] != e_o[:-1]) | (p_o[1:] != p_o[:-1])]
    group_start = np.flatnonzero(new_group)
    group_sorted = np.cumsum(new_group) - 1
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) - group_start[group_sorted] + 1
    g_ent, g_person, g_first = e_o[group_start], p_o[group_start], start[order][group_start]
    by_first = np.lexsort((g_person, g_first, g_ent))
    ent_sorted = g_ent[by_first]
    rank = np.arange(len(by_first)) - np.searchsorted(ent_sorted, ent_sorted, side="left")
    number = np.empty(len(by_first), dtype=np.int64)
    number[by_first] = rank + 10001
    empno = np.empty(n, dtype=np.int64)
    empno[order] = number[group_sorted]
    return seq, empno


class Extractor:
    def __init__(self, workforce: Workforce, postings: pl.DataFrame, backlog: pl.DataFrame, seed: int):
        self.w = workforce
        self.geo = workforce.geography
        self.seed = seed
        self.backlog = backlog
        persons = workforce.persons
        ids = synthetic_ids(persons["birth"].to_numpy(), persons["gender"].to_numpy())
        self.persons = persons.select(
            "person",
            pl.Series("national_id", ids).cast(pl.Utf8).str.zfill(11),
            pl.col("birth").cast(pl.Date).dt.year().cast(pl.Int32).alias("birth_year"),
            pl.when(pl.col("gender") == 1).then(pl.lit("M")).otherwise(pl.lit("F")).alias("gender"),
        )
        spells = workforce.spells
        seq, empno = _numbering(spells)
        self.spells = spells.with_columns(
            pl.Series("seq", seq),
            pl.Series("empno", empno),
            _unit_hash(pl.col("person"), pl.col("entity"), salt=seed).alias("u"),
        )
        hired = self.spells.select("spell", "person", "empno", "u")
        self.postings = postings.join(hired, on="spell", how="left").with_columns(
            pl.col("u").fill_null(
                _unit_hash(pl.col("entity"), pl.col("posting_id").cast(pl.Int64), salt=seed)
            )
        )
        self.unit_names = pl.Series("unit_name", workforce.units)

    # --- municipality codes ----------------------------------------------------------------
    def codes(self, entity: pl.Series, u: pl.Series, year: int) -> pl.Series:
        """The code each row carries in `year`: before a merger, its predecessor's."""
        per_entity = [self.geo.codes_in_year(e, year) for e in self.geo.entities]
        width = max(1, max(len(c) for c in per_entity))
        names = np.full((len(per_entity), width), "", dtype=object)
        upper = np.full((len(per_entity), width), 2.0)
        for i, codes in enumerate(per_entity):
            cum = 0.0
            for k, (code, weight) in enumerate(codes):
                cum += weight
                names[i, k] = code if self.geo.writes(code) else ""
                upper[i, k] = cum if k < len(codes) - 1 else 2.0
        ent = entity.to_numpy().astype(np.int64)
        idx = (u.to_numpy()[:, None] >= upper[ent]).sum(axis=1)
        return pl.Series("code", names[ent, np.minimum(idx, width - 1)], dtype=pl.Utf8)

    # --- employments --------------------------------------------------------------------------
    def employments(self, year: int) -> pl.DataFrame:
        extract = extraction_day(year)
        previous = extraction_day(year - 1)
        rows = self.spells.filter((pl.col("start") <= extract) & (pl.col("end") > previous))
        rows = rows.with_columns(self.codes(rows["entity"], rows["u"], year)).filter(pl.col("code") != "")
        fixed_term = pl.col("etype") != cat.PERMANENT
        ended = pl.col("end") <= extract
        show_end = ended | (fixed_term & (pl.col("end") != int(OPEN)))
        kommunedirektor = cat.JOB_INDEX["kommunedirektor"]
        titles = pl.Series("t", POSITION_TITLES)
        areas = pl.Series("a", list(cat.SERVICE_AREAS))
        frame = rows.join(self.persons, on="person", how="left").select(
            "spell",
            "code",
            pl.col("empno").cast(pl.Utf8).alias("employee_number"),
            "national_id",
            pl.format("{}-{}", pl.col("empno"), pl.col("seq")).alias("employment_id"),
            "birth_year",
            "gender",
            pl.col("position")
            .replace_strict(list(range(len(POSITION_CODES))), POSITION_CODES, return_dtype=pl.Utf8)
            .alias("position_code"),
            pl.when((pl.col("position") == kommunedirektor) & (pl.col("start") < day(2020, 1, 1)))
            .then(pl.lit("Rådmann"))
            .when(pl.col("position") == cat.JOB_INDEX["kommunalsjef"])
            .then(
                pl.format(
                    "Kommunalsjef {}",
                    pl.col("area").replace_strict(list(range(5)), areas.to_list(), return_dtype=pl.Utf8),
                )
            )
            .otherwise(
                pl.col("position").replace_strict(
                    list(range(len(titles))), titles.to_list(), return_dtype=pl.Utf8
                )
            )
            .alias("position_title"),
            "fte",
            "etype",
            pl.col("start").cast(pl.Date),
            pl.when(show_end).then(pl.col("end")).cast(pl.Date).alias("end"),
            pl.when(ended & (pl.col("reason") > 0))
            .then(
                pl.col("reason").replace_strict(
                    list(range(len(cat.REASONS))), list(cat.REASONS), return_dtype=pl.Utf8
                )
            )
            .alias("reason"),
            pl.col("unit")
            .replace_strict(list(range(len(self.w.units))), self.w.units, return_dtype=pl.Utf8)
            .alias("unit"),
            pl.col("area").replace_strict(list(range(5)), areas.to_list(), return_dtype=pl.Utf8),
            pl.col("kostra").replace_strict(
                list(range(len(KOSTRA_CODES))), KOSTRA_CODES, return_dtype=pl.Utf8
            ),
            pl.col("position")
            .replace_strict(
                list(range(len(J["level"]))), [int(x) or None for x in J["level"]], return_dtype=pl.Int8
            )
            .alias("level"),
            pl.when(pl.col("code").is_in(sorted(cat.EDUCATION_NOT_DELIVERED)))
            .then(None)
            .otherwise(pl.col("education").replace_strict(list(range(4)), list(cat.EDUCATION), return_dtype=pl.Utf8))
            .alias("education"),
        )
        frame = self._sprinkle_employments(frame, year)
        return frame.sort("code", pl.col("employee_number").cast(pl.Int64), "employment_id", "spell").drop(
            "spell"
        )

    def _sprinkle_employments(self, frame: pl.DataFrame, year: int) -> pl.DataFrame:
        """Realistic mistakes, so quarantine and duplicate handling have work in the demo."""
        u = _unit_hash(pl.col("spell"), pl.lit(year), salt=self.seed + 1)
        edges = np.cumsum([0.0, *SPRINKLES.values()])
        in_band = {name: (u >= edges[i]) & (u < edges[i + 1]) for i, name in enumerate(SPRINKLES)}
        frame = frame.with_columns(
            pl.when(in_band["percent_120"]).then(pl.lit(12000)).otherwise(pl.col("fte")).alias("fte"),
            pl.when(in_band["end_before_start"])
            .then(pl.col("start") - pl.duration(days=(u * 1e6 % 200).cast(pl.Int64) + 1))
            .otherwise(pl.col("end"))
            .alias("end"),
            pl.when(in_band["unknown_position"])
            .then(pl.lit(UNKNOWN_POSITION_CODE))
            .otherwise(pl.col("position_code"))
            .alias("position_code"),
        )
        duplicates = frame.filter(in_band["duplicate"])
        return pl.concat([frame, duplicates])

    # --- postings ----------------------------------------------------------------------------
    def postings_for(self, year: int) -> pl.DataFrame:
        extract = extraction_day(year)
        previous = extraction_day(year - 1)
        rows = self.postings.filter((pl.col("published") <= extract) & (pl.col("resolved") > previous))
        rows = rows.with_columns(self.codes(rows["entity"], rows["u"], year)).filter(pl.col("code") != "")
        done = pl.col("resolved") <= extract
        status = (
            pl.when(done)
            .then(
                pl.col("status").replace_strict(
                    [0, 1, 2], ["filled", "readvertised", "withdrawn"], return_dtype=pl.Utf8
                )
            )
            .otherwise(pl.lit("open"))
        )
        filled = done & (pl.col("status") == 0)
        frame = rows.select(
            "code",
            "posting_id",
            pl.col("position")
            .replace_strict(list(range(len(POSITION_CODES))), POSITION_CODES, return_dtype=pl.Utf8)
            .alias("position_code"),
            pl.col("position")
            .replace_strict(list(range(len(POSITION_TITLES))), POSITION_TITLES, return_dtype=pl.Utf8)
            .alias("position_title"),
            pl.col("position")
            .replace_strict(
                list(range(len(J["level"]))), [int(x) or None for x in J["level"]], return_dtype=pl.Int8
            )
            .alias("level"),
            "fte",
            "etype",
            pl.col("published").cast(pl.Date),
            pl.col("closing").cast(pl.Date),
            pl.when(filled).then(pl.col("filled")).cast(pl.Date).alias("filled"),
            status.alias("status"),
            "applicants",
            "qualified",
            pl.when(filled).then(pl.col("empno").cast(pl.Utf8)).alias("hired_employee_number"),
            pl.when(filled)
            .then(
                pl.col("hire_source").replace_strict(
                    list(range(4)), list(cat.HIRE_SOURCES), default=None, return_dtype=pl.Utf8
                )
            )
            .alias("hire_source"),
            pl.when(done).then(pl.col("cost")).alias("cost"),
        )
        u = _unit_hash(
            pl.col("posting_id").cast(pl.Int64),
            pl.col("code").cast(pl.Int64),
            pl.lit(year),
            salt=self.seed + 2,
        )
        frame = pl.concat([frame, frame.filter(u < POSTING_DUPLICATES)])
        return frame.sort("code", pl.col("posting_id").cast(pl.Int64), maintain_order=True)

    # --- backlog -----------------------------------------------------------------------------
    def backlog_for(self, year: int) -> pl.DataFrame:
        start, end = day(year, 1, 1), day(year, 12, 1)
        return (
            self.backlog.filter(pl.col("month").is_between(start, end))
            .select("code", "service", pl.col("month").cast(pl.Date), "open", "overdue")
            .sort("code", "service", "month")
        )

    def extraction_date(self, year: int) -> dt.date:
        return dt.date(year, 12, 15)
