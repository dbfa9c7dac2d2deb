"""`manifest.json`: what a release is, what it was made from, and how to verify it.

The county must be able to say, years later, which deliveries and which SSB versions a
published figure came from, which checks passed, and which suppression rule was used —
and to prove a file is the one released (sha256 of every file). The manifest is the only
file in a release that carries a timestamp, so the data files of two releases from the
same inputs are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.quality.gate import GateSummary
from pipelines.release.disclosure import SuppressionSummary
from pipelines.release.inputs import ReleaseInputs
from pipelines.settings import REPO_ROOT

MANIFEST_NAME = "manifest.json"


def code_version(repo: Path = REPO_ROOT) -> dict[str, Any]:
    """The git commit of the code that made the release ('unknown' outside a checkout)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "unknown", "dirty": None}
    return {"git_commit": commit or "unknown", "dirty": bool(status.strip())}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_hashes(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name: {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name != MANIFEST_NAME
    }


def build_manifest(
    directory: Path,
    *,
    release_id: str,
    created_at: datetime,
    reference_year: int,
    years: list[int],
    input_hash: str,
    inputs: ReleaseInputs,
    gate: GateSummary,
    suppression: SuppressionSummary,
) -> dict[str, Any]:
    loaded = [d for d in inputs.deliveries if str(d.get("outcome") or "loaded") == "loaded"]
    return {
        "release_id": release_id,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "code_version": code_version(),
        "reference_year": reference_year,
        "years": years,
        "input_hash": input_hash,
        "inputs": {
            "deliveries": [
                {
                    "sha256": d.get("delivery_sha256"),
                    "municipality_code": d.get("municipality_code"),
                    "extraction_date": d.get("extraction_date"),
                    "kind": d.get("kind"),
                    "file_name": d.get("file_name"),
                }
                for d in loaded
            ],
            "deliveries_not_loaded": len(inputs.deliveries) - len(loaded),
            "ssb_tables": inputs.ssb_sources,
            "demo_figures": inputs.uses_demo_figures,
        },
        "checks": gate.as_dict(),
        "disclosure": suppression.as_dict(),
        "license": "Tall fra Statistisk sentralbyrå (SSB) er lisensiert under CC BY 4.0. "
        "Kilde: Statistisk sentralbyrå (SSB).",
        "files": file_hashes(directory),
    }


def write_manifest(directory: Path, **kwargs: Any) -> Path:
    manifest = build_manifest(directory, **kwargs)
    path = directory / MANIFEST_NAME
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
