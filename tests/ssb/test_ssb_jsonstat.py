"""JSON-stat2 → polars: exact on SSB's real response, and the index arithmetic on random cubes."""

from __future__ import annotations

import itertools
import json
import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ssb import jsonstat
from pipelines.ssb.errors import SsbResponseError

from .conftest import FIXTURES

REAL_07221 = FIXTURES / "ssb_v0_07221_jsonstat2_response.json"


@pytest.fixture(scope="module")
def real() -> tuple[dict, jsonstat.JsonStatTable]:
    body = REAL_07221.read_bytes()
    return json.loads(body), jsonstat.parse(body)


def test_real_07221_has_one_row_per_cell_in_row_major_order(real):
    raw, table = real
    frame = table.frame
    assert frame.height == 288 == math.prod(raw["size"])
    assert frame.columns == [
        "region_code",
        "region_label",
        "boligtype_code",
        "boligtype_label",
        "contentscode_code",
        "contentscode_label",
        "tid_code",
        "tid_label",
        "value",
        "status",
    ]
    # every value reproduced exactly, nulls as nulls, in SSB's order
    assert frame["value"].to_list() == raw["value"]
    first, last = frame.row(0, named=True), frame.row(287, named=True)
    assert (first["region_code"], first["boligtype_code"], first["tid_code"], first["value"]) == (
        "TOTAL",
        "01",
        "2022K1",
        136.2,
    )
    assert (last["region_code"], last["region_label"], last["boligtype_label"], last["tid_code"]) == (
        "011",
        "Nord-Norge",
        "Blokkleiligheter",
        "2023K4",
    )


def test_real_07221_keeps_the_dotdot_status_and_nulls_never_zero(real):
    raw, table = real
    frame = table.frame.with_row_index("i")
    flagged = frame.filter(pl.col("status").is_not_null())
    assert flagged["i"].to_list() == sorted(int(k) for k in raw["status"])
    assert set(flagged["status"].to_list()) == {".."}
    assert flagged["value"].null_count() == 24
    cell = frame.row(176, named=True)  # Innlandet, småhus, 2022K1
    assert (cell["region_code"], cell["region_label"], cell["boligtype_label"], cell["tid_code"]) == (
        "007",
        "Innlandet",
        "Småhus",
        "2022K1",
    )
    assert cell["value"] is None and cell["status"] == ".."
    assert frame.filter(pl.col("value") == 0).height == 0
    spot = frame.row(40, named=True)  # row-major: 40 = 1·24 + 2·8 + 0 → region 001, boligtype 03, 2022K1
    assert (spot["region_code"], spot["boligtype_code"], spot["tid_code"], spot["value"]) == (
        "001",
        "03",
        "2022K1",
        158.7,
    )


def test_real_07221_keeps_updated_label_and_footnotes(real):
    _, table = real
    assert table.updated.isoformat() == "2024-01-12T07:00:00+00:00"
    assert table.table_id == "07221"
    assert table.roles == {"time": ["Tid"], "metric": ["ContentsCode"]}
    texts = [n.text for n in table.notes]
    assert texts[0].startswith("Tallene f.o.m. 1. kvartal 2020")
    assert any(n.text.startswith(".. = Tallgrunnlag mangler") and n.dimension is None for n in table.notes)
    assert any(n.dimension == "Region" and "regionale inndelingene" in n.text for n in table.notes)


def _dataset(ids: list[str], sizes: list[int], dimension: dict, **rest: object) -> dict:
    """A JSON-stat 2.0 dataset document around the given dimensions (`value`, `status`, ... in rest)."""
    return {"version": "2.0", "class": "dataset", "id": ids, "size": sizes, "dimension": dimension, **rest}


def test_category_order_follows_the_index_not_the_key_order():
    # as in SSB's 05810 metadata: Kjonn index {"0": 0, "1": 2, "2": 1}
    doc = _dataset(
        ["Kjonn", "Tid"],
        [3, 1],
        {
            "Kjonn": {
                "label": "kjønn",
                "category": {
                    "index": {"0": 0, "1": 2, "2": 1},
                    "label": {"0": "Begge", "1": "Menn", "2": "Kvinner"},
                },
            },
            "Tid": {"label": "år", "category": {"index": {"2025": 0}}},
        },
        value=[10, 4, 6],
    )
    frame = jsonstat.parse(doc).frame
    assert frame.select("kjonn_code", "kjonn_label", "value").rows() == [
        ("0", "Begge", 10.0),
        ("2", "Kvinner", 4.0),
        ("1", "Menn", 6.0),
    ]


