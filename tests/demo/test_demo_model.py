"""The simulated workforce itself: KS-comparable figures, the trends the goals need, scale."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.demo.backlog import build_backlog
from pipelines.demo.fnr import is_valid, synthetic_ids
from pipelines.demo.generate import build_workforce
from pipelines.demo.geography import DemoArgumentError, load_geography
from pipelines.demo.model import J
from pipelines.demo.recruitment import build_postings
from pipelines.demo.stats import headline
from pipelines.demo.timeline import DAYS_PER_YEAR, day, year_of
from pipelines.errors import WorkforceError


@pytest.fixture(scope="module")
def demo_model():
    return build_workforce("2015-2025", 1.0, 42, "salten,outer-lofoten")


def _region(model, name: str) -> list[int]:
    return [e.index for e in model.geography.entities if e.region == name]


def test_fulltime_share_and_turnover_land_in_ks_ranges(demo_model):
    """KS: heltidsandel 57.2 % (2021), 61.0 % (2023); turnover 12.2–13.6 % (2017–2022)."""
    for year in range(2016, 2026):
        figures = headline(demo_model, year)
        assert 0.55 <= figures["fulltime_share"] <= 0.65, (year, figures)
        assert 0.12 <= figures["turnover"] <= 0.16, (year, figures)
        assert 8000 < figures["employees"] < 10_000


def test_salten_fulltime_share_rises(demo_model):
    salten = _region(demo_model, "salten")
    shares = [headline(demo_model, y, salten)["fulltime_share"] for y in (2016, 2020, 2025)]
    assert shares[0] < shares[1] < shares[2]
    assert shares[2] - shares[0] > 0.03


def test_outer_lofoten_key_cost_per_hire_falls_from_2019(demo_model):
    postings = build_postings(demo_model, 42)
    lofoten = _region(demo_model, "outer-lofoten")
    key = pl.Series(J["key"][postings["position"].to_numpy()])
    filled = postings.filter(pl.col("entity").is_in(lofoten) & key & (pl.col("status") == 0))
    filled = filled.with_columns(pl.Series("year", year_of(filled["filled"].to_numpy())))
    cost = filled.group_by("year").agg(pl.col("cost").sum() / pl.len())
    per_year = dict(zip(cost["year"], cost["cost"], strict=True))
    baseline = (per_year[2018] + per_year[2019]) / 2
    latest = (per_year[2024] + per_year[2025]) / 2
    assert latest < 0.7 * baseline


def test_backlog_overdue_share_falls(demo_model):
    backlog = build_backlog(demo_model, 42)
    backlog = backlog.with_columns(pl.Series("year", year_of(backlog["month"].to_numpy())))
    lofoten = _region(demo_model, "outer-lofoten")
    share = (
        backlog.filter(pl.col("entity").is_in(lofoten))
        .group_by("year")
        .agg(pl.col("overdue").sum() / pl.col("open").sum())
    )
    per_year = dict(zip(share["year"], share["overdue"], strict=True))
    assert per_year[2025] < 0.85 * per_year[2019]
    assert (backlog["overdue"] <= backlog["open"]).all()


def test_ages_stay_between_18_and_70(demo_model):
    spells = demo_model.spells.join(demo_model.persons, on="person")
    t1 = day(2025, 12, 31)
    ages = spells.select(
        ((pl.col("start") - pl.col("birth")) / DAYS_PER_YEAR).alias("at_start"),
        ((pl.min_horizontal(pl.col("end"), pl.lit(t1)) - pl.col("birth")) / DAYS_PER_YEAR).alias("at_end"),
    )
    assert ages["at_start"].min() >= 17.9
    assert ages["at_end"].max() < 71


def test_part_time_health_workers_some_holding_two_positions(demo_model):
    spells = demo_model.spells
    on = day(2023, 12, 1)
    active = spells.filter((pl.col("start") <= on) & (pl.col("end") >= on) & (pl.col("etype") <= 1))
    per_person = active.group_by("entity", "person").agg(
        pl.len().alias("n"), pl.col("fte").sum().alias("size")
    )
    two = per_person.filter(pl.col("n") >= 2)
    assert two.height > 100
    assert (two["size"] == 10000).sum() > 50  # e.g. 2 × 50 %


def test_apprentices_are_later_hired_or_not(demo_model):
    spells = demo_model.spells
    apprentices = spells.filter(pl.col("etype") == 3)
    later = spells.filter(pl.col("etype") != 3).join(
        apprentices.select("entity", "person"), on=["entity", "person"]
    )
    hired = later["person"].n_unique() / apprentices["person"].n_unique()
    assert 0.2 < hired < 0.8
    assert (spells["hire_source"] == 2).sum() > 50  # own_apprentice


def test_norway_reaches_national_size():
    model = build_workforce("2024-2025", 1.0, 42, "norway")
    figures = headline(model, 2025)
    assert figures["employees"] >= 450_000
    assert len(model.geography.entities) >= 350
    assert 0.5 <= figures["fulltime_share"] <= 0.65


def test_nordland_writes_only_nordland_codes():
    geography = load_geography("nordland")
    codes = {
        c for e in geography.entities for c, _ in geography.codes_in_year(e, 2020) if geography.writes(c)
    }
    assert all(c.startswith("18") for c in codes)
    assert {"1804", "1806", "1875", "1856"} <= codes
    assert 230_000 < sum(e.inhabitants for e in geography.entities) < 260_000


def test_synthetic_ids_are_distinct_valid_and_carry_birth_date_and_gender():
    rng = np.random.default_rng(3)
    births = rng.integers(day(1946, 1, 1), day(2007, 12, 31), 200_000)
    gender = rng.integers(0, 2, 200_000)
    ids = synthetic_ids(births, gender)
    assert len(np.unique(ids)) == len(ids)
    text = [f"{i:011d}" for i in ids[:5000]]
    assert is_valid(text).all()
    dates = births[:5000].astype("datetime64[D]").astype(object)
    for nid, born, g in zip(text, dates, gender[:5000], strict=True):
        assert (int(nid[:2]), int(nid[2:4]) - 80, int(nid[4:6])) == (born.day, born.month, born.year % 100)
        individual = int(nid[6:9])
        assert (individual < 500) == (born.year < 2000)
        assert individual % 2 == g
    assert synthetic_ids(np.array([day(1985, 3, 7)]), np.array([0]))[0] == 7838500271  # 07838500271


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"municipalities": "oslo"}, "verken salten"),
        ({"municipalities": "salten,nordland"}, "står alene"),
        ({"municipalities": "1856,1899"}, "ingen kommune med nummer 1899"),
        ({"years": "2025-2015"}, "--years"),
        ({"scale": 0}, "--scale"),
    ],
)
def test_bad_arguments_give_a_clear_error(kwargs, message):
    args = {"years": "2024-2025", "scale": 1.0, "seed": 1, "municipalities": "1856"} | kwargs
    with pytest.raises(DemoArgumentError, match=message) as caught:
        build_workforce(**args)
    assert isinstance(caught.value, WorkforceError)
