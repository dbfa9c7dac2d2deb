"""Build the bundled snapshot and `pipelines/reference/municipalities.csv` (a one-off developer tool,
kept out of the runtime package: nothing the pipeline runs imports it).

    .venv/bin/python tools/build_ssb_snapshot.py SSB_SAMPLES_DIR [kommuner.json]

SSB_SAMPLES_DIR is the folder of real SSB/KLASS samples with their PROVENANCE.md (it lives
outside this repository; the tool is given its path and never looks for it itself).

It copies the real KLASS samples byte for byte, derives the 2024 code list and changes,
and generates **demo figures** for the six catalogue tables in SSB's json-stat2 v2 shape.
No real v2 response for our municipalities was available offline, so the figures are
invented around known magnitudes (Bodø ~53,700 inhabitants, Røst ~460, …) — and marked:
`source` says so in every file, `extension.workforce.demo` is true, and the loader records
`source = 'demo'`, `is_demo = true`. The output is deterministic (fixed seeds).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: the repository root holds `pipelines`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.ssb import klass
from pipelines.ssb.snapshot import KLASS_DIR, MANIFEST_PATH, SNAPSHOT_DIR, klass_frames

REFERENCE_CSV = SNAPSHOT_DIR.parent.parent / "reference" / "municipalities.csv"
YEARS = list(range(2015, 2026))
# SSB's 11918 ends in 2019 (docs/reference/ssb_tables.md): the demo table has no later year either.
KOSTRA_YEARS = list(range(2015, 2020))
DEMO_SOURCE = "Demotall laget for workforce-warehouse — ikke Statistisk sentralbyrås tall"
DEMO_NOTE = (
    "Demotall, ikke SSBs tall: laget for workforce-warehouse i SSBs json-stat2-form "
    "for å kjøre demoen uten nett. Bruk aldri disse tallene som statistikk."
)
GENERATED = "2026-11-23T00:00:00Z"

# code: (label, inhabitants 1 Jan 2025 (approximate, public magnitudes), yearly growth)
DEMO_MUNICIPALITIES: dict[str, tuple[str, int, float]] = {
    "1804": ("Bodø", 53_700, 0.006),
    "1837": ("Meløy", 6_250, -0.004),
    "1838": ("Gildeskål", 1_950, -0.006),
    "1839": ("Beiarn", 1_030, -0.008),
    "1840": ("Saltdal", 4_650, -0.003),
    "1841": ("Fauske - Fuossko", 9_850, 0.001),
    "1845": ("Sørfold", 1_900, -0.006),
    "1848": ("Steigen", 2_520, -0.005),
    "1875": ("Hábmer - Hamarøy", 2_780, -0.004),
    "1836": ("Rødøy", 1_180, -0.008),
    "1856": ("Røst", 460, -0.005),
    "1857": ("Værøy", 720, -0.005),
    "1859": ("Flakstad", 1_250, -0.003),
    "1874": ("Moskenes", 960, -0.006),
    "1860": ("Vestvågøy", 11_650, 0.003),
    "1865": ("Vågan", 9_750, 0.002),
}
# pre-2020 units that tables without agg_KommSummer carry separately (KLASS 2019 names)
HISTORICAL = {"1849": ("Hamarøy (-2019)", 1_780, -0.004), "1850": ("Tysfjord (-2019)", 1_950, -0.008)}
NORDLAND = ("18", "Nordland", 243_300, 0.001)
FISHING = {"1856", "1857", "1859", "1874"}

# 2024: codes whose predecessor cannot be found by name, and names to correct
MANUAL_PREDECESSORS_2024 = {"1508": ["1507"], "1580": ["1507"], "5610": ["5437"], "5605": ["5444"]}
NAME_FIXES_2024 = {
    "3114": "Våler (Østfold)",
    "5610": "Kárášjohka - Karasjok",  # the ISO-8859-1 2020 export lost "š" as "?"
    "5622": "Porsanger - Porsáŋgu - Porsanki",
    "1580": "Haram",
}
# Split weights: the share of the old municipality that each new one took over.
SPLIT_WEIGHTS = [
    (
        "1850",
        "1875",
        0.53,
        "proxy: share of Tysfjord's immigrant population gained 2019→2020 "
        "(real IMDi sample: Hamarøy +84, Narvik +74 of Tysfjord's 156); replace with population by part",
    ),
    (
        "1850",
        "1806",
        0.47,
        "proxy: share of Tysfjord's immigrant population gained 2019→2020 "
        "(real IMDi sample: Hamarøy +84, Narvik +74 of Tysfjord's 156); replace with population by part",
    ),
    (
        "1507",
        "1508",
        0.86,
        "approximate population share 1 Jan 2024 (Ålesund ~58,000, Haram ~9,400; "
        "from general knowledge, unverified)",
    ),
    (
        "1507",
        "1580",
        0.14,
        "approximate population share 1 Jan 2024 (Ålesund ~58,000, Haram ~9,400; "
        "from general knowledge, unverified)",
    ),
]


# --- KLASS ----------------------------------------------------------------------------------
def _names(frame: Any) -> dict[str, str]:
    return dict(zip(frame["code"].to_list(), frame["name"].to_list(), strict=True))


def derive_2024(
    names_2020: dict[str, str], npra: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """2024 codes with full names, and (old 2020 code, new 2024 code) pairs for renumberings."""
    codes_2024 = {k.zfill(4): v for k, v in npra.items()}
    gone = [c for c in names_2020 if c not in codes_2024 and c != "9999"]

    def parts(name: str) -> list[str]:
        return [p.strip().lower() for p in name.replace(" (", " - ").rstrip(")").split(" - ")]

    names: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for code, short in sorted(codes_2024.items()):
        if code in names_2020:
            names[code] = NAME_FIXES_2024.get(code, names_2020[code])
            continue
        preds = MANUAL_PREDECESSORS_2024.get(code)
        if preds is None:
            exact = [g for g in gone if short.lower() in parts(names_2020[g])]
            prefix = [g for g in gone if any(p.startswith(short.lower()) for p in parts(names_2020[g]))]
            preds = exact if len(exact) == 1 else prefix
        if len(preds) != 1 and code not in MANUAL_PREDECESSORS_2024:
            raise SystemExit(f"cannot tell the 2020 predecessor of {code} {short}: {preds}")
        names[code] = NAME_FIXES_2024.get(code, names_2020[preds[0]])
        pairs += [(p, code) for p in preds]
    unmatched = set(gone) - {p for p, _ in pairs}
    if unmatched:
        raise SystemExit(f"2020 codes without a 2024 successor: {sorted(unmatched)}")
    return names, pairs


def build_klass(samples: Path, npra_json: Path) -> dict[str, Any]:
    KLASS_DIR.mkdir(parents=True, exist_ok=True)
    copies = {
        "klass131_2019_v1102.csv": "klass131_kommuneinndeling_2019_version1102.csv",
        "klass131_2020_v1160.csv": "klass131_kommuneinndeling_2020_version1160.csv",
        "kommuneendringer_2019_2020.csv": "kommuneendringer_2019_til_2020_derived.csv",
    }
    for target, source in copies.items():
        shutil.copyfile(samples / source, KLASS_DIR / target)
    k2020 = _names(klass.read_klass_csv(KLASS_DIR / "klass131_2020_v1160.csv"))
    if npra_json.is_file():
        write_2024(k2020, *derive_2024(k2020, json.loads(npra_json.read_text(encoding="utf-8"))))
    else:
        print(f"{npra_json} not found: keeping the committed 2024 list and changes")
    with (KLASS_DIR / "split_weights.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["old_code", "new_code", "weight", "basis"])
        writer.writerows(SPLIT_WEIGHTS)
    return KLASS_FILES


def write_2024(k2020: dict[str, str], names_2024: dict[str, str], pairs: list[tuple[str, str]]) -> None:
    with (KLASS_DIR / "klass131_2024_derived.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(sorted(names_2024.items()))
    with (KLASS_DIR / "changes_2024_derived.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["old_code", "old_name", "new_code", "new_name", "change_occurred"])
        for old, new in sorted(pairs):
            writer.writerow([old, k2020[old], new, names_2024[new], "2024-01-01"])


KLASS_FILES: dict[str, Any] = {
    "klass131_2019_v1102.csv": {
        "source": "snapshot",
        "what": "real KLASS 131 export valid 2019-01-01",
        "provenance": "gardenberg/barnevernmonitor@e5dd10d6, ISO-8859-1, ragged",
    },
    "klass131_2020_v1160.csv": {
        "source": "snapshot",
        "what": "real KLASS 131 export valid 2020-01-01",
        "provenance": "gardenberg/barnevernmonitor@e5dd10d6, ISO-8859-1, ragged",
    },
    "kommuneendringer_2019_2020.csv": {
        "source": "snapshot",
        "what": "real derived 2019→2020 change table",
        "provenance": "gardenberg/kommunekoder@735fbb03, Windows-1252",
    },
    "klass131_2024_derived.csv": {
        "source": "derived",
        "what": "municipalities valid 2024-01-01",
        "provenance": "codes: NPRA/Kunnskapsgrunnlag_FMO_2026 kommuner.json@58336de4; "
        "names: KLASS 2020 name of the code or its predecessor",
    },
    "changes_2024_derived.csv": {
        "source": "derived",
        "what": "2020→2024 renumberings and the Ålesund/Haram split",
        "provenance": "matched by name between the 2020 export and the 2024 code list; "
        "not checked against KLASS changes 2023→2024",
    },
    "split_weights.csv": {"source": "derived", "what": "shares for split municipalities (basis per row)"},
}


# names the ISO-8859-1 2020 export could not hold ("š", "ŋ" became "?")
REFERENCE_NAME_FIXES = {"5437": "Kárášjohka - Karasjok", "5436": "Porsanger - Porsáŋgu - Porsanki"}


def reference_csv(municipalities: Any) -> str:
    """`pipelines/reference/municipalities.csv`: one row per code (newest name, whole validity)."""
    import polars as pl

    ref = klass.reference_table(municipalities).with_columns(
        pl.col("code").replace_strict(REFERENCE_NAME_FIXES, default=pl.col("name")).alias("name")
    )
    buffer = io.StringIO()
    buffer.write("code,name,valid_from,valid_to\n")
    for row in ref.iter_rows(named=True):
        name = row["name"].replace('"', '""')
        buffer.write(f'{row["code"]},"{name}",{row["valid_from"] or ""},{row["valid_to"] or ""}\n')
    return buffer.getvalue()


def write_reference(municipalities: Any) -> None:
    REFERENCE_CSV.write_text(reference_csv(municipalities), encoding="utf-8")


# --- demo cubes -------------------------------------------------------------------------------
def _dimension(
    label: str,
    codes: list[str],
    labels: list[str],
    *,
    elimination: bool,
    show: str = "value",
    unit: dict[str, Any] | None = None,
    klass_urn: str | None = None,
    codelists: list[dict[str, str]] | None = None,
    metadata: bool = False,
) -> dict[str, Any]:
    category: dict[str, Any] = {
        "index": {c: i for i, c in enumerate(codes)},
        "label": dict(zip(codes, labels, strict=True)),
    }
    if unit:
        category["unit"] = unit
    dim: dict[str, Any] = {
        "label": label,
        "category": category,
        "extension": {"elimination": elimination, "show": show},
    }
    if metadata:
        dim["extension"]["codelists"] = codelists or []
        if klass_urn:
            dim["link"] = {"describedby": [{"extension": {label: klass_urn}}]}
    return dim


def _codelist(cid: str, label: str, kind: str = "Aggregation") -> dict[str, Any]:
    return {
        "id": cid,
        "label": label,
        "type": kind,
        "links": [
            {
                "rel": "metadata",
                "hreflang": "no",
                "href": f"https://data.ssb.no/api/pxwebapi/v2/codeLists/{cid}?lang=no",
            }
        ],
    }


def cube(
    table_id: str,
    title: str,
    dims: list[tuple[str, dict[str, Any]]],
    values: np.ndarray,
    status: dict[int, str],
    *,
    geo: str | None,
    updated: str,
    contents_label: str,
    metadata: bool = False,
) -> dict[str, Any]:
    ids = [d[0] for d in dims]
    sizes = [len(d[1]["category"]["index"]) for d in dims]
    assert values.size == math.prod(sizes), (table_id, values.size, sizes)
    role: dict[str, list[str]] = {"time": ["Tid"], "metric": ["ContentsCode"]}
    if geo:
        role["geo"] = [geo]
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": f"DEMO {table_id}: {title}",
        "source": DEMO_SOURCE,
        "updated": updated,
        "note": [DEMO_NOTE],
        "role": role,
        "id": ids,
        "size": sizes,
        "dimension": dict(dims),
        "extension": {
            "px": {
                "infofile": "None",
                "tableid": table_id,
                "decimals": 1,
                "official-statistics": False,
                "aggregallowed": False,
                "language": "no",
                "contents": f"{table_id}: {contents_label}",
                "descriptiondefault": False,
                "heading": ["ContentsCode", "Tid"],
                "stub": [i for i in ids if i not in ("ContentsCode", "Tid")],
                "matrix": f"DEMO{table_id}",
                "subject-code": "demo",
                "subject-area": "Demotall",
            },
            "contact": [],
            "noteMandatory": {"0": True},
            "workforce": {
                "demo": True,
                "generator": "tools/build_ssb_snapshot.py",
                "generated": GENERATED,
            },
        },
    }
    if metadata:
        doc["value"] = []
        return doc
    flat = values.reshape(-1)
    out: list[float | int | None] = []
    for i, v in enumerate(flat.tolist()):
        if i in status or v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            out.append(int(v) if float(v).is_integer() else round(float(v), 1))
    doc["value"] = out
    if status:
        doc["status"] = {str(k): v for k, v in sorted(status.items())}
    return doc


def _region_dimension(
    codes: list[str], labels: list[str], metadata: bool, codelists: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """SSB's `Region` dimension: municipality codes classified by KLASS 131."""
    return _dimension(
        "region",
        codes,
        labels,
        elimination=True,
        metadata=metadata,
        klass_urn="urn:ssb:classification:klass:131",
        codelists=codelists,
    )