def test_sparse_values_and_status_forms_are_read():
    base = _dataset(
        ["A"],
        [4],
        {"A": {"category": {"index": ["a", "b", "c", "d"]}}},
    )
    sparse = jsonstat.parse({**base, "value": {"0": 1.5, "3": 2}, "status": ["", "..", ":", ""]}).frame
    assert sparse["value"].to_list() == [1.5, None, None, 2.0]
    assert sparse["status"].to_list() == ["", "..", ":", ""]
    whole = jsonstat.parse({**base, "value": [1, 2, 3, 4], "status": "*"}).frame
    assert whole["status"].to_list() == ["*"] * 4


def test_metadata_response_gives_an_empty_frame_with_all_categories():
    doc = _dataset(
        ["Region", "Tid"],
        [2, 3],
        {
            "Region": {
                "category": {"index": {"K-1804": 0, "K-1856": 1}},
                "extension": {"elimination": True, "codelists": [{"id": "agg_KommSummer"}]},
            },
            "Tid": {"category": {"index": {"2023": 0, "2024": 1, "2025": 2}}},
        },
        value=[],
    )
    table = jsonstat.parse(doc)
    assert table.frame.height == 0
    assert table.dimensions[0].codes == ["K-1804", "K-1856"]
    assert table.dimensions[0].extension["codelists"][0]["id"] == "agg_KommSummer"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (REAL_07221.read_bytes()[:5000], "ødelagt eller avkuttet"),
        (b"<!DOCTYPE html><html><body>Vedlikehold</body></html>", "HTML-side"),
        (b'{"class": "collection"}', "ikke et JSON-stat2-datasett"),
    ],
)
def test_broken_bodies_give_one_clear_message(body, message):
    with pytest.raises(SsbResponseError, match=message):
        jsonstat.parse(body, table_id="07221")


def test_a_value_array_shorter_than_the_cube_is_caught():
    doc = json.loads(REAL_07221.read_bytes())
    doc["value"] = doc["value"][:-1]
    with pytest.raises(SsbResponseError, match="har 287 celler, men dimensjonene gir 288"):
        jsonstat.parse(doc)


# --- property tests of the index arithmetic --------------------------------------------------
@st.composite
def cubes(draw):
    ndim = draw(st.integers(min_value=1, max_value=5))
    sizes = draw(st.lists(st.integers(min_value=1, max_value=5), min_size=ndim, max_size=ndim))
    ids = [f"D{i}" for i in range(ndim)]
    dims, orders = {}, []
    for dim_id, size in zip(ids, sizes, strict=True):
        codes = [f"{dim_id}c{k}" for k in range(size)]
        order = draw(st.permutations(codes))  # the cube order differs from the key order
        orders.append(list(order))
        as_list = draw(st.booleans())
        index = list(order) if as_list else {c: order.index(c) for c in codes}
        dims[dim_id] = {
            "label": dim_id.lower(),
            "category": {"index": index, "label": {c: c.upper() for c in codes}},
        }
    n = math.prod(sizes)
    values = draw(
        st.lists(
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=32)),
            min_size=n,
            max_size=n,
        )
    )
    statuses = draw(
        st.dictionaries(st.integers(min_value=0, max_value=n - 1), st.sampled_from([".", "..", ":"]))
    )
    doc = _dataset(
        ids,
        sizes,
        dims,
        value=values,
        status={str(k): v for k, v in statuses.items()},
    )
    return doc, orders


@settings(max_examples=80, deadline=None)
@given(cubes())
def test_each_row_holds_the_value_at_its_row_major_index(case):
    doc, orders = case
    frame = jsonstat.parse(doc).frame
    expected = list(itertools.product(*orders))  # row-major: last dimension fastest
    assert frame.height == len(expected)
    code_cols = [f"d{i}_code" for i in range(len(orders))]
    for row_number, (combo, row) in enumerate(zip(expected, frame.iter_rows(named=True), strict=True)):
        assert tuple(row[c] for c in code_cols) == combo
        assert all(row[f"d{i}_label"] == combo[i].upper() for i in range(len(orders)))
        flat = 0
        for i, code in enumerate(combo):
            flat = flat * len(orders[i]) + orders[i].index(code)
        assert flat == row_number
        assert row["value"] == doc["value"][flat]
        assert row["status"] == doc["status"].get(str(flat))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=6))
def test_cell_positions_match_numpy_unravel(sizes):
    import numpy as np

    positions = jsonstat.cell_positions(sizes)
    expected = np.unravel_index(np.arange(math.prod(sizes)), sizes)
    for got, want in zip(positions, expected, strict=True):
        assert got.tolist() == want.tolist()
