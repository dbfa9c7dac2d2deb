"""Backlog (restanser): open and overdue cases per service and month, from case systems.

Only some municipalities deliver it: the outer Lofoten four (their goal is −20 % overdue
cases through stable staffing), Bodø, Fauske and Steigen, and about one in seven elsewhere.
Overdue shares fall over the years (in outer Lofoten from 2020), with a summer bump.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from pipelines.demo.geography import Entity
from pipelines.demo.model import Workforce
from pipelines.demo.timeline import day

SERVICES = ("byggesak", "fakturering", "lønn")
DELIVERS_BACKLOG = {"1856", "1857", "1859", "1874", "1804", "1841", "1848"}


def delivers_backlog(entity: Entity) -> bool:
    if any(c.code in DELIVERS_BACKLOG for c in entity.codes):
        return True
    if entity.region in ("salten", "outer-lofoten"):
        return False
    digest = hashlib.sha256(entity.key_code.encode()).digest()
    return digest[0] % 7 == 0


def build_backlog(workforce: Workforce, seed: int) -> pl.DataFrame:
    """One row per (entity, code share, service, month) for every delivering entity."""
    rng = np.random.default_rng([seed, 13])
    geo = workforce.geography
    rows: dict[str, list] = {k: [] for k in ("entity", "code", "service", "month", "open", "overdue")}
    years = np.arange(workforce.first_year, workforce.last_year + 1)
    for entity in geo.entities:
        if not delivers_backlog(entity):
            continue
        lofoten = entity.region == "outer-lofoten"
        slots = int(workforce.slots_per_entity[entity.index])
        base = {
            "byggesak": 2 + entity.inhabitants / 400,
            "fakturering": 3 + entity.inhabitants / 250,
            "lønn": 1 + slots / 150,
        }
        for year in years:
            codes = [(c, w) for c, w in geo.codes_in_year(entity, int(year)) if geo.writes(c)]
            if lofoten:
                trend = 1.0 if year <= 2019 else max(0.6, 1 - 0.05 * (year - 2019))
                share0 = 0.36
            else:
                trend = max(0.7, 1 - 0.015 * (year - 2015))
                share0 = 0.30
            for code, weight in codes:
                for service in SERVICES:
                    months = np.arange(1, 13)
                    season = np.where(np.isin(months, [6, 7, 8]), 1.25, 1.0)
                    open_ = rng.poisson(base[service] * weight * season)
                    share = np.clip(
                        share0 * trend + np.where(season > 1, 0.05, 0) + rng.normal(0, 0.03, 12), 0.02, 0.95
                    )
                    overdue = rng.binomial(open_, share)
                    rows["entity"].extend([entity.index] * 12)
                    rows["code"].extend([code] * 12)
                    rows["service"].extend([service] * 12)
                    rows["month"].extend(day(int(year), int(mth), 1) for mth in months)
                    rows["open"].extend(open_.tolist())
                    rows["overdue"].extend(overdue.tolist())
    return pl.DataFrame(
        rows,
        schema={
            "entity": pl.Int32,
            "code": pl.Utf8,
            "service": pl.Utf8,
            "month": pl.Int32,
            "open": pl.Int32,
            "overdue": pl.Int32,
        },
    )