def _contents_dimension(
    codes: list[str], labels: list[str], unit: dict[str, Any], metadata: bool
) -> dict[str, Any]:
    """The `ContentsCode` dimension: what is counted, with its unit."""
    return _dimension("statistikkvariabel", codes, labels, elimination=False, unit=unit, metadata=metadata)


def _year_dimension(years: Any, metadata: bool) -> dict[str, Any]:
    """The yearly `Tid` dimension, shown by code."""
    return _dimension(
        "år", [str(y) for y in years], [str(y) for y in years], elimination=False, show="code", metadata=metadata
    )


def cubes(
    table_id: str,
    title: str,
    dims: Callable[[bool], list[tuple[str, dict[str, Any]]]],
    values: np.ndarray,
    status: dict[int, str],
    **kwargs: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A table's data response and its metadata response (the same cube, with codelists and links)."""
    return (
        cube(table_id, title, dims(False), values, status, **kwargs),
        cube(table_id, title, dims(True), values, status, metadata=True, **kwargs),
    )


def population_by_year(code: str, base: int, growth: float) -> dict[int, float]:
    return {y: base * (1 + growth) ** (y - 2025) for y in YEARS}


def age_profile(urban: bool) -> np.ndarray:
    ages = np.arange(106)
    survival = np.exp(-((ages / 88.0) ** 7))
    migration = np.ones(106)
    if urban:
        migration[19:36] *= 1.25
    else:
        migration[19:36] *= 0.72
        migration[50:78] *= 1.18
    births = np.where(ages < 10, 0.92, 1.0) if not urban else np.ones(106)
    weights = survival * migration * births
    return weights / weights.sum()


def male_share(ages: np.ndarray) -> np.ndarray:
    return np.clip(0.515 - np.maximum(ages - 70, 0) * 0.006, 0.3, 0.52)


def build_population(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions = list(DEMO_MUNICIPALITIES)
    ages = [f"{a:03d}" for a in range(105)] + ["105+"]
    age_labels = [f"{a} år" for a in range(105)] + ["105 år eller eldre"]
    values = np.zeros((len(regions), 2, len(ages), 1, len(YEARS)))
    for r, code in enumerate(regions):
        _, base, growth = DEMO_MUNICIPALITIES[code]
        profile = age_profile(urban=code in {"1804", "1860", "1865", "1841"})
        male = male_share(np.arange(106))
        for t, (_year, total) in enumerate(population_by_year(code, base, growth).items()):
            expected = total * profile
            counts = rng.poisson(expected)
            men = rng.binomial(counts, male)
            values[r, 0, :, 0, t] = men
            values[r, 1, :, 0, t] = counts - men
    unit = {"Personer1": {"base": "personer", "decimals": 0}}

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "Region",
                _dimension(
                    "region",
                    [f"K-{c}" for c in regions],
                    [DEMO_MUNICIPALITIES[c][0] for c in regions],
                    elimination=True,
                    klass_urn="urn:ssb:classification:klass:131",
                    metadata=metadata,
                    codelists=[
                        _codelist("agg_KommSummer", "Kommuner 2024, sammenslåtte tidsserier"),
                        _codelist("agg_KommFylker", "Fylker 2024, sammenslåtte tidsserier"),
                        _codelist("vs_Kommun", "Alle kommuner", "Valueset"),
                    ],
                ),
            ),
            (
                "Kjonn",
                _dimension(
                    "kjønn",
                    ["1", "2"],
                    ["Menn", "Kvinner"],
                    elimination=True,
                    metadata=metadata,
                    klass_urn="urn:ssb:classification:klass:2",
                ),
            ),
            (
                "Alder",
                _dimension(
                    "alder",
                    ages,
                    age_labels,
                    elimination=True,
                    metadata=metadata,
                    codelists=[_codelist("agg_FemAarigGruppering", "5-årige aldersgrupper")],
                ),
            ),
            ("ContentsCode", _contents_dimension(["Personer1"], ["Personer"], unit, metadata)),
            ("Tid", _year_dimension(YEARS, metadata)),
        ]

    title = "Befolkning, etter region, kjønn, alder, statistikkvariabel og år"
    data, meta = cubes(
        "07459", title, dims, values, {}, geo="Region", updated="2026-02-20T07:00:00Z", contents_label="Personer"
    )
    return (
        data,
        meta,
        {
            "regions": [f"K-{c}" for c in regions],
            "basis": "inhabitants per municipality from approximate public magnitudes (1 Jan 2025), "
            "a smooth yearly trend and an invented age/sex profile with Poisson noise",
        },
    )


