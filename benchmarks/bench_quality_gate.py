"""Benchmark: wall time of the whole quality gate at scale, where the time goes, and a dbt build
of the same data as the baseline (ratio target: gate ≤ 25 % of dbt build).

    .venv/bin/python benchmarks/bench_quality_gate.py [--municipalities 60] [--employees 5000]

Run it in a fresh process: the first gate of a process pays the Great Expectations import, as
`workforce check` does. The dbt baseline is a small stand-in project (staging view, the
person-year model, the long indicator mart and two wide marts, with a dozen schema tests) run
by the `dbt` CLI against the same rows; the real project has more models, so the ratio here
is an upper bound. Results go to benchmarks/results/quality_gate.json (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.quality.check_run import run_all_checks  # noqa: E402
from pipelines.quality.references import MUNICIPALITIES_CSV  # noqa: E402
from pipelines.settings import Settings  # noqa: E402
from tests.quality import fixtures  # noqa: E402

DBT_MODELS = {
    "stg_employments.sql": """
{{ config(materialized='view', schema='bench_staging') }}
select * from {{ source('raw', 'hr_employments') }}
""",
    "int_person_year.sql": """
{{ config(materialized='table', schema='bench_intermediate') }}
with years as (select distinct year(extraction_date) as year from {{ ref('stg_employments') }})
select e.municipality_code, y.year, e.employee_key as person_id, sum(e.fte_percent) as position_size,
       bool_or(e.employment_type not in ('apprentice', 'substitute')) and sum(e.fte_percent) > 0 as is_counted
from {{ ref('stg_employments') }} e join years y
  on e.start_date <= make_date(y.year, 12, 1)
 and (e.end_date is null or e.end_date >= make_date(y.year, 12, 1))
group by all
""",
    "fct_indicators.sql": """
{{ config(materialized='table', schema='bench_marts') }}
with counted as (select * from {{ ref('int_person_year') }} where is_counted),
fulltime as (
    select 'fulltime_share' as indicator_id, 'municipality' as area_type,
           municipality_code as area_code, year,
           null::varchar as breakdown, null::varchar as breakdown_value,
           count(*) filter (where position_size >= 100) as numerator, count(*) as denominator
    from counted group by all
),
avg_size as (
    select 'avg_position_size' as indicator_id, 'municipality' as area_type,
           municipality_code as area_code, year,
           null::varchar as breakdown, null::varchar as breakdown_value,
           sum(least(position_size, 100)) as numerator, count(*) as denominator
    from counted group by all
),
turnover as (
    select 'turnover' as indicator_id, 'municipality' as area_type, prev.municipality_code as area_code,
           prev.year + 1 as year, null::varchar as breakdown, null::varchar as breakdown_value,
           count(*) filter (where cur.person_id is null) as numerator, count(*) as denominator
    from counted prev left join {{ ref('int_person_year') }} cur
      on cur.municipality_code = prev.municipality_code and cur.person_id = prev.person_id
     and cur.year = prev.year + 1
    group by all
)
select *, numerator / denominator as value, 'share' as unit from fulltime
union all select *, numerator / denominator, 'percent' from avg_size
union all select *, numerator / denominator, 'share' from turnover
""",
    "fct_fulltime.sql": """
{{ config(materialized='table', schema='bench_marts') }}
select area_type, area_code, year,
       max(value) filter (where indicator_id = 'fulltime_share') as fulltime_share,
       max(value) filter (where indicator_id = 'avg_position_size') as avg_position_size
from {{ ref('fct_indicators') }} where indicator_id in ('fulltime_share', 'avg_position_size') group by all
""",
    "fct_turnover.sql": """
{{ config(materialized='table', schema='bench_marts') }}
select area_type, area_code, year, value as turnover
from {{ ref('fct_indicators') }} where indicator_id = 'turnover'
""",
}
DBT_SCHEMA_YML = """
version: 2
sources:
  - name: raw
    schema: raw
    tables: [{name: hr_employments}]
models:
  - name: int_person_year
    columns:
      - {name: municipality_code, tests: [not_null]}
      - {name: person_id, tests: [not_null]}
      - {name: year, tests: [not_null]}
  - name: fct_indicators
    columns:
      - name: indicator_id
        tests: [not_null, {accepted_values: {values: [fulltime_share, avg_position_size, turnover]}}]
      - {name: area_code, tests: [not_null]}
      - {name: denominator, tests: [not_null]}
  - name: fct_fulltime
    columns:
      - {name: area_code, tests: [not_null]}
      - {name: fulltime_share, tests: [not_null]}
  - name: fct_turnover
    columns:
      - {name: turnover, tests: [not_null]}
