"""Errors of the statistics area, each a `WorkforceError` so the CLI shows one line.

Every message names the SSB table (or KLASS classification) and, where there was one,
the HTTP status, because "SSB failed" is useless at 06:00 when a scheduled run breaks.
"""

from __future__ import annotations

from pipelines.errors import WorkforceError


class SsbError(WorkforceError):
    """Something went wrong fetching or reading SSB statistics."""

    def __init__(self, message: str, *, table_id: str | None = None, status: int | str | None = None):
        super().__init__(message)
        self.table_id = table_id
        self.status = status


class SsbUnreachable(SsbError):
    """SSB could not be reached, or kept failing (network, timeouts, 429/5xx, broken bodies).

    Transient by nature: `auto` mode falls back to the cache on this error.
    """


class SsbQueryError(SsbError):
    """SSB understood the request and refused it (4xx): the query or the catalogue is wrong.

    Not retried and not papered over by the cache in `auto` mode: a wrong table id or
    value code must be fixed, not silently served from an old response.
    """


class SsbTooManyCells(SsbQueryError):
    """SSB refused a query for selecting more cells than it allows; the client splits it."""


class SsbResponseError(SsbError):
    """A body that is not the JSON-stat2 (or CSV) we asked for: truncated, HTML, wrong shape."""