def _regions_with_history(county: bool) -> tuple[list[str], list[str]]:
    codes = list(DEMO_MUNICIPALITIES) + list(HISTORICAL)
    labels = [DEMO_MUNICIPALITIES[c][0] for c in DEMO_MUNICIPALITIES] + [HISTORICAL[c][0] for c in HISTORICAL]
    labels = [f"{lab} (2020-)" if c == "1875" else lab for c, lab in zip(codes, labels, strict=True)]
    if county:
        codes.append(NORDLAND[0])
        labels.append(NORDLAND[1])
    return codes, labels


def _exists(code: str, year: int) -> bool:
    """Hamarøy 1875 from 2020; Hamarøy 1849 and Tysfjord 1850 until 2019."""
    if code == "1875":
        return year >= 2020
    if code in HISTORICAL:
        return year <= 2019
    return True


def _inhabitants(code: str, year: int) -> float:
    if code == NORDLAND[0]:
        return NORDLAND[2] * (1 + NORDLAND[3]) ** (year - 2025)
    label, base, growth = DEMO_MUNICIPALITIES.get(code) or HISTORICAL[code]
    del label
    return base * (1 + growth) ** (year - 2025)


def build_kostra_fte(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions, labels = _regions_with_history(county=False)
    functions = ["FG2", "FGK1", "FGK19"]
    function_labels = ["Alle funksjoner", "Administrasjon", "Helse, omsorg, barnevern og sosial"]
    contents = ["KOSavtaltearsver0000", "KOSavtarsekslfr0000"]
    content_labels = ["Avtalte årsverk", "Avtalte årsverk eksklusive lange fravær"]
    values = np.zeros((len(regions), len(functions), len(contents), len(YEARS)))
    status: dict[int, str] = {}
    for r, code in enumerate(regions):
        for t, year in enumerate(YEARS):
            pop = _inhabitants(code, year)
            ratio = 0.075 if code == "1804" else 0.085 if pop > 4000 else 0.10 if pop > 1000 else 0.12
            total = pop * ratio * rng.normal(1.0, 0.02)
            admin = total * (0.10 if pop > 4000 else 0.13) * rng.normal(1.0, 0.03)
            care = total * 0.45 * rng.normal(1.0, 0.02)
            for f, fte in enumerate((total, admin, care)):
                values[r, f, 0, t] = round(fte, 1)
                values[r, f, 1, t] = round(fte * rng.normal(0.93, 0.01), 1)
            if not _exists(code, year):
                for f in range(len(functions)):
                    for c in range(len(contents)):
                        status[np.ravel_multi_index((r, f, c, t), values.shape)] = "."
    # Drawn for every year (so the other tables' draws stay as they were), kept for 11918's years.
    kept = [t for t, year in enumerate(YEARS) if year in KOSTRA_YEARS]
    full_shape = values.shape
    values = values[..., kept]
    status = {
        int(np.ravel_multi_index((*index[:-1], kept.index(index[-1])), values.shape)): symbol
        for flat, symbol in status.items()
        for index in [tuple(int(i) for i in np.unravel_index(flat, full_shape))]
        if index[-1] in kept
    }
    unit = {c: {"base": "årsverk", "decimals": 1} for c in contents}

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "KOKkommuneregion0000",
                _dimension(
                    "region",
                    regions,
                    labels,
                    elimination=False,
                    metadata=metadata,
                    klass_urn="urn:ssb:classification:klass:131",
                ),
            ),
            (
                "KOKfunksjon0000",
                _dimension("funksjon", functions, function_labels, elimination=False, metadata=metadata),
            ),
            ("ContentsCode", _contents_dimension(contents, content_labels, unit, metadata)),
            ("Tid", _year_dimension(KOSTRA_YEARS, metadata)),
        ]

    title = "Avtalte årsverk i kommunal sektor, etter funksjon (K)"
    kwargs = {"geo": "KOKkommuneregion0000", "updated": "2026-06-15T06:00:00Z", "contents_label": "Årsverk"}
    return (
        *cubes("11918", title, dims, values, status, **kwargs),
        {
            "regions": regions,
            "basis": "agreed FTEs = inhabitants × an invented ratio (0.075 Bodø … 0.12 for "
            "the smallest), administration 10–13 %, health and care 45 %; function and content codes are "
            "invented in KOSTRA's style (FG2/FGK1/FGK19 from the research notes, KOS… codes made up); "
            "years 2015–2019 only, as the real 11918 (it ends in 2019)",
        },
    )


