"""Every response kept on disk with its query and fetch time, so `auto` can fall back.

Layout, one folder per logical fetch (a query may take several responses when split):

    <cache>/<key>/<fetched_at>-<query_hash>/
        request-000.json   method, URL, parameters or POST body of part 0
        part-000.json      the body exactly as SSB sent it
        ...
        manifest.json      table, query, hash, fetch time, `updated`, parts — written last

A folder without `manifest.json` is an interrupted write and is never read.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.ssb.transport import RawResponse

_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class CacheEntry:
    """A complete cached fetch."""

    path: Path
    manifest: dict[str, Any]

    @property
    def fetched_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["fetched_at"])

    @property
    def query_hash(self) -> str:
        return str(self.manifest["query_hash"])

    def bodies(self) -> list[bytes]:
        return [(self.path / name).read_bytes() for name in self.manifest["parts"]]


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class ResponseCache:
    """Stores and finds cached fetches under one root (`settings.ssb_cache_dir`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(
        self,
        key: str,
        *,
        query: dict[str, Any],
        query_hash: str,
        responses: Sequence[RawResponse],
        updated: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> CacheEntry:
        fetched_at = max((r.fetched_at for r in responses), default=datetime.now(UTC))
        folder = self.root / _safe(key) / f"{fetched_at.strftime(_STAMP)}-{query_hash}"
        folder.mkdir(parents=True, exist_ok=True)
        parts = []
        for i, resp in enumerate(responses):
            request = {
                "method": resp.method,
                "url": resp.url,
                **resp.request,
                "fetched_at": resp.fetched_at.isoformat(),
                "status": resp.status,
            }
            _write(
                folder / f"request-{i:03d}.json", json.dumps(request, ensure_ascii=False, indent=1).encode()
            )
            _write(folder / f"part-{i:03d}.json", resp.body)
            parts.append(f"part-{i:03d}.json")
        manifest = {
            "key": key,
            "query": query,
            "query_hash": query_hash,
            "fetched_at": fetched_at.isoformat(),
            "updated": updated.isoformat() if updated else None,
            "parts": parts,
            **(extra or {}),
        }
        _write(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        return CacheEntry(folder, manifest)

    def entries(self, key: str) -> list[CacheEntry]:
        """Complete entries for `key`, newest first."""
        base = self.root / _safe(key)
        if not base.is_dir():
            return []
        out = []
        for folder in base.iterdir():
            manifest_path = folder / "manifest.json"
            if not manifest_path.is_file():
                continue
            try:
                manifest = json.loads(manifest_path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            if all((folder / p).is_file() for p in manifest.get("parts", [])):
                out.append(CacheEntry(folder, manifest))
        return sorted(out, key=lambda e: e.fetched_at, reverse=True)

    def newest(self, key: str, query_hash: str | None = None) -> CacheEntry | None:
        """The newest entry for the same query, else the newest for `key` at all."""
        entries = self.entries(key)
        if query_hash:
            for entry in entries:
                if entry.query_hash == query_hash:
                    return entry
        return entries[0] if entries else None

    def prune(self, key: str, keep: int = 12) -> int:
        """Drop all but the newest `keep` entries of `key`; returns how many went."""
        entries = self.entries(key)
        for entry in entries[keep:]:
            shutil.rmtree(entry.path, ignore_errors=True)
        return max(0, len(entries) - keep)


def _safe(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
