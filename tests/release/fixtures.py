"""A small, hand-shaped warehouse for release tests, until the real marts exist.

Indicators are computed from synthetic persons (deterministic, seeded), so every region
really is the sum of its municipalities and every breakdown adds up to its total — the
constraints disclosure control must respect. Røst (1856) and Værøy (1857) are tiny, so
several of their cells must be suppressed.
"""

from __future__ import annotations

import hashlib
import random
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.schema import ensure_schema

YEARS = (2021, 2022, 2023, 2024)
# code, name, employees (roughly the real municipal workforce, scaled down for speed)
MUNICIPALITIES: tuple[tuple[str, str, int], ...] = (
    ("1804", "Bodø", 900),
    ("1836", "Rødøy", 70),
    ("1837", "Meløy", 220),
    ("1838", "Gildeskål", 110),
    ("1839", "Beiarn", 60),
    ("1840", "Saltdal", 180),
    ("1841", "Fauske - Fuossko", 300),
    ("1845", "Sørfold", 100),
    ("1848", "Steigen", 120),
    ("1875", "Hábmer - Hamarøy", 115),
    ("1856", "Røst", 28),
    ("1857", "Værøy", 34),
    ("1859", "Flakstad", 65),
    ("1874", "Moskenes", 55),
    ("1860", "Vestvågøy", 420),
    ("1865", "Vågan", 380),
)
REGIONS = {
    "salten": ("1804", "1836", "1837", "1838", "1839", "1840", "1841", "1845", "1848", "1875"),
    "outer_lofoten": ("1856", "1857", "1859", "1874"),
    "lofoten": ("1856", "1857", "1859", "1874", "1860", "1865"),
    "nordland": tuple(code for code, _, _ in MUNICIPALITIES),
}
SERVICE_AREAS = ("helse_omsorg", "oppvekst", "administrasjon", "teknisk", "kultur")
SERVICE_WEIGHTS = (0.45, 0.3, 0.12, 0.09, 0.04)
AGE_BANDS = ("<30", "30-44", "45-54", "55-61", "62+")
AGE_WEIGHTS = (0.15, 0.32, 0.25, 0.17, 0.11)
FUNCTIONS = ("hr", "lonn", "regnskap", "ikt", "teknisk_plan")

INDICATORS = (
    # id, name, definition, unit, family
    (
        "fulltime_share",
        "Heltidsandel",
        "Tellende ansatte med stillingsstørrelse ≥ 100 % ÷ tellende ansatte.",
        "share",
        "fulltime",
    ),
    ("fte", "Avtalte årsverk", "Sum av stillingsstørrelser ÷ 100.", "count", "fulltime"),
    (
        "turnover",
        "Turnover",
        "Tellende ansatte 1.12. i fjor som ikke er ansatt i kommunen 1.12. i år ÷ tellende ansatte i fjor.",
        "share",
        "turnover",
    ),
    (
        "retention_12m",
        "Stabilitet nyansatte (12 mnd)",
        "Andel nyansatte som fortsatt er ansatt etter 12 måneder.",
        "share",
        "turnover",
    ),
    ("median_tenure_years", "Median ansiennitet", "Median år siden første ansettelse i kommunen.", "years", "turnover"),
    (
        "key_turnover",
        "Turnover i nøkkelstillinger",
        "Turnover blant personer i nøkkelstillinger.",
        "share",
        "key_positions",
    ),
    (
        "key_cost_per_hire",
        "Kostnad per ansettelse, nøkkelstillinger",
        "Sum kostnader for besatte nøkkelstillinger ÷ antall.",
        "nok",
        "key_positions",
    ),
    ("time_to_fill_days", "Tid til besettelse", "Median dager fra utlysning til besettelse.", "days", "recruitment"),
    (
        "apprentice_conversion_12m",
        "Lærlinger ansatt etter læretiden",
        "Lærlinger som har fast eller midlertidig stilling i kommunen innen 12 måneder ÷ lærlinger som fullførte.",
        "share",
        "recruitment",
    ),
    ("age_distribution", "Aldersfordeling", "Tellende ansatte etter aldersgruppe.", "share", "diversity"),
    (
        "age_dissimilarity",
        "Ulikhetsindeks alder",
        "Halve summen av absolutte andelsforskjeller mot befolkningen 20–66 år.",
        "index",
        "diversity",
    ),
    ("retirement_wave_5y", "Pensjonsbølge 5 år", "Tellende ansatte som fyller 67 innen 5 år.", "count", "diversity"),
    (
        "employees_per_1000",
        "Ansatte per 1000 innbyggere",
        "Tellende ansatte per 1000 innbyggere.",
        "per_1000",
        "diversity",
    ),
    ("function_fte", "Årsverk per funksjon", "Årsverk i fellesfunksjoner.", "count", "shared_services"),
    (
        "single_person_functions",
        "Enpersonsfunksjoner",
        "Funksjoner med én person eller under ett årsverk.",
        "count",
        "shared_services",
    ),
)

