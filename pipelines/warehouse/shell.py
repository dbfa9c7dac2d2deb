"""A small read-only SQL prompt over the published warehouse, and one-shot queries in the
formats analysts take further (table, csv, json, parquet).

The Python DuckDB package ships no interactive shell, and analysts should not need a
second install to look at the marts; results are shown as rich tables. (Harlequin was
weighed as the interactive shell and set aside; docs/analysts.md says why.)

The connection it gets (`pipelines.warehouse.publish.open_published`) can neither write nor
reach outside the file, so a statement DuckDB refuses is the analyst's mistake, not a crash:
it becomes one Norwegian line, and a statement given on the command line ends with a
non-zero exit code. Because DuckDB itself may not write files, results bound for a file are
fetched as Arrow and written by polars in this process, to the path the analyst named.

Nothing is cut silently: at a terminal a long table goes through the pager (`$PAGER`, by
default `less -S`, which scrolls sideways instead of squeezing columns); otherwise at most
`MAX_ROWS` rows are shown and a line says how many there were and how to get them all. A
table wider than the screen is shown one row per block (like psql's `\\x`) rather than as
one-character columns.
"""

from __future__ import annotations

import io
import os
import pydoc
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.errors import WorkforceError

if TYPE_CHECKING:
    import polars as pl

MAX_ROWS = 200  # rows shown when output is not a terminal (the rest are counted and named)
MAX_CELL = 40  # characters of one cell in a horizontal table before it is cut with "…"
FORMATS = ("table", "csv", "json", "parquet")
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
TABLES_QUERY = (
    "select table_schema, table_name, table_type from information_schema.tables "
    "where table_schema not in ('information_schema', 'pg_catalog') and table_catalog = current_database() "
    "order by 1, 2"
)
SCHEMA_QUERY = (
    "select table_schema, table_name, column_name, data_type from information_schema.columns "
    "where table_schema not in ('information_schema', 'pg_catalog') and table_catalog = current_database() "
    "and (? is null or table_name = ? or table_schema || '.' || table_name = ?) "
    "order by table_schema, table_name, ordinal_position"
)
HELP = """Punktkommandoer (resten av DuckDB-skallets er ikke tilgjengelige her):
  .help              denne hjelpen
  .tables            tabellene og visningene i lageret
  .schema [TABELL]   kolonner og typer (for én tabell, f.eks. .schema marts.fct_indicators)
  .mode [FORMAT]     utdataformat: table, csv eller json (uten FORMAT: det gjeldende)
  .quit / .exit      avslutt
SQL-setninger avsluttes med ';'. Lageret er skrivebeskyttet og når ingen filer eller nettverk;
for å lagre et resultat: `workforce sql "select ..." --format csv --output fil.csv` (eller parquet)."""
# The DuckDB CLI's commands that read or write files or other databases: a clear "no", not "unknown".
CLOSED_DOT_COMMANDS = {
    ".open", ".read", ".output", ".once", ".import", ".backup", ".restore", ".save", ".shell",
    ".system", ".cd", ".log", ".excel", ".clone", ".load",
}


def thousands(number: int) -> str:
    """12345 → '12 345', as Norwegian text writes numbers."""
    return f"{number:,}".replace(",", " ")


def error_line(error: duckdb.Error) -> str:
    """What went wrong, on one line: the refusals of the locked connection in Norwegian,
    anything else as DuckDB's own first line (its messages name the column or the syntax)."""
    lines = str(error).strip().splitlines()
    text = " ".join((lines[0] if lines else type(error).__name__).split())  # not DuckDB's "LINE 1: ..." caret
    if isinstance(error, duckdb.PermissionException):
        return (
            "Ikke tillatt: analytikernes lager når verken filer, nettverk, andre databaser eller "
            f"utvidelser. ({text})"
        )
    if "configuration has been locked" in text:
        return f"Ikke tillatt: innstillingene er låst i analytikernes lager. ({text})"
    if "read-only mode" in text:
        return f"Ikke tillatt: analytikernes lager er skrivebeskyttet. ({text})"
    return f"Feil i spørringen: {text}"


