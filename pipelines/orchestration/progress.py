"""What `workforce run` shows while Dagster works: the current step, assets and checks done.

On a terminal it is a live rich display (a spinner with the step, two bars); in a log or a
pipe, one plain line per step, so a cron job's mail or CI log still says how far a run got
and where it stopped. Failures are always printed as they happen, one line each. A long
step says how far it got: in a log, every `PROGRESS_EVERY` assets materialised (dbt's models
stream one by one) print a line "n av N".
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

# In a log or pipe, one progress line per this many materialised assets.
PROGRESS_EVERY = 10
# A release's staging folder, `.tmp-<release id>-<pid>`, before it is renamed to `<release id>`.
STAGING = re.compile(r"^\.tmp-(.+)-\d+$")


@dataclass
class RunTally:
    """Counts of what a run did, kept by the display and printed at the end."""

    assets_total: int
    checks_total: int
    assets_done: list[str] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: list[tuple[str, str, str]] = field(default_factory=list)  # check, asset, severity
    steps_failed: list[tuple[str, str]] = field(default_factory=list)  # step, message
    steps_skipped: list[str] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)  # asset -> the path its materialisation names


class RunDisplay:
    """Receives the runner's events (plain strings and counts, no Dagster types)."""

    def __init__(
        self,
        console: Console,
        title: str,
        assets_total: int,
        checks_total: int,
        watch: dict[str, Path] | None = None,
    ) -> None:
        self.console = console
        # step -> folder whose new files are announced while the step runs (the county release
        # writes its files into a staging folder there, one after the other)
        self.watch = watch or {}
        self._watchers: dict[str, tuple[threading.Event, threading.Thread]] = {}
        self.title = title
        self.tally = RunTally(assets_total, checks_total)
        self.live = console.is_terminal
        self.started = time.perf_counter()
        self._step_started: dict[str, float] = {}
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.live,
        )
        self._step_task = self.progress.add_task(f"{title}: starter", total=None)
        self._assets_task = self.progress.add_task("eiendeler materialisert", total=max(assets_total, 1))
        self._checks_task = self.progress.add_task("sjekker vurdert", total=max(checks_total, 1))

    def __enter__(self) -> RunDisplay:
        self.progress.start()
        if not self.live:
            self.console.print(
                f"{self.title}: {self.tally.assets_total} eiendeler, {self.tally.checks_total} sjekker", highlight=False
            )
        return self

    def __exit__(self, *exc: object) -> None:
        for step in list(self._watchers):
            self._stop_watching(step)
        self.progress.stop()

    # --- events -------------------------------------------------------------------------
    def step_started(self, step: str) -> None:
        self._step_started[step] = time.perf_counter()
        self.progress.update(self._step_task, description=f"{self.title}: {step}")
        if not self.live:
            self.console.print(f"▶ {step}", highlight=False)
        if step in self.watch:
            stop = threading.Event()
            thread = threading.Thread(target=self._announce_files, args=(self.watch[step], stop), daemon=True)
            self._watchers[step] = (stop, thread)
            thread.start()

    def _announce_files(self, folder: Path, stop: threading.Event) -> None:
        """Print each file that appears under `folder` while the step runs, once: a file
        written into a staging folder (`.tmp-<id>-<pid>`) and then seen again after the folder
        is renamed to `<id>` is the same file."""

        def files() -> dict[tuple[str, ...], Path]:
            try:
                found = [p for p in folder.rglob("*") if p.is_file()]
            except OSError:  # a staging folder renamed while we looked
                return {}
            keys = {}
            for path in found:
                top, *rest = path.relative_to(folder).parts
                keys[(STAGING.sub(r"\1", top), *rest)] = path
            return keys

        seen = set(files())
        while True:
            stopping = stop.wait(0.5)
            for key, path in sorted(files().items()):
                if key not in seen:
                    seen.add(key)
                    self.console.print(f"  skrevet: {path.name}", highlight=False)
            if stopping:
                return

    def _stop_watching(self, step: str) -> None:
        watcher = self._watchers.pop(step, None)
        if watcher:
            watcher[0].set()
            watcher[1].join(timeout=5)

    def step_finished(self, step: str) -> None:
        self._stop_watching(step)
        if not self.live:
            seconds = time.perf_counter() - self._step_started.get(step, self.started)
            self.console.print(f"✓ {step} ({seconds:.1f} s)", highlight=False)

    def step_failed(self, step: str, message: str) -> None:
        self._stop_watching(step)
        self.tally.steps_failed.append((step, message))
        self.console.print(f"[red]✗ {step}:[/red] {message}", highlight=False, soft_wrap=True)

    def step_skipped(self, step: str) -> None:
        self.tally.steps_skipped.append(step)
        if not self.live:
            self.console.print(f"- {step} hoppet over", highlight=False)

    def asset_materialised(self, asset: str, path: str | None = None) -> None:
        self.tally.assets_done.append(asset)
        if path:
            self.tally.paths[asset] = path
        self.progress.advance(self._assets_task)
        done = len(self.tally.assets_done)
        if not self.live and done % PROGRESS_EVERY == 0:
            self.console.print(f"  {done} av {self.tally.assets_total} eiendeler materialisert", highlight=False)

    def check_evaluated(self, check: str, asset: str, passed: bool, severity: str) -> None:
        self.progress.advance(self._checks_task)
        if passed:
            self.tally.checks_passed += 1
            return
        self.tally.checks_failed.append((check, asset, severity))
        colour = "red" if severity == "ERROR" else "yellow"
        word = "feilet" if severity == "ERROR" else "varsler"
        self.console.print(f"[{colour}]sjekken {check} på {asset} {word}[/{colour}]", highlight=False)

    # --- the end --------------------------------------------------------------------------
    def summary(self, run_id: str, success: bool, extra: dict[str, str] | None = None) -> None:
        tally = self.tally
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_row("kjøring", run_id)
        table.add_row("resultat", "[green]vellykket[/green]" if success else "[red]feilet[/red]")
        table.add_row("eiendeler", f"{len(set(tally.assets_done))} av {tally.assets_total} materialisert")
        blocking = sum(1 for *_, severity in tally.checks_failed if severity == "ERROR")
        table.add_row(
            "sjekker",
            f"{tally.checks_passed} bestått, {blocking} feilet, {len(tally.checks_failed) - blocking} varsler",
        )
        if tally.steps_skipped:
            more = " …" if len(tally.steps_skipped) > 6 else ""
            table.add_row("hoppet over", ", ".join(tally.steps_skipped[:6]) + more)
        table.add_row("tid", f"{time.perf_counter() - self.started:.1f} s")
        self.console.print(table)
        # Paths on lines of their own, never wrapped or cut: they are copied into shells.
        width = max((len(key) for key in extra or {}), default=0)
        for key, value in (extra or {}).items():
            self.console.print(f"{key:<{width}}  {value}", highlight=False, soft_wrap=True)