GOALS = (
    # goal_id, indicator, area, baseline year, target value (None: relative), relative change, target year
    ("salten_heltid", "fulltime_share", "salten", 2021, 0.55, None, 2030),
    ("lofoten_kostnad", "key_cost_per_hire", "outer_lofoten", 2021, None, -0.5, 2026),
    ("rost_nokkel", "key_turnover", "1856", 2021, 0.08, None, 2026),
)


@dataclass
class Person:
    municipality: str
    gender: str
    service_area: str
    age_band: str
    fulltime: bool
    fte: float
    key: bool
    tenure: float
    leaves: bool
    retiring_5y: bool
    function: str | None


def _people(seed: int) -> dict[tuple[str, int], list[Person]]:
    rng = random.Random(seed)
    people: dict[tuple[str, int], list[Person]] = {}
    for code, _, size in MUNICIPALITIES:
        for year in YEARS:
            trend = (year - YEARS[0]) * 0.02
            count = max(5, int(size * (1 + rng.uniform(-0.03, 0.03))))
            persons = []
            for _ in range(count):
                service = rng.choices(SERVICE_AREAS, SERVICE_WEIGHTS)[0]
                age = rng.choices(AGE_BANDS, AGE_WEIGHTS)[0]
                fulltime = rng.random() < 0.42 + trend + (0.2 if service == "administrasjon" else 0)
                fte = 100.0 if fulltime else rng.choice((20.0, 40.0, 50.0, 60.0, 75.0, 80.0))
                persons.append(
                    Person(
                        municipality=code,
                        gender="F" if rng.random() < 0.78 else "M",
                        service_area=service,
                        age_band=age,
                        fulltime=fulltime,
                        fte=fte,
                        key=rng.random() < 0.06,
                        tenure=round(rng.uniform(0, 30), 1),
                        leaves=rng.random() < 0.14 - trend / 2,
                        retiring_5y=age == "62+" or (age == "55-61" and rng.random() < 0.3),
                        function=rng.choice(FUNCTIONS) if service == "administrasjon" and rng.random() < 0.5 else None,
                    )
                )
            people[(code, year)] = persons
    return people


def _share_cells(persons: list[Person], num, keyfn=None):
    """(breakdown value, numerator, denominator) per group; keyfn None → the total."""
    groups: dict[str, list[Person]] = {}
    for person in persons:
        groups.setdefault("total" if keyfn is None else keyfn(person), []).append(person)
    return [(value, float(sum(1 for p in group if num(p))), float(len(group))) for value, group in groups.items()]


