"""What a Norwegian municipality's workforce is made of: jobs, units and their parameters.

Every number here is a tuning knob of the synthetic data, chosen so the figures computed
from it land near KS's published ones (full-time share ≈ 57–61 %, turnover ≈ 12–14 %):
health care is part-time heavy, teachers and administration mostly full-time, assistants
leave often. Position codes come only from `dbt/seeds/ks_position_codes.csv` (a test
checks it); titles are the local job titles an HR system would show.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE_AREAS = ("helse og omsorg", "oppvekst", "teknisk", "administrasjon", "kultur")
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
    UnitKind("helse", ("Legekontoret", "Helsestasjonen", "Fysio- og ergoterapitjenesten"), (("241", 1.0),), 0),
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
    "Sentrum", "Nordbyen", "Sørbyen", "Vika", "Strandheim", "Haugen", "Berget", "Moen", "Holmen",
    "Lia", "Neset", "Øya", "Åsen", "Dalen", "Furuly", "Solbakken", "Bjørkly", "Fjellheim", "Solhaug",
    "Åsly", "Rønningen", "Sjøgata", "Nordstrand", "Vågen", "Havna", "Bakken", "Elvebakken", "Skogly",
    "Granly", "Lyngheim", "Tverrelva", "Kleiva", "Hauan", "Mølnvika", "Løkta", "Sandvika", "Nyheim",
    "Fagerli", "Breivika", "Engan",
)  # fmt: skip


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


def _job(key: str, code: str, title: str, area: str, family: str, units, share, p_ft, women, hire_age,
         hazard, temporary, education, **kw) -> Job:  # fmt: skip
    return Job(key, code, title, area, family, units, share, p_ft, women, hire_age, hazard, temporary,
               education, **kw)  # fmt: skip


H, O, T, A, K = SERVICE_AREAS
GS, VGS, HS, MA = (1, 0, 0, 0), (0.1, 0.9, 0, 0), (0, 0.05, 0.9, 0.05), (0, 0, 0.2, 0.8)

JOBS = (
    # --- helse og omsorg
    _job("sykepleier", "7174", "Sykepleier", H, "helse",
         (("sykehjem", .45), ("hjemme", .4), ("helse", .1), ("bo", .05)), 8.5, .45, .9, (31, 8, 22), .12, .05,
         HS, key_position=True, at_least_one=True, applicants=3, part_time_heavy=True),
    _job("spesialsykepleier", "7176", "Spesialsykepleier", H, "helse",
         (("sykehjem", .5), ("hjemme", .3), ("helse", .2)), 1.0, .55, .9, (36, 7, 26), .10, .02, MA,
         key_position=True, applicants=2, part_time_heavy=True),
    _job("helsefagarbeider", "7076", "Helsefagarbeider", H, "helse",
         (("sykehjem", .5), ("hjemme", .35), ("bo", .15)), 10.5, .30, .88, (29, 9, 19), .09, .07, VGS,
         at_least_one=True, applicants=6, part_time_heavy=True),
    _job("hjelpepleier", "6545", "Hjelpepleier", H, "helse",
         (("sykehjem", .55), ("hjemme", .45)), 2.5, .30, .92, (42, 6, 30), .06, .03, VGS, applicants=4,
         part_time_heavy=True),
    _job("pleieassistent", "6572", "Pleieassistent", H, "helse",
         (("sykehjem", .5), ("hjemme", .25), ("bo", .25)), 9.0, .12, .8, (27, 10, 18), .22, .15, GS,
         at_least_one=True, applicants=18, part_time_heavy=True),
    _job("vernepleier", "7519", "Vernepleier", H, "helse", (("bo", .7), ("hjemme", .3)), 3.0, .55, .8,
         (30, 7, 22), .10, .04, HS, applicants=4, part_time_heavy=True),
    _job("fysioterapeut", "7577", "Fysioterapeut", H, "helse", (("helse", 1.0),), 0.7, .7, .7, (32, 7, 23),
         .09, .03, HS, applicants=4),
    _job("ergoterapeut", "7578", "Ergoterapeut", H, "helse", (("helse", 1.0),), 0.5, .7, .85, (32, 7, 23),
         .09, .03, HS, applicants=3),
    _job("lege", "7584", "Lege", H, "helse", (("helse", 1.0),), 1.0, .85, .5, (35, 7, 26), .15, .10, MA,
         key_position=True, at_least_one=True, applicants=2),
    # --- oppvekst
    _job("laerer", "7954", "Lærer", O, "oppvekst", (("skole", 1.0),), 3.0, .80, .72, (30, 7, 22), .07, .08,
         HS, at_least_one=True, applicants=6),
    _job("adjunkt", "7955", "Adjunkt", O, "oppvekst", (("skole", 1.0),), 5.0, .82, .72, (27, 6, 22), .07,
         .08, HS, applicants=7),
    _job("adjunkt_tillegg", "7963", "Adjunkt med tilleggsutdanning", O, "oppvekst", (("skole", 1.0),), 4.5,
         .85, .72, (32, 7, 24), .06, .05, HS, applicants=6),
    _job("lektor", "7956", "Lektor", O, "oppvekst", (("skole", 1.0),), 2.5, .85, .65, (29, 6, 24), .07, .05,
         MA, applicants=6),
    _job("lektor_tillegg", "7957", "Lektor med tilleggsutdanning", O, "oppvekst", (("skole", 1.0),), 1.5,
         .88, .62, (35, 7, 26), .05, .03, MA, applicants=5),
    _job("pedleder", "7211", "Pedagogisk leder", O, "oppvekst", (("barnehage", 1.0),), 5.0, .85, .9,
         (28, 7, 22), .09, .08, HS, at_least_one=True, applicants=5),
    _job("barneungdom", "7523", "Barne- og ungdomsarbeider", O, "oppvekst",
         (("barnehage", .7), ("skole", .3)), 4.5, .55, .85, (27, 9, 19), .09, .08, VGS, applicants=8),
    _job("assistent_bhg", "6572", "Assistent", O, "oppvekst", (("barnehage", 1.0),), 5.0, .45, .85,
         (28, 11, 18), .17, .15, GS, at_least_one=True, applicants=15),
    _job("skoleassistent", "6572", "Skoleassistent", O, "oppvekst", (("skole", 1.0),), 3.5, .20, .8,
         (30, 11, 18), .16, .12, GS, applicants=15),
    # --- teknisk
    _job("ingenior", "7004", "Ingeniør", T, "teknisk", (("plan", .6), ("drift", .4)), 1.5, .95, .35,
         (30, 7, 23), .10, .03, HS, key_position=True, applicants=4),
    _job("sivilingenior", "7572", "Sivilingeniør", T, "teknisk", (("plan", .5), ("drift", .5)), 0.5, .95,
         .3, (31, 7, 24), .10, .02, MA, key_position=True, applicants=3),
    _job("byggesak", "7053", "Byggesaksbehandler", T, "teknisk", (("plan", 1.0),), 0.8, .9, .55,
         (33, 9, 22), .09, .03, HS, at_least_one=True, applicants=5),
    _job("driftsoperator", "6560", "Driftsoperatør", T, "teknisk", (("drift", 1.0),), 3.0, .85, .12,
         (32, 10, 19), .08, .04, VGS, at_least_one=True, applicants=9),
    _job("renholder", "7065", "Renholder", T, "teknisk", (("renhold", 1.0),), 3.0, .45, .82, (36, 12, 18),
         .12, .10, GS, at_least_one=True, applicants=12),
    _job("brannkonstabel", "7591", "Brannkonstabel", T, "teknisk", (("brann", 1.0),), 1.2, .25, .06,
         (28, 7, 19), .06, .02, VGS, applicants=10),
    # --- administrasjon (function 120 and friends)
    _job("konsulent", "7215", "Konsulent", A, "admin", (("servicetorg", .6), ("stab", .4)), 2.0, .80, .8,
         (32, 10, 19), .10, .06, VGS, applicants=20),
    _job("forstekonsulent", "7216", "Førstekonsulent", A, "admin",
         (("servicetorg", .3), ("stab", .3), ("okonomi", .2), ("personal", .2)), 1.0, .88, .75,
         (33, 9, 22), .09, .04, HS, applicants=15),
    _job("radgiver", "8530", "Rådgiver", A, "admin", (("stab", 1.0),), 1.2, .95, .6, (33, 8, 24), .10, .05,
         MA, applicants=14),
    _job("seniorradgiver", "8532", "Seniorrådgiver", A, "admin", (("stab", 1.0),), 0.5, .95, .55,
         (42, 8, 28), .08, .02, MA, applicants=8),
    _job("regnskap", "7049", "Regnskapsmedarbeider", A, "admin", (("okonomi", 1.0),), 0.8, .85, .85,
         (35, 10, 20), .08, .03, HS, key_position=True, at_least_one=True, applicants=6),
    _job("lonn", "7050", "Lønnsmedarbeider", A, "admin", (("personal", 1.0),), 0.6, .85, .9, (35, 10, 20),
         .08, .03, VGS, at_least_one=True, applicants=7),
    _job("faktura", "7053", "Fakturamedarbeider", A, "admin", (("okonomi", 1.0),), 0.4, .80, .85,
         (35, 10, 20), .09, .04, VGS, at_least_one=True, applicants=9),
    _job("okonom", "7051", "Økonomirådgiver", A, "admin", (("okonomi", 1.0),), 0.5, .95, .6, (33, 8, 23),
         .09, .02, HS, key_position=True, at_least_one=True, applicants=5),
    _job("it", "7052", "IT-konsulent", A, "admin", (("ikt", 1.0),), 0.7, .95, .25, (31, 8, 21), .11, .04, HS,
         applicants=8),
    _job("jurist", "8533", "Kommuneadvokat", A, "admin", (("stab", 1.0),), 0.3, .95, .55, (36, 8, 27), .10,
         .02, MA, key_position=True, applicants=4),
    _job("hr", "8530", "HR-rådgiver", A, "admin", (("personal", 1.0),), 0.5, .95, .8, (34, 8, 24), .10, .03,
         MA, at_least_one=True, applicants=12),
    _job("naering", "8530", "Næringsrådgiver", A, "admin", (("naering", 1.0),), 0.3, .95, .5, (35, 8, 24),
         .10, .05, MA, applicants=8),
    _job("arkiv", "7215", "Arkivmedarbeider", A, "admin", (("arkiv", 1.0),), 0.4, .75, .8, (36, 10, 20),
         .08, .04, VGS, applicants=12),
    # --- kultur
    _job("bibliotekar", "7216", "Bibliotekar", K, "kultur", (("bibliotek", 1.0),), 0.7, .60, .8,
         (34, 9, 23), .08, .05, HS, applicants=10),
    _job("kulturmedarbeider", "7215", "Kulturmedarbeider", K, "kultur", (("kultur", 1.0),), 0.8, .50, .65,
         (32, 9, 20), .11, .10, VGS, applicants=12),
    _job("kulturradgiver", "8530", "Kulturrådgiver", K, "kultur", (("kultur", 1.0),), 0.3, .90, .6,
         (36, 8, 24), .09, .03, MA, applicants=9),
    _job("kulturskolelaerer", "7954", "Kulturskolelærer", K, "kultur", (("kulturskole", 1.0),), 0.8, .35,
         .6, (33, 9, 22), .09, .08, HS, applicants=6),
    # --- leaders (counted separately, not by share)
    _job("kommunedirektor", "9430", "Kommunedirektør", A, "leder", (("stab", 1.0),), 0, .99, .4,
         (50, 6, 38), .12, 0, MA, key_position=True, manager_level=1, applicants=9),
    _job("kommunalsjef", "9440", "Kommunalsjef", A, "leder", (("stab", 1.0),), 0, .99, .6, (46, 7, 32), .11,
         0, MA, key_position=True, manager_level=2, applicants=7),
    _job("virksomhetsleder", "9451", "Virksomhetsleder", H, "leder",
         (("sykehjem", .3), ("hjemme", .2), ("bo", .1), ("barnehage", .25), ("drift", .1), ("kultur", .05)),
         0, .98, .65, (44, 7, 30), .10, 0, HS, key_position=True, manager_level=3, applicants=6),
    _job("rektor", "9951", "Rektor", O, "leder", (("skole", 1.0),), 0, .99, .6, (45, 7, 32), .08, 0, MA,
         key_position=True, manager_level=3, applicants=6),
    _job("avdelingsleder", "9454", "Avdelingsleder", H, "leder",
         (("sykehjem", .4), ("hjemme", .3), ("bo", .1), ("barnehage", .15), ("drift", .05)),
         0, .97, .75, (40, 7, 27), .11, 0, HS, key_position=True, manager_level=4, applicants=5),
    _job("assrektor", "9954", "Assisterende rektor", O, "leder", (("skole", 1.0),), 0, .98, .65,
         (42, 7, 30), .09, 0, MA, key_position=True, manager_level=4, applicants=5),
)  # fmt: skip
JOB_INDEX = {job.key: i for i, job in enumerate(JOBS)}

# Kommunalsjefer take the sectors in this order as the municipality grows.
SECTOR_ORDER = ("helse og omsorg", "oppvekst", "teknisk", "administrasjon", "kultur")
# Units where a virksomhetsleder/avdelingsleder heads a service area other than helse og omsorg.
UNIT_AREA = {"barnehage": O, "skole": O, "drift": T, "plan": T, "kultur": K, "stab": A}

# Apprentices: trade, position title, where they train, and the jobs they can be hired into.
APPRENTICE_CODE = "6681"
APPRENTICE_TRACKS = (
    ("Lærling helsearbeiderfaget", H, (("sykehjem", .6), ("hjemme", .4)), 0.6,
     ("helsefagarbeider", "pleieassistent", "hjelpepleier")),
    ("Lærling barne- og ungdomsarbeiderfaget", O, (("barnehage", .8), ("skole", .2)), 0.3,
     ("barneungdom", "assistent_bhg", "skoleassistent")),
    ("Lærling byggdrifterfaget", T, (("drift", 1.0),), 0.1, ("driftsoperator", "renholder")),
)  # fmt: skip

# Substitutes (vikarer, tilkallingshjelp): which jobs they fill in for.
SUBSTITUTE_JOBS = (
    ("pleieassistent", 0.5), ("assistent_bhg", 0.2), ("skoleassistent", 0.1), ("helsefagarbeider", 0.1),
    ("laerer", 0.05), ("sykepleier", 0.05),
)  # fmt: skip

# Part-time sizes (percent) and how common each is; health and care staff see many 50–80 %.
PART_TIME_SIZES = (20, 25, 30, 40, 50, 55, 60, 62.5, 65, 70, 75, 80, 85, 90)
PART_TIME_WEIGHTS = (2, 2, 3, 5, 12, 5, 10, 6, 6, 9, 12, 14, 6, 8)

# Key positions' recruitment cost (NOK): manager level 1..4, then other key professions.
KEY_COST_NOK = {1: 220_000, 2: 130_000, 3: 70_000, 4: 45_000, 0: 40_000}
