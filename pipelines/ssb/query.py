"""PxWebApi 2 queries: selections, their GET and POST forms, and splitting by cell count.

A query is resolved against the table's metadata before anything is fetched: unknown
variables, missing mandatory ones and value codes the table does not have fail here, in one
line naming the table, the variable and the code, instead of as an SSB 400 or a silently
different table. Only the query's *open* variables (the region list, which names every
municipality of the county whether a table covers it or not) drop missing codes, with a
warning. The exact number of cells is known, so a query over SSB's limit is split before it
is sent.

Selection expressions follow the v2 user guide: `*` and `?` wildcards, `top(n[,offset])`,
`bottom(n[,offset])` (on the time variable `top` means the newest periods), `from(x)`,
`to(x)` and `range(a,b)`. Codes are matched case-insensitively, as SSB does.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.ssb.errors import SsbQueryError

DEFAULT_LANG = "no"
OUTPUT_FORMAT = "json-stat2"
_EXPRESSION = re.compile(r"^\s*(top|bottom|from|to|range)\s*\((.*)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class VariableSelection:
    """The values asked for on one variable, optionally through a code list."""

    code: str
    values: tuple[str, ...]
    codelist: str | None = None

    def __post_init__(self) -> None:
        # SSB answers a repeated value code with 500 and an empty body: never send one.
        seen: dict[str, None] = {}
        for value in self.values:
            seen.setdefault(str(value).strip(), None)
        object.__setattr__(self, "values", tuple(seen))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"variableCode": self.code, "valueCodes": list(self.values)}
        if self.codelist:
            out["codelist"] = self.codelist
        return out


@dataclass(frozen=True)
class Query:
    """A data query on one table (always answered as json-stat2)."""

    table_id: str
    selections: tuple[VariableSelection, ...]
    lang: str = DEFAULT_LANG
    # variables whose codes the table may lack (dropped with a warning); any other missing code fails
    open_variables: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        table_id: str,
        values: Mapping[str, Sequence[str] | str],
        codelists: Mapping[str, str] | None = None,
        lang: str = DEFAULT_LANG,
        open_variables: Sequence[str] = (),
    ) -> Query:
        codelists = dict(codelists or {})
        selections = []
        for code, vals in values.items():
            vals = [vals] if isinstance(vals, str) else list(vals)
            selections.append(VariableSelection(code, tuple(vals), codelists.get(code)))
        return cls(table_id, tuple(selections), lang, tuple(open_variables))

    @property
    def codelists(self) -> dict[str, str]:
        return {s.code: s.codelist for s in self.selections if s.codelist}

    def get_params(self) -> list[tuple[str, str]]:
        """Query-string pairs; an expression with a comma is wrapped in brackets."""
        params = [("lang", self.lang), ("outputFormat", OUTPUT_FORMAT)]
        for sel in self.selections:
            values = [f"[{v}]" if "," in v else v for v in sel.values]
            params.append((f"valueCodes[{sel.code}]", ",".join(values)))
            if sel.codelist:
                params.append((f"codelist[{sel.code}]", sel.codelist))
        return params

    def post_body(self) -> dict[str, Any]:
        return {"selection": [s.to_dict() for s in self.selections]}

    def to_dict(self) -> dict[str, Any]:
        return {"table_id": self.table_id, "lang": self.lang, **self.post_body()}

    @property
    def hash(self) -> str:
        """A stable short hash of what is asked (order of variables does not matter)."""
        canonical = {
            "table_id": self.table_id,
            "lang": self.lang,
            "selection": sorted(
                (s.to_dict() for s in self.selections), key=lambda d: d["variableCode"].lower()
            ),
        }
        raw = json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class VariableMeta:
    """What the metadata says about one variable."""

    code: str
    label: str
    codes: list[str]
    labels: list[str]
    elimination: bool
    is_time: bool = False
    codelists: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class TableMeta:
    """A table's variables in cube order, read from `/tables/{id}/metadata`."""

    table_id: str
    label: str
    variables: list[VariableMeta]
    updated: Any = None

    def variable(self, code: str) -> VariableMeta | None:
        for var in self.variables:
            if var.code.lower() == code.lower():
                return var
        return None


