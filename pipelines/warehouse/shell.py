"""A small read-only SQL prompt over the published warehouse.

The Python DuckDB package ships no interactive shell, and analysts should not need a
second install to look at the marts; results are shown as rich tables.
"""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

MAX_ROWS = 200


def run_query(con: duckdb.DuckDBPyConnection, query: str, console: Console) -> None:
    """Run one statement and print at most MAX_ROWS rows; a SQL mistake is one red line."""
    try:
        result = con.execute(query)
    except duckdb.Error as error:
        console.print(f"[red]{type(error).__name__}:[/red] {error}", highlight=False)
        return
    if result.description is None:
        console.print("ok")
        return
    columns = [column[0] for column in result.description]
    rows = result.fetchmany(MAX_ROWS + 1)
    table = Table(*columns, show_lines=False)
    for row in rows[:MAX_ROWS]:
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)
    suffix = f" (showing the first {MAX_ROWS})" if len(rows) > MAX_ROWS else ""
    console.print(f"{min(len(rows), MAX_ROWS)} rows{suffix}")


def run_shell(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    """Read statements ending in ';' until EOF or `.quit`."""
    console.print("Read-only warehouse. End statements with ';'. `.tables` lists tables, `.quit` leaves.")
    buffer: list[str] = []
    while True:
        try:
            line = input("workforce> " if not buffer else "      ...> ")
        except EOFError:
            break
        stripped = line.strip()
        if not buffer and stripped in {".quit", ".exit"}:
            break
        if not buffer and stripped == ".tables":
            run_query(
                con,
                "select table_schema, table_name, table_type from information_schema.tables "
                "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2",
                console,
            )
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            run_query(con, "\n".join(buffer), console)
            buffer.clear()
