"""Folding of header names and coded values, so `Fødselsnummer`, `FODSELSNUMMER` and
`fødsels-nummer` are one name.

Municipal exports are typed by hand as often as by machine: case, accents, spacing and
punctuation vary between systems and versions, while the words stay. Matching on a folded
form keeps the profiles short (one spelling per name) without guessing at meaning.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose, and the percent sign, which carries meaning in headers
# like `Stilling %` (a percent) versus `Stilling` (a title).
_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "ð": "d", "þ": "th", "ß": "ss", "%": "prosent"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# The same folding as polars expressions use (see `fold_expr`): pairs applied in order.
FOLD_PAIRS: tuple[tuple[str, str], ...] = (
    ("æ", "ae"),
    ("ø", "o"),
    ("å", "a"),
    ("ä", "a"),
    ("á", "a"),
    ("à", "a"),
    ("â", "a"),
    ("é", "e"),
    ("è", "e"),
    ("ê", "e"),
    ("ö", "o"),
    ("ó", "o"),
    ("ô", "o"),
    ("ü", "u"),
    ("ú", "u"),
    ("í", "i"),
    ("ñ", "n"),
    ("č", "c"),
    ("š", "s"),
    ("ŧ", "t"),
    ("ŋ", "n"),
    ("đ", "d"),
    ("ž", "z"),
    ("%", "prosent"),
)


def fold(text: str) -> str:
    """Lower-case, strip accents, turn `%` into `prosent`, drop whitespace and punctuation.

    Header detection folds every cell of a file's first lines under every delimiter, so
    plain ASCII (most cells: digits, dates, codes) takes a short path: Unicode normalisation
    is the identity on ASCII, and the only special character there is `%`."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.strip().lower().replace("%", "prosent"))
    lowered = unicodedata.normalize("NFKC", text).strip().lower().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", stripped)
