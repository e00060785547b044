"""The inbox run: files dropped in a folder, each processed exactly once, then filed away.

What a file is comes from its sidecar (`<file>.yaml`) or else the first rule of the inbox's
`inbox.yaml` whose pattern matches its name. One run: take the inbox lock, claim the files,
run them through the one orchestration (`run_manifest`, refusing a bad file without stopping),
re-plan every list (unless the run takes call results only), refresh statistics and reports,
then move each file to processed/ or to failed/ with its reason. Format: docs/inbox.md.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console

from cxpipeline.errors import CxError, InputError
from cxpipeline.io import inbox_files
from cxpipeline.manifest import ListFile, Reports, RunManifest, SuppressionFile, load_model
from cxpipeline.orchestration import RunSummary, StepRunner, run_manifest
from cxpipeline.settings import Settings
from cxpipeline.steps import digest

Kind = Literal["list", "results", "suppression"]
RULES_FILE = "inbox.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ListRule(_Strict):
    """Files matching `pattern` are a contact list of `list` in `group`."""

    pattern: str = Field(min_length=1, description="Shell pattern on the file name.")
    list_name: str = Field(alias="list", min_length=1, description="Contact list name.")
    group: str = Field(min_length=1, description="Campaign group of the list.")
    spec: Path | None = Field(None, description="Import spec YAML (relative: to the inbox).")
    mode: Literal["replace", "append"] = "replace"
    force: bool = False


class SuppressionRule(_Strict):
    """Files matching `pattern` are the suppression list `name`."""

    pattern: str = Field(min_length=1, description="Shell pattern on the file name.")
    name: str = Field(min_length=1, description="Suppression list name.")


class InboxRules(_Strict):
    """What the files of an inbox are, by name pattern, and the reports a run writes."""

    lists: tuple[ListRule, ...] = ()
    results: tuple[str, ...] = Field(default=(), description="Patterns of call results files.")
    suppression: tuple[SuppressionRule, ...] = ()
    reports: Reports | None = Field(default_factory=lambda: Reports.model_validate({}))


class Sidecar(_Strict):
    """`<file>.yaml` next to a file: what the file is (wins over the inbox rules)."""

    kind: Kind = "list"
    list_name: str | None = Field(None, alias="list", min_length=1)
    group: str | None = Field(None, min_length=1)
    spec: Path | None = None
    mode: Literal["replace", "append"] = "replace"
    force: bool = False
    name: str | None = Field(None, min_length=1, description="Suppression list name.")


@dataclass
class InboxSummary:
    """What an inbox run did with each file, the run itself, and its digest."""

    run_id: str
    kinds: dict[Path, Kind] = field(default_factory=dict)
    processed: list[Path] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)
    run: RunSummary | None = None
    digest: dict[str, list[dict[str, object]]] = field(default_factory=dict)


def read_rules(inbox: Path, rules_path: Path | None) -> InboxRules:
    """Read the inbox's rules: the given file, else INBOX/inbox.yaml, else none."""
    path = rules_path or inbox / RULES_FILE
    if rules_path is None and not path.exists():
        return InboxRules.model_validate({})
    return load_model(path, InboxRules, what="inbox rules")


def classify(path: Path, rules: InboxRules, base: Path) -> ListFile | SuppressionFile | Path:
    """Say what a file is (sidecar first, then the first matching rule); CxError when unknown."""
    side = inbox_files.sidecar_of(path)
    if side.exists():
        return _from_sidecar(path, load_model(side, Sidecar, what="sidecar"), base)
    for rule in rules.lists:
        if fnmatch.fnmatch(path.name, rule.pattern):
            spec = None if rule.spec is None else base / rule.spec
            return _list_file(path, rule.list_name, rule.group, spec, rule.mode, rule.force)
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in rules.results):
        return path
    for supp in rules.suppression:
        if fnmatch.fnmatch(path.name, supp.pattern):
            return SuppressionFile(file=path, name=supp.name)
    raise InputError("no sidecar or inbox rule says what this file is", file=path.name)


def _from_sidecar(path: Path, side: Sidecar, base: Path) -> ListFile | SuppressionFile | Path:
    """Return the item a sidecar describes (a list needs `list` and `group`)."""
    if side.kind == "results":
        return path
    if side.kind == "suppression":
        if side.name is None:
            raise InputError("a suppression sidecar needs a name", file=path.name, field="name")
        return SuppressionFile(file=path, name=side.name)
    if side.list_name is None or side.group is None:
        raise InputError("a list sidecar needs list and group", file=path.name, field="list")
    spec = None if side.spec is None else base / side.spec
    return _list_file(path, side.list_name, side.group, spec, side.mode, side.force)


def _list_file(
    path: Path, list_name: str, group: str, spec: Path | None, mode: str, force: bool
) -> ListFile:
    """Return a manifest list entry for a claimed file."""
    return ListFile.model_validate(
        {
            "file": path,
            "list": list_name,
            "group": group,
            "spec": spec,
            "mode": mode,
            "force": force,
        }
    )


def kind_of(item: ListFile | SuppressionFile | Path) -> Kind:
    """Return the kind of a classified item."""
    if isinstance(item, ListFile):
        return "list"
    return "suppression" if isinstance(item, SuppressionFile) else "results"


def replans(kinds: tuple[Kind, ...] | None) -> bool:
    """Whether a run of these kinds re-plans every list when not told (docs/inbox.md).

    A run that may bring lists or suppression lists is the morning's: every list gets the
    day's windows. A run of call results only (every few minutes) re-plans nothing: each load
    settles the windows of the records its results touched.
    """
    return kinds is None or bool({"list", "suppression"} & set(kinds))


