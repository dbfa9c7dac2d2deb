"""The quality gate (kvalitetsporten): may these figures leave the build database?

One verdict, used by everything that lets figures out: the `quality/gate` asset, the
published warehouse (`pipelines.warehouse.publish`) and the county release
(`pipelines.release.make`). Running the checks is another thing (`pipelines.quality.check_run`
and the Dagster asset checks); the gate only reads their results.

The gate reads `audit.check_results` (written by the checks). For every check
(check name × asset) it takes the most recent result — which is what Dagster's UI shows
as the check's state — so a blocking failure stays blocking until that check has run
again and passed, even if a later run only re-ran other checks. That is at least as
strict as "the latest run": everything the latest run evaluated is the latest result of
its check. A check with no verdict (`passed` null) or an unknown severity counts as a
blocking failure: the gate fails closed. No results at all also refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import WorkforceError


class GateClosedError(WorkforceError):
    """The quality gate forbids letting the figures out (every reason is in the message)."""


@dataclass
class GateSummary:
    """The latest result of each check, split by outcome."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    failed_block: list[dict[str, Any]] = field(default_factory=list)
    failed_warn: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def passed(self) -> int:
        return sum(1 for check in self.checks if check.get("passed") is True)

    @property
    def runs(self) -> list[str]:
        return sorted({str(check.get("run_id")) for check in self.checks})

    @property
    def latest_checked_at(self) -> str | None:
        stamps = [str(c["checked_at"]) for c in self.checks if c.get("checked_at")]
        return max(stamps) if stamps else None

    def refusal_reasons(self) -> list[str]:
        if not self.checks:
            return [
                "Ingen kvalitetskontroller har resultater i audit.check_results: kjør kvalitetsporten "
                "(`workforce check` eller kontrollene i Dagster) før du publiserer."
            ]
        return [_describe(check) for check in self.failed_block]

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": "siste resultat per kontroll og tabell; en feilet blokkerende kontroll stopper utgivelsen",
            "checks": self.total,
            "passed": self.passed,
            "failed_block": len(self.failed_block),
            "failed_warn": len(self.failed_warn),
            "runs": self.runs,
            "latest_checked_at": self.latest_checked_at,
            "warnings": [
                {
                    key: check.get(key)
                    for key in ("check_name", "asset_key", "run_id", "observed", "expected", "unexpected_count")
                }
                for check in self.failed_warn
            ],
        }


def _describe(check: dict[str, Any]) -> str:
    name = check.get("check_name") or "?"
    asset = check.get("asset_key") or "?"
    run = check.get("run_id") or "?"
    if check.get("passed") is None:
        return (
            f"den blokkerende kontrollen {name} på {asset} har ikke noe resultat (kjøring {run}); "
            "den må kjøre og bestå."
        )
    details = []
    if check.get("observed") is not None:
        details.append(f"observert {check['observed']}")
    if check.get("expected") is not None:
        details.append(f"forventet {check['expected']}")
    if check.get("unexpected_count"):
        details.append(f"{check['unexpected_count']} avvikende rader")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"den blokkerende kontrollen {name} på {asset} feilet i kjøring {run}{suffix}."


def evaluate(check_results: list[dict[str, Any]]) -> GateSummary:
    """Reduce the check history to the latest result per check and classify it."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(check_results, key=lambda r: (str(r.get("checked_at")), str(r.get("run_id")))):
        latest[(str(row.get("check_name")), str(row.get("asset_key")))] = row
    summary = GateSummary(checks=[latest[key] for key in sorted(latest)])
    for check in summary.checks:
        if check.get("passed") is True:
            continue
        severity = str(check.get("severity") or "").lower()
        if severity == "warn" and check.get("passed") is False:
            summary.failed_warn.append(check)
        else:
            summary.failed_block.append(check)
    return summary


def gate_summary(build_db: Path) -> GateSummary:
    """The latest result of every check in the build database's `audit.check_results` (none
    when the table is missing)."""
    from pipelines.warehouse.connection import connect

    with connect(build_db, read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'check_results'"
        ).fetchone()[0]
        rows: list[dict] = []
        if present:
            cursor = con.execute(
                "select run_id, check_name, asset_key, severity, passed, observed, expected, "
                "unexpected_count, cast(checked_at as varchar) as checked_at from audit.check_results"
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return evaluate(rows)


def require_open_gate(build_db: Path, what: str = "Analysebasen er ikke publisert") -> int:
    """Raise `GateClosedError` unless every check's latest result passed or only warns;
    return the number of checks the verdict rests on."""
    summary = gate_summary(build_db)
    reasons = summary.refusal_reasons()
    if reasons:
        raise GateClosedError(
            f"{what}: " + " ".join(reasons[:10])
            + (f" (og {len(reasons) - 10} til)" if len(reasons) > 10 else "")
        )
    return summary.total
