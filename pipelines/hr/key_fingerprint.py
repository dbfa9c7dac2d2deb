"""One warehouse, one secret: the build database remembers a fingerprint of its key.

Pseudonyms are HMACs under the secret, so the same person under two secrets is two people:
ingesting 2024 with another secret than 2022-23 silently turned every employee into a
leaver and a new hire (turnover 9-20 % became 55-60 %). The first ingestion records
`HMAC(secret, FINGERPRINT_LABEL)` in `audit.secret_fingerprint`; every later one compares and
refuses a different secret before reading a file. The fingerprint reveals nothing about the
secret (it is an HMAC of a fixed, public label) and cannot be used to compute pseudonyms.

A build database that holds data from before the fingerprint existed adopts the secret of its
next ingestion: there is nothing to compare it with.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import duckdb

from pipelines.errors import SettingsError

FINGERPRINT_LABEL = b"workforce-warehouse/secret-fingerprint/v1"
SHOWN = 12  # hex characters of a fingerprint shown to the operator


class SecretMismatchError(SettingsError):
    """The secret given is not the one the warehouse was built with."""


def secret_fingerprint(secret: bytes) -> str:
    """HMAC-SHA256 of the fixed label under the secret (lower-case hex)."""
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def recorded_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint the warehouse was built with (None before the first ingestion)."""
    rows = con.execute(
        "select fingerprint from audit.secret_fingerprint order by recorded_at limit 1"
    ).fetchall()
    return rows[0][0] if rows else None


def check_secret(con: duckdb.DuckDBPyConnection, secret: bytes) -> str:
    """Record the secret's fingerprint on first use; refuse a different secret later.

    Returns the fingerprint. Raises SecretMismatchError (one line: what to do) on a mismatch."""
    given = secret_fingerprint(secret)
    recorded = recorded_fingerprint(con)
    if recorded is None:
        con.execute(
            "insert into audit.secret_fingerprint (fingerprint, recorded_at) values (?, ?)",
            [given, datetime.now(UTC).replace(tzinfo=None)],
        )
        return given
    if not hmac.compare_digest(recorded, given):
        raise SecretMismatchError(
            "Pseudonymiseringsnøkkelen er ikke den lageret ble bygget med "
            f"(fingeravtrykk {given[:SHOWN]}, lageret har {recorded[:SHOWN]}); ingenting er lest inn. "
            "Bruk den riktige nøkkelen (WORKFORCE_SECRET eller WORKFORCE_SECRET_FILE), eller bytt "
            "nøkkel ved å nøkle om hele lageret fra landingsarkivet (docs/operations.md)."
        )
    return given
