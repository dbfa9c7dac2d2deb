"""A small read-only SQL prompt over the published warehouse.

The Python DuckDB package ships no interactive shell, and analysts should not need a
second install to look at the marts; results are shown as rich tables.

The connection it gets (`pipelines.warehouse.publish.open_published`) can neither write nor
reach outside the file, so a statement DuckDB refuses is the analyst's mistake, not a crash:
it becomes one Norwegian line, and a statement given on the command line ends with a
non-zero exit code.
"""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

MAX_ROWS = 200
TABLES_QUERY = (
    "select table_schema, table_name, table_type from information_schema.tables "
    "where table_schema not in ('information_schema', 'pg_catalog') and table_catalog = current_database() "
    "order by 1, 2"
)


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


def run_query(
    con: duckdb.DuckDBPyConnection, query: str, console: Console, errors: Console | None = None
) -> bool:
    """Run one statement and print at most MAX_ROWS rows; False (after one red line on
    `errors`, default `console`) when DuckDB refused or failed it."""
    errors = errors or console
    try:
        result = con.execute(query)
    except duckdb.Error as error:
        _print_error(error, errors)
        return False
    if result.description is None:
        console.print("ok")
        return True
    columns = [column[0] for column in result.description]
    try:
        rows = result.fetchmany(MAX_ROWS + 1)
    except duckdb.Error as error:  # some errors surface only while rows are produced
        _print_error(error, errors)
        return False
    table = Table(*columns, show_lines=False)
    for row in rows[:MAX_ROWS]:
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)
    suffix = f" (viser de første {MAX_ROWS})" if len(rows) > MAX_ROWS else ""
    console.print(f"{min(len(rows), MAX_ROWS)} rader{suffix}")
    return True


def run_shell(con: duckdb.DuckDBPyConnection, console: Console) -> int:
    """Read statements ending in ';' until EOF or `.quit`; an error never ends the prompt.
    Returns how many statements failed (a script piped in exits non-zero on any)."""
    console.print(
        "Skrivebeskyttet lager. Avslutt setninger med ';'. `.tables` viser tabellene, `.quit` avslutter."
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
        if not buffer and stripped in {".quit", ".exit"}:
            break
        if not buffer and stripped == ".tables":
            run_query(con, TABLES_QUERY, console)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            failed += not run_query(con, "\n".join(buffer), console)
            buffer.clear()
    return failed
