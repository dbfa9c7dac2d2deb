"""Which inbox files are complete and new: the inbox sensor's decision, without Dagster.

A municipality (or an SFTP job) writes files into `WORKFORCE_HOME/inbox/` whenever it
likes, so a file may be seen half-written. A file counts as complete when its size and
modification time are unchanged since the previous scan, or when it was last modified at
least `settle_seconds` ago. Only then is it hashed; the content hash names the delivery
(the sensor's run key), so a file is requested once however often the inbox is scanned,
and a file replaced by new content is a new delivery.

The scan state (the sensor's cursor) remembers, per file, the last size and mtime seen
and, once requested, the hash. Files are keyed by a digest of their name, never the name:
the cursor is stored in Dagster's storage, and a careless file name may hold a national id.
Entries of files that left the inbox are dropped, so the cursor stays as small as the inbox.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

# A file that has not changed for this long is complete even on its first sighting.
DEFAULT_SETTLE_SECONDS = 60.0
# Names that are never deliveries: hidden files, Excel's lock files, partial downloads.
IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".swp", ".lock")
CURSOR_VERSION = 1


@dataclass(frozen=True)
class ReadyFile:
    """A complete inbox file not requested before."""

    name: str
    sha256: str
    size: int


@dataclass
class InboxState:
    """What earlier scans saw, by `name_key`: `pending` (size, mtime_ns) of files not yet
    complete, `requested` (size, mtime_ns, sha256) of files already handed to a run."""

    pending: dict[str, tuple[int, int]] = field(default_factory=dict)
    requested: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "v": CURSOR_VERSION,
                "pending": {name: list(seen) for name, seen in sorted(self.pending.items())},
                "requested": {name: list(seen) for name, seen in sorted(self.requested.items())},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_cursor(cls, cursor: str | None) -> InboxState:
        """The state a cursor holds; an empty, foreign or damaged cursor starts afresh (the
        run keys still keep every delivery from running twice)."""
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            if data.get("v") != CURSOR_VERSION:
                return cls()
            return cls(
                pending={name: (int(s), int(m)) for name, (s, m) in data.get("pending", {}).items()},
                requested={
                    name: (int(s), int(m), str(h)) for name, (s, m, h) in data.get("requested", {}).items()
                },
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


def name_key(name: str) -> str:
    """The cursor's key for a file name (a digest: names are not stored)."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=10).hexdigest()


def is_candidate(path: Path) -> bool:
    """A regular, visible file that is not a partial download or an editor's lock file, or
    a symbolic link that is not to a folder (the ingestion refuses one that leaves the inbox,
    with a ledger row, so the sender hears of it)."""
    name = path.name
    return (
        (path.is_file() or (path.is_symlink() and not path.is_dir()))
        and not name.startswith(IGNORED_PREFIXES)
        and not name.lower().endswith(IGNORED_SUFFIXES)
    )


def sha256_of(path: Path) -> str:
    """The content hash; for a symbolic link the ingestion will refuse (one leading out of the
    inbox, or broken), a hash of the link itself: its target is never read."""
    from pipelines.hr.limits import refuse_link

    if refuse_link(path) is not None:
        return hashlib.sha256(b"symlink:" + str(path.readlink()).encode("utf-8", "replace")).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_inbox(
    inbox: Path,
    state: InboxState,
    *,
    now: float | None = None,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
) -> tuple[list[ReadyFile], InboxState]:
    """The files that became complete since the last scan, and the state for the next one."""
    now = time.time() if now is None else now
    ready: list[ReadyFile] = []
    new_state = InboxState()
    if not inbox.is_dir():
        return ready, new_state
    for path in sorted(inbox.iterdir()):
        if not is_candidate(path):
            continue
        try:
            stat = path.stat() if not path.is_symlink() else path.lstat()
        except FileNotFoundError:  # taken away between listing and looking
            continue
        key = name_key(path.name)
        seen = (stat.st_size, stat.st_mtime_ns)
        earlier = state.requested.get(key)
        if earlier is not None and earlier[:2] == seen:
            new_state.requested[key] = earlier
            continue
        unchanged = state.pending.get(key) == seen
        settled = now - stat.st_mtime >= settle_seconds
        if not (unchanged or settled):
            new_state.pending[key] = seen
            continue
        try:
            sha = sha256_of(path)
            after = path.stat() if not path.is_symlink() else path.lstat()
        except FileNotFoundError:
            continue
        if (after.st_size, after.st_mtime_ns) != seen:  # written to while we read it
            new_state.pending[key] = (after.st_size, after.st_mtime_ns)
            continue
        new_state.requested[key] = (*seen, sha)
        ready.append(ReadyFile(path.name, sha, stat.st_size))
    return ready, new_state