"""
DBT_MACRO = """
{% macro generate_schema_name(custom_schema_name, node) -%}
{{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
"""


def municipalities(n: int) -> list[str]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as handle:
        codes = [r["code"] for r in csv.DictReader(handle) if not r["valid_to"] and r["code"] != "9999"]
    return codes[:n]


def dbt_build(db: Path, workdir: Path) -> float:
    """`dbt build` of the stand-in project against `db`; returns wall seconds (CLI start to end)."""
    project = workdir / "dbt_bench"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: bench\nversion: '1.0.0'\nprofile: bench\nmodel-paths: [models]\nmacro-paths: [macros]\n"
    )
    (project / "profiles.yml").write_text(
        f"bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{db}'\n      threads: 2\n"
    )
    for name, sql in DBT_MODELS.items():
        (project / "models" / name).write_text(sql)
    (project / "models" / "schema.yml").write_text(DBT_SCHEMA_YML)
    (project / "macros" / "schema.sql").write_text(DBT_MACRO)
    env = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = Path(sys.executable).with_name("dbt")
    started = time.perf_counter()
    subprocess.run(
        [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"],
        check=True,
        env=env,
        cwd=project,
    )
    return time.perf_counter() - started


def gate_in_child(home: Path) -> dict[str, object]:
    """One gate in a fresh process, as `workforce check` runs it: pays the imports, and its
    peak memory is the gate's own."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--gate-only", str(home)], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_seconds"] = round(time.perf_counter() - started, 2)
    return result


def _peak_rss_mb() -> int:
    """This process's own high-water mark (VmHWM; ru_maxrss would include the parent's from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def gate_only(home: Path) -> None:
    gate = run_all_checks(Settings(home=home))
    print(
        json.dumps(
            {
                "passed": gate.passed,
                "checks": len(gate.results),
                "timings": {k: round(v, 3) for k, v in gate.timings.items() if ":" not in k},
                "gx_per_suite": {k[3:]: round(v, 3) for k, v in gate.timings.items() if k.startswith("gx:")},
                "slowest_sql": dict(
                    sorted(
                        ((k[4:], round(v, 3)) for k, v in gate.timings.items() if k.startswith("sql:")),
                        key=lambda kv: -kv[1],
                    )[:5]
                ),
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--gate-only":
        gate_only(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=60)
    parser.add_argument("--employees", type=int, default=5000, help="employments per municipality")
    parser.add_argument("--years", default="2015-2024")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    settings = Settings(home=work / "home")
    try:
        started = time.perf_counter()
        fixtures.build_warehouse(
            settings.build_db_path,
            municipalities=municipalities(args.municipalities),
            employees=args.employees,
            years=range(first, last + 1),
        )
        build_seconds = time.perf_counter() - started
        import duckdb

        with duckdb.connect(str(settings.build_db_path), read_only=True) as con:
            counts = dict(
                con.execute(
                    "select 'hr_employments', count(*) from raw.hr_employments union all "
                    "select 'deliveries', count(*) from audit.deliveries union all "
                    "select 'ssb_population', count(*) from raw.ssb_population union all "
                    "select 'int_person_year', count(*) from intermediate.int_person_year union all "
                    "select 'fct_indicators', count(*) from marts.fct_indicators"
                ).fetchall()
            )

        runs = {}
        for label in ("first run (every delivery new)", "second run (no new delivery)"):
            runs[label] = gate_in_child(settings.home)
        peak_mb = max(r["peak_rss_mb"] for r in runs.values())

        dbt_copy = work / "dbt.duckdb"
        shutil.copyfile(settings.build_db_path, dbt_copy)
        dbt_seconds = dbt_build(dbt_copy, work)

        first_total = runs["first run (every delivery new)"]["process_wall_seconds"]
        steady_total = runs["second run (no new delivery)"]["process_wall_seconds"]
        report = {
            "scale": {
                "municipalities": args.municipalities,
                "employees_per_municipality": args.employees,
                "years": args.years,
                **counts,
            },
            "warehouse_generation_seconds": round(build_seconds, 2),
            "gate": runs,
            "peak_rss_mb_gate_process": peak_mb,
            "dbt_build_seconds_standin": round(dbt_seconds, 2),
            "ratio_first_gate_to_dbt_build": round(first_total / dbt_seconds, 2),
            "ratio_steady_gate_to_dbt_build": round(steady_total / dbt_seconds, 2),
            "cpu_count": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
        }
        out = REPO / "benchmarks" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "quality_gate.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print(json.dumps(report, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
