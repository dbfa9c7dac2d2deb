"""The floor: DuckDB alone reading the same delivery files and computing two indicators.

The issue's baseline for every ratio: one SQL script that reads the employments extracts
exactly as delivered — each HR system's encoding, delimiter and title line from the
generator's dialect table, its column names from the HR profile the ingestion reads it by,
its value codes, date and decimal formats —
and computes full-time share and turnover per municipality and year (floor.sql). It does
none of the pipeline's work: no validation, quarantine, pseudonymisation, ledger,
deduplication, municipality-code harmonisation, other indicators, tests or publication.

Two compromises, both in the floor's favour or neutral:
- DuckDB's `excel` extension is downloaded from the network on first use, which this
  project never does; the Unit4 `.xlsx` extracts are read by fastexcel (the library the
  ingestion uses) into Arrow and scanned by DuckDB. That time is inside the floor's.
- Windows-1252 files are read as Latin-1 (DuckDB's built-in encodings are UTF-8, UTF-16 and
  Latin-1; the other code pages need the network-installed `encodings` extension). The two
  differ only in 0x80–0x9F, which no column the floor uses contains.

National ids are hashed as they are read and never leave memory; DuckDB may spill, so its
temp directory is the benchmark's work directory.

    python -m pipelines.bench.floor DELIVERIES_DIR WORK_DIR   (prints a BENCH-RESULT line)
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from pipelines.bench.measure import report_result
from pipelines.demo.dialects import Dialect, systems_for

FLOOR_SQL = Path(__file__).with_name("floor.sql")
EMPLOYMENTS = re.compile(r"^(\d{4})_arbeidsforhold_(\d{4})-\d{2}-\d{2}\.(csv|txt|xlsx)$")
ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "latin-1", "utf-16": "utf-16"}
NORWEGIAN_TYPES = (
    "case {col} when 'Fast' then 'permanent' when 'Midlertidig' then 'temporary' "
    "when 'Vikar' then 'substitute' when 'Lærling' then 'apprentice' end"
)
SAP_TYPES = (
    "case {col} when '1' then 'permanent' when '2' then 'temporary' "
    "when '3' then 'substitute' when '5' then 'apprentice' end"
)
YEAR = r"cast(regexp_extract(filename, '_(\d{4})-\d{2}-\d{2}\.[a-z]+$', 1) as integer)"

# Per profile: municipality, person, percent, type, start, end, as SQL over the file's columns.
# {municipality_code}, {national_id}, ... stand for the quoted header names the HR profile
# declares for those canonical columns (`pipelines/hr/profiles/*.toml`, their first names): the
# floor reads the files by the same declaration as the ingestion, not by a copy of the headers.
TEMPLATES: dict[str, tuple[str, str, str, str, str, str]] = {
    "canonical": (
        "{municipality_code}",
        "coalesce(hash(nullif({national_id}, '')), hash({municipality_code} || ':' || {employee_number}))",
        "try_cast(replace({fte_percent}, ',', '.') as double)",
        "{employment_type}",
        "try_cast({start_date} as date)",
        "try_cast({end_date} as date)",
    ),
    "visma": (
        "{municipality_code}",
        "coalesce(hash(nullif({national_id}, '')), hash({municipality_code} || ':' || {employee_number}))",
        "try_cast(replace({fte_percent}, ',', '.') as double)",
        NORWEGIAN_TYPES.format(col="{employment_type}"),
        "try_strptime({start_date}, '%d.%m.%Y')::date",
        "try_strptime({end_date}, '%d.%m.%Y')::date",
    ),
    "sap": (  # no national id: the person is the employee number within the municipality
        "{municipality_code}",
        "hash({municipality_code} || ':' || {employee_number})",
        "try_cast({fte_percent} as double)",
        SAP_TYPES.format(col="{employment_type}"),
        "try_strptime({start_date}, '%d.%m.%Y')::date",
        "nullif(try_strptime({end_date}, '%d.%m.%Y')::date, date '9999-12-31')",
    ),
    "unit4": (  # typed cells (read by fastexcel): percent in hundredths, real dates
        "{municipality_code}::varchar",
        "coalesce(hash(nullif({national_id}::varchar, '')), "
        "hash({municipality_code}::varchar || ':' || {employee_number}::varchar))",
        "{fte_percent} / 100",
        NORWEGIAN_TYPES.format(col="{employment_type}"),
        "cast({start_date} as date)",
        "cast({end_date} as date)",
    ),
}


def profile_columns(profile: str) -> tuple[str, ...]:
    """The floor's SQL for `profile`, with the header names its HR profile declares."""
    from pipelines.hr.profiles import load_profiles

    columns = load_profiles()[profile].kinds["employments"].columns
    names = {canonical: '"' + sources[0].replace('"', '""') + '"' for canonical, sources in columns.items()}
    return tuple(template.format(**names) for template in TEMPLATES[profile])


