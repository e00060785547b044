"""Flow: the inbox run (files dropped in a folder, each processed exactly once), with a digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from cxpipeline.inbox import inbox_markdown, run_inbox
from cxpipeline.settings import Settings
from flows.task_steps import TaskSteps


@flow(name="inbox-run", log_prints=True)
def inbox_run(
    inbox: Path,
    home: Path = Path("data"),
    rules: Path | None = None,
    kinds: list[Literal["list", "results", "suppression"]] | None = None,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    plan: bool | None = None,
) -> dict[str, object]:
    """Claim the waiting files, run them through the steps as tasks, file them away.

    A markdown artifact holds the reconciliation, rejects by reason and what is dialable in
    the next 24 hours (no phone numbers). Two runs of one inbox never interleave: the second
    waits for the inbox lock and finds only what arrived since. `plan`: re-plan every list
    (None: unless the run takes call results only, as the 15-minute deployment does).
    """
    settings = Settings.build(home)
    summary = run_inbox(
        settings,
        inbox,
        rules_path=rules,
        kinds=tuple(kinds) if kinds else None,
        as_of=as_of,
        horizon_days=horizon_days,
        runner=TaskSteps(settings.home),
        plan=plan,
    )
    markdown = inbox_markdown(summary)
    create_markdown_artifact(markdown=markdown, key="inbox-run", description="inbox run digest")
    return {
        "run_id": summary.run_id,
        "processed": [p.name for p in summary.processed],
        "failed": {p.name: reason for p, reason in summary.failed.items()},
        "markdown": markdown,
    }
