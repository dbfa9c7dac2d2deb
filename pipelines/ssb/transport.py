"""HTTP for SSB and KLASS: one `requests.Session`, explicit timeouts, pacing and retries.

This module (with the rest of `pipelines/ssb`) is the only place in the project that opens
network connections. Retried: timeouts, connection errors, 429 and 5xx (honouring
`Retry-After`), and bodies that are not what SSB promised — an HTML maintenance page
served with status 200, or JSON cut off in transit. Not retried: other 4xx, which mean the
query is wrong; they fail at once with SSB's own explanation (`title` of its error body).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from pipelines.ssb.errors import SsbQueryError, SsbResponseError, SsbTooManyCells, SsbUnreachable
from pipelines.ssb.jsonstat import loads
from pipelines.ssb.ratelimit import RateLimiter

log = logging.getLogger("pipelines.ssb")

USER_AGENT = "workforce-warehouse/0.1 (Nordland staffing indicators; requests)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. Tests use tiny waits; production the defaults."""

    attempts: int = 5  # tries in total for 429/5xx/timeouts/broken bodies
    connect_attempts: int = 2  # tries when the host cannot be reached at all
    backoff: float = 2.0  # first wait, seconds
    factor: float = 2.0
    max_wait: float = 120.0  # cap on backoff and on a server's Retry-After

    def wait(self, attempt: int) -> float:
        return min(self.backoff * self.factor ** (attempt - 1), self.max_wait)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 120.0

    @property
    def pair(self) -> tuple[float, float]:
        return (self.connect, self.read)


@dataclass
class RawResponse:
    """One successful HTTP exchange, as needed for parsing, caching and the audit log."""

    what: str
    method: str
    url: str
    request: dict[str, Any]
    status: int
    body: bytes
    headers: dict[str, str]
    document: Any
    attempts: int
    elapsed_ms: int
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def problem(body: bytes) -> dict[str, Any]:
    """SSB's RFC-7807-like error body (`type`, `title`, `status`, `detail`), or {}."""
    try:
        doc = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def describe_problem(body: bytes) -> str:
    doc = problem(body)
    parts = [str(doc[k]) for k in ("type", "title") if doc.get(k)]
    detail = doc.get("detail") or doc.get("error") or doc.get("message")
    if detail and str(detail) not in parts:
        parts.append(str(detail))
    if not parts and body:
        text = body[:160].decode("utf-8", "replace").strip()
        if text and not text.startswith("<"):
            parts.append(text)
    return ": ".join(parts)