NAMES = ("municipality_code", "person_id", "fte_percent", "employment_type", "start_date", "end_date")


def employment_files(folder: Path) -> dict[Dialect, list[Path]]:
    """The employments extracts in `folder`, grouped by the dialect their municipality writes
    (a renumbered municipality's old codes write in its latest code's dialect, as generated)."""
    from pipelines.demo.generate import hr_system_codes
    from pipelines.demo.geography import load_geography

    system_codes = hr_system_codes(load_geography("norway"))
    groups: dict[Dialect, list[Path]] = defaultdict(list)
    for path in sorted(folder.iterdir()):
        match = EMPLOYMENTS.match(path.name)
        if match:
            groups[systems_for(system_codes.get(match.group(1), match.group(1))).employments].append(path)
    return groups


def _select(dialect: Dialect, relation: str) -> str:
    columns = ", ".join(f"{sql} as {name}" for sql, name in zip(profile_columns(dialect.profile), NAMES, strict=True))
    return f"select {columns}, {YEAR} as extract_year from {relation}"


def _read_csv(dialect: Dialect, files: list[Path]) -> str:
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    delimiter = "\\t" if dialect.delimiter == "\t" else dialect.delimiter
    options = (
        f"delim = e'{delimiter}', header = true, all_varchar = true, encoding = '{ENCODINGS[dialect.encoding]}', "
        f"skip = {2 if dialect.title else 0}, filename = true, quote = '\"', strict_mode = false, null_padding = true"
    )
    return f"read_csv([{listed}], {options})"


def floor_script(groups: dict[Dialect, list[Path]]) -> tuple[str, dict[str, list[Path]]]:
    """The whole SQL script, and the xlsx files to register as Arrow tables by name."""
    parts: list[str] = []
    xlsx: dict[str, list[Path]] = {}
    for index, (dialect, files) in enumerate(groups.items()):
        if dialect.profile == "unit4":
            name = f"xlsx_{index}"
            xlsx[name] = files
            parts.append(_select(dialect, name))
        else:
            parts.append(_select(dialect, _read_csv(dialect, files)))
    create = "create or replace temp table employments as\n" + "\nunion all\n".join(parts) + ";\n"
    return create + FLOOR_SQL.read_text(encoding="utf-8"), xlsx


def _read_xlsx(files: list[Path]):  # -> pyarrow.Table
    """Every sheet below its title row, as one Arrow table with a filename column."""
    import fastexcel
    import pyarrow as pa

    tables = []
    for path in files:
        batch = fastexcel.read_excel(str(path)).load_sheet(0, header_row=1).to_arrow()
        table = pa.Table.from_batches([batch])
        tables.append(table.append_column("filename", pa.array([path.name] * table.num_rows, pa.string())))
    return pa.concat_tables(tables, promote_options="permissive")


def run_floor(folder: Path, work_dir: Path) -> dict:
    """Read and compute in memory; returns the counts and the time spent."""
    import duckdb

    started = time.perf_counter()
    groups = employment_files(folder)
    script, xlsx = floor_script(groups)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("set temp_directory = ?", [str(work_dir)])
    for name, files in xlsx.items():
        con.register(name, _read_xlsx(files))
    for statement in re.split(r";\s*\n", script):
        if statement.strip():
            row = con.execute(statement).fetchone()
    con.close()
    rows_read, fulltime_rows, turnover_rows, fulltime_valid, mean_turnover = row
    return {
        "files": sum(len(files) for files in groups.values()),
        "rows_read": rows_read,
        "fulltime_rows": fulltime_rows,
        "turnover_rows": turnover_rows,
        "fulltime_valid": fulltime_valid,
        "mean_turnover": mean_turnover,
        "municipality_years": len(
            {m.groups()[:2] for files in groups.values() for p in files if (m := EMPLOYMENTS.match(p.name))}
        ),
        "seconds_inside": round(time.perf_counter() - started, 2),
    }


if __name__ == "__main__":
    report_result(run_floor(Path(sys.argv[1]), Path(sys.argv[2])))
