"""The `workforce` command: thin wrappers over the domain modules.

Each command imports its area lazily, so `workforce --help` stays instant and a user's
mistake surfaces as one clear line (a `WorkforceError`), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipelines.clitext import NorwegianTyper
from pipelines.errors import WorkforceError
from pipelines.settings import get_settings

app = NorwegianTyper(
    name="workforce",
    help="Bemanningsindikatorer for kommunene i Nordland.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ssb_app = NorwegianTyper(help="Statistikk fra SSB og KLASS.", no_args_is_help=True)
release_app = NorwegianTyper(help="Fylkesleveranser.", no_args_is_help=True)
app.add_typer(ssb_app, name="ssb")
app.add_typer(release_app, name="release")
bench_app = NorwegianTyper(help="Ytelsesmålinger: forhold til en grunnlinje i samme prosess.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

console = Console()
err_console = Console(stderr=True)


# --- ingestion ---------------------------------------------------------------------------
# The options `ingest` and `inspect` share (inspect reads a file exactly as ingest would).
KindOption = Annotated[str | None, typer.Option(help="employments | postings | backlog (standard: funnet automatisk).")]
ProfileOption = Annotated[str | None, typer.Option(help="Kolonneprofil (standard: funnet automatisk).")]
MunicipalityOption = Annotated[str | None, typer.Option(help="Kommunenummer når filen ikke har det selv.")]
PeriodStartOption = Annotated[
    str | None,
    typer.Option(help="Uttrekket lister alle arbeidsforhold aktive fra denne datoen (åååå-mm-dd): en historikk."),
]


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(metavar="FILER", help="Leverte filer (csv, txt, xlsx) eller mapper med dem.")
    ],
    kind: KindOption = None,
    profile: ProfileOption = None,
    municipality: MunicipalityOption = None,
    period_start: PeriodStartOption = None,
) -> None:
    """Les kommunenes HR-leveranser inn i lageret: én linje per fil, så en oppsummering."""
    from pipelines.hr.ingest import ingest_paths, period_start_option
    from pipelines.hr.report import print_ingest_results

    settings = get_settings()
    results = ingest_paths(
        paths, settings, kind=kind, profile=profile, municipality=municipality,
        period_start=period_start_option(period_start),
    )  # fmt: skip
    print_ingest_results(results, console)
    raise typer.Exit(1 if any(r.outcome == "rejected" for r in results) else 0)


@app.command("migrate-raw")
def migrate_raw() -> None:
    """Gjør rådataene i et eldre lager om til det nye formatet der hver leveranse bare legges til
    (én gang, før første innlesing etter oppgraderingen). Tall og indikatorer blir de samme."""
    import duckdb

    from pipelines.warehouse.schema import ensure_schema, migrate_raw

    path = get_settings().build_db_path
    if not path.exists():
        raise WorkforceError(f"Finner ikke lageret {path}; ingenting å gjøre om.")
    con = duckdb.connect(str(path))
    try:
        moved = migrate_raw(con)
        ensure_schema(con)
    finally:
        con.close()
    if not moved:
        console.print("Rådataene har allerede det nye formatet; ingenting er endret.")
    for table, rows in moved.items():
        console.print(f"{table}: {rows} rader flyttet til det nye formatet.")


@app.command()
def inspect(
    paths: Annotated[
        list[Path], typer.Argument(metavar="FILER", help="Filer (csv, txt, xlsx) eller mapper som skal prøves.")
    ],
    kind: KindOption = None,
    profile: ProfileOption = None,
    municipality: MunicipalityOption = None,
    period_start: PeriodStartOption = None,
) -> None:
    """Prøv filer uten å laste dem: hvordan de ville blitt lest, koblet og telt. Skriver ingenting."""
    from pipelines.hr.ingest import period_start_option
    from pipelines.hr.inspect import inspect_paths, print_inspections

    found = inspect_paths(
        paths, kind=kind, profile=profile, municipality=municipality,
        period_start=period_start_option(period_start),
    )  # fmt: skip
    print_inspections(found, console)
    raise typer.Exit(1 if any(i.rejected for i in found) else 0)


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option(help="Mappen leveransene skrives til.")],
    years: Annotated[str, typer.Option(help="Uttrekksår, f.eks. 2015-2025.")] = "2015-2025",
    scale: Annotated[float, typer.Option(help="Faktor på antall ansatte.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Frø for tilfeldighetene; samme frø gir de samme filene.")] = 42,
    municipalities: Annotated[
        str, typer.Option(help="salten,outer-lofoten | nordland | norway, eller en liste med kommunenumre.")
    ] = "salten,outer-lofoten",
) -> None:
    """Lag syntetiske, deterministiske HR-leveranser i formatene til ekte HR-systemer."""
    from pipelines.demo.generate import generate_deliveries

    summary = generate_deliveries(out, years=years, scale=scale, seed=seed, municipalities=municipalities)
    console.print(summary)


@app.command()
def demo() -> None:
    """Kjør hele løpet på syntetiske leveranser og SSB-øyeblikksbildet i pakken (`make demo`)."""
    from pipelines.demo.run import run_demo

    run_demo(get_settings().with_demo_secret(), console)


# --- benchmarks ----------------------------------------------------------------------------
@bench_app.command("ingest")
def bench_ingest(
    rows: Annotated[int, typer.Option(help="Rader i det genererte uttrekket i nasjonal størrelse.")] = 600_000,
    keep: Annotated[bool, typer.Option(help="Behold den genererte filen og skriv ut stien.")] = False,
) -> None:
    """HR-innlesing i nasjonal skala: rader/s, forhold til DuckDBs rene read_csv, høyeste minnebruk."""
    from pipelines.bench.ingest import print_result, run

    print_result(run(rows, keep=keep), console)


@bench_app.command("all")
def bench_all(
    scales: Annotated[
        str, typer.Option(help="all, eller en liste av smoke, demo, nordland, norway-3y, norway-6y, norway-10y.")
    ] = "all",
    floor_runs: Annotated[int, typer.Option(help="Grunnlinjekjøringer per skala (den raskeste er grunnlinjen).")] = 2,
    work: Annotated[Path | None, typer.Option(help="Arbeidsmappe (standard benchmarks/results/work).")] = None,
    generated: Annotated[
        Path | None, typer.Option(help="Genererte leveranser til gjenbruk (standard: inne i --work).")
    ] = None,
    results: Annotated[Path | None, typer.Option(help="Mappen for resultatene (standard benchmarks/results).")] = None,
    keep: Annotated[bool, typer.Option(help="Behold WORKFORCE_HOME for hver skala.")] = False,
) -> None:
    """Rørledningen i flere skalaer, steg for steg og gjennom Dagster, mot en DuckDB-grunnlinje."""
    from pipelines.bench.harness import RESULTS_DIR, run_bench
    from pipelines.bench.scales import parse_scales

    report, paths = run_bench(
        parse_scales(scales), work=work, cache=generated, results_dir=results or RESULTS_DIR,
        floor_runs=floor_runs, keep=keep, progress=lambda line: console.print(line, highlight=False),
    )  # fmt: skip
    for path in paths:
        console.print(f"resultater: {path}", highlight=False)
    raise typer.Exit(1 if any("error" in scale for scale in report["scales"]) else 0)


# --- statistics --------------------------------------------------------------------------
@ssb_app.command("fetch")
def ssb_fetch(
    table: Annotated[
        str | None, typer.Option(help="Én tabell i katalogen (navn eller SSB-nummer), eller klass (standard: alle).")
    ] = None,
    mode: Annotated[
        str | None, typer.Option(help="live | snapshot | auto (standard: WORKFORCE_SSB_MODE).")
    ] = None,
) -> None:
    """Hent katalogens SSB-tabeller og KLASS inn i raw.* (mellomlagret; virker uten nett)."""
    from pipelines.ssb.load import fetch_catalogue

    fetch_catalogue(get_settings(), table=table, mode=mode, console=console)


# --- quality checks --------------------------------------------------------------------------
@app.command()
def check(
    dbt_results: Annotated[
        Path | None, typer.Option("--dbt-results", help="dbts run_results.json som lagres sammen med porten.")
    ] = None,
    run_id: Annotated[str | None, typer.Option(help="Kjørings-id (standard: en ny).")] = None,
) -> None:
    """Kjør alle sjekkene på byggedatabasen; avslutningskode 1 når en blokkerende sjekk feilet."""
    # The same checks the job's asset checks run (`evaluate_checks`), all at once on the build
    # database as it is, without rebuilding anything; the gate's verdict follows from them.
    from pipelines.quality.check_run import run_all_checks
    from pipelines.quality.console import print_check_run

    result = run_all_checks(get_settings(), run_id, dbt_run_results=dbt_results)
    print_check_run(result, console)
    raise typer.Exit(0 if result.passed else 1)


# --- dbt, orchestration, analysts ----------------------------------------------------------
@app.command("dbt-manifest")
def dbt_manifest() -> None:
    """Lag dbts manifest (et byggesteg; Dagster parser aldri dbt ved import)."""
    from pipelines.defs.dbt.project import prepare_manifest

    console.print(f"dbt manifest: {prepare_manifest()}")


@app.command()
def sql(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="SPØRRING", help="En spørring (eller en punktkommando som .tables); uten: en interaktiv ledetekst."
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="table, csv, json eller parquet (standard: fra --output-filens endelse, "
                     "ellers table)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Skriv hele resultatet til denne filen (csv, json, parquet).")
    ] = None,
) -> None:
    """Spør i det publiserte lageret, skrivebeskyttet (stenger aldri rørledningen ute). Avslutter med
    kode 1 når spørringen, eller en setning i et skript sendt inn på stdin, feiler eller avvises."""
    from pipelines.warehouse.publish import open_published
    from pipelines.warehouse.shell import Output, resolve_format, run_dot_command, run_query, run_shell

    out = Output(resolve_format(format, output), output, page=sys.stdout.isatty())
    con = open_published(get_settings().published_db_path)
    try:
        if query and query.strip().startswith("."):
            ok = run_dot_command(con, query.strip(), console, out)
        elif query:
            ok = run_query(con, query, console, errors=err_console, out=out)
        else:  # typed at a terminal, an error is part of the conversation; in a script, a failure
            ok = run_shell(con, console, out) == 0 or sys.stdin.isatty()
    finally:
        con.close()
    raise typer.Exit(0 if ok else 1)


@app.command()
def explore(
    out: Annotated[
        Path | None, typer.Option(help="HTML-filen som skrives (standard WORKFORCE_HOME/utforsker.html).")
    ] = None,
) -> None:
    """Skriv én frittstående HTML-side (virker uten nett) for å se indikatorene som graf og tabell."""
    from pipelines.analysts.explore import write_explorer

    settings = get_settings()
    path = write_explorer(settings.published_db_path, out or settings.home / "utforsker.html")
    console.print(f"Utforskeren: {path}  (åpne i en nettleser; kun til intern bruk)", highlight=False)


@app.command()
def export(
    out: Annotated[
        Path | None, typer.Option(help="Mappen filene skrives til (standard WORKFORCE_HOME/eksport).")
    ] = None,
    format: Annotated[
        list[str] | None, typer.Option("--format", help="parquet og/eller xlsx (standard begge).")
    ] = None,
) -> None:
    """Skriv analysetabellene (marts) som Parquet og xlsx for Excel og Power BI."""
    from pipelines.analysts.export import FORMATS, export_marts

    settings = get_settings()
    files = export_marts(settings.published_db_path, out or settings.home / "eksport", tuple(format or FORMATS))
    for path in files:
        console.print(f"skrevet: {path}", highlight=False)


@app.command()
def run(
    select: Annotated[
        str | None,
        typer.Option(help="Dagster-utvalg av eiendeler, f.eks. 'group:dbt', 'key:marts/fct_turnover+' (standard: alt "
                     "unntatt fylkesleveransen)."),
    ] = None,
    job: Annotated[
        str | None,
        typer.Option(help="En jobb i stedet: ingest_deliveries, ssb_refresh, rebuild_indicators, publish."),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(help="Bygg bare disse årene av indikatorene på nytt, f.eks. 2019-2021 (jobb rebuild_indicators)."),
    ] = None,
    retry: Annotated[
        Path | None,
        typer.Option(help="Kjør en leveranse i innboksen på nytt (filnavn eller sti), f.eks. etter en feilet kjøring."),
    ] = None,
) -> None:
    """Kjør gjennom Dagster i denne prosessen (de samme definisjonene og sjekkene), med fremdrift."""
    from pipelines.defs.orchestration.runner import retry_delivery, run_in_process

    if retry is not None:
        outcome = retry_delivery(console, retry)
    else:
        outcome = run_in_process(console, select=select, job=job, years=years)
    raise typer.Exit(0 if outcome.success else 1)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port på 127.0.0.1.")] = 3000,
) -> None:
    """Start Dagster-UI-et og daemonen på 127.0.0.1 (stopp med Ctrl-C). SIGTERM, SIGINT eller SIGHUP
    stopper alt det startet (webserver, daemon, kodeservere, kjøringer)."""
    import os

    from pipelines.defs.dbt.project import MANIFEST_PREPARED_ENV, prepare_manifest
    from pipelines.processes import supervise

    settings = get_settings()
    settings.prepare_dagster_home()
    settings.ensure_dirs()  # the inbox the sensor watches
    # Parse dbt once here (edits to the models show after a restart), not in every process
    # Dagster starts: run workers parsing concurrently would race on dbt/target/.
    prepare_manifest()
    os.environ[MANIFEST_PREPARED_ENV] = "1"
    # `dagster dev` is "superseded" by `dg dev`, which needs a dg project layout this repo does
    # not use; its SupersessionWarning would open every UI log. Silence that one warning only,
    # in this process only (-W is not inherited by the webserver's and daemon's children).
    command = [
        sys.executable,
        "-W",
        "ignore:Function `dev_command` is superseded",
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-m",
        "pipelines.definitions",
        "-a",
        "defs",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    console.print(
        f"Dagster-UI: http://127.0.0.1:{port}  (DAGSTER_HOME={os.environ['DAGSTER_HOME']}); stopp med Ctrl-C.",
        highlight=False,
    )
    # Run from DAGSTER_HOME: started in the repository, Dagster warns about the template
    # dagster.yaml there, which is not the instance config in use.
    raise typer.Exit(supervise(command, cwd=settings.dagster_home))


# --- county releases -----------------------------------------------------------------------
@app.command()
def publish(
    year: Annotated[int | None, typer.Option(help="Referanseår: leveransen har alle år til og med det.")] = None,
    out: Annotated[Path | None, typer.Option(help="Mappen for leveranser (standard WORKFORCE_HOME/releases).")] = None,
    db: Annotated[Path | None, typer.Option(help="Lageret det publiseres fra (standard: byggedatabasen).")] = None,
) -> None:
    """Lag en prikket fylkesleveranse; nektes når en blokkerende sjekk har feilet."""
    # The function the job's `release` asset calls, here with --db/--out a run cannot take.
    from pipelines.release.make import make_release

    settings = get_settings()
    def say(line: str) -> None:
        console.print(line, highlight=False)

    path = make_release(settings, db or settings.build_db_path, year=year, out=out, progress=say)
    console.print(f"Fylkesleveranse: {path}", highlight=False)


@release_app.command("diff")
def release_diff(
    old: Annotated[
        str,
        typer.Argument(metavar="FORRIGE", help="Tidligere leveranse (id under WORKFORCE_HOME/releases eller mappe)."),
    ],
    new: Annotated[str, typer.Argument(metavar="NY", help="Senere leveranse (id eller mappe).")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Skriv alle endringer til denne CSV-filen.")] = None,
    limit: Annotated[int, typer.Option(help="Rader som skrives ut (alle går til --csv).")] = 50,
) -> None:
    """Publiserte tall som endret seg mellom to leveranser (endret, nye, borte, prikket eller avprikket)."""
    from rich.table import Table

    from pipelines.release.diff import diff_releases, resolve_release, write_changes_csv

    settings = get_settings()
    changes = diff_releases(resolve_release(old, settings.releases_dir), resolve_release(new, settings.releases_dir))
    if csv_out:
        write_changes_csv(changes, csv_out)
    if not changes:
        console.print("Ingen publiserte tall er endret.")
        return
    table = Table("indikator", "område", "år", "inndeling", "endring", "før", "nå")
    for change in changes[:limit]:
        breakdown = change.breakdown if change.breakdown == "total" else f"{change.breakdown}={change.breakdown_value}"
        table.add_row(change.indicator_id, change.area_code, str(change.year), breakdown, change.change,
                      change.old, change.new)
    console.print(table)
    shown = min(limit, len(changes))
    more = f" (de {shown} første vises)" if shown < len(changes) else ""
    console.print(f"{len(changes)} publiserte tall er endret{more}")


# `workforce indicators`: the job's dbt assets (every model and seed, with their tests and checks).
INDICATORS_SELECTION = "group:dbt"


@app.command()
def indicators(
    build: Annotated[
        bool, typer.Option(help="Bygg dbt-modellene først, som en Dagster-kjøring (--select group:dbt).")
    ] = True,
) -> None:
    """Bygg indikatorene (dbt) og vis hovedtallene for Salten og Ytre Lofoten."""
    from pipelines.indicators.headline import headline_table

    settings = get_settings()
    if build:  # the same assets, checks and order as every run; it shows in the UI
        from pipelines.defs.orchestration.runner import run_in_process

        outcome = run_in_process(console, select=INDICATORS_SELECTION, settings=settings)
        if not outcome.success:
            raise typer.Exit(1)
    console.print(headline_table(settings.build_db_path))


# --- entry point -------------------------------------------------------------------------
def main() -> None:
    """Run the app; a WorkforceError becomes one red line and exit code 2, a usage error the
    usage in Norwegian and exit code 2, never a traceback."""
    try:
        # Without standalone mode click *returns* the code of a `typer.Exit` instead of exiting.
        code = app(standalone_mode=False, prog_name="workforce")
    except WorkforceError as error:
        err_console.print(f"[red]feil:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("avbrutt")
        sys.exit(130)
    except typer.TyperException as error:  # click's usage errors (typer vendors click)
        from typer._click import exceptions as clicks

        if isinstance(error, clicks.UsageError):
            from pipelines.usage import show_usage_error

            sys.exit(show_usage_error(error, err_console))
        error.show()
        sys.exit(getattr(error, "exit_code", 1))
    sys.exit(code if isinstance(code, int) else 0)


def entry() -> None:
    """The `workforce` command (console script): `main` with fewer garbage collections, then
    an exit without the interpreter's teardown, which after a Dagster run cost ~2 CPU-s of
    every command together (`pipelines.orchestration.lifecycle`; every exit handler still
    runs). Tests call `main`, which keeps Python's defaults."""
    from pipelines.orchestration.lifecycle import run_command

    run_command(main)


if __name__ == "__main__":
    entry()
