"""The PxWebApi 2 client: `/config`, table metadata, and data as json-stat2.

`data()` reads the table's metadata first (with the query's code lists applied), resolves
the query against it, and splits it when it selects more cells than SSB allows
(`maxDataCells` from `/config`, 800,000 at SSB). Each part goes out as a GET unless its URL
would pass ~2,100 characters — SSB answers longer URLs with 404 — in which case it is sent
as a POST. If SSB still refuses a part as too large, that part is halved and sent again.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from pipelines.ssb import jsonstat
from pipelines.ssb.errors import SsbError, SsbTooManyCells
from pipelines.ssb.query import (
    OUTPUT_FORMAT,
    Query,
    Resolved,
    TableMeta,
    VariableSelection,
    codes_of,
    halve,
    is_expression,
    resolve,
    split,
    table_meta_from_jsonstat,
)
from pipelines.ssb.transport import RawResponse, RetryPolicy, Timeouts, Transport

log = logging.getLogger("pipelines.ssb")

DEFAULT_MAX_CELLS = 800_000
MAX_URL_LENGTH = 2_100


@dataclass
class DataFetch:
    """Everything one logical fetch produced: metadata, the resolved query, the parts."""

    query: Query
    meta: TableMeta
    metadata_response: RawResponse
    resolved: Resolved
    parts: list[RawResponse] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.parts) + 1


def fill_mandatory_variables(query: Query, meta: TableMeta) -> Query:
    """`query` plus `*` on every non-eliminable variable it does not select."""
    chosen = {s.code.lower() for s in query.selections}
    added = [
        VariableSelection(var.code, ("*",))
        for var in meta.variables
        if not var.elimination and var.code.lower() not in chosen
    ]
    for sel in added:
        log.warning(
            "SSB table %s requires %s, which the catalogue does not select; taking all its values",
            query.table_id,
            sel.code,
        )
    return replace(query, selections=query.selections + tuple(added)) if added else query


class PxWebClient:
    """Talks to one PxWebApi 2 installation (SSB's by default, a local server in tests)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: Transport | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        max_cells: int | None = None,
        max_url_length: int = MAX_URL_LENGTH,
        lang: str = "no",
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.transport = transport or Transport(retry=retry, timeouts=timeouts)
        self._max_cells = max_cells
        self.max_url_length = max_url_length
        self.lang = lang
        self._config: dict[str, Any] | None = None

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> PxWebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- endpoints -----------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """`/config`, once per client; an unreadable one falls back to SSB's documented limits."""
        if self._config is None:
            try:
                resp = self.transport.request("GET", self.base_url + "config", what="SSB /config", attempts=1)
                self._config = resp.document if isinstance(resp.document, dict) else {}
            except SsbError as error:
                log.info(
                    "SSB /config unavailable (%s); assuming %d cells per query", error, DEFAULT_MAX_CELLS
                )
                self._config = {}
        return self._config

    def max_cells(self) -> int:
        if self._max_cells is None:
            announced = self.config().get("maxDataCells")
            self._max_cells = (
                int(announced) if isinstance(announced, int) and announced > 0 else DEFAULT_MAX_CELLS
            )
        return self._max_cells

    def metadata(
        self, table_id: str, codelists: dict[str, str] | None = None
    ) -> tuple[TableMeta, RawResponse]:
        params: list[tuple[str, str]] = [("lang", self.lang), ("outputFormat", OUTPUT_FORMAT)]
        params += [(f"codelist[{var}]", cl) for var, cl in (codelists or {}).items()]
        resp = self.transport.request(
            "GET",
            f"{self.base_url}tables/{table_id}/metadata",
            params=params,
            what=f"SSB-tabell {table_id}",
            table_id=table_id,
        )
        parsed = jsonstat.parse(resp.document, table_id=table_id)
        return table_meta_from_jsonstat(table_id, parsed), resp

    def fetch(self, query: Query) -> RawResponse:
        """Send one query as GET, or as POST when the GET URL would be too long."""
        url = f"{self.base_url}tables/{query.table_id}/data"
        what = f"SSB-tabell {query.table_id}"
        params = query.get_params()
        full = requests.Request("GET", url, params=params).prepare().url or url
        if len(full) <= self.max_url_length:
            return self.transport.request("GET", url, params=params, what=what, table_id=query.table_id)
        log.info("%s: GET URL would be %d characters; sending the query as POST", what, len(full))
        return self.transport.request(
            "POST",
            url,
            params=[("lang", query.lang), ("outputFormat", OUTPUT_FORMAT)],
            json_body=query.post_body(),
            what=what,
            table_id=query.table_id,
        )

    def data(self, query: Query, *, fill_mandatory: bool = False) -> DataFetch:
        """Fetch `query` whole, in as many parts as SSB's cell limit requires.

        With `fill_mandatory`, a variable SSB requires but the query leaves out is taken
        whole (`*`), with a warning, rather than failing the fetch.
        """
        meta, meta_resp = self.metadata(query.table_id, query.codelists)
        if fill_mandatory:
            query = fill_mandatory_variables(query, meta)
        resolved = resolve(query, meta)
        for var, codes in resolved.dropped.items():
            log.warning("SSB table %s has no %s code(s) %s; left out", query.table_id, var, ", ".join(codes))
        queries = split(resolved, self.max_cells())
        if len(queries) > 1:
            log.info(
                "SSB table %s: %d cells is over the limit of %d; fetching in %d parts",
                query.table_id,
                resolved.cells,
                self.max_cells(),
                len(queries),
            )
        fetch = DataFetch(query=query, meta=meta, metadata_response=meta_resp, resolved=resolved)
        pending = deque(queries)
        while pending:
            part = pending.popleft()
            try:
                fetch.parts.append(self.fetch(part))
            except SsbTooManyCells:
                explicit = not any(is_expression(v) for s in part.selections for v in s.values)
                halves = halve(part, codes_of(part) if explicit else resolved.codes)
                if len(halves) < 2:
                    raise
                log.warning(
                    "SSB table %s refused a part as too many cells; splitting it in two", query.table_id
                )
                pending.extendleft(reversed(halves))
        return fetch
