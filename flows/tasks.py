"""Prefect tasks: each wraps one pipeline step (read → transform → validate → write), paths only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task

from cxpipeline import io, pipeline
from cxpipeline.settings import Settings


@task(retries=2, retry_delay_seconds=5)
def apply_campaigns(home: Path, campaigns_file: Path) -> dict[str, int]:
    """Load or update the campaign model from YAML."""
    return pipeline.apply_campaigns(Settings.build(home), campaigns_file)


@task(retries=2, retry_delay_seconds=5)
def load_suppression(home: Path, file: Path, name: str) -> dict[str, int]:
    """Load a named suppression list and re-apply it to existing lists."""
    return pipeline.load_suppression(Settings.build(home), file, name)


@task(retries=2, retry_delay_seconds=10)
def ingest_list(
    home: Path,
    file: Path,
    list_name: str,
    group: str,
    spec: Path | None,
    as_of: datetime | None,
    horizon_days: int,
    mode: str,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> dict[str, object]:
    """Ingest one contact list; returns its reconciliation summary."""
    summary = pipeline.ingest(
        Settings.build(home),
        file,
        list_name=list_name,
        group=group,
        spec_path=spec,
        as_of=as_of,
        horizon_days=horizon_days,
        mode=mode,
        read_options=io.ReadOptions(delimiter=delimiter, encoding=encoding),
    )
    return dict(vars(summary))


@task(retries=2, retry_delay_seconds=5)
def load_results(home: Path, file: Path, as_of: datetime | None) -> dict[str, int]:
    """Ingest a call results file and update record state."""
    return pipeline.load_results(Settings.build(home), file, as_of=as_of)


@task(retries=1)
def build_statistics(home: Path) -> dict[str, int]:
    """Rebuild the statistics tables."""
    return pipeline.build_statistics(Settings.build(home))


@task(retries=1)
def write_reports(home: Path, out_dir: Path, formats: tuple[str, ...]) -> list[str]:
    """Write the reports; returns their paths."""
    return [str(p) for p in pipeline.write_reports(Settings.build(home), out_dir, formats)]
