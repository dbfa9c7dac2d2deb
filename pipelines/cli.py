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

from pipelines.errors import WorkforceError
from pipelines.settings import get_settings

app = typer.Typer(
    name="workforce",
    help="Staffing indicators for Nordland's municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ssb_app = typer.Typer(help="SSB and KLASS statistics.", no_args_is_help=True)
release_app = typer.Typer(help="County releases.", no_args_is_help=True)
app.add_typer(ssb_app, name="ssb")
app.add_typer(release_app, name="release")

console = Console()
err_console = Console(stderr=True)


# --- ingestion ---------------------------------------------------------------------------
@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Delivered files (csv, txt, xlsx) or folders of them.")],
    kind: Annotated[str | None, typer.Option(help="employments | postings | backlog (default: detected).")] = None,
    profile: Annotated[str | None, typer.Option(help="Column-mapping profile (default: detected).")] = None,
    municipality: Annotated[
        str | None, typer.Option(help="Municipality code when the file does not carry one.")
    ] = None,
) -> None:
    """Take municipal HR deliveries into the warehouse: one line per file, then a summary."""
    from pipelines.hr.ingest import ingest_paths
    from pipelines.hr.report import print_ingest_results

    settings = get_settings()
    results = ingest_paths(paths, settings, kind=kind, profile=profile, municipality=municipality)
    print_ingest_results(results, console)
    raise typer.Exit(1 if any(r.outcome == "rejected" for r in results) else 0)


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option(help="Folder to write the deliveries into.")],
    years: Annotated[str, typer.Option(help="Range of extract years, e.g. 2015-2025.")] = "2015-2025",
    scale: Annotated[float, typer.Option(help="Multiplier on headcounts.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 42,
    municipalities: Annotated[
        str, typer.Option(help="salten,outer-lofoten | nordland | norway, or a list of codes.")
    ] = "salten,outer-lofoten",
) -> None:
    """Generate synthetic, deterministic HR deliveries in the dialects of real HR systems."""
    from pipelines.demo.generate import generate_deliveries

    summary = generate_deliveries(out, years=years, scale=scale, seed=seed, municipalities=municipalities)
    console.print(summary)


@app.command()
def demo() -> None:
    """Run the whole pipeline on synthetic deliveries and the bundled SSB snapshot (`make demo`)."""
    from pipelines.demo.run import run_demo

    run_demo(get_settings().with_demo_secret(), console)


# --- statistics --------------------------------------------------------------------------
@ssb_app.command("fetch")
def ssb_fetch(
    table: Annotated[str | None, typer.Option(help="One catalogue table id (default: all).")] = None,
    mode: Annotated[str | None, typer.Option(help="live | snapshot | auto (default from WORKFORCE_SSB_MODE).")] = None,
) -> None:
    """Fetch the catalogue's SSB tables and KLASS into raw.* (cached; offline-capable)."""
    from pipelines.ssb.load import fetch_catalogue

    fetch_catalogue(get_settings(), table=table, mode=mode, console=console)


# --- dbt, orchestration, analysts ----------------------------------------------------------
@app.command("dbt-manifest")
def dbt_manifest() -> None:
    """Prepare dbt's manifest (a build step; Dagster never parses dbt at import)."""
    from pipelines.defs.dbt.project import prepare_manifest

    console.print(f"dbt manifest: {prepare_manifest()}")


@app.command()
def indicators(
    build: Annotated[bool, typer.Option(help="Run `dbt build` on the build database first.")] = True,
) -> None:
    """Build the indicators (dbt) and print the headline figures for Salten and outer Lofoten."""
    from pipelines.indicators.build import run_dbt
    from pipelines.indicators.headline import headline_table

    settings = get_settings()
    if build:
        run_dbt(["build"], settings.build_db_path)
    console.print(headline_table(settings.build_db_path))


# --- entry point -------------------------------------------------------------------------
def main() -> None:
    """Run the app; a WorkforceError becomes one red line and exit code 2."""
    try:
        app(standalone_mode=False)
    except WorkforceError as error:
        err_console.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except Exception as error:  # click usage errors carry their own exit codes
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise


if __name__ == "__main__":
    main()
