"""The Dagster code location: merges each area's Definitions, and nothing else.

`dagster dev -m pipelines.definitions` loads this. Areas import heavy libraries
(Great Expectations, dbt's runner) inside asset bodies only, so loading stays fast.
"""

import dagster as dg

from pipelines.defs.dbt.definitions import defs as dbt_defs
from pipelines.defs.hr.definitions import defs as hr_defs
from pipelines.defs.orchestration.definitions import defs as orchestration_defs
from pipelines.defs.quality.definitions import defs as quality_defs
from pipelines.defs.release.definitions import defs as release_defs
from pipelines.defs.ssb.definitions import defs as ssb_defs

defs = dg.Definitions.merge(hr_defs, ssb_defs, dbt_defs, quality_defs, release_defs, orchestration_defs)
