"""The quality gate as the release sees it: may these figures leave the warehouse?

The gate reads `audit.check_results` (written by the quality area). For every check
(check name × asset) it takes the most recent result — which is what Dagster's UI shows
as the check's state — so a blocking failure stays blocking until that check has run
again and passed, even if a later run only re-ran other checks. That is at least as
strict as "the latest run": everything the latest run evaluated is the latest result of
its check. A check with no verdict (`passed` null) or an unknown severity counts as a
blocking failure: the gate fails closed. No results at all also refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
