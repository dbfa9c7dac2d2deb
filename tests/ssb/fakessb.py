"""A small PxWebApi 2 (and KLASS) server for tests, on pytest-httpserver.

It serves a json-stat2 cube like SSB does — `/config`, `/tables/{id}/metadata`,
`/tables/{id}/data` by GET or POST — slicing the cube by the requested value codes with its
own small resolver (independent of the client's), and behaves like SSB at the edges: more
cells than `max_cells` → 400 "Too many cells selected"; a URL over 2,100 characters → 404;
a value code given twice → 500 with an empty body; rate-limit headers on every answer.
Faults queued with `fail_next()` are served before normal answers, to exercise retries.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from werkzeug import Request, Response

PROBLEM = "application/problem+json; charset=utf-8"


@dataclass
class Seen:
    method: str
    path: str
    url: str
    params: dict[str, str]
    body: Any
    cells: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeSsb:
    def __init__(
        self,
        cubes: dict[str, dict[str, Any]],
        *,
        max_cells: int = 800_000,
        config_max_cells: int | None = None,
        rate_policy: str = "40;w=60s",
    ) -> None:
        self.cubes = cubes
        self.metadata: dict[str, dict[str, Any]] = {}
        self.max_cells = max_cells
        self.config_max_cells = config_max_cells if config_max_cells is not None else max_cells
        self.rate_policy = rate_policy
        self.limit = int(rate_policy.split(";")[0])
        self.faults: deque[tuple[str, str, Any]] = deque()
        self.seen: list[Seen] = []
        self.klass: dict[str, Any] = {}

    # --- test controls ----------------------------------------------------------------------
    def fail_next(self, kind: str, arg: Any = None, *, times: int = 1, on: str = "/data") -> None:
        """Queue a fault (status, html, html-as-json, truncated, sleep, problem) for the next
        request(s) whose path ends with `on` (`/data`, `/metadata`, `/codes`, `/changes`)."""
        for _ in range(times):
            self.faults.append((on, kind, arg))

    def data_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/data")]

    # --- the handler --------------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        params = {k: v for k, v in request.args.items()}
        body = request.get_json(silent=True) if request.method == "POST" else None
        seen = Seen(request.method, request.path, request.url, params, body, headers=dict(request.headers))
        self.seen.append(seen)
        if len(request.url) > 2100:
            return self._respond(Response("", status=404))
        path = request.path
        if path.endswith("/config"):
            return self._json(
                {
                    "apiVersion": "2.3.2",
                    "maxDataCells": self.config_max_cells,
                    "maxCallsPerTimeWindow": 0,
                    "timeWindow": 0,
                    "defaultDataFormat": "json-stat2",
                }
            )
        if self.faults and path.endswith(self.faults[0][0]):
            _, kind, arg = self.faults.popleft()
            fault = self._fault(kind, arg, request)
            if fault is not None:
                return fault
        if "/classifications/" in path:
            key = path.rsplit("/", 1)[-1]
            if key not in self.klass:
                return self._problem(404, "Not found", f"no {key}")
            return self._json(self.klass[key])
        m = re.match(r".*/tables/(\w+)/(metadata|data)$", path)
        if not m or m.group(1) not in self.cubes:
            return self._problem(404, "Not found", "Non-existent table")
        table_id, kind = m.groups()
        if kind == "metadata":
            return self._json(
                self.metadata.get(table_id) or {**self.cubes[table_id], "value": [], "status": {}}
            )
        selection = self._selection(request, body)
        if isinstance(selection, Response):
            return selection
        return self._slice(table_id, selection, seen)

    def _fault(self, kind: str, arg: Any, request: Request) -> Response | None:
        if kind == "status":
            status, headers = arg if isinstance(arg, tuple) else (arg, {})
            return self._respond(
                Response(
                    json.dumps({"type": "Service error", "title": "Unavailable", "status": status}),
                    status=status,
                    headers=headers,
                    content_type=PROBLEM,
                )
            )
        if kind == "html":
            return self._respond(
                Response(
                    "<!DOCTYPE html><html><body><h1>Statistikkbanken er midlertidig "
                    "utilgjengelig</h1></body></html>",
                    status=200,
                    content_type="text/html",
                )
            )
        if kind == "html-as-json":
            return self._respond(
                Response("<html><body>Vedlikehold</body></html>", status=200, content_type="application/json")
            )
        if kind == "truncated":
            queued, self.faults = self.faults, deque()
            full = self(request)  # the real answer, then cut in half
            self.faults = queued
            self.seen.pop()
            data = full.get_data()
            return self._respond(
                Response(data[: len(data) // 2], status=200, content_type="application/json")
            )
        if kind == "sleep":
            time.sleep(arg)
            return None
        if kind == "problem":
            status, doc = arg
            return self._respond(Response(json.dumps(doc), status=status, content_type=PROBLEM))
        raise ValueError(kind)

    # --- slicing ------------------------------------------------------------------------------
    def _selection(self, request: Request, body: Any) -> dict[str, list[str]] | Response:
        out: dict[str, list[str]] = {}
        if body is not None:
            for sel in body.get("selection", []):
                out[sel["variableCode"]] = list(sel["valueCodes"])
        else:
            for key, value in request.args.items():
                m = re.match(r"valueCodes\[(.+)\]$", key, re.IGNORECASE)
                if m:
                    out[m.group(1)] = _split_values(value)
        for values in out.values():
            if len(values) != len(set(values)):
                return self._respond(Response("", status=500))
        return out

    def _slice(self, table_id: str, selection: dict[str, list[str]], seen: Seen) -> Response:
        cube = self.cubes[table_id]
        ids, sizes = cube["id"], cube["size"]
        dims = cube["dimension"]
        picks: list[list[int]] = []
        lower = {k.lower(): v for k, v in selection.items()}
        eliminated: list[int] = []
        for axis, dim_id in enumerate(ids):
            codes = sorted(dims[dim_id]["category"]["index"], key=dims[dim_id]["category"]["index"].get)
            wanted = lower.get(dim_id.lower())
            if wanted is None:
                if not dims[dim_id].get("extension", {}).get("elimination", False):
                    return self._problem(400, "Missing selection for mandantory variable")
                eliminated.append(axis)
                picks.append(list(range(len(codes))))
                continue
            chosen: list[int] = []
            for expr in wanted:
                matched = _resolve(expr, codes, dim_id == "Tid")
                if not matched:
                    return self._problem(400, "Non-existent value")
                chosen += [i for i in matched if i not in chosen]
            picks.append(sorted(chosen))
        cells = math.prod(len(p) for a, p in enumerate(picks) if a not in eliminated)
        seen.cells = cells
        if cells > self.max_cells:
            return self._problem(400, "Too many cells selected", detail="Too many cells selected")
        values = np.array([np.nan if v is None else v for v in cube["value"]], dtype=float).reshape(sizes)
        status = np.full(math.prod(sizes), None, dtype=object)
        for k, v in (cube.get("status") or {}).items():
            status[int(k)] = v
        status = status.reshape(sizes)
        sub = values[np.ix_(*picks)]
        sub_status = status[np.ix_(*picks)]
        for axis in sorted(eliminated, reverse=True):
            sub = np.nansum(sub, axis=axis)
            sub_status = sub_status.take(0, axis=axis)
        keep = [a for a in range(len(ids)) if a not in eliminated]
        out_dims = {}
        for axis in keep:
            dim_id = ids[axis]
            codes = sorted(dims[dim_id]["category"]["index"], key=dims[dim_id]["category"]["index"].get)
            chosen = [codes[i] for i in picks[axis]]
            category = {
                "index": {c: i for i, c in enumerate(chosen)},
                "label": {c: dims[dim_id]["category"]["label"][c] for c in chosen},
            }
            if "unit" in dims[dim_id]["category"]:
                category["unit"] = {c: dims[dim_id]["category"]["unit"][c] for c in chosen}
            out_dims[dim_id] = {**dims[dim_id], "category": category}
        flat = sub.reshape(-1).tolist()
        flat_status = sub_status.reshape(-1).tolist()
        doc = {
            **cube,
            "id": [ids[a] for a in keep],
            "size": [len(picks[a]) for a in keep],
            "dimension": out_dims,
            "value": [None if math.isnan(v) else v for v in flat],
        }
        statuses = {str(i): s for i, s in enumerate(flat_status) if s is not None}
        doc.pop("status", None)
        if statuses:
            doc["status"] = statuses
        return self._json(doc)

    # --- responses ---------------------------------------------------------------------------
    def _respond(self, response: Response) -> Response:
        used = len(self.seen)
        response.headers["x-ratelimit-policy"] = self.rate_policy
        response.headers["x-ratelimit-limit"] = str(self.limit)
        response.headers["x-ratelimit-remaining"] = str(max(self.limit - used, 0))
        return response

    def _json(self, doc: Any) -> Response:
        return self._respond(
            Response(
                json.dumps(doc, ensure_ascii=False),
                status=200,
                content_type="application/json; charset=utf-8",
            )
        )

    def _problem(self, status: int, title: str, detail: str | None = None) -> Response:
        doc: dict[str, Any] = {"type": "Parameter error", "title": title, "status": status}
        if detail:
            doc["detail"] = detail
        return self._respond(Response(json.dumps(doc), status=status, content_type=PROBLEM))


def _split_values(value: str) -> list[str]:
    """Split a GET value list on commas outside brackets; unwrap `[range(a,b)]`."""
    out, depth, current = [], 0, ""
    for ch in value:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return [v[1:-1] if v.startswith("[") and v.endswith("]") else v for v in out]


def _resolve(expr: str, codes: list[str], is_time: bool) -> list[int]:
    low = [c.lower() for c in codes]
    e = expr.strip()
    if e == "*":
        return list(range(len(codes)))
    m = re.fullmatch(r"(?i)from\((.+)\)", e)
    if m:
        return list(range(low.index(m.group(1).lower()), len(codes))) if m.group(1).lower() in low else []
    m = re.fullmatch(r"(?i)top\((\d+)\)", e)
    if m:
        n = int(m.group(1))
        return list(range(len(codes) - n, len(codes))) if is_time else list(range(min(n, len(codes))))
    if "*" in e:
        pattern = re.compile("^" + re.escape(e).replace(r"\*", ".*") + "$", re.IGNORECASE)
        return [i for i, c in enumerate(codes) if pattern.match(c)]
    return [low.index(e.lower())] if e.lower() in low else []
