"""dbt's process without the work on log events that no log writes (issue 16.4).

dbt-core announces everything it does as an event — every statement, connection, cache
look-up and node boundary — and dbt_common's `EventManager.fire_event` turns each one into a
protobuf message and then, for every log (stdout and dbt.log), into a finished JSON line
(`MessageToDict`, `json.dumps`, a scan of the environment for secrets to scrub) before Python's
logging drops it for its level. The pipeline logs at `info` (stdout for dagster-dbt, dbt.log),
so the ~15 `debug` events per node of a build, ~4,500 of them in the demo's, were built into
lines nobody wrote: with their construction, about a third of the dbt process's Python time
(measured in docs/scaling.md, "Third pass").

`skip_unwritten_events()` makes `fire_event` return at once for an event that no log would
write and no callback needs, and hands every other event to dbt's own method unchanged. An
event is skipped only when all of these hold, so what dbt writes stays exactly what it wrote:

- its level is `debug` (or `test`, the same to a log): warnings and errors always go through
  dbt's warn-error handling;
- every log has a higher level (dbt's logs drop it at that level: `_Logger.write_line`
  → Python logging), so `--debug`, `--log-level debug` or `--log-level-file debug` turn the
  skipping off for that run by themselves;
- it is not one of dbt's print events (written at `error` level whatever their own);
- every callback is one known to act on warnings only (`track_behavior_change_warn`, which
  dbt always adds); a run with other callbacks (dbtRunner's) skips nothing.

`build_events_when_read()` goes one step further back: dbt builds each event's protobuf message
where it creates the event (`BaseEvent.__init__`: `ParseDict` of its fields), before
`fire_event` is even called, and a skipped event's message is never read. Events now keep
their fields and build the message the first time anything reads it (`fire_event` for every
event it passes on, any field read), exactly as `BaseEvent.__init__` would have.

The one caller is the `dbt` process the pipeline starts (`pipelines.orchestration.lifecycle`).
tests/orchestration/test_orch_dbt_events.py runs dbt with and without it and compares stdout
and dbt.log line by line, and fails if dbt_common changes the members relied on here.
"""

from __future__ import annotations

from typing import Any

# Event levels (dbt_common.events.base_types.EventLevel values) that a log at `info` or above drops.
QUIET_LEVELS = frozenset({"debug", "test"})
# dbt_common.events.logger's numbers for a log's level (its Python logger's level); a level not
# listed here counts as writing everything, so nothing is skipped for it.
LOG_LEVEL_NUMBERS = {"debug": 10, "test": 10, "info": 20, "warn": 30, "error": 40}


def _warning_only_callbacks() -> frozenset[Any]:
    from dbt.tracking import track_behavior_change_warn

    return frozenset({track_behavior_change_warn})


def skip_unwritten_events() -> None:
    """Install the skip on dbt_common's EventManager (once per process; see the module)."""
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.logger import PRINT_EVENT_NAMES

    fire_event = EventManager.fire_event
    if getattr(fire_event, "_skips_unwritten", False):
        return
    harmless = _warning_only_callbacks()

    def fire_written_event(
        self: Any, e: Any, level: Any = None, node: Any = None, force_warn_or_error_handling: bool = False
    ) -> None:
        tag = (level or e.level_tag()).value
        if (
            tag in QUIET_LEVELS
            and not force_warn_or_error_handling
            and self.loggers
            and all(LOG_LEVEL_NUMBERS.get(log.level.value, 0) > LOG_LEVEL_NUMBERS[tag] for log in self.loggers)
            and type(e).__name__ not in PRINT_EVENT_NAMES
            and all(callback in harmless for callback in self.callbacks)
        ):
            return
        fire_event(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    fire_written_event._skips_unwritten = True  # type: ignore[attr-defined]
    fire_written_event.__wrapped__ = fire_event  # type: ignore[attr-defined]
    EventManager.fire_event = fire_written_event  # type: ignore[method-assign]


def build_events_when_read() -> None:
    """Defer each dbt event's protobuf message to its first read (once per process; see the module)."""
    from dbt_common.events.base_types import BaseEvent

    if getattr(BaseEvent.__init__, "_deferred", False):
        return
    build = BaseEvent.__init__
    read = BaseEvent.__getattr__
    write = BaseEvent.__setattr__

    def keep_fields(self: Any, *args: Any, **kwargs: Any) -> None:
        self.__dict__["_fields"] = (args, kwargs)

    def built(self: Any) -> None:
        fields = self.__dict__.pop("_fields", None)
        if fields is not None:
            build(self, *fields[0], **fields[1])

    def read_built(self: Any, key: str) -> Any:
        built(self)
        return read(self, key)

    def write_built(self: Any, key: str, value: Any) -> None:
        built(self)
        write(self, key, value)

    keep_fields._deferred = True  # type: ignore[attr-defined]
    keep_fields.__wrapped__ = build  # type: ignore[attr-defined]
    BaseEvent.__init__ = keep_fields  # type: ignore[method-assign]
    BaseEvent.__getattr__ = read_built  # type: ignore[method-assign]
    BaseEvent.__setattr__ = write_built  # type: ignore[method-assign]
