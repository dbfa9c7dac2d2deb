"""The quality gate: suite runner, reconciliation SQL, quality reports."""