class Transport:
    """Sends requests with pacing and retries; raises `SsbError`s that name what was fetched."""

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.timeouts = timeouts or Timeouts()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.sleep = sleep
        self.clock = clock
        self.limiter = limiter or RateLimiter(clock=clock, sleep=sleep)
        self.requests_sent = 0
        self.retries: list[tuple[str, str, float]] = []  # (what, reason, wait) for reporting

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        table_id: str | None = None,
        params: list[tuple[str, str]] | Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        parse_json: bool = True,
        attempts: int | None = None,
        on_client_error: Callable[[requests.Response, str], Exception] | None = None,
    ) -> RawResponse:
        """Send until success or until the retry budget is spent; see the module docstring."""
        budget = attempts or self.retry.attempts
        failure = "no attempt made"
        status: int | str | None = None
        attempt = 0
        connect_failures = 0
        started = self.clock()
        while True:
            attempt += 1
            retry_after: float | None = None
            self.limiter.before_request()
            self.requests_sent += 1
            try:
                resp = self.session.request(
                    method, url, params=params, json=json_body, headers=headers, timeout=self.timeouts.pair
                )
                body = resp.content
            except requests.Timeout:
                failure, status = f"ikke svar innen {self.timeouts.read:g} s (tidsavbrudd)", "timeout"
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                failure, status = "forbindelsen brøt midt i svaret (avkortet innhold)", "truncated"
            except requests.ConnectionError as error:
                if _is_truncation(error):
                    failure, status = "forbindelsen brøt midt i svaret", "truncated"
                else:
                    connect_failures += 1
                    failure, status = f"fikk ikke kontakt med {_host(url)} ({_reason(error)})", "unreachable"
                    if connect_failures >= min(self.retry.connect_attempts, budget):
                        break
            except requests.RequestException as error:
                failure, status = f"forespørselen feilet ({type(error).__name__})", "error"
            else:
                self.limiter.observe(resp.headers)
                status = resp.status_code
                if resp.status_code == 200:
                    content_type = resp.headers.get("Content-Type", "").lower()
                    try:
                        if "html" in content_type:
                            raise SsbResponseError(
                                f"{what}: SSB sendte en HTML-side med status 200 i stedet for data "
                                "(vedlikehold eller en feilside)",
                                table_id=table_id,
                            )
                        document = loads(body, table_id=table_id) if parse_json else None
                    except SsbResponseError as error:
                        failure, status = str(error).rstrip("."), "bad body"
                    else:
                        elapsed = int((self.clock() - started) * 1000)
                        return RawResponse(
                            what=what,
                            method=method,
                            url=resp.url,
                            request=_request_record(params, json_body),
                            status=200,
                            body=body,
                            headers=dict(resp.headers),
                            document=document,
                            attempts=attempt,
                            elapsed_ms=elapsed,
                        )
                elif resp.status_code in RETRY_STATUSES:
                    detail = describe_problem(body)
                    failure = f"HTTP {resp.status_code}" + (f" ({detail})" if detail else "")
                    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                else:
                    raise (on_client_error or _client_error)(resp, what)
            if attempt >= budget:
                break
            wait = retry_after if retry_after is not None else self.retry.wait(attempt)
            wait = min(wait, self.retry.max_wait)
            log.warning("%s: %s; retry %d of %d in %.2f s", what, failure, attempt, budget - 1, wait)
            self.retries.append((what, failure, wait))
            self.sleep(wait)
        tries = f"{attempt} forsøk"
        raise SsbUnreachable(f"{what}: ga opp etter {tries}: {failure}.", table_id=table_id, status=status)


def _client_error(resp: requests.Response, what: str) -> Exception:
    detail = describe_problem(resp.content)
    text = (
        f"{what}: SSB avviste forespørselen (HTTP {resp.status_code}" + (f": {detail}" if detail else "") + ")"
    )
    table_id = what.split()[-1] if what.startswith("SSB-tabell") else None
    if "too many" in detail.lower() or resp.status_code == 403:
        return SsbTooManyCells(text + ".", table_id=table_id, status=resp.status_code)
    if resp.status_code == 404:
        text += "; tabellen, kodelisten eller adressen finnes ikke, eller adressen er for lang"
    return SsbQueryError(text + ".", table_id=table_id, status=resp.status_code)


def _is_truncation(error: Exception) -> bool:
    text = repr(error)
    return (
        "IncompleteRead" in text
        or "ChunkedEncodingError" in type(error).__name__
        or "Connection broken" in text
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _reason(error: Exception) -> str:
    text = str(error)
    for marker, norwegian in (
        ("Connection refused", "tilkoblingen ble avvist"),
        ("Name or service not known", "ukjent vertsnavn"),
        ("Temporary failure in name resolution", "midlertidig feil i navneoppslaget"),
        ("Network is unreachable", "nettet kan ikke nås"),
        ("No route to host", "ingen vei til verten"),
        ("Connection reset", "tilkoblingen ble brutt"),
    ):
        if marker in text:
            return norwegian
    return type(error).__name__


def _request_record(params: Any, json_body: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if params:
        record["params"] = list(params.items()) if isinstance(params, Mapping) else list(params)
    if json_body is not None:
        record["json"] = json_body
    return record
