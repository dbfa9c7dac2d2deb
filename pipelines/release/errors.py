"""Errors of the release step: each says what to do, in one line a user can act on."""

from __future__ import annotations

from pipelines.errors import WorkforceError


class ReleaseError(WorkforceError):
    """The release cannot be built from these inputs (missing tables, an unknown year, ...)."""


class ReleaseRefusedError(ReleaseError):
    """The quality gate forbids publication; `reasons` lists every blocking problem."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        lines = "\n".join(f"  - {reason}" for reason in self.reasons)
        super().__init__(f"Utgivelsen er avvist; ingenting er skrevet. Grunner:\n{lines}")


class ReleaseNotFoundError(ReleaseError):
    """A release named on the command line does not exist."""
