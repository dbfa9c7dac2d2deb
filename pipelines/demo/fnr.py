"""Synthetic Norwegian national ids (fødselsnummer) — test numbers only.

Skatteetaten's synthetic test numbers add 80 to the month (a person born 7 March 1985 gets
`0783…` → `07 83 85 …`), so they can never belong to a real person, yet they pass the
mod-11 control digits like real ones and carry birth date, century and gender the usual
way: individual number 000–499 for births 1900–1999, 500–999 for 2000–2039, an odd third
digit for men. Each person gets a distinct number, vectorised: for every birth date and
gender the valid individual numbers are enumerated once and handed out in turn.
"""

from __future__ import annotations

import numpy as np

W1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
W2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
SYNTHETIC_MONTH_OFFSET = 80


def control_digits(first9: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k1 and k2 for rows of 9 digits; a value of 10 means no valid number exists."""
    k1 = (11 - (first9 @ W1) % 11) % 11
    k2 = (11 - (first9 @ W2[:9] + k1 * W2[9]) % 11) % 11
    return k1, k2


def is_valid(ids: list[str]) -> np.ndarray:
    """Mod-11 check of 11-digit strings."""
    digits = np.array([[int(c) for c in s] for s in ids], dtype=np.int64)
    k1, k2 = control_digits(digits[:, :9])
    return (k1 == digits[:, 9]) & (k2 == digits[:, 10]) & (k1 < 10) & (k2 < 10)


def synthetic_ids(birth_days: np.ndarray, gender: np.ndarray) -> np.ndarray:
    """One distinct synthetic id (int64; format with 11 digits, leading zeros) per person.

    `birth_days` are days since 1970-01-01; `gender` 0 = woman, 1 = man.
    """
    birth_days = np.asarray(birth_days, dtype=np.int64)
    gender = np.asarray(gender, dtype=np.int64)
    n = len(birth_days)
    out = np.zeros(n, dtype=np.int64)
    if not n:
        return out
    dates = birth_days.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (dates.astype("datetime64[M]").astype(np.int64) % 12) + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    if ((year < 1900) | (year > 2039)).any():
        raise ValueError("synthetic ids cover births 1900–2039 only")
    century = (year >= 2000).astype(np.int64)
    # group persons by (date, gender); rank within the group hands out the individual numbers
    group_key = birth_days * 2 + gender
    order = np.lexsort((np.arange(n), group_key))
    sorted_keys = group_key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    group_of_sorted = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    rank_sorted = np.arange(n) - starts[group_of_sorted]
    first = order[starts]  # one representative person per group
    # candidates per group: individual numbers base + 2k + gender (odd = man); a third or so
    # fail the control digits, so enumerate a margin beyond the largest rank needed
    width = int(min(250, 2 * (rank_sorted.max() + 1) + 40))
    k = np.arange(width, dtype=np.int32)
    ind_by_cg = np.arange(2)[:, None, None] * 500 + 2 * k[None, None, :] + np.arange(2)[None, :, None]
    digits = [ind_by_cg // 100, (ind_by_cg // 10) % 10, ind_by_cg % 10]  # century × gender × width
    isum1 = sum(d * w for d, w in zip(digits, W1[6:9], strict=True)).astype(np.int32)
    isum2 = sum(d * w for d, w in zip(digits, W2[6:9], strict=True)).astype(np.int32)
    cg_c, cg_g = century[first], gender[first]
    dd, mm, yy = dom[first], month[first] + SYNTHETIC_MONTH_OFFSET, year[first] % 100
    date_digits = np.stack([dd // 10, dd % 10, mm // 10, mm % 10, yy // 10, yy % 10], axis=1)
    s1 = (date_digits @ W1[:6]).astype(np.int32)
    s2 = (date_digits @ W2[:6]).astype(np.int32)
    k1 = (11 - (s1[:, None] + isum1[cg_c, cg_g]) % 11) % 11  # groups × width
    k2 = (11 - (s2[:, None] + isum2[cg_c, cg_g] + k1 * W2[9]) % 11) % 11
    valid = (k1 < 10) & (k2 < 10)
    counts = valid.sum(axis=1)
    if (rank_sorted >= counts[group_of_sorted]).any():
        raise ValueError("more persons share a birth date than there are synthetic ids for it")
    flat = np.flatnonzero(valid.ravel())
    row_offset = np.r_[0, np.cumsum(counts)[:-1]]
    pick = flat[row_offset[group_of_sorted] + rank_sorted]  # index into groups × width
    g_row, col = pick // width, pick % width
    ind_p = ind_by_cg[cg_c[g_row], cg_g[g_row], col].astype(np.int64)
    k1_p, k2_p = k1[g_row, col].astype(np.int64), k2[g_row, col].astype(np.int64)
    date_number = (dd * 10_000 + mm * 100 + yy)[g_row]
    out[order] = date_number * 100_000 + ind_p * 100 + k1_p * 10 + k2_p
    return out
