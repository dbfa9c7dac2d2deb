"""The Dagster code location: merges each area's Definitions, and nothing else.

`dagster dev -m pipelines.definitions` loads this. Areas import heavy libraries
(Great Expectations, dbt's runner) inside asset bodies only, so loading stays fast.

The areas are imported as modules, not their `defs` objects: Dagster refuses a module with
more than one `Definitions` at module scope.
"""

import dagster as dg

from pipelines.defs.dbt import definitions as dbt
from pipelines.defs.hr import definitions as hr
from pipelines.defs.orchestration import definitions as orchestration
from pipelines.defs.quality import definitions as quality
from pipelines.defs.release import definitions as release
from pipelines.defs.ssb import definitions as ssb
from pipelines.defs.warehouse import definitions as warehouse

defs = dg.Definitions.merge(
    hr.defs, ssb.defs, dbt.defs, quality.defs, warehouse.defs, release.defs, orchestration.defs
)