def build_employment(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions, labels = _regions_with_history(county=True)
    nace = ["00-99", "01-03", "84", "85", "86-88"]
    nace_labels = [
        "Alle næringer",
        "Jordbruk, skogbruk og fiske",
        "Offentlig administrasjon og forsvar, og trygdeordninger underlagt offentlig forvaltning",
        "Undervisning",
        "Helse- og sosialtjenester",
    ]
    values = np.zeros((len(regions), len(nace), 1, len(YEARS)))
    status: dict[int, str] = {}
    for r, code in enumerate(regions):
        for t, year in enumerate(YEARS):
            pop = _inhabitants(code, year)
            rate = 0.56 if code == "1804" else 0.50 if code == "18" else 0.46
            total = round(pop * rate * rng.normal(1.0, 0.015))
            shares = [
                0.25 if code in FISHING else 0.01 if code == "1804" else 0.06,
                0.12 if code == "1804" else 0.07,
                0.08,
                0.25 if pop < 3000 else 0.21,
            ]
            values[r, 0, 0, t] = total
            for n, share in enumerate(shares, start=1):
                values[r, n, 0, t] = round(total * share * rng.normal(1.0, 0.04))
            if not _exists(code, year):
                for n in range(len(nace)):
                    status[np.ravel_multi_index((r, n, 0, t), values.shape)] = "."
    unit = {"SysselsatteArb": {"base": "personer", "decimals": 0}}

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "Region",
                _region_dimension(
                    regions, labels, metadata, codelists=[_codelist("vs_Kommun", "Alle kommuner", "Valueset")]
                ),
            ),
            (
                "NACE2007",
                _dimension(
                    "næring (SN2007)",
                    nace,
                    nace_labels,
                    elimination=True,
                    metadata=metadata,
                    codelists=[_codelist("agg_NACE2007arb11", "Næringer (SN2007), arbeidsstyrke")],
                ),
            ),
            (
                "ContentsCode",
                _contents_dimension(["SysselsatteArb"], ["Sysselsatte personer etter arbeidssted"], unit, metadata),
            ),
            ("Tid", _year_dimension(YEARS, metadata)),
        ]

    title = "Sysselsatte per 4. kvartal, etter arbeidssted, næring (SN2007)"
    kwargs = {"geo": "Region", "updated": "2026-06-11T06:00:00Z", "contents_label": "Sysselsatte"}
    return (
        *cubes("13470", title, dims, values, status, **kwargs),
        {
            "regions": regions,
            "basis": "employed by workplace = inhabitants × 0.46–0.56; industry shares "
            "invented (fishing places 25 % primary, Bodø 12 % public administration)",
        },
    )


