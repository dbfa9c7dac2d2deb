"""The simulated workforce: every employment of every person in the selected municipalities.

The model is a set of *positions* (slots) per municipality, each held by a chain of
employments: when a holder leaves (resigns, moves, retires, a temporary contract ends) the
position is advertised and filled after a vacancy gap. On top of the chains come
substitutes (short, often hourly contracts), second positions of part-time health workers
(2 × 50 %), and apprentices on two-year contracts. Identities then move between
employments: an apprentice is hired into a skilled position, an employee moves internally,
a leaver starts in a neighbouring municipality under the same national id.

Everything is vectorised over numpy arrays (one loop step per chain generation, not per
person), so Norway's ~500,000 employees over ten years take seconds, not hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.demo import catalogue as cat
from pipelines.demo.geography import Geography
from pipelines.demo.timeline import DAYS_PER_YEAR, OPEN, day, year_of

EMPLOYEES_PER_INHABITANT = (0.13, 0.09)  # small municipalities at the high end
APPRENTICES_PER_1000 = 1.7
SUBSTITUTE_SHARE = 0.05  # of positions, held by a substitute on an average day
SECOND_POSITION_CHANCE = 0.2  # part-time health and care workers holding a second position
TEMPORARY_CONTINUES = 0.55  # a temporary holder who stays on in the same position
HAZARD_SCALE = 1.35  # tunes yearly turnover to KS's 12–14 %
FULLTIME_SCALE = 0.95  # tunes the full-time share to KS's 57–61 %

N_JOBS = len(cat.JOBS)
# positions = jobs, then apprentice tracks
POSITION_CODES = [j.code for j in cat.JOBS] + [cat.APPRENTICE_CODE] * len(cat.APPRENTICE_TRACKS)
POSITION_TITLES = [j.title for j in cat.JOBS] + [t[0] for t in cat.APPRENTICE_TRACKS]
KOSTRA_CODES = sorted({code for kind in cat.UNIT_KINDS for code, _ in kind.kostra} | {"120"})
FAMILIES = ("helse", "oppvekst", "teknisk", "admin", "kultur", "leder")
AREA_INDEX = {area: i for i, area in enumerate(cat.SERVICE_AREAS)}


@dataclass
class Workforce:
    """The simulated truth from which every delivery file is cut."""

    geography: Geography
    first_year: int
    last_year: int
    spells: pl.DataFrame  # one row per employment
    persons: pl.DataFrame  # person, birth (day number), gender (0 F, 1 M)
    units: list[str]  # unit names by unit id
    slots_per_entity: np.ndarray


def _job_arrays() -> dict[str, np.ndarray]:
    jobs = cat.JOBS
    return {
        "hazard": np.array([j.hazard for j in jobs]),
        "temporary": np.array([j.temporary for j in jobs]),
        "p_ft": np.array([j.p_fulltime for j in jobs]),
        "women": np.array([j.women for j in jobs] + [0.6] * len(cat.APPRENTICE_TRACKS)),
        "age_mean": np.array([j.hire_age[0] for j in jobs]),
        "age_sd": np.array([j.hire_age[1] for j in jobs]),
        "age_min": np.array([j.hire_age[2] for j in jobs]),
        "key": np.array([j.key_position for j in jobs] + [False] * len(cat.APPRENTICE_TRACKS)),
        "level": np.array([j.manager_level for j in jobs] + [0] * len(cat.APPRENTICE_TRACKS)),
        "heavy": np.array([j.part_time_heavy for j in jobs]),
        "family": np.array([FAMILIES.index(j.family) for j in jobs] + [-1] * len(cat.APPRENTICE_TRACKS)),
        "education": np.array([j.education for j in jobs] + [(0.9, 0.1, 0, 0)] * len(cat.APPRENTICE_TRACKS)),
    }


J = _job_arrays()


def _thin_functions(counts: np.ndarray, entity: int) -> np.ndarray:
    """A small municipality's finance and engineering jobs: one or two positions per group
    (cat.THIN_FUNCTION_JOBS), so its competence plan and the host-municipality candidates
    have single-person functions to find. The positions moved go to (or come from) the
    general clerks (cat.THIN_FUNCTION_POOL), so the municipality keeps its size and every
    later random draw its place in the stream. Alternates 1 and 2 by entity and group."""
    counts = counts.copy()
    pool = cat.JOB_INDEX[cat.THIN_FUNCTION_POOL]
    for g, group in enumerate(cat.THIN_FUNCTION_JOBS):
        jobs = [cat.JOB_INDEX[key] for key in group]
        have = int(counts[jobs].sum())
        wanted = min(1 + (entity + g) % cat.THIN_FUNCTION_MAX, have + int(counts[pool]))
        counts[pool] += have - wanted
        counts[jobs] = 0
        counts[jobs[0]] = wanted
    return counts


class _Simulation:
    def __init__(self, geography: Geography, first_year: int, last_year: int, scale: float, seed: int):
        self.geo = geography
        self.first_year, self.last_year = first_year, last_year
        self.rng = np.random.default_rng(seed)
        self.t0 = day(first_year - 1, 1, 1)  # a year of warm-up before the first extract
        self.t1 = day(last_year, 12, 31)
        ents = geography.entities
        self.n_entities = len(ents)
        inhabitants = np.array([e.inhabitants for e in ents], dtype=float)
        small, large = np.log10(1500), np.log10(60000)
        size = np.clip((np.log10(inhabitants) - small) / (large - small), 0, 1)
        ratio = (
            EMPLOYEES_PER_INHABITANT[0] + (EMPLOYEES_PER_INHABITANT[1] - EMPLOYEES_PER_INHABITANT[0]) * size
        )
        self.inhabitants = inhabitants
        self.n_slots = np.maximum(np.round(inhabitants * ratio * scale), 1).astype(np.int64)
        self.scale = scale
        regions = [e.region for e in ents]
        self.salten = np.array([r == "salten" for r in regions])
        self.lofoten = np.array([r == "outer-lofoten" for r in regions])
        self.spell_parts: list[dict[str, np.ndarray]] = []
        self.n_spells = 0

    # --- positions and units ---------------------------------------------------------
    def build_units(self) -> None:
        rng = self.rng
        names: list[str] = []
        start = np.zeros((self.n_entities, len(cat.UNIT_KINDS)), dtype=np.int64)
        count = np.zeros_like(start)
        for e in range(self.n_entities):
            for k, kind in enumerate(cat.UNIT_KINDS):
                start[e, k] = len(names)
                if kind.per_slots:
                    places = [cat.PLACES[i] for i in rng.permutation(len(cat.PLACES))]
                    n = max(1, round(self.n_slots[e] / kind.per_slots))
                    for i in range(n):
                        suffix = f" {i // len(places) + 1}" if i >= len(places) else ""
                        names.append(kind.names[0].format(place=places[i % len(places)] + suffix))
                else:
                    names.extend(kind.names)
                count[e, k] = len(names) - start[e, k]
        self.unit_names = names
        self.unit_start, self.unit_count = start, count

    def build_slots(self) -> None:
        rng = self.rng
        shares = np.array([j.share for j in cat.JOBS])
        at_least = np.array([j.at_least_one for j in cat.JOBS])
        level = J["level"][:N_JOBS]
        staff = shares > 0
        jobs_per_entity = []
        for e in range(self.n_entities):
            n = int(self.n_slots[e])
            counts = np.zeros(N_JOBS, dtype=np.int64)
            l2 = int(np.clip(round(n / 300) + 1, 2, 7))
            l3 = max(2, round(n / 70))
            l4 = max(1, round(n / 35))
            rektor = max(1, round(l3 * 0.25))
            assrektor = round(l4 * 0.25)
            counts[cat.JOB_INDEX["kommunedirektor"]] = 1
            counts[cat.JOB_INDEX["kommunalsjef"]] = l2
            counts[cat.JOB_INDEX["rektor"]] = rektor
            counts[cat.JOB_INDEX["virksomhetsleder"]] = max(1, l3 - rektor)
            counts[cat.JOB_INDEX["assrektor"]] = assrektor
            counts[cat.JOB_INDEX["avdelingsleder"]] = max(1, l4 - assrektor)
            rest = max(n - int(counts.sum()), 0)
            exact = rest * shares / shares.sum()
            base = np.floor(exact).astype(np.int64)
            remainder = rest - int(base.sum())
            order = np.argsort(-(exact - base), kind="stable")
            base[order[:remainder]] += 1
            base = np.where(staff & at_least, np.maximum(base, 1), base)
            if self.inhabitants[e] < cat.SMALL_MUNICIPALITY_INHABITANTS:
                base = _thin_functions(base, e)
            counts = np.where(level > 0, counts, base)
            jobs_per_entity.append(counts)
        counts = np.stack(jobs_per_entity)  # entity × job
        self.n_slots = counts.sum(axis=1)
        slot_entity = np.repeat(np.repeat(np.arange(self.n_entities), N_JOBS), counts.ravel())
        slot_job = np.repeat(np.tile(np.arange(N_JOBS), self.n_entities), counts.ravel())
        n = len(slot_job)
        kind = np.zeros(n, dtype=np.int64)
        for j, job in enumerate(cat.JOBS):
            mask = slot_job == j
            if not mask.any():
                continue
            keys = [cat.UNIT_KIND_INDEX[k] for k, _ in job.units]
            weights = np.array([w for _, w in job.units])
            kind[mask] = rng.choice(keys, size=int(mask.sum()), p=weights / weights.sum())
        unit = self.unit_start[slot_entity, kind] + np.floor(
            rng.random(n) * self.unit_count[slot_entity, kind]
        ).astype(np.int64)
        kostra = np.zeros(n, dtype=np.int64)
        for k, ukind in enumerate(cat.UNIT_KINDS):
            mask = kind == k
            if mask.any():
                codes = [KOSTRA_CODES.index(c) for c, _ in ukind.kostra]
                weights = np.array([w for _, w in ukind.kostra])
                kostra[mask] = rng.choice(codes, size=int(mask.sum()), p=weights / weights.sum())
        area = np.array([AREA_INDEX[j.area] for j in cat.JOBS])[slot_job]
        # leaders head the area of their unit; kommunalsjefer take the sectors in turn
        for key in ("virksomhetsleder", "avdelingsleder"):
            mask = slot_job == cat.JOB_INDEX[key]
            kind_keys = np.array([k.key for k in cat.UNIT_KINDS])[kind[mask]]
            area[mask] = [AREA_INDEX[cat.UNIT_AREA.get(k, cat.SERVICE_AREAS[0])] for k in kind_keys]
        sjef = np.flatnonzero(slot_job == cat.JOB_INDEX["kommunalsjef"])
        sjef_entity = slot_entity[sjef]  # slots are laid out municipality by municipality
        rank = np.arange(len(sjef)) - np.searchsorted(sjef_entity, sjef_entity, side="left")
        area[sjef] = [AREA_INDEX[cat.SECTOR_ORDER[r % len(cat.SECTOR_ORDER)]] for r in rank]
        kostra[sjef] = KOSTRA_CODES.index("120")
        self.slot_entity, self.slot_job, self.slot_unit = slot_entity, slot_job, unit
        self.slot_kostra, self.slot_area = kostra, area

    # --- draws ---------------------------------------------------------------------------
    def p_fulltime(self, job: np.ndarray, year: np.ndarray, entity: np.ndarray) -> np.ndarray:
        """Chance a new employment is full-time: a slow national rise in health and care, and
        Salten's deliberate push to recruit to full-time positions from 2017."""
        p = J["p_ft"][job] * FULLTIME_SCALE + np.where(
            J["heavy"][job], 0.004 * np.clip(year - 2015, 0, None), 0
        )
        push = np.where(self.salten[entity] & (J["p_ft"][job] < 0.7), 0.02 * np.clip(year - 2016, 0, None), 0)
        return np.clip(p + push, 0, 0.95)

    def draw_fte(self, job: np.ndarray, year: np.ndarray, entity: np.ndarray) -> np.ndarray:
        rng = self.rng
        full = rng.random(len(job)) < self.p_fulltime(job, year, entity)
        weights = np.array(cat.PART_TIME_WEIGHTS, dtype=float)
        part = rng.choice(np.array(cat.PART_TIME_SIZES) * 100, size=len(job), p=weights / weights.sum())
        return np.where(full, 10000, part).astype(np.int32)

    def draw_retirement_age(self, n: int) -> np.ndarray:
        ages = np.array([62, 63, 64, 65, 66, 67, 68, 69, 70])
        weights = np.array([20, 8, 8, 9, 8, 30, 7, 5, 5], dtype=float)
        return self.rng.choice(ages, size=n, p=weights / weights.sum()) + self.rng.random(n) * 0.95

    def hazard(self, job: np.ndarray, age: np.ndarray, entity: np.ndarray, year: np.ndarray) -> np.ndarray:
        """Yearly chance of leaving: the young leave more, outer Lofoten's key positions
        turn over fast until the stability work starting 2020 brings them down."""
        age_factor = np.select([age < 25, age < 35, age < 50], [1.8, 1.25, 0.85], 0.6)
        region = np.where(self.lofoten[entity], 1.2, 1.0)
        key_factor = np.where(
            self.lofoten[entity] & J["key"][job], np.where(year < 2020, 1.4, 1.4 - 0.08 * (year - 2019)), 1.0
        )
        return HAZARD_SCALE * J["hazard"][job] * age_factor * region * key_factor

    def vacancy_gap(self, job: np.ndarray, entity: np.ndarray, year: np.ndarray) -> np.ndarray:
        rng = self.rng
        n = len(job)
        normal = rng.integers(7, 76, n)
        key = rng.integers(30, 151, n)
        remote = rng.integers(60, 211, n)
        key_gap = np.where(self.lofoten[entity] & (year < 2020), remote, key)
        return np.where(J["key"][job], key_gap, normal)

    def add(self, part: dict[str, np.ndarray]) -> np.ndarray:
        n = len(part["start"])
        ids = np.arange(self.n_spells, self.n_spells + n, dtype=np.int64)
        part["spell"] = ids
        self.spell_parts.append(part)
        self.n_spells += n
        return ids

    # --- chains --------------------------------------------------------------------------
    def build_chains(self) -> None:
        rng = self.rng
        n = len(self.slot_job)
        slots = np.arange(n)
        job, ent = self.slot_job, self.slot_entity
        y0 = self.first_year - 1
        # generation 0: who holds each position when the simulation starts
        age = np.clip(rng.normal(J["age_mean"][job] + 13, 10.5), J["age_min"][job] + 0.5, 66.5)
        # clipped ages would pile births onto a few dates: spread them over the year
        birth = (self.t0 - age * DAYS_PER_YEAR).astype(np.int64) - rng.integers(0, 365, n)
        age = (self.t0 - birth) / DAYS_PER_YEAR
        tenure = np.minimum(rng.exponential(9.0, n), age - J["age_min"][job]) + 0.05
        start = (self.t0 - tenure * DAYS_PER_YEAR).astype(np.int64)
        retire_age = np.maximum(self.draw_retirement_age(n), np.minimum(age + rng.uniform(0.1, 1.5, n), 70.9))
        temp = rng.random(n) < J["temporary"][job] * 0.6
        start = np.where(temp, self.t0 - rng.integers(0, 300, n), start)
        years = np.full(n, y0)
        fte = self.draw_fte(job, year_of(start.astype(np.int32)), ent)
        gender = (rng.random(n) >= J["women"][job]).astype(np.int8)
        end, reason = self.draw_end(job, ent, years, self.t0, age, birth, retire_age, temp)
        ids = self.add(self.spell_part(slots, start, end, reason, temp, fte, birth, gender, gen=0, ptr=-1))
        state = {  # per position: its current holder (copies: the spell arrays must not change)
            "end": end.copy(),
            "temp": temp.copy(),
            "fte": fte.copy(),
            "birth": birth.copy(),
            "gender": gender.copy(),
            "retire": retire_age.copy(),
            "spell": ids.copy(),
        }
        gen = 0
        active = slots[end < self.t1]
        while len(active):
            gen += 1
            s = {k: v[active] for k, v in state.items()}
            j, e = job[active], ent[active]
            m = len(active)
            cont = s["temp"] & (rng.random(m) < TEMPORARY_CONTINUES)
            prev_year = year_of(s["end"].astype(np.int32))
            start = s["end"] + 1 + np.where(cont, 0, self.vacancy_gap(j, e, prev_year))
            keep = start <= self.t1
            active, start, cont, j, e = active[keep], start[keep], cont[keep], j[keep], e[keep]
            s = {k: v[keep] for k, v in s.items()}
            m = len(active)
            if not m:
                break
            year = year_of(start.astype(np.int32))
            hire_age = np.clip(rng.normal(J["age_mean"][j], J["age_sd"][j]), J["age_min"][j], 61)
            new_birth = start - (hire_age * DAYS_PER_YEAR).astype(np.int64) - rng.integers(0, 365, m)
            birth = np.where(cont, s["birth"], new_birth)
            gender = np.where(cont, s["gender"], (rng.random(m) >= J["women"][j]).astype(np.int8))
            retire_age = np.where(cont, s["retire"], self.draw_retirement_age(m))
            age = (start - birth) / DAYS_PER_YEAR
            temp = np.where(cont, rng.random(m) < 0.2, rng.random(m) < J["temporary"][j])
            fte = np.where(cont & (rng.random(m) < 0.6), s["fte"], self.draw_fte(j, year, e))
            end, reason = self.draw_end(j, e, year, start, age, birth, retire_age, temp)
            ptr = np.where(cont, s["spell"], -1)
            ids = self.add(
                self.spell_part(active, start, end, reason, temp, fte, birth, gender, gen=gen, ptr=ptr)
            )
            state["end"][active], state["temp"][active], state["fte"][active] = end, temp, fte
            state["birth"][active], state["gender"][active] = birth, gender
            state["retire"][active], state["spell"][active] = retire_age, ids
            active = active[end < self.t1]

    def draw_end(self, job, ent, year, start, age, birth, retire_age, temp):
        rng = self.rng
        m = len(job)
        h = self.hazard(job, age, ent, year)
        end = start + (rng.exponential(1.0, m) / h * DAYS_PER_YEAR).astype(np.int64)
        end = np.where(temp, start + rng.integers(90, 541, m), end)
        reason = np.where(
            temp,
            cat.CONTRACT_ENDED,
            rng.choice([cat.RESIGNED, cat.OTHER_MUNICIPALITY, cat.INTERNAL], size=m, p=[0.6, 0.2, 0.2]),
        )
        retire = birth + (retire_age * DAYS_PER_YEAR).astype(np.int64)
        retiring = end >= retire
        end = np.where(retiring, np.maximum(retire, start + 1), end)
        reason = np.where(retiring, cat.RETIRED, reason)
        still_open = (end > self.t1) & ~temp & ~retiring
        end = np.where(still_open, OPEN, end)
        reason = np.where(still_open, cat.NO_REASON, reason)
        return end.astype(np.int64), reason.astype(np.int8)

    def spell_part(self, slots, start, end, reason, temp, fte, birth, gender, gen, ptr):
        n = len(slots)
        job = self.slot_job[slots]
        return {
            "entity": self.slot_entity[slots],
            "slot": slots.astype(np.int64),
            "position": job,
            "unit": self.slot_unit[slots],
            "kostra": self.slot_kostra[slots],
            "area": self.slot_area[slots],
            "etype": np.where(temp, cat.TEMPORARY, cat.PERMANENT).astype(np.int8),
            "fte": fte.astype(np.int32),
            "start": start.astype(np.int64),
            "end": end.astype(np.int64),
            "reason": reason.astype(np.int8),
            "gen": np.full(n, gen, dtype=np.int32),
            "ptr": np.broadcast_to(np.asarray(ptr, dtype=np.int64), (n,)).copy(),
            "birth": birth.astype(np.int64),
            "gender": gender.astype(np.int8),
            "hire": (np.full(n, gen > 0) & (np.broadcast_to(np.asarray(ptr), (n,)) < 0)),
        }

    # --- second positions, substitutes, apprentices --------------------------------------
    def build_second_positions(self) -> None:
        """Part-time health and care workers often hold a second position (2 × 50 %)."""
        rng = self.rng
        sp = self.concat()
        job = sp["position"]
        eligible = (sp["slot"] >= 0) & (sp["etype"] == cat.PERMANENT) & (sp["fte"] <= 6000) & (job < N_JOBS)
        eligible &= np.isin(
            job, [i for i, j in enumerate(cat.JOBS) if j.part_time_heavy or j.family == "oppvekst"]
        )
        pick = np.flatnonzero(eligible & (rng.random(len(job)) < SECOND_POSITION_CHANCE))
        start = sp["start"][pick] + rng.integers(0, 731, len(pick))
        end = sp["end"][pick]
        ok = (start < end) & (start <= self.t1)
        pick, start, end = pick[ok], start[ok], end[ok]
        m = len(pick)
        fte1 = sp["fte"][pick]
        complement = 10000 - fte1
        smaller = np.minimum(rng.choice([2000, 2500, 3000, 4000], m), complement)
        fte = np.where(rng.random(m) < 0.55, complement, smaller).astype(np.int32)
        temp = rng.random(m) < 0.3
        temp_end = start + rng.integers(90, 541, m)
        end = np.where(temp, np.minimum(temp_end, end), end)
        reason = np.where(temp & (temp_end < sp["end"][pick]), cat.CONTRACT_ENDED, sp["reason"][pick])
        j = job[pick]
        ent = sp["entity"][pick]
        kinds = np.array([cat.UNIT_KIND_INDEX[cat.JOBS[x].units[0][0]] for x in range(N_JOBS)])
        alt = np.array([cat.UNIT_KIND_INDEX[cat.JOBS[x].units[-1][0]] for x in range(N_JOBS)])
        kind = np.where(rng.random(m) < 0.5, kinds[j], alt[j])
        unit = self.unit_start[ent, kind] + np.floor(rng.random(m) * self.unit_count[ent, kind]).astype(
            np.int64
        )
        kostra = np.array([KOSTRA_CODES.index(k.kostra[0][0]) for k in cat.UNIT_KINDS])[kind]
        self.add(
            {
                "entity": ent,
                "slot": np.full(m, -1, dtype=np.int64),
                "position": j,
                "unit": unit,
                "kostra": kostra,
                "area": sp["area"][pick],
                "etype": np.where(temp, cat.TEMPORARY, cat.PERMANENT).astype(np.int8),
                "fte": fte,
                "start": start,
                "end": end,
                "reason": reason.astype(np.int8),
                "gen": np.full(m, -1, dtype=np.int32),
                "ptr": sp["spell"][pick],
                "birth": sp["birth"][pick],
                "gender": sp["gender"][pick],
                "hire": np.zeros(m, dtype=bool),
            }
        )

    def build_substitutes(self) -> None:
        rng = self.rng
        span = self.t1 - self.t0 + 120
        mean_days = 123
        counts = rng.poisson(SUBSTITUTE_SHARE * self.n_slots * span / mean_days)
        ent = np.repeat(np.arange(self.n_entities), counts)
        m = len(ent)
        start = rng.integers(self.t0 - 120, self.t1 + 1, m)
        end = start + rng.integers(7, 241, m)
        keys = [cat.JOB_INDEX[k] for k, _ in cat.SUBSTITUTE_JOBS]
        weights = np.array([w for _, w in cat.SUBSTITUTE_JOBS])
        job = rng.choice(keys, size=m, p=weights / weights.sum())
        kinds = np.array([cat.UNIT_KIND_INDEX[cat.JOBS[x].units[0][0]] for x in range(N_JOBS)])
        kind = kinds[job]
        unit = self.unit_start[ent, kind] + np.floor(rng.random(m) * self.unit_count[ent, kind]).astype(
            np.int64
        )
        kostra = np.array([KOSTRA_CODES.index(k.kostra[0][0]) for k in cat.UNIT_KINDS])[kind]
        area = np.array([AREA_INDEX[j.area] for j in cat.JOBS])[job]
        hourly = rng.random(m) < 0.6
        weights_pt = np.array(cat.PART_TIME_WEIGHTS, dtype=float)
        sized = rng.choice(np.array(cat.PART_TIME_SIZES) * 100, size=m, p=weights_pt / weights_pt.sum())
        fte = np.where(hourly, 0, np.where(rng.random(m) < 0.2, 10000, sized)).astype(np.int32)
        # a pool of substitutes per municipality: many come back for another contract
        pool_size = np.maximum(1, np.round(counts * 0.5)).astype(np.int64)
        offsets = np.r_[0, np.cumsum(pool_size)[:-1]]
        pool = offsets[ent] + np.floor(rng.random(m) * pool_size[ent]).astype(np.int64)
        n_pool = int(pool_size.sum())
        group = rng.random(n_pool)
        age_t0 = np.where(
            group < 0.6,
            rng.uniform(14, 28, n_pool),
            np.where(group < 0.9, rng.uniform(28, 58, n_pool), rng.uniform(58, 66, n_pool)),
        )
        pool_birth = (self.t0 - age_t0 * DAYS_PER_YEAR).astype(np.int64)
        pool_gender = (rng.random(n_pool) < 0.25).astype(np.int8)
        birth = pool_birth[pool]
        age_start = (start - birth) / DAYS_PER_YEAR
        age_end = (end - birth) / DAYS_PER_YEAR
        own = (age_start < 18) | (age_end >= 70.5)
        fresh_age = rng.uniform(18, 30, m)
        birth = np.where(own, start - (fresh_age * DAYS_PER_YEAR).astype(np.int64), birth)
        gender = np.where(own, (rng.random(m) < 0.25).astype(np.int8), pool_gender[pool])
        ids = np.arange(self.n_spells, self.n_spells + m, dtype=np.int64)
        # the first contract of a pool member carries the person; later ones point at it
        order = np.lexsort((start, pool))
        pooled = ~own[order]
        first_of_pool = np.full(n_pool, -1, dtype=np.int64)
        sel = order[pooled]
        uniq, first_idx = np.unique(pool[sel], return_index=True)
        first_of_pool[uniq] = ids[sel[first_idx]]
        ptr = np.where(own, -1, first_of_pool[pool])
        ptr = np.where(ptr == ids, -1, ptr)
        self.add(
            {
                "entity": ent,
                "slot": np.full(m, -1, dtype=np.int64),
                "position": job,
                "unit": unit,
                "kostra": kostra,
                "area": area,
                "etype": np.full(m, cat.SUBSTITUTE, dtype=np.int8),
                "fte": fte,
                "start": start,
                "end": end,
                "reason": np.full(m, cat.CONTRACT_ENDED, dtype=np.int8),
                "gen": np.full(m, -1, dtype=np.int32),
                "ptr": ptr,
                "birth": birth,
                "gender": gender,
                "hire": np.zeros(m, dtype=bool),
            }
        )

    def build_apprentices(self) -> None:
        rng = self.rng
        cohorts = np.arange(self.first_year - 3, self.last_year + 1)
        per_year = APPRENTICES_PER_1000 * self.inhabitants / 1000 * self.scale / 2
        counts = rng.poisson(np.outer(per_year, np.ones(len(cohorts))))
        ent = np.repeat(np.repeat(np.arange(self.n_entities), len(cohorts)), counts.ravel())
        cohort = np.repeat(np.tile(cohorts, self.n_entities), counts.ravel())
        m = len(ent)
        start = np.array([day(int(y), 8, 15) for y in cohort], dtype=np.int64) + rng.integers(-10, 21, m)
        end = start + 730 - 1
        quit_ = rng.random(m) < 0.1
        end = np.where(quit_, start + rng.integers(30, 601, m), end)
        reason = np.where(quit_, cat.RESIGNED, cat.CONTRACT_ENDED).astype(np.int8)
        weights = np.array([t[3] for t in cat.APPRENTICE_TRACKS])
        track = rng.choice(len(cat.APPRENTICE_TRACKS), size=m, p=weights / weights.sum())
        kind = np.zeros(m, dtype=np.int64)
        for t, spec in enumerate(cat.APPRENTICE_TRACKS):
            mask = track == t
            keys = [cat.UNIT_KIND_INDEX[k] for k, _ in spec[2]]
            w = np.array([x for _, x in spec[2]])
            kind[mask] = rng.choice(keys, size=int(mask.sum()), p=w / w.sum())
        unit = self.unit_start[ent, kind] + np.floor(rng.random(m) * self.unit_count[ent, kind]).astype(
            np.int64
        )
        kostra = np.array([KOSTRA_CODES.index(k.kostra[0][0]) for k in cat.UNIT_KINDS])[kind]
        area = np.array([AREA_INDEX[t[1]] for t in cat.APPRENTICE_TRACKS])[track]
        adult = rng.random(m) < 0.12
        age = np.where(adult, rng.uniform(22, 45, m), rng.uniform(18, 20.5, m))
        birth = start - (age * DAYS_PER_YEAR).astype(np.int64)
        gender = (rng.random(m) < np.where(track == 2, 0.85, 0.3)).astype(np.int8)
        self.add(
            {
                "entity": ent,
                "slot": np.full(m, -1, dtype=np.int64),
                "position": N_JOBS + track,
                "unit": unit,
                "kostra": kostra,
                "area": area,
                "etype": np.full(m, cat.APPRENTICE, dtype=np.int8),
                "fte": np.full(m, 10000, dtype=np.int32),
                "start": start,
                "end": end,
                "reason": reason,
                "gen": np.full(m, -1, dtype=np.int32),
                "ptr": np.full(m, -1, dtype=np.int64),
                "birth": birth,
                "gender": gender,
                "hire": np.zeros(m, dtype=bool),
            }
        )

    def concat(self) -> dict[str, np.ndarray]:
        keys = self.spell_parts[0].keys()
        merged = {k: np.concatenate([p[k] for p in self.spell_parts]) for k in keys}
        self.spell_parts = [merged]
        return merged

    # --- identities move -------------------------------------------------------------------
    def link_identities(self) -> None:
        """Apprentices hired into skilled positions, internal moves, and leavers who start in
        a neighbouring municipality: the later employment takes the earlier one's person."""
        rng = self.rng
        sp = self.concat()
        n = len(sp["start"])
        assert (sp["spell"] == np.arange(n)).all()
        source = np.full(n, cat.EXTERNAL, dtype=np.int8)
        taken = np.zeros(n, dtype=bool)
        job = sp["position"]
        candidate = (
            sp["hire"]
            & (sp["reason"] != cat.RETIRED)
            & (sp["start"] >= self.t0)
            & np.isin(sp["etype"], [cat.PERMANENT, cat.TEMPORARY])
        )
        year_end = year_of(np.minimum(sp["end"], self.t1).astype(np.int32))

        # 1. apprentices who finished their contract
        track_of_job = np.full(len(POSITION_CODES), -1)
        for t, spec in enumerate(cat.APPRENTICE_TRACKS):
            for key in spec[4]:
                track_of_job[cat.JOB_INDEX[key]] = t
        conv = np.where(self.salten[sp["entity"]], np.clip(0.35 + 0.04 * (year_end - 2016), 0.35, 0.7), 0.35)
        src = np.flatnonzero(
            (sp["etype"] == cat.APPRENTICE) & (sp["reason"] == cat.CONTRACT_ENDED) & (rng.random(n) < conv)
        )
        cand = np.flatnonzero(candidate & (track_of_job[job] >= 0))
        pairs = _match(
            src,
            sp["entity"][src] * 8 + (job[src] - N_JOBS),
            sp["end"][src],
            cand,
            sp["entity"][cand] * 8 + track_of_job[job[cand]],
            sp["start"][cand],
            window=300,
        )
        self.apply(sp, pairs, source, taken, cat.OWN_APPRENTICE)

        # 2. internal moves (not in the last years before retirement)
        age_end = (np.minimum(sp["end"], self.t1) - sp["birth"][self.roots(sp["ptr"])]) / DAYS_PER_YEAR
        src = np.flatnonzero((sp["reason"] == cat.INTERNAL) & (age_end < 60))
        cand = np.flatnonzero(candidate & ~taken)
        pairs = _match(
            src, sp["entity"][src], sp["end"][src], cand, sp["entity"][cand], sp["start"][cand], 60
        )
        self.apply(sp, pairs, source, taken, cat.INTERNAL_HIRE)
        unmatched = (sp["reason"] == cat.INTERNAL) & ~np.isin(np.arange(n), pairs[0])
        sp["reason"][unmatched] = cat.RESIGNED

        # 3. leavers who start in a neighbouring municipality
        age_end = (np.minimum(sp["end"], self.t1) - sp["birth"][self.roots(sp["ptr"])]) / DAYS_PER_YEAR
        src = np.flatnonzero((sp["reason"] == cat.OTHER_MUNICIPALITY) & (age_end < 58))
        target = self.neighbour(sp["entity"][src])
        ok = target >= 0
        src, target = src[ok], target[ok]
        fam = J["family"]
        cand = np.flatnonzero(candidate & ~taken)
        pairs = _match(
            src,
            target * 8 + fam[job[src]],
            sp["end"][src],
            cand,
            sp["entity"][cand] * 8 + fam[job[cand]],
            sp["start"][cand],
            window=150,
        )
        self.apply(sp, pairs, source, taken, cat.FROM_OTHER_MUNICIPALITY)

        # hires nobody in the data accounts for: mostly external, some from municipalities
        # outside the data
        outside = sp["hire"] & ~taken & (rng.random(n) < 0.12)
        source[outside] = cat.FROM_OTHER_MUNICIPALITY
        sp["hire_source"] = source

    def apply(self, sp, pairs, source, taken, kind) -> None:
        src, cand = pairs
        sp["ptr"][cand] = src
        taken[cand] = True
        source[cand] = kind

    def neighbour(self, entity: np.ndarray) -> np.ndarray:
        """A neighbouring municipality for each leaver: same region most often, else the same
        county (outer Lofoten's leavers often go to Bodø), weighted by size; -1 if none."""
        rng = self.rng
        ents = self.geo.entities
        out = np.full(len(entity), -1, dtype=np.int64)
        region = np.array([e.region for e in ents])
        county = np.array([e.county for e in ents])
        weight = self.n_slots.astype(float)
        u = rng.random(len(entity))
        same_region = rng.random(len(entity)) < 0.65
        for e in np.unique(entity):
            rows = np.flatnonzero(entity == e)
            for mask, pool in (
                (same_region[rows], (region == region[e])),
                (~same_region[rows], (county == county[e])),
            ):
                pool = pool.copy()
                pool[e] = False
                if not pool.any():
                    pool = county == county[e]
                    pool[e] = False
                if not pool.any():
                    continue
                choices = np.flatnonzero(pool)
                cum = np.cumsum(weight[choices])
                pick = np.searchsorted(cum / cum[-1], u[rows[mask]], side="right")
                out[rows[mask]] = choices[np.minimum(pick, len(choices) - 1)]
        return out

    # --- persons -------------------------------------------------------------------------
    @staticmethod
    def roots(ptr: np.ndarray) -> np.ndarray:
        """Pointer jumping: the employment that created each employment's person."""
        root = np.where(ptr < 0, np.arange(len(ptr)), ptr)
        while True:
            nxt = np.where(ptr[root] < 0, root, ptr[root])
            if (nxt == root).all():
                return root
            root = nxt

    def resolve_persons(self) -> tuple[dict[str, np.ndarray], pl.DataFrame]:
        rng = self.rng
        sp = self.concat()
        too_late = int(69 * DAYS_PER_YEAR)
        for _ in range(10):  # nobody starts an employment past 69: undo such hand-overs
            root = self.roots(sp["ptr"])
            late = (sp["ptr"] >= 0) & (sp["start"] - sp["birth"][root] > too_late)
            if not late.any():
                break
            sp["ptr"][late] = -1
            sp["hire_source"][late & sp["hire"]] = cat.EXTERNAL
        birth = sp["birth"][root]
        # a person who took over a later employment still retires by 70
        limit = birth + ((67 + rng.random(len(root)) * 3.9) * DAYS_PER_YEAR).astype(np.int64)
        too_old = (np.minimum(sp["end"], self.t1) > birth + int(70.9 * DAYS_PER_YEAR)) & (
            sp["etype"] != cat.APPRENTICE
        )
        sp["end"] = np.where(too_old, np.maximum(limit, sp["start"] + 1), sp["end"])
        sp["reason"] = np.where(too_old, cat.RETIRED, sp["reason"]).astype(np.int8)
        # a retirement drawn for the employment's first holder, who handed it to a younger person
        young = (sp["reason"] == cat.RETIRED) & (sp["end"] - birth < int(61.5 * DAYS_PER_YEAR))
        sp["reason"] = np.where(young, cat.RESIGNED, sp["reason"]).astype(np.int8)
        person_of_root, person = np.unique(root, return_inverse=True)
        sp["person"] = person.astype(np.int64)
        persons = pl.DataFrame(
            {
                "person": np.arange(len(person_of_root), dtype=np.int64),
                "birth": sp["birth"][person_of_root].astype(np.int32),
                "gender": sp["gender"][person_of_root],
            }
        )
        return sp, persons


