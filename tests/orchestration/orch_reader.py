"""An analyst in another process: reads the published warehouse over and over.

    python -m tests.orchestration.orch_reader <db> <out.jsonl> <stop-file> hold|reopen

`hold` opens one read-only connection and keeps querying it; `reopen` opens a fresh
read-only connection for every read. Each read is one statement over every mart and the
ledger (`warehouse_state`), written as a JSON line; an error is written, never raised.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from pipelines.warehouse.publish import warehouse_state


def main(db: Path, out: Path, stop: Path, mode: str) -> None:
    held = duckdb.connect(str(db), read_only=True) if mode == "hold" else None
    with open(out, "a", encoding="utf-8") as log:
        log.write(json.dumps({"ready": True}) + "\n")
        log.flush()
        while not stop.exists():
            record: dict = {"t": time.time()}
            try:
                if held is not None:
                    record["state"] = warehouse_state(held)
                else:
                    con = duckdb.connect(str(db), read_only=True)
                    try:
                        record["state"] = warehouse_state(con)
                    finally:
                        con.close()
            except Exception as error:  # the point is to record every failure
                record["error"] = f"{type(error).__name__}: {error}"
            log.write(json.dumps(record, default=str) + "\n")
            log.flush()
            time.sleep(0.25)  # often enough to meet every publish, light on a 2-core machine


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