def _imdi_immigrants(path: Path | None) -> dict[tuple[str, int], float]:
    """Immigrants (all reasons, both sexes, persons) per K-code and year from the real IMDi sample."""
    if not path or not path.exists():
        return {}
    rows = list(csv.reader(io.StringIO(klass.decode(path.read_bytes())), delimiter=";"))
    header = rows[:4]
    wanted = {}
    for i in range(2, len(header[0])):
        if (header[0][i], header[1][i], header[2][i]) == (
            "Innvandringsgrunn: Alle",
            "Kjønn: Alle",
            "Enhet: Personer",
        ):
            wanted[i] = int(header[3][i].split(":")[1])
    out: dict[tuple[str, int], float] = {}
    for row in rows[4:]:
        for i, year in wanted.items():
            if i < len(row) and row[i].strip():
                out[(row[0].removeprefix("K"), year)] = float(row[i])
    return out


def build_immigrant_share(
    rng: np.random.Generator, imdi: dict[tuple[str, int], float]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions, labels = _regions_with_history(county=True)
    values = np.zeros((len(regions), 1, 1, 1, len(YEARS)))
    status: dict[int, str] = {}
    county_counts = {
        y: sum(v for (c, yy), v in imdi.items() if yy == y and c.startswith("18")) for y in YEARS
    }
    for r, code in enumerate(regions):
        last: float | None = None
        for t, year in enumerate(YEARS):
            count = county_counts.get(year) if code == "18" else imdi.get((code, year))
            if count:
                share = 100.0 * count / _inhabitants(code, year)
            elif last is not None:
                share = last + 0.45 + rng.normal(0, 0.15)
            else:
                share = (11.0 if code in FISHING else 7.0) + rng.normal(0, 0.5)
            last = share
            values[r, 0, 0, 0, t] = round(share, 1)
            if not _exists(code, year):
                status[np.ravel_multi_index((r, 0, 0, 0, t), values.shape)] = "."
    unit = {"AndelBefolkning": {"base": "prosent", "decimals": 1}}

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "Region",
                _region_dimension(regions, labels, metadata),
            ),
            (
                "InnvandrKat",
                _dimension(
                    "innvandringskategori", ["B"], ["Innvandrere"], elimination=True, metadata=metadata
                ),
            ),
            (
                "Landbakgrunn",
                _dimension("landbakgrunn", ["999"], ["Alle land"], elimination=True, metadata=metadata),
            ),
            (
                "ContentsCode",
                _contents_dimension(["AndelBefolkning"], ["Andel av befolkningen (prosent)"], unit, metadata),
            ),
            ("Tid", _year_dimension(YEARS, metadata)),
        ]

    title = "Innvandrere, etter region, innvandringskategori, landbakgrunn og år (andel)"
    kwargs = {"geo": "Region", "updated": "2026-03-05T07:00:00Z", "contents_label": "Andel"}
    return (
        *cubes("09817", title, dims, values, status, **kwargs),
        {
            "regions": regions,
            "basis": "2015–2021: real IMDi immigrant counts (ssb-samples) divided by the "
            "demo inhabitants; 2022–2025 extrapolated (+0.45 points a year)",
        },
    )


