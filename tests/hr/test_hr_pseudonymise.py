"""The DuckDB HMAC equals Python's `hmac` byte for byte (the pseudonyms must be reproducible
by any other tool holding the key)."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest

from pipelines.hr.pseudonymise import Pseudonymiser


@pytest.mark.parametrize(
    "secret",
    [b"a-sixteen-byte-k", b"k" * 64, ("lang nøkkel " * 12).encode()],
    ids=["short", "block-sized", "longer-than-a-block"],
)
def test_duckdb_hmac_equals_python_hmac(secret: bytes):
    messages = ["1804:1001", "1857:Ø-17", "", "x" * 200, None, "12345678901"]
    with Pseudonymiser(secret) as pseudonymiser:
        keys = pseudonymiser.keys(pl.DataFrame({"m": messages}), {"k": "m", "prefixed": "'1804:' || m"})
    for message, key, prefixed in zip(messages, keys["k"], keys["prefixed"], strict=True):
        if message is None:
            assert key is None and prefixed is None
            continue
        assert key == hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
        assert prefixed == hmac.new(secret, f"1804:{message}".encode(), hashlib.sha256).hexdigest()


def test_empty_frame_gives_empty_keys():
    with Pseudonymiser(b"a-sixteen-byte-k") as pseudonymiser:
        keys = pseudonymiser.keys(pl.DataFrame({"m": pl.Series([], dtype=pl.String)}), {"k": "m"})
    assert keys.height == 0 and keys.columns == ["k"]