@dataclass(frozen=True)
class Resolved:
    """A query checked against metadata: the codes each selected variable will return."""

    query: Query
    codes: dict[str, list[str]]
    dropped: dict[str, list[str]]

    @property
    def cells(self) -> int:
        return math.prod(len(v) for v in self.codes.values()) if self.codes else 0


def _match_expression(expr: str, var: VariableMeta, table_id: str) -> list[str]:
    codes = var.codes
    lowered = [c.lower() for c in codes]
    m = _EXPRESSION.match(expr)
    if m:
        name = m.group(1).lower()
        args = [a.strip() for a in m.group(2).split(",")] if m.group(2).strip() else []

        def position(code: str) -> int:
            try:
                return lowered.index(code.lower())
            except ValueError:
                raise SsbQueryError(
                    f"SSB-tabell {table_id}: {expr!r} nevner {code!r}, som {var.code} ikke har.",
                    table_id=table_id,
                ) from None

        try:
            if name in ("top", "bottom"):
                count = int(args[0])
                offset = int(args[1]) if len(args) > 1 else 0
                # on the time variable `top` means the newest periods (listed last)
                from_end = (name == "top") == var.is_time
                if from_end:
                    end = len(codes) - offset
                    return codes[max(end - count, 0) : max(end, 0)]
                return codes[offset : offset + count]
            if name == "from":
                return codes[position(args[0]) :]
            if name == "to":
                return codes[: position(args[0]) + 1]
            if name == "range":
                a, b = sorted((position(args[0]), position(args[1])))
                return codes[a : b + 1]
        except (IndexError, ValueError):
            pass
        raise SsbQueryError(
            f"SSB-tabell {table_id}: utvalget {expr!r} på {var.code} er feil skrevet.", table_id=table_id
        )
    if "*" in expr or "?" in expr:
        if expr.count("*") > 2:
            raise SsbQueryError(
                f"SSB-tabell {table_id}: {expr!r} har mer enn to jokertegn, noe SSB avviser.",
                table_id=table_id,
            )
        pattern = re.compile(
            "^" + "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in expr) + "$",
            re.IGNORECASE,
        )
        return [c for c in codes if pattern.match(c)]
    return []


def is_expression(value: str) -> bool:
    return "*" in value or "?" in value or bool(_EXPRESSION.match(value))


def resolve(query: Query, meta: TableMeta) -> Resolved:
    """Check `query` against `meta` and list the codes it selects, in cube order."""
    table = query.table_id
    selected: dict[str, VariableSelection] = {}
    for sel in query.selections:
        var = meta.variable(sel.code)
        if var is None:
            known = ", ".join(v.code for v in meta.variables)
            raise SsbQueryError(
                f"SSB-tabell {table} har ingen variabel {sel.code!r} (den har {known}); rett katalogen.",
                table_id=table,
            )
        selected[var.code] = sel
    codes: dict[str, list[str]] = {}
    dropped: dict[str, list[str]] = {}
    open_variables = {v.lower() for v in query.open_variables}
    for var in meta.variables:
        sel = selected.get(var.code)
        if sel is None:
            if not var.elimination:
                raise SsbQueryError(
                    f"SSB-tabell {table} trenger et utvalg på {var.code} ({var.label}); "
                    "legg det til i katalogen.",
                    table_id=table,
                )
            continue
        lookup = {c.lower(): c for c in var.codes}
        chosen: dict[str, None] = {}
        for value in sel.values:
            if is_expression(value):
                for code in _match_expression(value, var, table):
                    chosen.setdefault(code, None)
            elif value.lower() in lookup:
                chosen.setdefault(lookup[value.lower()], None)
            elif var.code.lower() in open_variables:
                dropped.setdefault(var.code, []).append(value)
            else:
                raise SsbQueryError(
                    f"SSB-tabell {table}: variabelen {var.code} har ingen kode {value!r}, som katalogen "
                    "bruker; rett pipelines/ssb/catalogue.toml.",
                    table_id=table,
                )
        if not chosen:
            raise SsbQueryError(
                f"SSB-tabell {table}: ingenting i {var.code} passer med {', '.join(sel.values)}.", table_id=table
            )
        order = {c: i for i, c in enumerate(var.codes)}
        codes[var.code] = sorted(chosen, key=order.__getitem__)
    return Resolved(query=query, codes=codes, dropped=dropped)


