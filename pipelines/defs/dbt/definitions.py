"""Definitions of the dbt area: the dbt assets and the dbt CLI resource."""

import dagster as dg

from pipelines.defs.dbt.assets import workforce_dbt_models
from pipelines.defs.resources import DBT_KEY, location_dbt

defs = dg.Definitions(assets=[workforce_dbt_models], resources={DBT_KEY: location_dbt()})
