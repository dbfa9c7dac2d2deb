"""Read a delivered file into a table of strings, whatever dialect it came in.

The reader finds the header (below any title lines) and the delimiter together, by asking
which line, split by which of `; , tab |`, names the most columns of some profile; the
matched profile is the reader's by-product and the caller's detection result. Every cell
stays a string here: typing is validation's job, so nothing is lost or guessed in parsing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.errors import DeliveryError
from pipelines.hr.encoding import container, decode
from pipelines.hr.limits import check_workbook
from pipelines.hr.profiles import MIN_HEADER_MATCHES, HeaderMatch, Profile, match_header

DELIMITERS = (";", ",", "\t", "|")
HEADER_SEARCH_LINES = 50
EXTRA_FIELDS = 8  # room for rows with more fields than the header, so their values are seen
ROW = "__row"  # 1-based data row after the header (blank lines count, so it matches the file)
EXTRA_PREFIX = "__extra_"
SMALL_FILE_ROWS = 20_000  # up to this, `_tidy` joins a line's cells to measure it


@dataclass
class RawTable:
    """A delivered table: string columns named as in the file, plus `__row`."""

    frame: pl.DataFrame
    columns: list[str]  # source column names, in file order (made unique)
    match: HeaderMatch
    preamble: str  # text above the header (title lines)
    encoding: str
    delimiter: str | None
    sheet: str | None = None
    other_sheets: tuple[pl.DataFrame, ...] = ()  # the rest of a workbook, for the privacy scan
    notes: list[str] = field(default_factory=list)  # what the sender should hear (into the ledger)

    @property
    def source_for(self) -> dict[str, str]:
        """canonical column -> source column name."""
        return {canonical: self.columns[index] for index, canonical in self.match.mapping.items()}

    @property
    def alternate_sources(self) -> dict[str, list[str]]:
        """canonical column -> the other source columns that name it too (not read)."""
        return {c: [self.columns[i] for i in indices] for c, indices in self.match.alternates.items()}


def read_table(data: bytes, pairs: list[tuple[Profile, str]]) -> RawTable:
    """Parse `data` (csv/txt or xlsx) with the best-matching (profile, kind) of `pairs`."""
    if container(data) == "xlsx":
        return _read_xlsx(data, pairs)
    return _read_text(data, pairs)


# --- header detection ---------------------------------------------------------------------
@dataclass
class _Header:
    index: int
    fields: list[str]
    matches: list[HeaderMatch]
    delimiter: str | None


def _best(current: _Header | None, candidate: _Header) -> _Header | None:
    if not candidate.matches or candidate.matches[0].matched < MIN_HEADER_MATCHES:
        return current
    if current is None:
        return candidate
    a, b = candidate.matches[0], current.matches[0]
    return candidate if (a.matched, a.primary) > (b.matched, b.primary) else current


def _choose(header: _Header | None, pairs: list[tuple[Profile, str]]) -> HeaderMatch:
    tried = ", ".join(sorted({p.name for p, _ in pairs}))
    if header is None:
        raise DeliveryError(f"fant ingen kjent kolonneoverskrift i filen (prøvde profilene {tried})")
    top = header.matches[0]
    rivals = [m for m in header.matches[1:] if (m.matched, m.primary) == (top.matched, top.primary)]
    if rivals:
        names = ", ".join([top.label, *(m.label for m in rivals)])
        raise DeliveryError(
            f"overskriften passer like godt med flere profiler ({names}): angi --profile og/eller --kind"
        )
    return top


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])
    except csv.Error:
        return []


def _unique(names: list[str]) -> tuple[list[str], set[str]]:
    """Column names made unique, and the generated names of header cells that were blank."""
    seen: dict[str, int] = {}
    out, blank = [], set()
    for position, name in enumerate(names):
        base = name.strip() or f"kolonne_{position + 1}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.append(base if count == 0 else f"{base} ({count + 1})")
        if not name.strip():
            blank.add(out[-1])
    return out, blank


# --- text ----------------------------------------------------------------------------------
def _read_text(data: bytes, pairs: list[tuple[Profile, str]]) -> RawTable:
    decoded = decode(data)
    text = decoded.text
    notes = [decoded.note] if decoded.note else []
    # A lone CR ends a line too: classic Mac files, and files pieced together from several
    # systems (CR and CRLF mixed). Left alone, whole records would run together in one line.
    mac = "\r" in text and _lone_cr(text)
    if mac:
        if "\n" in text:
            notes.append("filen blander linjeskifttyper (CR og CRLF); linjene er lest hver for seg")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    best: _Header | None = None
    offsets: list[int] = []
    position = 0
    for index, raw_line in enumerate(text[: 1 << 17].split("\n")[:HEADER_SEARCH_LINES]):
        offsets.append(position)
        position += len(raw_line) + 1
        line = raw_line.rstrip("\r")
        if not line.strip():
            continue
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            fields = _split(line, delimiter)
            best = _best(best, _Header(index, fields, match_header(fields, pairs, MIN_HEADER_MATCHES), delimiter))
    match = _choose(best, pairs)
    assert best is not None
    start = offsets[best.index]
    body_start = text.find("\n", start)
    if body_start < 0:
        body = b""
    elif decoded.encoding in ("utf-8", "utf-8-sig") and not mac and "\ufffd" not in text[: body_start + 1]:
        # Already UTF-8: slice the delivered bytes instead of encoding the text again.
        bom = 3 if decoded.encoding == "utf-8-sig" else 0
        body = data[bom + len(text[: body_start + 1].encode("utf-8")) :]
    else:
        body = text[body_start + 1 :].encode("utf-8")
    names, blank = _unique(best.fields)
    extra = [f"{EXTRA_PREFIX}{i}" for i in range(1, EXTRA_FIELDS + 1)]
    schema = {name: pl.String for name in [*names, *extra]}
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            separator=best.delimiter or ";",
            has_header=False,
            schema=schema,
            quote_char='"',
            truncate_ragged_lines=True,
            missing_columns="insert",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        # The parser's own message may quote cell values, so it never leaves this function.
        if not text.endswith(("\n", "\r")):
            raise DeliveryError(
                "filen ser ut til å være avkortet: et felt i anførselstegn er ikke avsluttet ved slutten "
                "av filen; be om en ny, komplett fil"
            ) from None
        raise DeliveryError(
            "filen kan ikke leses som CSV (uavsluttet anførselstegn eller ødelagt linje?)"
        ) from None
    _refuse_truncated(text, len(names), best.delimiter or ";")
    return RawTable(
        frame=_tidy(frame, blank | set(extra)),
        columns=names,
        match=match,
        preamble=text[:start],
        encoding=decoded.encoding,
        delimiter=best.delimiter,
        notes=notes,
    )


def _lone_cr(text: str) -> bool:
    """Whether some CR is not followed by LF (one pass in C, not a loop over characters)."""
    return text.count("\r") != text.count("\r\n")


def _refuse_truncated(text: str, width: int, delimiter: str) -> None:
    """A file cut off in transfer ends in the middle of a line: no line break at the end, and
    a last line with fewer fields than the header while the line before it had them all.
    Loading it would take in a partial extract as if it were whole."""
    if text.endswith(("\n", "\r")):
        return
    tail = text[-(1 << 16) :].split("\n")
    lines = [line.rstrip("\r") for line in tail[-2:]]
    if len(lines) < 2 or not lines[-1].strip():
        return
    last, before = (len(_split(line, delimiter)) for line in lines[-2:][::-1])
    if last < width and before >= width:
        raise DeliveryError(
            "filen ser ut til å være avkortet: siste linje mangler felt og linjeskift "
            f"({last} av {width} felt); be om en ny, komplett fil"
        )


def _tidy(frame: pl.DataFrame, droppable: set[str]) -> pl.DataFrame:
    """Number the rows, then drop empty lines, and drop columns without a header name
    (trailing delimiters, room for ragged rows) when they hold no value at all.

    A small file (most of a run) costs one polars pass: its blank lines and which droppable
    columns hold a value, together (an empty line has no value in any column, so the columns
    can be judged before the empty lines are dropped)."""
    value_cols = frame.columns
    joined = pl.concat_str(value_cols, ignore_nulls=True)
    small = frame.height <= SMALL_FILE_ROWS
    # A line is empty when every cell is null or whitespace. Whitespace is only looked for on
    # lines whose cells are all tiny, so a national-size file costs one pass of integer sums (a
    # small file's cells are joined instead: the same total, in one expression, not one per column).
    if small:
        total = joined.str.len_bytes().fill_null(0)
    else:
        total = pl.sum_horizontal([pl.col(c).str.len_bytes().fill_null(0) for c in value_cols])
    tiny_line = total <= 3 * len(value_cols)
    blank_line = tiny_line & (joined.str.strip_chars().fill_null("") == "")
    candidates = [c for c in value_cols if c in droppable]
    filled = [(pl.col(c).str.strip_chars().str.len_bytes() > 0).any().alias(c) for c in candidates]
    lines = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    probe = lines.filter(blank_line).implode() if small else tiny_line.any()
    found, *used = frame.select(probe.alias(ROW), *filled).row(0)
    empty = {c for c, any_value in zip(candidates, used, strict=True) if not any_value}
    frame.insert_column(0, pl.Series(ROW, np.arange(1, frame.height + 1, dtype=np.int64)))
    if small:
        blank = list(found)
    elif found:  # the text is joined only on the tiny lines (filtered first)
        tiny = frame.lazy().filter(tiny_line)
        blank = tiny.select(pl.col(ROW).filter(blank_line)).collect().get_column(ROW).to_list()
    else:
        blank = []
    if blank:
        frame = frame.filter(~pl.col(ROW).is_in(pl.Series(blank, dtype=pl.Int64).implode()))
    return frame[[c for c in frame.columns if c not in empty]] if empty else frame


# --- xlsx ----------------------------------------------------------------------------------
def _read_xlsx(data: bytes, pairs: list[tuple[Profile, str]]) -> RawTable:
    import fastexcel

    check_workbook(data)
    try:
        workbook = fastexcel.read_excel(data)
        sheet_names = list(workbook.sheet_names)
    except Exception:  # fastexcel raises its own hierarchy; its text may quote cells
        raise DeliveryError(
            "filen ser ut som .xlsx, men arbeidsboken kan ikke åpnes (ødelagt fil?)"
        ) from None
    wanted = [p.sheet for p, _ in pairs if p.sheet and p.sheet in sheet_names]
    sheet = wanted[0] if wanted else (sheet_names[0] if sheet_names else None)
    if sheet is None:
        raise DeliveryError("arbeidsboken har ingen ark")

    def load(name: str) -> pl.DataFrame:
        try:
            return workbook.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception:
            raise DeliveryError(f"arket {name!r} kan ikke leses") from None

    grid = load(sheet)
    best: _Header | None = None
    for index, row in enumerate(grid.head(HEADER_SEARCH_LINES).iter_rows()):
        fields = ["" if v is None else str(v) for v in row]
        while fields and not fields[-1].strip():
            fields.pop()
        if fields:
            best = _best(best, _Header(index, fields, match_header(fields, pairs, MIN_HEADER_MATCHES), None))
    match = _choose(best, pairs)
    assert best is not None
    names, blank = _unique(best.fields)
    extra = [f"{EXTRA_PREFIX}{i}" for i in range(1, grid.width - len(names) + 1)]
    body = grid.slice(best.index + 1)
    body.columns = names + extra
    preamble_rows = grid.head(best.index).iter_rows()
    preamble = "\n".join(" ".join(str(v) for v in row if v is not None) for row in preamble_rows)
    others = tuple(load(name) for name in sheet_names if name != sheet)
    return RawTable(
        frame=_tidy(body, blank | set(extra)),
        columns=names,
        match=match,
        preamble=preamble,
        encoding="xlsx",
        delimiter=None,
        sheet=sheet,
        other_sheets=others,
    )