def build_education(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions, labels = _regions_with_history(county=True)
    levels = ["01", "02a", "11", "03a", "04a", "09a"]
    level_labels = [
        "Grunnskolenivå",
        "Videregående skolenivå",
        "Fagskolenivå",
        "Universitets- og høgskolenivå kort",
        "Universitets- og høgskolenivå lang",
        "Uoppgitt eller ingen fullført utdanning",
    ]
    contents = ["Personer", "PersonerProsent"]
    values = np.zeros((len(regions), len(levels), 3, len(contents), len(YEARS)))
    status: dict[int, str] = {}
    for r, code in enumerate(regions):
        urban = code in {"1804", "18"}
        for t, year in enumerate(YEARS):
            adults = _inhabitants(code, year) * 0.82
            drift = (year - 2015) * 0.004
            base = (
                np.array([0.20 - drift, 0.36, 0.03, 0.26 + drift * 0.7, 0.11 + drift * 0.3, 0.04])
                if urban
                else np.array([0.28 - drift, 0.40, 0.03, 0.20 + drift * 0.8, 0.05 + drift * 0.2, 0.04])
            )
            women_tilt = np.array([-0.02, -0.04, -0.01, 0.06, 0.01, 0.0])
            for s, tilt in ((1, -women_tilt / 2), (2, women_tilt / 2)):
                shares = np.clip(base + tilt, 0.005, None)
                shares /= shares.sum()
                counts = rng.multinomial(round(adults / 2), shares)
                values[r, :, s, 0, t] = counts
            values[r, :, 0, 0, t] = values[r, :, 1, 0, t] + values[r, :, 2, 0, t]
            for s in range(3):
                total = values[r, :, s, 0, t].sum()
                values[r, :, s, 1, t] = np.round(100 * values[r, :, s, 0, t] / total, 1)
            if not _exists(code, year):
                for lv in range(len(levels)):
                    for s in range(3):
                        for c in range(len(contents)):
                            status[np.ravel_multi_index((r, lv, s, c, t), values.shape)] = "."
    unit = {
        "Personer": {"base": "personer", "decimals": 0},
        "PersonerProsent": {"base": "prosent", "decimals": 1},
    }

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "Region",
                _region_dimension(
                    regions, labels, metadata, codelists=[_codelist("agg_Komm2020", "Kommuner 2020-2023")]
                ),
            ),
            ("Nivaa", _dimension("nivå", levels, level_labels, elimination=True, metadata=metadata)),
            (
                "Kjonn",
                _dimension(
                    "kjønn",
                    ["0", "1", "2"],
                    ["Begge kjønn", "Menn", "Kvinner"],
                    elimination=True,
                    metadata=metadata,
                ),
            ),
            ("ContentsCode", _contents_dimension(contents, ["Personer", "Personer (prosent)"], unit, metadata)),
            ("Tid", _year_dimension(YEARS, metadata)),
        ]

    title = "Personer 16 år og over, etter region, utdanningsnivå, kjønn og år"
    kwargs = {"geo": "Region", "updated": "2026-06-18T06:00:00Z", "contents_label": "Personer"}
    return (
        *cubes("09429", title, dims, values, status, **kwargs),
        {
            "regions": regions,
            "basis": "adults = 82 % of demo inhabitants split by invented education shares "
            "(urban Bodø/Nordland vs rural) with a yearly drift towards higher education; multinomial noise",
        },
    )


