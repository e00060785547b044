"""Ingest step: read a contact list, enrich it in chunks, chain, plan windows and commit.

The passes live in `ingest_passes` and the final writes in `ingest_commit`; this module checks
the request, skips a rerun of the same input, and gathers what the passes need from the
warehouse in one read.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cxpipeline import campaigns, io, spec, warehouse
from cxpipeline.errors import InputError
from cxpipeline.settings import Settings
from cxpipeline.steps.common import as_utc
from cxpipeline.steps.ingest_passes import staged_ingest
from cxpipeline.steps.ingest_state import ListContext, Run
from cxpipeline.steps.ingest_summary import IngestSummary
from cxpipeline.steps.setup import prepare_warehouse
from cxpipeline.transforms import windows

#: Progress steps of one ingest: read, enrich, plan, shape, write lake, commit.
INGEST_STEPS = 6
MODES = ("replace", "append")


@dataclass(frozen=True)
class IngestRequest:
    """What the caller asked for: target list and group, spec, planning and reading options."""

    list_name: str
    group: str
    spec_path: Path | None = None
    as_of: datetime | None = None
    horizon_days: int | None = None
    mode: str = "replace"
    read_options: io.ReadOptions | None = None
    chunk_rows: int | None = None


def ingest(
    settings: Settings,
    path: Path,
    *,
    list_name: str,
    group: str,
    spec_path: Path | None = None,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    mode: str = "replace",
    read_options: io.ReadOptions | None = None,
    chunk_rows: int | None = None,
) -> IngestSummary:
    """Ingest a contact list into a campaign group: read, validate, enrich, chain, plan, write.

    On a terminal a progress bar follows the stages; elsewhere it stays quiet.
    """
    request = IngestRequest(
        list_name, group, spec_path, as_of, horizon_days, mode, read_options, chunk_rows
    )
    with io.progress(f"ingest {Path(path).name}", total=INGEST_STEPS) as advance:
        return _ingest(settings, Path(path), request, advance)


def _ingest(
    settings: Settings, path: Path, request: IngestRequest, advance: Callable[[int], None]
) -> IngestSummary:
    """Run the ingest stages, calling `advance(1)` after each for the progress bar."""
    if request.mode not in MODES:
        raise InputError(f"unknown mode {request.mode!r} (replace or append)")
    if not path.exists():
        raise InputError("file not found", file=str(path))
    prepare_warehouse(settings)
    sha = io.file_sha256(path)
    run_id = hashlib.sha256(f"{request.list_name}|{sha}|{request.mode}".encode()).hexdigest()[:16]
    if _already_succeeded(settings, run_id):
        return IngestSummary(
            run_id=run_id,
            list_name=request.list_name,
            status="unchanged",
            message="this file was already ingested into this list; nothing changed",
        )
    started = datetime.now(UTC)
    # Whole-file problems (spec, format, encoding) surface here, before anything is written.
    given = request.read_options or io.ReadOptions()
    options = spec.read_options(
        request.spec_path, delimiter=given.delimiter, encoding=given.encoding, sheet=given.sheet
    )
    table = io.read_table(path, options)
    advance(1)
    import_spec = spec.load_spec(
        request.spec_path, columns=table.frame.collect_schema().names(), source=str(path)
    )
    context = _list_context(settings, request)
    as_of_utc = as_utc(request.as_of)
    run = Run(
        run_id=run_id,
        list_name=request.list_name,
        list_id=context.list_id,
        mode=request.mode,
        path=path,
        raw_copy=io.copy_raw(path, settings.lake, sha),
        sha=sha,
        as_of_utc=as_of_utc,
        horizon=windows.Horizon(
            as_of=as_of_utc, days=request.horizon_days or settings.horizon_days
        ),
        started=started,
    )
    return _staged(settings, table, import_spec, context, run, request, advance)


def _staged(
    settings: Settings,
    table: io.RawTable,
    import_spec: spec.ImportSpec,
    context: ListContext,
    run: Run,
    request: IngestRequest,
    advance: Callable[[int], None],
) -> IngestSummary:
    """Run the passes in a staging folder of their own, removed whatever happens."""
    staging = settings.lake / "staging" / run.run_id
    shutil.rmtree(staging, ignore_errors=True)
    try:
        return staged_ingest(
            settings,
            table,
            import_spec,
            context=context,
            run=run,
            staging=staging,
            chunk_rows=request.chunk_rows or settings.ingest_chunk_rows,
            advance=advance,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when no other run is staging


def _already_succeeded(settings: Settings, run_id: str) -> bool:
    """Whether this run id (list, file content, mode) already succeeded."""
    con = warehouse.connect(settings)
    try:
        return bool(
            warehouse.scalar(con, warehouse.load_sql_statement("run_succeeded"), {"run_id": run_id})
        )
    finally:
        con.close()


def _list_context(settings: Settings, request: IngestRequest) -> ListContext:
    """Read, in one connection, what the passes need: list, settings, suppression, rules."""
    con = warehouse.connect(settings)
    try:
        list_id = campaigns.ensure_contact_list(con, request.list_name, request.group)
        existing = None
        if request.mode == "append":
            existing = warehouse.named_frame(
                con, "existing_records", {"list_name": request.list_name}
            ).lazy()
        return ListContext(
            list_id=list_id,
            effective=campaigns.effective_settings(con, request.list_name),
            existing=existing,
            suppression=warehouse.named_frame(con, "suppression_in_force"),
            rules=warehouse.whole_table(con, "compliance_rules"),
        )
    finally:
        con.close()
