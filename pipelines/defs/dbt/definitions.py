"""Definitions of the dbt area: the dbt assets and the dbt CLI resource."""

import dagster as dg

from pipelines.defs.dbt.assets import workforce_dbt_models
from pipelines.defs.dbt.project import dbt_resource

defs = dg.Definitions(assets=[workforce_dbt_models], resources={"dbt": dbt_resource()})