def build_sick_leave(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    regions = [*DEMO_MUNICIPALITIES, NORDLAND[0]]
    labels = [DEMO_MUNICIPALITIES[c][0] for c in DEMO_MUNICIPALITIES] + [NORDLAND[1]]
    quarters = [f"{y}K{q}" for y in YEARS for q in (1, 2, 3, 4)]
    season = {1: 0.8, 2: -0.2, 3: -0.8, 4: 0.3}
    values = np.zeros((len(regions), 1, 1, len(quarters)))
    status: dict[int, str] = {}
    for r, code in enumerate(regions):
        level = rng.normal(6.3, 0.5)
        noise = 0.25 if code in ("1804", "18") else 0.6 if _inhabitants(code, 2025) > 2000 else 1.0
        for t, quarter in enumerate(quarters):
            year, q = int(quarter[:4]), int(quarter[-1])
            covid = 0.6 if year in (2020, 2021, 2022) else 0.0
            values[r, 0, 0, t] = round(max(2.0, level + season[q] + covid + rng.normal(0, noise)), 1)
            if code in ("1856", "1857") and year <= 2016:
                status[np.ravel_multi_index((r, 0, 0, t), values.shape)] = ":"
    unit = {"Sykefraversprosent": {"base": "prosent", "decimals": 1}}

    def dims(metadata: bool) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "Region",
                _region_dimension(
                    regions,
                    labels,
                    metadata,
                    codelists=[_codelist("agg_KommGjeldende", "Kommuner, gjeldende inndeling")],
                ),
            ),
            ("Kjonn", _dimension("kjønn", ["0"], ["Begge kjønn"], elimination=True, metadata=metadata)),
            (
                "ContentsCode",
                _contents_dimension(["Sykefraversprosent"], ["Sykefraværsprosent, legemeldt"], unit, metadata),
            ),
            (
                "Tid",
                _dimension("kvartal", quarters, quarters, elimination=False, show="code", metadata=metadata),
            ),
        ]

    title = "Sykefravær for lønnstakere, etter region, kjønn og kvartal (prosent)"
    kwargs = {"geo": "Region", "updated": "2026-09-10T06:00:00Z", "contents_label": "Sykefravær"}
    return (
        *cubes("12451", title, dims, values, status, **kwargs),
        {
            "regions": regions,
            "basis": "invented level around 6.3 % with seasonality, a 2020–2022 bump and "
            "noise larger for small municipalities; Røst and Værøy suppressed (':') 2015–2016",
        },
    )