def _query_from_codes(
    base: Query, codes: Mapping[str, Sequence[str]], keep_expressions: bool, explicit: Iterable[str] = ()
) -> Query:
    """`base` restricted to `codes`; selections stay as written (expressions and all) when
    `keep_expressions`, except for the variables in `explicit`, which get their codes listed."""
    explicit = {v.lower() for v in explicit}
    selections = []
    for sel in base.selections:
        var_codes = next((v for k, v in codes.items() if k.lower() == sel.code.lower()), None)
        if var_codes is None:
            continue
        if keep_expressions and sel.code.lower() not in explicit:
            selections.append(sel)
        else:
            selections.append(VariableSelection(sel.code, tuple(var_codes), sel.codelist))
    return Query(base.table_id, tuple(selections), base.lang)


def split(resolved: Resolved, max_cells: int) -> list[Query]:
    """The queries to send: the original when it fits, else explicit-code chunks under `max_cells`.

    The largest dimension is cut into chunks first; if a single code of it still selects too
    many cells, each chunk is cut again along the next largest dimension.
    """
    if max_cells < 1:
        raise ValueError("max_cells must be positive")
    if resolved.cells <= max_cells:
        # as written, except where codes the table lacks were dropped
        return [_query_from_codes(resolved.query, resolved.codes, True, explicit=resolved.dropped)]
    return [
        _query_from_codes(resolved.query, chunk, keep_expressions=False)
        for chunk in split_codes(resolved.codes, max_cells)
    ]


def split_codes(codes: Mapping[str, Sequence[str]], max_cells: int) -> list[dict[str, list[str]]]:
    """Partition a selection (variable → codes) into selections of at most `max_cells` cells."""
    codes = {k: list(v) for k, v in codes.items()}
    total = math.prod(len(v) for v in codes.values())
    if total <= max_cells:
        return [codes]
    var = max(codes, key=lambda k: len(codes[k]))
    rest = total // len(codes[var])
    per_chunk = max(1, max_cells // rest)
    out: list[dict[str, list[str]]] = []
    for start in range(0, len(codes[var]), per_chunk):
        chunk = {**codes, var: codes[var][start : start + per_chunk]}
        if len(chunk[var]) == 1 and rest > max_cells:
            fixed = chunk.pop(var)
            out.extend({var: fixed, **sub} for sub in split_codes(chunk, max_cells))
        else:
            out.append(chunk)
    return out


def halve(query: Query, resolved_codes: Mapping[str, Sequence[str]]) -> list[Query]:
    """Two queries covering `query` (used when SSB refuses one as too large)."""
    codes = {k: list(v) for k, v in resolved_codes.items()}
    var = max(codes, key=lambda k: len(codes[k]))
    if len(codes[var]) < 2:
        return [query]
    mid = len(codes[var]) // 2
    return [
        _query_from_codes(query, {**codes, var: codes[var][:mid]}, keep_expressions=False),
        _query_from_codes(query, {**codes, var: codes[var][mid:]}, keep_expressions=False),
    ]


def codes_of(query: Query) -> dict[str, list[str]]:
    """The explicit codes of a query whose selections hold no expressions."""
    return {s.code: list(s.values) for s in query.selections}


def table_meta_from_jsonstat(table_id: str, parsed: Any) -> TableMeta:
    """Build `TableMeta` from a parsed metadata response (`jsonstat.parse`)."""
    time_vars = set(parsed.roles.get("time", []))
    variables = []
    for dim in parsed.dimensions:
        ext = dim.extension
        codelists = ext.get("codelists") or ext.get("codeLists") or []
        variables.append(
            VariableMeta(
                code=dim.id,
                label=dim.label,
                codes=dim.codes,
                labels=dim.labels,
                elimination=bool(ext.get("elimination", False)),
                is_time=dim.id in time_vars or dim.id.lower() == "tid",
                codelists=list(codelists),
            )
        )
    return TableMeta(table_id=table_id, label=parsed.label, variables=variables, updated=parsed.updated)


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
