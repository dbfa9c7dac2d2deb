"""`workforce export`: the marts as files Excel and Power BI open without DuckDB.

Parquet (one file per mart, types kept: Power BI's "Parquet" connector and pandas/polars read
it directly) and one xlsx workbook with a sheet per mart (Excel opens it as is). Read from the
published warehouse, so the figures are exact and unsuppressed: internal use, like the
warehouse itself; the workbook's first sheet says so.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import WorkforceError

FORMATS = ("parquet", "xlsx")
EXCEL_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
NOTICE = (
    "Kun til intern bruk: tallene er ikke avsløringskontrollert (små celler vises). Del aldri tall herfra "
    "utenfor analysegruppen; bruk fylkesleveransen (workforce publish)."
)


def mart_names(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]


def export_marts(published_db: Path, out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write every mart to `out` in the given formats; returns the files written."""
    from pipelines.warehouse.publish import open_published

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise WorkforceError(f"Ukjent format {', '.join(unknown) or '(ingen)'}; bruk {' eller '.join(FORMATS)}.")
    out.mkdir(parents=True, exist_ok=True)
    # Not the locked connection of `workforce sql`: these fixed statements write the files asked for.
    con = open_published(published_db, locked=False)
    written: list[Path] = []
    try:
        marts = mart_names(con)
        if not marts:
            raise WorkforceError(f"Analysebasen {published_db} har ingen tabeller i skjemaet marts.")
        if "parquet" in formats:
            for name in marts:
                path = out / f"{name}.parquet"
                con.execute(f"copy marts.{name} to '{_sql_path(path)}' (format parquet, compression zstd)")
                written.append(path)
        if "xlsx" in formats:
            written.append(_workbook(con, marts, out / "marts.xlsx", published_db))
    finally:
        con.close()
    return written


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _workbook(con, marts: list[str], path: Path, source: Path) -> Path:
    """One sheet per mart, with a header row Excel can filter, after a sheet saying what this is."""
    import xlsxwriter

    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "remove_timezone": True})
    try:
        about = workbook.add_worksheet("om")
        bold = workbook.add_format({"bold": True})
        about.write(0, 0, "Analysetabellene (marts) fra analysebasen", bold)
        about.write(1, 0, NOTICE)
        about.write(2, 0, f"Kilde: {source}")
        about.write(4, 0, "Ark", bold)
        about.write(4, 1, "Rader", bold)
        for i, name in enumerate(marts):
            frame = con.sql(f"select * from marts.{name}").pl()
            if frame.height > EXCEL_MAX_ROWS:
                raise WorkforceError(
                    f"marts.{name} har {frame.height} rader, flere enn Excel tar; bruk Parquet-filen i stedet."
                )
            frame.write_excel(workbook=workbook, worksheet=name[:31], autofit=True, table_style="Table Style Light 1")
            about.write(5 + i, 0, name)
            about.write(5 + i, 1, frame.height)
    except BaseException:
        workbook.close()
        tmp.unlink(missing_ok=True)  # no half workbook left behind
        raise
    workbook.close()
    tmp.replace(path)
    return path
