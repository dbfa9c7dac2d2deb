"""Pacing by the limit SSB announces, not by a number written into the code.

SSB's PxWebApi 2 answers every request with `x-ratelimit-policy: 40;w=60s` (40 calls per
60-second window) and `x-ratelimit-remaining`. `/config` used to carry the same numbers
but now says 0; the user guide still says 30 per minute. So the limiter learns the policy
from the headers and waits before a call that would exceed it: when SSB says no calls
remain, or when the calls made within the window already reach the limit.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable, Mapping

log = logging.getLogger("pipelines.ssb")

_POLICY = re.compile(r"^\s*(\d+)\s*;\s*w\s*=\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", re.IGNORECASE)


def parse_policy(value: str | None) -> tuple[int, float] | None:
    """`40;w=60s` → (40, 60.0); None when absent or unreadable."""
    if not value:
        return None
    m = _POLICY.match(value.split(",")[0])
    if not m:
        return None
    limit, window, unit = int(m.group(1)), float(m.group(2)), (m.group(3) or "s").lower()
    window *= {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]
    return (limit, window) if limit > 0 and window > 0 else None


class RateLimiter:
    """Waits before a request when SSB's announced window is used up."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.limit: int | None = None
        self.window: float | None = None
        self.remaining: int | None = None
        self._sent: deque[float] = deque()
        self.waited: list[float] = []

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the policy and the remaining budget from a response's headers."""
        lower = {k.lower(): v for k, v in headers.items()}
        policy = parse_policy(lower.get("x-ratelimit-policy"))
        if policy:
            self.limit, self.window = policy
        elif lower.get("x-ratelimit-limit", "").strip().isdigit() and self.window is None:
            self.limit, self.window = int(lower["x-ratelimit-limit"]), 60.0
        remaining = lower.get("x-ratelimit-remaining", "").strip()
        if remaining.lstrip("-").isdigit():
            self.remaining = int(remaining)

    def before_request(self) -> None:
        """Sleep until a request is within the announced limit, then count it."""
        now = self._clock()
        if self.limit and self.window:
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            wait = 0.0
            if self.remaining is not None and self.remaining <= 0:
                wait = (self._sent[0] + self.window - now) if self._sent else self.window
            elif len(self._sent) >= self.limit:
                wait = self._sent[0] + self.window - now
            if wait > 0:
                log.info(
                    "SSB rate limit %s per %.0f s reached; waiting %.1f s", self.limit, self.window, wait
                )
                self.waited.append(wait)
                self._sleep(wait)
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                self.remaining = None  # a fresh window; the next response tells us more
        self._sent.append(now)