def _match(src, src_key, src_end, cand, cand_key, cand_start, window: int, rounds: int = 4):
    """Pair each source (a person leaving on day `src_end`) with a distinct candidate
    employment of the same key starting within `window` days after; earliest leavers first."""
    src_key = np.asarray(src_key, dtype=np.int64)
    cand_key = np.asarray(cand_key, dtype=np.int64)
    order = np.lexsort((src, src_end))
    src, src_key, src_end = src[order], src_key[order], src_end[order]
    corder = np.lexsort((cand, cand_start, cand_key))
    cand, cand_key, cand_start = cand[corder], cand_key[corder], cand_start[corder]
    shift = np.int64(1) << 33
    offset = np.int64(1) << 31
    comb = cand_key * shift + (cand_start + offset)
    alive = np.ones(len(cand), dtype=bool)
    pending = np.ones(len(src), dtype=bool)
    out_src, out_cand = [], []
    for _ in range(rounds):
        idx_alive = np.flatnonzero(alive)
        if not len(idx_alive) or not pending.any():
            break
        c_comb = comb[idx_alive]
        s_idx = np.flatnonzero(pending)
        want = src_key[s_idx] * shift + (src_end[s_idx] + 1 + offset)
        pos = np.searchsorted(c_comb, want, side="left")
        inside = pos < len(idx_alive)
        pos_c = np.minimum(pos, len(idx_alive) - 1)
        hit = idx_alive[pos_c]
        ok = inside & (cand_key[hit] == src_key[s_idx]) & (cand_start[hit] - src_end[s_idx] <= window)
        pending[s_idx[~ok]] = False  # nothing in reach: give up on this source
        s_ok, hit_ok = s_idx[ok], hit[ok]
        _, first = np.unique(hit_ok, return_index=True)
        first = np.sort(first)
        won_s, won_c = s_ok[first], hit_ok[first]
        out_src.append(src[won_s])
        out_cand.append(cand[won_c])
        pending[won_s] = False
        alive[won_c] = False
    if not out_src:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(out_src), np.concatenate(out_cand)


