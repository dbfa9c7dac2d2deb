"""Dagster wiring of the `dbt` area.

dagster-dbt is imported here first, on its no-dbt-core path (see `lean.py`), so every module of
the area that imports it afterwards gets that module and the code location loads fast.
"""

from pipelines.defs.dbt import lean as _lean  # noqa: F401  (imported for its effect)