def indicator_rows(seed: int = 7) -> list[dict]:
    """The long table `marts.fct_indicators` for the fixture municipalities and regions."""
    people = _people(seed)
    rng = random.Random(seed + 1)
    population = {code: size * 14 for code, _, size in MUNICIPALITIES}
    postings = {
        (code, year): [
            (rng.randint(15, 120), rng.randint(20_000, 140_000), rng.random() < 0.25) for _ in range(max(1, size // 25))
        ]
        for code, _, size in MUNICIPALITIES
        for year in YEARS
    }
    apprentices = {
        (code, year): [rng.random() < 0.55 for _ in range(max(1, size // 60))]
        for code, _, size in MUNICIPALITIES
        for year in YEARS
    }
    areas: list[tuple[str, str, tuple[str, ...]]] = [("municipality", code, (code,)) for code, _, _ in MUNICIPALITIES]
    areas += [("region", region, members) for region, members in REGIONS.items()]

    rows: list[dict] = []

    def add(indicator, area_type, area, year, breakdown, value_key, num, den, value, unit):
        rows.append(
            {
                "indicator_id": indicator,
                "area_type": area_type,
                "area_code": area,
                "year": year,
                "breakdown": breakdown,
                "breakdown_value": value_key,
                "numerator": num,
                "denominator": den,
                "value": value,
                # the persons behind the figure, as marts.fct_indicators has them: the denominator
                # of a ratio, the count itself for counts
                "persons": int(den) if den is not None else (round(num) if num is not None else None),
                "unit": unit,
                "basis": "municipality",
            }
        )

    breakdowns = {
        "gender": lambda p: p.gender,
        "service_area": lambda p: p.service_area,
        "age_band": lambda p: p.age_band,
    }
    for area_type, area, members in areas:
        for year in YEARS:
            persons = [p for m in members for p in people[(m, year)]]
            previous = [p for m in members for p in people.get((m, year - 1), [])]
            for breakdown, keyfn in [("total", None), *breakdowns.items()]:
                for value_key, num, den in _share_cells(persons, lambda p: p.fulltime, keyfn):
                    add("fulltime_share", area_type, area, year, breakdown, value_key, num, den, num / den, "share")
                groups: dict[str, list[Person]] = {}
                for p in persons:
                    groups.setdefault("total" if keyfn is None else keyfn(p), []).append(p)
                for value_key, group in groups.items():
                    fte = round(sum(p.fte for p in group) / 100, 2)
                    add("fte", area_type, area, year, breakdown, value_key, fte, None, fte, "count")
                if previous and breakdown in ("total", "gender", "service_area"):
                    for value_key, num, den in _share_cells(previous, lambda p: p.leaves, keyfn):
                        add("turnover", area_type, area, year, breakdown, value_key, num, den, num / den, "share")
            for value_key, num, _den in _share_cells(persons, lambda p: p.retiring_5y, lambda p: p.service_area):
                add("retirement_wave_5y", area_type, area, year, "service_area", value_key, num, None, num, "count")
            wave = float(sum(p.retiring_5y for p in persons))
            add("retirement_wave_5y", area_type, area, year, "total", "total", wave, None, wave, "count")
            n = float(len(persons))
            for band in AGE_BANDS:
                num = float(sum(p.age_band == band for p in persons))
                add("age_distribution", area_type, area, year, "age_band", band, num, n, num / n, "share")
            shares = [sum(p.age_band == b for p in persons) / n for b in AGE_BANDS]
            dissimilarity = round(0.5 * sum(abs(s - w) for s, w in zip(shares, AGE_WEIGHTS, strict=True)), 4)
            add("age_dissimilarity", area_type, area, year, "total", "total", None, n, dissimilarity, "index")
            add(
                "median_tenure_years",
                area_type,
                area,
                year,
                "total",
                "total",
                None,
                n,
                statistics.median(p.tenure for p in persons),
                "years",
            )
            pop = float(sum(population[m] for m in members))
            add(
                "employees_per_1000",
                area_type,
                area,
                year,
                "total",
                "total",
                n,
                pop,
                round(1000 * n / pop, 2),
                "per_1000",
            )
            if previous:
                key_prev = [p for p in previous if p.key]
                if key_prev:
                    leavers = float(sum(p.leaves for p in key_prev))
                    add(
                        "key_turnover",
                        area_type,
                        area,
                        year,
                        "total",
                        "total",
                        leavers,
                        float(len(key_prev)),
                        leavers / len(key_prev),
                        "share",
                    )
            new_hires = [p for p in persons if p.tenure < 1.0]
            if new_hires:
                stay = float(sum(not p.leaves for p in new_hires))
                add(
                    "retention_12m",
                    area_type,
                    area,
                    year,
                    "total",
                    "total",
                    stay,
                    float(len(new_hires)),
                    stay / len(new_hires),
                    "share",
                )
            posts = [x for m in members for x in postings[(m, year)]]
            add(
                "time_to_fill_days",
                area_type,
                area,
                year,
                "total",
                "total",
                None,
                float(len(posts)),
                float(statistics.median(d for d, _, _ in posts)),
                "days",
            )
            key_posts = [c for _, c, k in posts if k]
            if key_posts:
                add(
                    "key_cost_per_hire",
                    area_type,
                    area,
                    year,
                    "total",
                    "total",
                    float(sum(key_posts)),
                    float(len(key_posts)),
                    round(sum(key_posts) / len(key_posts)),
                    "nok",
                )
            appr = [x for m in members for x in apprentices[(m, year)]]
            hired = float(sum(appr))
            add(
                "apprentice_conversion_12m",
                area_type,
                area,
                year,
                "total",
                "total",
                hired,
                float(len(appr)),
                hired / len(appr),
                "share",
            )
            single = 0.0
            for function in FUNCTIONS:
                staff = [p for p in persons if p.function == function]
                fte = round(sum(p.fte for p in staff) / 100, 2)
                add("function_fte", area_type, area, year, "function_family", function, fte, None, fte, "count")
                single += float(len(staff) <= 1 or fte < 1)
            add("single_person_functions", area_type, area, year, "total", "total", single, None, single, "count")
    return rows


def goal_rows(indicators: list[dict]) -> list[dict]:
    lookup = {
        (r["indicator_id"], r["area_code"], r["year"]): r["value"] for r in indicators if r["breakdown"] == "total"
    }
    rows = []
    for goal_id, indicator, area, base_year, target, change, target_year in GOALS:
        baseline = lookup.get((indicator, area, base_year))
        latest = lookup.get((indicator, area, YEARS[-1]))
        if target is None and baseline is not None:
            target = baseline * (1 + change)
        on_track = None
        if baseline is not None and latest is not None and target is not None:
            on_track = (latest - baseline) * (target - baseline) > 0
        rows.append(
            {
                "goal_id": goal_id,
                "indicator_id": indicator,
                "area_code": area,
                "baseline_year": base_year,
                "baseline_value": baseline,
                "latest_year": YEARS[-1],
                "latest_value": latest,
                "target_value": target,
                "target_year": target_year,
                "on_track": on_track,
            }
        )
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(rows, infer_schema_length=None).to_arrow()
    con.register("fixture_rows", frame)
    try:
        con.execute(f"insert into {table} by name select * from fixture_rows")
    finally:
        con.unregister("fixture_rows")


def write_fixture_db(
    path: Path,
    *,
    checks: str = "pass",
    demo: bool = True,
    seed: int = 7,
    overrides: dict[tuple[str, str, int, str, str], dict[str, float | None]] | None = None,
    drop: set[tuple[str, str, int, str, str]] | None = None,
) -> Path:
    """Create a warehouse file at `path` with marts and audit tables filled by hand-made rows.

    checks: "pass" (all pass, one warning), "fail_block" (a blocking check failed in the
    latest run) or "none" (no check results at all). `overrides` change single values
    (indicator, area, year, breakdown, breakdown_value) → {column: value} and `drop` removes
    cells, to simulate a re-delivery.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    indicators = indicator_rows(seed)
    kept = []
    for row in indicators:
        key = (row["indicator_id"], row["area_code"], row["year"], row["breakdown"], row["breakdown_value"])
        if drop and key in drop:
            continue
        if overrides and key in overrides:
            row.update(overrides[key])
        kept.append(row)
    indicators = kept
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        con.execute("create schema if not exists marts")
        con.execute(
            """create table marts.fct_indicators (
                indicator_id varchar, area_type varchar, area_code varchar, year integer, breakdown varchar,
                breakdown_value varchar, numerator double, denominator double, value double, persons bigint,
                unit varchar, basis varchar)"""
        )
        _insert(con, "marts.fct_indicators", indicators)
        con.execute(
            "create table marts.dim_indicator (indicator_id varchar, name_nb varchar, definition_nb varchar, "
            "unit varchar, family varchar, source varchar)"
        )
        _insert(
            con,
            "marts.dim_indicator",
            [
                {
                    "indicator_id": i,
                    "name_nb": n,
                    "definition_nb": d,
                    "unit": u,
                    "family": f,
                    "source": "SSB 07459" if i in ("age_dissimilarity", "employees_per_1000") else "HR-uttrekk",
                }
                for i, n, d, u, f in INDICATORS
            ],
        )
        con.execute(
            "create table marts.dim_municipality (municipality_code varchar, name varchar, in_salten boolean, "
            "in_outer_lofoten boolean, in_lofoten boolean)"
        )
        _insert(
            con,
            "marts.dim_municipality",
            [
                {
                    "municipality_code": code,
                    "name": name,
                    "in_salten": code in REGIONS["salten"],
                    "in_outer_lofoten": code in REGIONS["outer_lofoten"],
                    "in_lofoten": code in REGIONS["lofoten"],
                }
                for code, name, _ in MUNICIPALITIES
            ],
        )
        con.execute(
            "create table marts.fct_goal_progress (goal_id varchar, indicator_id varchar, area_code varchar, "
            "baseline_year integer, baseline_value double, latest_year integer, latest_value double, "
            "target_value double, target_year integer, on_track boolean)"
        )
        _insert(con, "marts.fct_goal_progress", goal_rows(indicators))
        _insert(
            con,
            "audit.deliveries",
            [
                {
                    "delivery_sha256": hashlib.sha256(f"{code}-{seed}".encode()).hexdigest(),
                    "file_name": f"{code}_ansatte_2025.csv",
                    "kind": "employments",
                    "municipality_code": code,
                    "extraction_date": date(2025, 1, 15),
                    "rows_read": size,
                    "rows_loaded": size,
                    "outcome": "loaded",
                    "loaded_at": datetime(2025, 1, 20, 8, 0),
                }
                for code, _, size in MUNICIPALITIES
            ],
        )
        # audit.ssb_fetches comes from the shared schema; an older demo load, a failed attempt
        # (no source) and the loads in use, as the SSB client logs them.
        source = "demo" if demo else "live"
        _insert(con, "audit.ssb_fetches", [
            {"table_id": "07459", "table_name": "population", "status": "ok", "rows": 100,
             "table_updated": datetime(2024, 2, 20, 8, 0), "source": "demo",
             "fetched_at": datetime(2024, 3, 1, 9, 0)},
            {"table_id": "07459", "table_name": "population", "status": "timeout", "rows": 0,
             "table_updated": None, "source": None, "fetched_at": datetime(2025, 3, 1, 8, 0)},
            {"table_id": "07459", "table_name": "population", "status": "ok", "rows": 100,
             "table_updated": datetime(2025, 2, 20, 8, 0), "source": source,
             "fetched_at": datetime(2025, 3, 1, 9, 0)},
            {"table_id": "11918", "table_name": "kostra_fte", "status": "ok", "rows": 40,
             "table_updated": datetime(2024, 6, 14, 8, 0), "source": "demo" if demo else "cache",
             "fetched_at": datetime(2025, 3, 1, 9, 0)},
        ])
        con.execute(
            """create table audit.check_results (run_id varchar, check_name varchar, asset_key varchar,
                severity varchar, passed boolean, observed varchar, expected varchar, evaluated_rows bigint,
                unexpected_count bigint, checked_at timestamp)"""
        )
        if checks != "none":
            early = datetime(2025, 3, 1, 10, 0)
            late = datetime(2025, 3, 2, 10, 0)
            results = [
                ("run-1", "unique_fct_indicators_key", "marts/fct_indicators", "block", True, early),
                ("run-1", "fulltime_share_in_range", "marts/fct_indicators", "block", False, early),
                ("run-2", "unique_fct_indicators_key", "marts/fct_indicators", "block", True, late),
                ("run-2", "fulltime_share_in_range", "marts/fct_indicators", "block", checks != "fail_block", late),
                ("run-2", "fte_within_kostra_tolerance", "marts/fct_indicators", "warn", False, late),
                ("run-2", "hr_employments_contract", "raw/hr_employments", "block", True, late),
            ]
            _insert(
                con,
                "audit.check_results",
                [
                    {
                        "run_id": run,
                        "check_name": name,
                        "asset_key": asset,
                        "severity": severity,
                        "passed": passed,
                        "observed": "0.97" if not passed else None,
                        "expected": "[0, 1]" if "range" in name else None,
                        "evaluated_rows": 1200,
                        "unexpected_count": 0 if passed else 3,
                        "checked_at": at,
                    }
                    for run, name, asset, severity, passed, at in results
                ],
            )
    finally:
        con.close()
    return path
