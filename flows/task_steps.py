"""The step runner of the flows: the orchestration's steps executed as Prefect tasks.

Each step is submitted to the flow's task runner and waited for, so the steps keep their order
while a DaskTaskRunner places them (and an ingest's chunks) on the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cxpipeline.manifest import ListFile, SuppressionFile
from cxpipeline.steps.ingest_summary import IngestSummary
from flows import tasks


@dataclass(frozen=True)
class TaskSteps:
    """Run each step of `cxpipeline.orchestration.run_manifest` as a Prefect task."""

    home: Path

    def apply_campaigns(self, path: Path) -> dict[str, int]:
        """Load the campaign model."""
        return tasks.apply_campaigns.submit(self.home, path).result()

    def apply_rules(self, path: Path) -> None:
        """Load compliance rule overrides."""
        tasks.apply_rules.submit(self.home, path).result()

    def load_suppression(self, entry: SuppressionFile) -> dict[str, object]:
        """Load a suppression list."""
        options = entry.model_dump(exclude={"file", "name"})
        return tasks.load_suppression.submit(self.home, entry.file, entry.name, **options).result()

    def ingest(
        self, item: ListFile, as_of: datetime | None, horizon_days: int | None
    ) -> IngestSummary:
        """Ingest one contact list."""
        summary = tasks.ingest_list.submit(
            self.home,
            item.file,
            item.list_name,
            item.group,
            item.spec,
            as_of,
            horizon_days,
            item.mode,
            item.delimiter,
            item.encoding,
            item.sheet,
            item.force,
        ).result()
        return IngestSummary(**summary)  # type: ignore[arg-type,unused-ignore]

    def load_results(self, path: Path, as_of: datetime | None) -> dict[str, object]:
        """Load one call results file."""
        return tasks.load_results.submit(self.home, path, as_of).result()

    def plan(self, as_of: datetime | None, horizon_days: int | None) -> dict[str, dict[str, int]]:
        """Re-plan the windows of every list."""
        return tasks.plan_windows.submit(self.home, None, as_of, horizon_days).result()

    def build_statistics(self, lists: list[str] | None) -> dict[str, int]:
        """Refresh the statistics of `lists` and their groups (None: rebuild every list's)."""
        return tasks.build_statistics.submit(self.home, lists).result()

    def write_reports(self, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
        """Write the reports."""
        return [Path(p) for p in tasks.write_reports.submit(self.home, out_dir, formats).result()]
