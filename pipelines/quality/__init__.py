"""Checks and the quality gate: reconciliation SQL, GX suites, check runs, the gate's verdict, reports."""
