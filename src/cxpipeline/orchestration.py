"""One orchestration: run a manifest's steps in order, the same for the CLI, demo and flows.

`run_manifest` is the only place that knows the order of a run (campaigns, suppression lists,
contact lists, call results, statistics, reports). The CLI and the demo run the steps
directly; the Prefect daily flow passes a runner whose steps are Prefect tasks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from rich.console import Console

from cxpipeline import io
from cxpipeline.errors import CxError
from cxpipeline.manifest import ListFile, RunManifest, SuppressionFile
from cxpipeline.settings import Settings
from cxpipeline.steps import plan, reports, results, setup, statistics, suppression
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.ingest_summary import IngestSummary


class StepRunner(Protocol):
    """How each step of a run is executed (directly, or as a Prefect task)."""

    def apply_campaigns(self, path: Path) -> dict[str, int]:
        """Load the campaign model."""

    def apply_rules(self, path: Path) -> None:
        """Load compliance rule overrides."""

    def load_suppression(self, entry: SuppressionFile) -> dict[str, object]:
        """Load a suppression list."""

    def ingest(
        self, item: ListFile, as_of: datetime | None, horizon_days: int | None
    ) -> IngestSummary:
        """Ingest one contact list."""

    def load_results(self, path: Path, as_of: datetime | None) -> dict[str, object]:
        """Load one call results file."""

    def plan(self, as_of: datetime | None, horizon_days: int | None) -> dict[str, dict[str, int]]:
        """Re-plan the windows of every list."""

    def build_statistics(self, lists: list[str] | None) -> dict[str, int]:
        """Refresh the statistics of `lists` and their groups (None: rebuild every list's)."""

    def write_reports(self, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
        """Write the reports."""


@dataclass(frozen=True)
class DirectSteps:
    """Run every step in this process (the CLI and the demo)."""

    settings: Settings

    def apply_campaigns(self, path: Path) -> dict[str, int]:
        """Load the campaign model."""
        return setup.apply_campaigns(self.settings, path)

    def apply_rules(self, path: Path) -> None:
        """Load compliance rule overrides."""
        setup.prepare_warehouse(self.settings, rules_file=path)

    def load_suppression(self, entry: SuppressionFile) -> dict[str, object]:
        """Load a suppression list."""
        return suppression.load_suppression(
            self.settings,
            entry.file,
            entry.name,
            column=entry.column,
            client_column=entry.client_column,
            expiry_column=entry.expiry_column,
            expires_after=entry.expires_after,
            spec=entry.spec,
        )

    def ingest(
        self, item: ListFile, as_of: datetime | None, horizon_days: int | None
    ) -> IngestSummary:
        """Ingest one contact list."""
        return ingest(
            self.settings,
            item.file,
            list_name=item.list_name,
            group=item.group,
            spec_path=item.spec,
            as_of=as_of,
            horizon_days=horizon_days,
            mode=item.mode,
            read_options=io.ReadOptions(
                delimiter=item.delimiter, encoding=item.encoding, sheet=item.sheet
            ),
            force=item.force,
        )

    def load_results(self, path: Path, as_of: datetime | None) -> dict[str, object]:
        """Load one call results file."""
        return results.load_results(self.settings, path, as_of=as_of)

    def plan(self, as_of: datetime | None, horizon_days: int | None) -> dict[str, dict[str, int]]:
        """Re-plan the windows of every list."""
        return plan.plan_windows(self.settings, None, as_of=as_of, horizon_days=horizon_days)

    def build_statistics(self, lists: list[str] | None) -> dict[str, int]:
        """Refresh the statistics of `lists` and their groups (None: rebuild every list's)."""
        return statistics.build_statistics(self.settings, lists)

    def write_reports(self, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
        """Write the reports."""
        return reports.write_reports(self.settings, out_dir, formats)


@dataclass
class RunSummary:
    """What a run did, step by step."""

    campaigns: dict[str, int] = field(default_factory=dict)
    suppression: list[dict[str, object]] = field(default_factory=list)
    ingests: list[IngestSummary] = field(default_factory=list)
    results: list[dict[str, object]] = field(default_factory=list)
    planned: dict[str, dict[str, int]] = field(default_factory=dict)
    statistics: dict[str, int] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)
    #: With keep_going: input file → the one-line error that refused it.
    failures: dict[Path, str] = field(default_factory=dict)

    @property
    def report_path(self) -> Path | None:
        """The HTML report, if one was written."""
        return next((p for p in self.reports if p.suffix == ".html"), None)


def run_manifest(
    settings: Settings,
    manifest: RunManifest,
    *,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    console: Console | None = None,
    runner: StepRunner | None = None,
    keep_going: bool = False,
) -> RunSummary:
    """Run every step the manifest names, in order; arguments override the manifest's as-of.

    With `keep_going`, an input file that a step refuses (a CxError) is recorded in
    `failures` and the run goes on with the next file (the inbox run); otherwise it raises.
    """
    console = console or Console(quiet=True)
    steps = runner or DirectSteps(settings)
    as_of = as_of or manifest.as_of
    horizon = horizon_days or manifest.horizon_days
    summary = RunSummary()
    guard = _Guard(summary, console, keep_going)
    _setup(manifest, steps, console, summary, guard)
    for item in manifest.lists:
        with console.status(f"ingesting {item.file.name}…"), guard(item.file):
            ingested = steps.ingest(item, as_of, horizon)
            summary.ingests.append(ingested)
            for line in ingested.describe():
                console.print(line)
    for path in manifest.results:
        with console.status(f"loading {path.name}…"), guard(path):
            loaded = steps.load_results(path, as_of)
            summary.results.append(loaded)
            console.print(results.describe_results(loaded, path.name))
    if manifest.plan:
        # Every list, not only the manifest's: a list whose file did not change still needs
        # today's windows (docs/contract.md §5, re-planning).
        with console.status("re-planning windows…"):
            summary.planned = steps.plan(as_of, horizon)
        for name, counts in summary.planned.items():
            console.print(
                f"plan {name}: {counts['records_with_windows']:,} records with windows "
                f"({counts['windows']:,} windows of {counts['keys']:,} keys)"
            )
    with console.status("building statistics and reports…"):
        summary.statistics = steps.build_statistics(_changed_lists(manifest, summary))
        if manifest.reports is not None:
            out_dir = manifest.reports.dir
            out_dir = out_dir if out_dir.is_absolute() else settings.home / out_dir
            summary.reports = steps.write_reports(out_dir, tuple(manifest.reports.formats))
    return summary


def _changed_lists(manifest: RunManifest, summary: RunSummary) -> list[str] | None:
    """Return the lists whose statistics the run moved, or None when it may have moved all.

    Campaigns, rules and a re-plan reach every list; suppression lists, ingests and results
    loads name the lists they changed (a load: also those its Do Not Call results suppressed).
    """
    if manifest.campaigns or manifest.rules or manifest.plan:
        return None
    names = {ingested.list_name for ingested in summary.ingests if ingested.status == "succeeded"}
    for loaded_list in summary.suppression:
        names.update(suppression.lists_changed(loaded_list))
    for loaded in summary.results:
        names.update(results.lists_changed(loaded))
    return sorted(names)


@dataclass(frozen=True)
class _Guard:
    """Record a refused input file and go on (keep_going), or let the error through."""

    summary: RunSummary
    console: Console
    keep_going: bool

    @contextlib.contextmanager
    def __call__(self, path: Path) -> Iterator[None]:
        """Run one file's step; with keep_going a CxError marks the file failed."""
        try:
            yield
        except CxError as exc:
            if not self.keep_going:
                raise
            self.summary.failures[path] = exc.one_line()
            self.console.print(f"[red]refused[/red] {path.name}: {exc.one_line()}")


def _setup(
    manifest: RunManifest,
    steps: StepRunner,
    console: Console,
    summary: RunSummary,
    guard: _Guard,
) -> None:
    """Campaign model, rule overrides and suppression lists: what the lists are planned with."""
    if manifest.campaigns is not None:
        with console.status("applying campaigns…"):
            summary.campaigns = steps.apply_campaigns(manifest.campaigns)
        console.print("campaigns: " + ", ".join(f"{k} {v}" for k, v in summary.campaigns.items()))
    if manifest.rules is not None:
        steps.apply_rules(manifest.rules)
        console.print(f"compliance rules: overrides from {manifest.rules.name}")
    for entry in manifest.suppression:
        with console.status(f"loading suppression list {entry.name}…"), guard(entry.file):
            loaded = steps.load_suppression(entry)
            summary.suppression.append(loaded)
            console.print(f"suppression list {entry.name!r}: {loaded['entries']:,} entries")
