"""Postings (utlysninger): every hire in the model was advertised, some twice, some withdrawn.

A posting is dated backwards from the hire's first day: notice period, decision, closing
date, publication. Key positions (leaders and scarce professions) take longer, draw fewer
applicants and cost far more (agencies, relocation, signing bonuses); in outer Lofoten
their cost per hire rises to the 2019 baseline and then falls by about half by 2025 — the
project's goal — and re-advertising becomes rarer.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.demo import catalogue as cat
from pipelines.demo.model import J, Workforce
from pipelines.demo.timeline import day, year_of

FILLED, READVERTISED, WITHDRAWN = 0, 1, 2
STATUSES = ("filled", "readvertised", "withdrawn", "open")


def lofoten_cost_factor(year: np.ndarray) -> np.ndarray:
    """Outer Lofoten's key-position cost: rising to the 2019 baseline, then down ~50 %."""
    rising = 1.0 + 0.03 * (year - 2015)
    falling = 1.12 * np.maximum(0.45, 1 - 0.09 * (year - 2019))
    return np.where(year <= 2019, rising, falling)


def build_postings(workforce: Workforce, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng([seed, 11])
    geo = workforce.geography
    lofoten_ent = np.array([e.region == "outer-lofoten" for e in geo.entities])
    t0 = day(workforce.first_year - 1, 3, 1)
    hires = workforce.spells.filter(pl.col("hire") & (pl.col("start") >= t0))
    ent = hires["entity"].to_numpy().astype(np.int64)
    pos = hires["position"].to_numpy().astype(np.int64)
    start = hires["start"].to_numpy().astype(np.int64)
    source = hires["hire_source"].to_numpy()
    m = len(ent)
    key = J["key"][pos]
    lofoten = lofoten_ent[ent]
    year = year_of(start.astype(np.int32))
    notice = np.where(key, rng.integers(30, 101, m), rng.integers(14, 76, m))
    filled = start - notice
    closing_days = rng.integers(14, 29, m)
    decision = np.where(key, rng.integers(15, 61, m), rng.integers(5, 36, m))
    decision += np.where(key & lofoten & (year < 2020), rng.integers(20, 61, m), 0)
    published = filled - decision - closing_days
    closing = published + closing_days
    factor = np.where(lofoten, 0.6, 1.0)
    applicants = np.maximum(
        1, rng.poisson(np.array([j.applicants for j in cat.JOBS] + [3] * 3)[pos] * factor)
    )
    qualified = np.maximum(1, rng.binomial(applicants, np.where(key, 0.45, 0.6)))
    level = J["level"][pos]
    key_cost = np.array([cat.KEY_COST_NOK[int(x)] for x in range(5)])[level] * rng.lognormal(0, 0.25, m)
    key_cost *= np.where(lofoten, lofoten_cost_factor(year), 1.0 + 0.01 * (year - 2015))
    cost = np.where(key, key_cost, rng.uniform(2000, 15000, m))
    cost = np.where(source == cat.INTERNAL_HIRE, np.minimum(cost, rng.uniform(0, 3000, m)), cost)
    cost = np.round(cost, -2)
    filled_rows = {
        "entity": ent,
        "position": pos,
        "fte": hires["fte"].to_numpy(),
        "etype": hires["etype"].to_numpy(),
        "published": published,
        "closing": closing,
        "filled": filled,
        "resolved": filled,
        "status": np.full(m, FILLED),
        "applicants": applicants,
        "qualified": qualified,
        "spell": hires["spell"].to_numpy(),
        "hire_source": source,
        "cost": cost,
        "order": np.zeros(m),
    }

    # the same position advertised before without success
    p_readv = np.where(key, 0.15, 0.07)
    p_readv = np.where(
        key & lofoten, np.where(year < 2020, 0.35, np.maximum(0.12, 0.35 - 0.04 * (year - 2019))), p_readv
    )
    again = np.flatnonzero(rng.random(m) < p_readv)
    k = len(again)
    pub0 = published[again] - rng.integers(40, 81, k)
    readv_rows = {
        "entity": ent[again],
        "position": pos[again],
        "fte": filled_rows["fte"][again],
        "etype": filled_rows["etype"][again],
        "published": pub0,
        "closing": pub0 + rng.integers(14, 22, k),
        "filled": np.full(k, -1),
        "resolved": published[again],
        "status": np.full(k, READVERTISED),
        "applicants": rng.poisson(applicants[again] * 0.5),
        "qualified": np.zeros(k, dtype=np.int64),
        "spell": np.full(k, -1),
        "hire_source": np.full(k, -1),
        "cost": np.round(rng.uniform(3000, 12000, k), -2),
        "order": np.ones(k),
    }
    readv_rows["qualified"] = rng.binomial(readv_rows["applicants"], 0.25)

    # postings withdrawn (reorganisation, budget): about 3 % of the hires' volume
    w = rng.poisson(0.03 * m + 0.5) if m else 0
    pick = rng.integers(0, max(m, 1), w)
    pub = published[pick] + rng.integers(-200, 200, w) if m else np.zeros(0, dtype=np.int64)
    close = pub + rng.integers(14, 22, w)
    withdrawn_rows = {
        "entity": ent[pick],
        "position": pos[pick],
        "fte": filled_rows["fte"][pick],
        "etype": filled_rows["etype"][pick],
        "published": pub,
        "closing": close,
        "filled": np.full(w, -1),
        "resolved": close + rng.integers(5, 41, w),
        "status": np.full(w, WITHDRAWN),
        "applicants": rng.poisson(applicants[pick] * 0.7),
        "qualified": np.zeros(w, dtype=np.int64),
        "spell": np.full(w, -1),
        "hire_source": np.full(w, -1),
        "cost": np.round(rng.uniform(1000, 8000, w), -2),
        "order": np.full(w, 2.0),
    }
    withdrawn_rows["qualified"] = rng.binomial(withdrawn_rows["applicants"], 0.5)

    frames = [
        pl.DataFrame({k: np.asarray(v) for k, v in rows.items()})
        for rows in (filled_rows, readv_rows, withdrawn_rows)
    ]
    postings = pl.concat(
        [
            f.with_columns(
                pl.col("entity").cast(pl.Int32),
                pl.col("position").cast(pl.Int16),
                pl.col("fte").cast(pl.Int32),
                pl.col("etype").cast(pl.Int8),
                pl.col("published", "closing", "filled", "resolved").cast(pl.Int32),
                pl.col("status").cast(pl.Int8),
                pl.col("applicants", "qualified").cast(pl.Int32),
                pl.col("spell").cast(pl.Int64),
                pl.col("hire_source").cast(pl.Int8),
                pl.col("cost").cast(pl.Int64),
                pl.col("order").cast(pl.Int8),
            )
            for f in frames
        ]
    )
    # ids numbered per municipality in order of publication: stable across extracts
    postings = postings.sort("entity", "published", "order", "spell", "position", "closing")
    return postings.with_columns(
        (pl.int_range(pl.len()).over("entity") + 100001).cast(pl.Utf8).alias("posting_id"),
    )
