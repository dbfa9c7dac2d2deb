"""A one-asset job in the warehouse_writer pool that sleeps: a run to kill in the tests.

`python -m tests.orchestration.orch_toy_job <run_id> <seconds>` runs it in-process against
the instance of $DAGSTER_HOME, as `workforce run` does.
"""

# No `from __future__ import annotations`: Dagster reads the config annotation at runtime.
import sys
import time

import dagster as dg

from pipelines.defs.orchestration.pools import WAREHOUSE_WRITER


class SleepConfig(dg.Config):
    seconds: float = 0.0


@dg.asset(pool=WAREHOUSE_WRITER)
def slow_writer(config: SleepConfig) -> None:
    time.sleep(config.seconds)


toy_job = dg.define_asset_job("toy_writer", [slow_writer], executor_def=dg.in_process_executor)
defs = dg.Definitions(assets=[slow_writer], jobs=[toy_job])


def run(instance: dg.DagsterInstance, run_id: str, seconds: float) -> bool:
    job = defs.resolve_job_def("toy_writer")
    config = {"ops": {"slow_writer": {"config": {"seconds": seconds}}}}
    return job.execute_in_process(run_config=config, instance=instance, run_id=run_id).success


if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:
        run(instance, sys.argv[1], float(sys.argv[2]))