def _print_error(error: duckdb.Error, console: Console) -> None:
    console.print(f"[red]{escape(error_line(error))}[/red]", highlight=False, soft_wrap=True)


def resolve_format(format: str | None, output: Path | None) -> str:
    """The output format: as given, else from the output file's suffix, else a table. A
    combination that cannot work is the analyst's mistake and says how to fix it."""
    if format is None:
        format = SUFFIX_FORMATS.get(output.suffix.lower(), "table") if output else "table"
    format = format.lower()
    if format not in FORMATS:
        raise WorkforceError(f"Ukjent format «{format}»: velg ett av {', '.join(FORMATS)}.")
    if format == "parquet" and output is None:
        raise WorkforceError("Parquet er et binærformat: oppgi filen med --output, f.eks. --output resultat.parquet.")
    if format == "table" and output is not None:
        raise WorkforceError("--output skriver csv, json eller parquet: legg til --format csv (eller json, parquet).")
    return format


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _horizontal(columns: list[str], rows: list[tuple]) -> tuple[Table, int]:
    """A plain table whose columns never wrap, and the width it needs (cells cut at MAX_CELL)."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    widths = []
    for index, name in enumerate(columns):
        longest = max([len(name), *(len(_cell(row[index])) for row in rows)])
        widths.append(min(max(longest, len(name)), max(MAX_CELL, len(name))))
        table.add_column(
            name, no_wrap=True, overflow="ellipsis", max_width=widths[-1], min_width=min(len(name), widths[-1])
        )
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    return table, sum(widths) + 2 * (len(columns) - 1)


def _vertical(columns: list[str], rows: list[tuple], console: Console) -> None:
    """One block per row, `column | value` (like psql's \\x): readable however many columns."""
    label = max(len(name) for name in columns)
    for number, row in enumerate(rows, start=1):
        console.print(f"-[ rad {number} ]" + "-" * max(0, min(console.width, 60) - 12), highlight=False)
        for name, value in zip(columns, row, strict=True):
            console.print(f"{name.ljust(label)} | {_cell(value)}", highlight=False, soft_wrap=True)


def _render(columns: list[str], rows: list[tuple], console: Console, width: int) -> None:
    table, needed = _horizontal(columns, rows)
    if needed <= width:
        console.print(table)
    else:
        _vertical(columns, rows, console)


def _page(columns: list[str], rows: list[tuple], console: Console) -> None:
    """At a terminal: every row through the pager at the table's own width (`less -S` scrolls
    sideways), so nothing is cut and no column is squeezed."""
    table, needed = _horizontal(columns, rows)
    buffer = io.StringIO()
    Console(file=buffer, width=max(needed + 4, console.width), force_terminal=True,
            color_system=console.color_system or "standard").print(table)
    buffer.write(f"{thousands(len(rows))} rader\n")
    os.environ.setdefault("LESS", "-SRFX")  # sideways scroll, colours, quit when it fits on one screen
    if "PAGER" not in os.environ and not os.environ.get("MANPAGER"):
        os.environ["PAGER"] = "less"
    pydoc.pager(buffer.getvalue())


def print_table(columns: list[str], rows: list[tuple], console: Console, *, page: bool) -> None:
    """Rows as a table: paged at a terminal, otherwise at most MAX_ROWS with the cut said plainly."""
    if page and len(rows) > 0:
        _page(columns, rows, console)
        return
    shown = rows[:MAX_ROWS]
    _render(columns, shown, console, console.width)
    if len(rows) > MAX_ROWS:
        console.print(
            f"viser {thousands(MAX_ROWS)} av {thousands(len(rows))} rader; "
            "bruk --format csv --output FIL for alle",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(f"{thousands(len(rows))} rader", highlight=False)


def to_frame(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """The whole result as a polars frame (through Arrow; DuckDB itself may write no file)."""
    import polars as pl

    return pl.from_arrow(relation.to_arrow_table())  # type: ignore[return-value]


def write_result(frame: pl.DataFrame, format: str, output: Path | None, console: Console) -> None:
    """csv/json to stdout or a file, parquet to a file, written by polars in this process."""
    if output is None:
        text = frame.write_csv() if format == "csv" else frame.write_json()
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if format == "csv":
            frame.write_csv(output)
        elif format == "json":
            output.write_text(frame.write_json() + "\n", encoding="utf-8")
        else:
            frame.write_parquet(output)
    except OSError as error:
        raise WorkforceError(f"Kan ikke skrive {output}: {error.strerror or error}.") from None
    console.print(f"{thousands(frame.height)} rader skrevet til {output}", highlight=False, soft_wrap=True)


@dataclass
class Output:
    """Where and how results go: `format` as `resolve_format` gave it, `page` at a terminal."""

    format: str = "table"
    output: Path | None = None
    page: bool = False


def run_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    console: Console,
    errors: Console | None = None,
    out: Output | None = None,
    params: list[Any] | None = None,
) -> bool:
    """Run one statement and show or write its result; False (after one red line on
    `errors`, default `console`) when DuckDB refused or failed it."""
    errors = errors or console
    out = out or Output()
    try:
        if out.format != "table":  # a relation hands Arrow over without a copy
            relation = con.sql(query, params=params)
            if relation is None:
                console.print("ok")
            else:
                write_result(to_frame(relation), out.format, out.output, console)
            return True
        result = con.execute(query, params) if params is not None else con.execute(query)
        if result.description is None:
            console.print("ok")
            return True
        columns = [column[0] for column in result.description]
        rows = result.fetchall()
    except duckdb.Error as error:  # some errors surface only while rows are produced
        _print_error(error, errors)
        return False
    print_table(columns, rows, console, page=out.page)
    return True


def run_dot_command(con: duckdb.DuckDBPyConnection, line: str, console: Console, out: Output) -> bool:
    """The DuckDB CLI's dot commands that make sense here; any other gets a clear note."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    command, args = words[0].lower(), words[1:]
    if command == ".help":
        console.print(HELP, highlight=False, markup=False, soft_wrap=True)
        return True
    if command == ".tables":
        return run_query(con, TABLES_QUERY, console, out=Output(page=out.page))
    if command == ".schema":
        name = args[0].rstrip(";") if args else None
        return run_query(con, SCHEMA_QUERY, console, out=Output(page=out.page), params=[name, name, name])
    if command == ".mode":
        if not args:
            console.print(f"format: {out.format}", highlight=False)
            return True
        wanted = args[0].lower()
        if wanted not in {"table", "csv", "json"}:
            console.print(f"[red]Ukjent format «{escape(wanted)}» for .mode: velg table, csv eller json.[/red]")
            return False
        out.format = wanted
        return True
    if command in CLOSED_DOT_COMMANDS:
        console.print(
            f"[red]{escape(command)} er ikke tilgjengelig: analytikernes lager er skrivebeskyttet og når ingen "
            "filer. Lagre resultater med `workforce sql ... --output FIL`.[/red]",
            highlight=False,
        )
        return False
    console.print(
        f"[red]Ukjent punktkommando {escape(command)}: skriv .help for dem som finnes.[/red]", highlight=False
    )
    return False


def run_shell(con: duckdb.DuckDBPyConnection, console: Console, out: Output | None = None) -> int:
    """Read statements ending in ';' until EOF or `.quit`; an error never ends the prompt.
    Returns how many statements failed (a script piped in exits non-zero on any)."""
    out = out or Output()
    console.print(
        "Skrivebeskyttet lager. Avslutt setninger med ';'. `.help` viser punktkommandoene, `.quit` avslutter.",
        highlight=False,
    )
    buffer: list[str] = []
    failed = 0
    while True:
        try:
            line = input("workforce> " if not buffer else "      ...> ")
        except EOFError:
            break
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, as in other shells
            console.print()
            buffer.clear()
            continue
        stripped = line.strip()
        if not buffer and stripped.lower() in {".quit", ".exit", ".q"}:
            break
        if not buffer and stripped.startswith("."):
            failed += not run_dot_command(con, stripped, console, out)
            continue
        if not buffer and not stripped:
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            failed += not run_query(con, "\n".join(buffer), console, out=out)
            buffer.clear()
    return failed
