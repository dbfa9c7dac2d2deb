"""What a Norwegian municipality's workforce is made of: jobs, units and their parameters.

Every number here (and in `jobs.csv`) is a tuning knob of the synthetic data, chosen so the figures computed
from it land near KS's published ones (full-time share ≈ 57–61 %, turnover ≈ 12–14 %):
health care is part-time heavy, teachers and administration mostly full-time, assistants
leave often. Position codes are the sourced (`verified`) rows of
`dbt/seeds/ks_position_codes.csv`, plus a few well-formed codes that are in no list
(`UNKNOWN_CODES`: they load as position group «Ukjent», so the warning path runs; a test checks
both); titles are the local job titles an HR system would show.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SERVICE_AREAS = ("helse og omsorg", "oppvekst", "teknisk", "administrasjon", "kultur")
HEALTH, UPBRINGING, TECHNICAL, ADMINISTRATION, CULTURE = SERVICE_AREAS
EMPLOYMENT_TYPES = ("permanent", "temporary", "substitute", "apprentice")
PERMANENT, TEMPORARY, SUBSTITUTE, APPRENTICE = range(4)

# termination reasons; 0 = none
REASONS = ("", "egen oppsigelse", "overgang annen kommune", "intern overgang", "pensjon", "kontrakt utløpt")
NO_REASON, RESIGNED, OTHER_MUNICIPALITY, INTERNAL, RETIRED, CONTRACT_ENDED = range(6)

EDUCATION = ("grunnskole", "videregående/fagbrev", "høgskole", "master+")
HIRE_SOURCES = ("external", "internal", "own_apprentice", "other_municipality")
EXTERNAL, INTERNAL_HIRE, OWN_APPRENTICE, FROM_OTHER_MUNICIPALITY = range(4)


@dataclass(frozen=True)
class UnitKind:
    """A kind of workplace; each municipality has one or more units of each kind."""

    key: str
    names: tuple[str, ...]  # fixed names, or one template with {place}
    kostra: tuple[tuple[str, float], ...]
    per_slots: int  # one unit per this many employees (0 = exactly one per name)


UNIT_KINDS = (
    UnitKind("sykehjem", ("{place} sykehjem",), (("253", 1.0),), 450),
    UnitKind("hjemme", ("Hjemmetjenesten {place}",), (("254", 1.0),), 600),
    UnitKind("bo", ("{place} bofellesskap",), (("254", 1.0),), 900),
    UnitKind(
        "helse", ("Legekontoret", "Helsestasjonen", "Fysio- og ergoterapitjenesten"), (("241", 1.0),), 0
    ),
    UnitKind("skole", ("{place} skole",), (("202", 1.0),), 160),
    UnitKind("barnehage", ("{place} barnehage",), (("201", 1.0),), 200),
    UnitKind("plan", ("Plan, bygg og oppmåling",), (("301", 0.4), ("302", 0.6)), 0),
    UnitKind("drift", ("Drift og vedlikehold",), (("261", 0.4), ("265", 0.25), ("130", 0.35)), 0),
    UnitKind("renhold", ("Renhold",), (("130", 0.4), ("261", 0.6)), 0),
    UnitKind("brann", ("Brann og redning",), (("339", 1.0),), 0),
    UnitKind("servicetorg", ("Servicetorget",), (("120", 1.0),), 0),
    UnitKind("stab", ("Kommunedirektørens stab",), (("120", 1.0),), 0),
    UnitKind("okonomi", ("Økonomiavdelingen",), (("120", 1.0),), 0),
    UnitKind("personal", ("Lønn og personal",), (("120", 1.0),), 0),
    UnitKind("ikt", ("IKT",), (("120", 1.0),), 0),
    UnitKind("naering", ("Næring og utvikling",), (("325", 1.0),), 0),
    UnitKind("arkiv", ("Dokumentsenteret",), (("180", 1.0),), 0),
    UnitKind("bibliotek", ("Biblioteket",), (("370", 1.0),), 0),
    UnitKind("kultur", ("Kulturkontoret",), (("385", 0.6), ("375", 0.4)), 0),
    UnitKind("kulturskole", ("Kulturskolen",), (("383", 1.0),), 0),
)
UNIT_KIND_INDEX = {kind.key: i for i, kind in enumerate(UNIT_KINDS)}

PLACES = (
    "Sentrum",
    "Nordbyen",
    "Sørbyen",
    "Vika",
    "Strandheim",
    "Haugen",
    "Berget",
    "Moen",
    "Holmen",
    "Lia",
    "Neset",
    "Øya",
    "Åsen",
    "Dalen",
    "Furuly",
    "Solbakken",
    "Bjørkly",
    "Fjellheim",
    "Solhaug",
    "Åsly",
    "Rønningen",
    "Sjøgata",
    "Nordstrand",
    "Vågen",
    "Havna",
    "Bakken",
    "Elvebakken",
    "Skogly",
    "Granly",
    "Lyngheim",
    "Tverrelva",
    "Kleiva",
    "Hauan",
    "Mølnvika",
    "Løkta",
    "Sandvika",
    "Nyheim",
    "Fagerli",
    "Breivika",
    "Engan",
)


@dataclass(frozen=True)
class Job:
    """A kind of position: its code, where it works, and how its holders behave."""

    key: str
    code: str
    title: str
    area: str  # service area
    family: str  # helse | oppvekst | teknisk | admin | kultur | leder: who can move into what
    units: tuple[tuple[str, float], ...]
    share: float  # share of the non-leader workforce, in percent
    p_fulltime: float  # chance a new holder gets 100 %
    women: float
    hire_age: tuple[float, float, float]  # mean, sd, minimum age at hire
    hazard: float  # yearly chance of leaving (before age and region factors; no retirement)
    temporary: float  # chance a new employment is temporary
    education: tuple[float, float, float, float]  # grunnskole, vgs/fagbrev, høgskole, master+
    key_position: bool = False
    manager_level: int = 0
    at_least_one: bool = False  # a function every municipality staffs, however small
    applicants: float = 8.0  # mean applicants per posting
    part_time_heavy: bool = False  # health and care shifts: the full-time trend applies


EDUCATION_PROFILES = {  # shares of grunnskole, videregående/fagbrev, høgskole, master+
    "GS": (1.0, 0.0, 0.0, 0.0),
    "VGS": (0.1, 0.9, 0.0, 0.0),
    "HS": (0.0, 0.05, 0.9, 0.05),
    "MA": (0.0, 0.0, 0.2, 0.8),
}
JOBS_CSV = Path(__file__).resolve().parent / "jobs.csv"


def _load_jobs() -> tuple[Job, ...]:
    """The job table lives in `jobs.csv`: one row per kind of position, easy to read and tune."""
    jobs = []
    with JOBS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            units = tuple(
                (kind, float(weight)) for kind, weight in (u.split(":") for u in row["units"].split())
            )
            jobs.append(
                Job(
                    key=row["key"],
                    code=row["position_code"],
                    title=row["title"],
                    area=row["service_area"],
                    family=row["family"],
                    units=units,
                    share=float(row["share_pct"]),
                    p_fulltime=float(row["p_fulltime"]),
                    women=float(row["women"]),
                    hire_age=(
                        float(row["hire_age_mean"]),
                        float(row["hire_age_sd"]),
                        float(row["hire_age_min"]),
                    ),
                    hazard=float(row["hazard"]),
                    temporary=float(row["temporary"]),
                    education=EDUCATION_PROFILES[row["education"]],
                    key_position=row["key_position"] == "1",
                    manager_level=int(row["manager_level"]),
                    at_least_one=row["at_least_one"] == "1",
                    applicants=float(row["applicants"]),
                    part_time_heavy=row["part_time_heavy"] == "1",
                )
            )
    return tuple(jobs)


JOBS = _load_jobs()
JOB_INDEX = {job.key: i for i, job in enumerate(JOBS)}

# Competence plans (issue 17). Municipalities whose exports carry no education level, so the
# marts show "ikke levert" beside the others (Beiarn in Salten, Værøy in outer Lofoten).
EDUCATION_NOT_DELIVERED = frozenset({"1839", "1857"})
# In municipalities below this size the shared-service functions are thin: each finance job
# and the engineering jobs together get one or two positions (outer Lofoten's and Salten's
# reason for host-municipality agreements); the difference goes to or comes from the clerks.
SMALL_MUNICIPALITY_INHABITANTS = 3000
THIN_FUNCTION_JOBS = (("regnskap",), ("lonn",), ("okonom",), ("ingenior", "sivilingenior"))
THIN_FUNCTION_MAX = 2
THIN_FUNCTION_POOL = "konsulent"

# Kommunalsjefer take the sectors in this order as the municipality grows.
SECTOR_ORDER = ("helse og omsorg", "oppvekst", "teknisk", "administrasjon", "kultur")
# Units where a virksomhetsleder/avdelingsleder heads a service area other than helse og omsorg.
UNIT_AREA = {
    "barnehage": UPBRINGING,
    "skole": UPBRINGING,
    "drift": TECHNICAL,
    "plan": TECHNICAL,
    "kultur": CULTURE,
    "stab": ADMINISTRATION,
}

# Well-formed codes in no code list, on purpose (issue 12): leger, fysio- and ergoterapeuter
# and apprentices (no KS source for their codes was found), and the sprinkled mistake 7999.
# The codes new from 1 May 2024 (6617, 7728, 7729, 7275, 8534) are not used: a code before its
# valid_from counts as unknown in the gate's check.
UNKNOWN_CODES = frozenset({"7584", "7577", "7578", "6681", "7999"})

# Apprentices: trade, position title, where they train, and the jobs they can be hired into.
APPRENTICE_CODE = "6681"
APPRENTICE_TRACKS = (
    (
        "Lærling helsearbeiderfaget",
        HEALTH,
        (("sykehjem", 0.6), ("hjemme", 0.4)),
        0.6,
        ("helsefagarbeider", "pleieassistent", "hjelpepleier"),
    ),
    (
        "Lærling barne- og ungdomsarbeiderfaget",
        UPBRINGING,
        (("barnehage", 0.8), ("skole", 0.2)),
        0.3,
        ("barneungdom", "assistent_bhg", "skoleassistent"),
    ),
    ("Lærling byggdrifterfaget", TECHNICAL, (("drift", 1.0),), 0.1, ("driftsoperator", "renholder")),
)

# Substitutes (vikarer, tilkallingshjelp): which jobs they fill in for.
SUBSTITUTE_JOBS = (
    ("pleieassistent", 0.5),
    ("assistent_bhg", 0.2),
    ("skoleassistent", 0.1),
    ("helsefagarbeider", 0.1),
    ("laerer", 0.05),
    ("sykepleier", 0.05),
)

# Part-time sizes (percent) and how common each is; health and care staff see many 50–80 %.
PART_TIME_SIZES = (20, 25, 30, 40, 50, 55, 60, 62.5, 65, 70, 75, 80, 85, 90)
PART_TIME_WEIGHTS = (2, 2, 3, 5, 12, 5, 10, 6, 6, 9, 12, 14, 6, 8)

# Key positions' recruitment cost (NOK): manager level 1..4, then other key professions.
KEY_COST_NOK = {1: 220_000, 2: 130_000, 3: 70_000, 4: 45_000, 0: 40_000}