def build_tables(imdi_path: Path | None) -> dict[str, Any]:
    rng = np.random.default_rng(20261123)
    imdi = _imdi_immigrants(imdi_path)
    builders = {
        "population": lambda: build_population(rng),
        "kostra_fte": lambda: build_kostra_fte(rng),
        "employment_by_workplace": lambda: build_employment(rng),
        "immigrant_share": lambda: build_immigrant_share(rng, imdi),
        "education_level": lambda: build_education(rng),
        "sick_leave": lambda: build_sick_leave(rng),
    }
    entries: dict[str, Any] = {}
    for name, builder in builders.items():
        data, meta, info = builder()
        table_id = data["extension"]["px"]["tableid"]
        data_file, meta_file = f"{name}.data.json", f"{name}.metadata.json"
        (SNAPSHOT_DIR / data_file).write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        (SNAPSHOT_DIR / meta_file).write_text(
            json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        entries[name] = {
            "table_id": table_id,
            "data": data_file,
            "metadata": meta_file,
            "source": "demo",
            "is_demo": True,
            "updated": data["updated"],
            "cells": len(data["value"]),
            **info,
        }
    return entries


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        raise SystemExit("usage: tools/build_ssb_snapshot.py SSB_SAMPLES_DIR [kommuner.json]")
    samples = Path(args[0])
    npra = Path(args[1]) if len(args) > 1 else samples / "kommuner_npra_58336de4.json"
    klass_files = build_klass(samples, npra)
    municipalities, _ = klass_frames()
    write_reference(municipalities)
    tables = build_tables(samples / "imdi_befolkning_innvandringsgrunn_alle_kommuner.csv")
    manifest = {
        "generated": GENERATED,
        "note": "Tables are demo figures, not SSB's (source 'demo'); "
        "KLASS files are real samples or derived.",
        "tables": tables,
        "klass": klass_files,
    }
    MANIFEST_PATH.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"snapshot written to {SNAPSHOT_DIR}; reference to {REFERENCE_CSV}")


if __name__ == "__main__":
    main()