def simulate(geography: Geography, first_year: int, last_year: int, scale: float, seed: int) -> Workforce:
    sim = _Simulation(geography, first_year, last_year, scale, seed)
    sim.build_units()
    sim.build_slots()
    sim.build_chains()
    sim.build_second_positions()
    sim.build_substitutes()
    sim.build_apprentices()
    sim.link_identities()
    sp, persons = sim.resolve_persons()
    # second positions end when the main one does (it may have been cut by a retirement)
    second = (sp["slot"] < 0) & (sp["gen"] == -1) & (sp["ptr"] >= 0) & (sp["etype"] != cat.SUBSTITUTE)
    main_end = sp["end"][np.where(second, sp["ptr"], 0)]
    sp["end"] = np.where(second & (sp["end"] > main_end), main_end, sp["end"])
    # education: drawn per employment from the position's distribution
    cum = np.cumsum(J["education"], axis=1)
    u = np.random.default_rng([seed, 7]).random(len(sp["position"]))
    sp["education"] = np.minimum((u[:, None] >= cum[sp["position"]]).sum(axis=1), 3).astype(np.int8)
    spells = pl.DataFrame({k: v for k, v in sp.items() if k not in ("birth", "gender", "ptr")})
    spells = spells.with_columns(
        pl.col("entity").cast(pl.Int32),
        pl.col("position").cast(pl.Int16),
        pl.col("unit").cast(pl.Int32),
        pl.col("kostra").cast(pl.Int16),
        pl.col("area").cast(pl.Int8),
        pl.col("start").cast(pl.Int32),
        pl.col("end").clip(upper_bound=int(OPEN)).cast(pl.Int32),
    )
    return Workforce(
        geography=geography,
        first_year=first_year,
        last_year=last_year,
        spells=spells,
        persons=persons,
        units=sim.unit_names,
        slots_per_entity=sim.n_slots,
    )