def run_inbox(
    settings: Settings,
    inbox: Path,
    *,
    rules_path: Path | None = None,
    kinds: tuple[Kind, ...] | None = None,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    console: Console | None = None,
    runner: StepRunner | None = None,
    plan: bool | None = None,
) -> InboxSummary:
    """Process every waiting file of the wanted kinds exactly once; see the module docstring.

    `plan`: re-plan every list after the files (None: as `replans(kinds)` says). A run that
    claims no file and does not re-plan changes nothing, and writes no statistics or report.
    """
    inbox = Path(inbox)
    plan = replans(kinds) if plan is None else plan
    run_id = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S-%fZ")
    summary = InboxSummary(run_id=run_id)
    with inbox_files.inbox_lock(inbox, settings.write_lock_timeout_seconds):
        inbox_files.recover(inbox)
        rules = read_rules(inbox, rules_path)
        items = _claimed_items(inbox, rules, kinds, summary)
        manifest = RunManifest.model_validate(
            {
                "suppression": [i for i in items if isinstance(i, SuppressionFile)],
                "lists": [i for i in items if isinstance(i, ListFile)],
                "results": [i for i in items if isinstance(i, Path)],
                "reports": rules.reports,
                "plan": plan,
            }
        )
        summary.run = RunSummary()
        if items or plan:
            summary.run = run_manifest(
                settings,
                manifest,
                as_of=as_of,
                horizon_days=horizon_days,
                console=console,
                runner=runner,
                keep_going=True,
            )
        summary.failed.update(summary.run.failures)
        for item in items:
            path = item if isinstance(item, Path) else item.file
            reason = summary.failed.get(path)
            settled = inbox_files.settle(path, inbox, reason=reason)
            if reason is None:
                summary.processed.append(settled)
                summary.kinds[settled] = summary.kinds[path]
        inbox_files.release(inbox, run_id)
    summary.digest = digest.run_digest(settings, run_ids(summary), as_of)
    return summary


def _claimed_items(
    inbox: Path, rules: InboxRules, kinds: tuple[Kind, ...] | None, summary: InboxSummary
) -> list[ListFile | SuppressionFile | Path]:
    """Classify the waiting files, claim those of the wanted kinds; unknown ones fail at once."""
    items: list[ListFile | SuppressionFile | Path] = []
    for path in inbox_files.waiting_files(inbox):
        try:
            item = classify(path, rules, inbox)
        except CxError as exc:
            if kinds is None:  # a run of every kind files what it cannot place
                claimed = inbox_files.claim(inbox, summary.run_id, path)
                summary.failed[claimed] = exc.one_line()
                inbox_files.settle(claimed, inbox, reason=exc.one_line())
            continue
        if kinds is not None and kind_of(item) not in kinds:
            continue
        claimed = inbox_files.claim(inbox, summary.run_id, path)
        summary.kinds[claimed] = kind_of(item)
        items.append(
            claimed if isinstance(item, Path) else item.model_copy(update={"file": claimed})
        )
    return items


def run_ids(summary: InboxSummary) -> list[str]:
    """Return the ingest and results-load run ids of an inbox run (for its digest)."""
    if summary.run is None:
        return []
    ids = [s.run_id for s in summary.run.ingests]
    return ids + [str(r["run_id"]) for r in summary.run.results if "run_id" in r]


def _table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> list[str]:
    """Return a markdown table (or a dash line when there are no rows)."""
    if not rows:
        return ["—", ""]
    cells = [[f"{v:,}" if isinstance(v, int) else str(v) for v in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(c) + " |" for c in cells), ""]


def _file_rows(summary: InboxSummary) -> list[tuple[object, ...]]:
    """Return one row per file: name, kind, outcome."""
    rows: list[tuple[object, ...]] = [
        (p.name, summary.kinds.get(p, "?"), "processed") for p in summary.processed
    ]
    for path, reason in summary.failed.items():
        rows.append((path.name, summary.kinds.get(path, "?"), f"failed: {reason}"))
    return rows


def _run_rows(run: RunSummary) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Return the reconciliation rows of the ingests and of the results loads."""
    ingests: list[tuple[object, ...]] = [
        (s.list_name, s.status, s.rows_read, s.rows_accepted, s.rows_rejected)
        + (s.records_written, s.records_kept, s.records_added, s.records_removed)
        for s in run.ingests
    ]
    keys = ("rows_read", "results_loaded", "already_loaded", "rows_rejected", "unknown_records")
    loads: list[tuple[object, ...]] = [tuple(r.get(k) for k in keys) for r in run.results]
    return ingests, loads


def inbox_markdown(summary: InboxSummary) -> str:
    """Return the run's digest as markdown (files, reconciliations, rejects, dialable)."""
    ingests, loads = _run_rows(summary.run or RunSummary())
    rejects = [tuple(r.values()) for r in summary.digest.get("rejects", [])]
    dialable = [tuple(r.values()) for r in summary.digest.get("dialable", [])]
    list_header = ("list", "status", "rows read", "accepted", "rejected", "records", "kept")
    load_header = ("rows read", "loaded", "already loaded", "rejected", "unknown record ids")
    return "\n".join(
        [
            f"# Inbox run {summary.run_id}",
            "",
            "## Files",
            *_table(("file", "kind", "outcome"), _file_rows(summary)),
            "## Contact lists",
            *_table((*list_header, "added", "removed"), ingests),
            "## Call results",
            *_table(load_header, loads),
            "## Rejects by reason",
            *_table(("list", "kind", "reason", "rejected"), rejects),
            "## Dialable in the next 24 hours",
            *_table(("list", "records", "windows"), dialable),
        ]
    )
