"""HOOK for the incremental measurement (feat/incr): one municipality's new yearly extract
on top of a national warehouse.

The national scale holds back one municipality's last employments extract (the harness
moves it out of the deliveries before anything reads them). After the full staged build,
`measure_incremental` hands the built WORKFORCE_HOME and that file to
`benchmarks/bench_incremental.py::run_incremental` if that module exists, and records
whatever it returns. The mechanism and its measurement are feat/incr's; this only calls it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from pipelines.settings import REPO_ROOT

MODULE = REPO_ROOT / "benchmarks" / "bench_incremental.py"
PREFERRED = ("1804", "1806", "0301")  # Bodø first: a large Nordland municipality


def hold_back(deliveries: Path, held: Path, last_year: int) -> Path | None:
    """Move one municipality's `last_year` employments extract from `deliveries` to `held`."""
    pattern = re.compile(rf"^(\d{{4}})_arbeidsforhold_{last_year}-\d{{2}}-\d{{2}}\.(csv|txt|xlsx)$")
    candidates = {m.group(1): p for p in deliveries.iterdir() if (m := pattern.match(p.name))}
    if not candidates:
        return None
    code = next((c for c in PREFERRED if c in candidates), min(candidates))
    held.mkdir(parents=True, exist_ok=True)
    target = held / candidates[code].name
    candidates[code].rename(target)
    return target


def measure_incremental(home: Path, delivery: Path, env: dict[str, str]) -> dict:
    """Call feat/incr's measurement if it is there; never fails the benchmark."""
    if not MODULE.is_file():
        return {"status": "not available", "detail": f"{MODULE.relative_to(REPO_ROOT)} does not exist on this branch"}
    spec = importlib.util.spec_from_file_location("bench_incremental", MODULE)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        # once: at national scale each of its three runs (incremental, the same delivery with a
        # full build, a full rebuild) takes minutes
        result = module.run_incremental(home, delivery, repeat=1, secret=env["WORKFORCE_SECRET"])
    except (Exception, SystemExit) as error:  # a hook: report, do not stop the national measurement
        return {"status": "failed", "detail": f"{type(error).__name__}: {error}"[:500]}
    return {"status": "measured", "delivery": delivery.name, "result": result}
