"""Ingest step: read a contact list, enrich it in chunks, chain, plan windows and commit.

The passes live in `ingest_passes` and the final writes in `ingest_commit`; this module checks
the request, skips a rerun of the same input, and gathers what the passes need from the
warehouse in one read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import campaigns, io, spec, warehouse, warehouse_files
from cxpipeline.campaigns.model import check_name
from cxpipeline.errors import InputError
from cxpipeline.settings import Settings
from cxpipeline.steps import housekeeping
from cxpipeline.steps.common import as_utc
from cxpipeline.steps.ingest_chunks import Executor
from cxpipeline.steps.ingest_passes import staged_ingest
from cxpipeline.steps.ingest_state import ListContext, Run
from cxpipeline.steps.ingest_summary import IngestSummary
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
    force: bool = False
    #: Where chunk and partition jobs run (default here; a Dask client's executor scales out).
    executor: Executor | None = None
    #: Partitions of the list by chain key (default one per chunk); the output is the same.
    partitions: int | None = None


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
    force: bool = False,
    executor: Executor | None = None,
    partitions: int | None = None,
) -> IngestSummary:
    """Ingest a contact list into a campaign group: read, validate, enrich, chain, plan, write.

    Rerunning the list's last ingest with the same file and options changes nothing; `force`
    lets a replace remove more than `Settings.replace_max_removed_share` of the list. On a
    terminal a progress bar follows the stages; elsewhere it stays quiet. `executor` runs the
    chunk and partition jobs (`steps.scale_out.dask_executor` for a Dask cluster); `partitions`
    splits the list by chain key (default one per chunk): neither changes the output.
    """
    try:  # ' east_q4' or 'east_q4\n' is east_q4, not a second list
        list_name, group = str(check_name(list_name)), str(check_name(group))
    except ValueError as exc:
        raise InputError(str(exc), field="--list/--group") from None
    request = IngestRequest(
        list_name,
        group,
        spec_path,
        as_of,
        horizon_days,
        mode,
        read_options,
        chunk_rows,
        force,
        executor,
        partitions,
    )
    # One writer at a time for the whole step; leftovers of a killed run go before and after.
    with warehouse.writing(settings):
        housekeeping.collect(settings)
        try:
            with io.progress(f"ingest {Path(path).name}", total=INGEST_STEPS) as advance:
                summary = _ingest(settings, Path(path), request, advance)
        except BaseException:
            housekeeping.collect(settings)
            raise
        # A run that ended well left no garbage: its list is in use, so its journal entry goes
        # (without the connection `collect` opens to look for what a failed run left).
        housekeeping.forget_new_list(settings, list_name)
        return summary


def _ingest(
    settings: Settings, path: Path, request: IngestRequest, advance: Callable[[int], None]
) -> IngestSummary:
    """Run the ingest stages, calling `advance(1)` after each for the progress bar."""
    _check_request(request, path)
    sha = io.file_sha256(path)
    key = input_key(settings, request, sha)
    # One connection for the list's last run and its context (each connection costs a small
    # ingest ~50 ms); closed before the passes, which open their own when they need one.
    with contextlib.closing(warehouse.connect(settings)) as con:
        runs, last_run_id, last_key = _last_run(con, request.list_name)
        if last_key == key:
            return IngestSummary(
                run_id=str(last_run_id),
                list_name=request.list_name,
                status="unchanged",
                message="the list's last ingest had this file and these options; nothing "
                "changed (cxpipeline plan re-plans its windows)",
            )
        started = datetime.now(UTC)
        # Reproducible (same inputs, same history: same id) and new for every run of the list.
        run_id = hashlib.sha256(f"{key}|{runs}".encode()).hexdigest()[:16]
        table, import_spec = _read_input(settings, path, request)
        advance(1)
        housekeeping.note_new_list(settings, request.list_name)
        # The staging folder holds the list's context files too (its identities, by the million).
        with housekeeping.staging_folder(settings, run_id) as staging:
            context = _list_context(con, settings, request, staging / "context")
            con.close()
            run = _new_run(settings, request, path, context.list_id, (run_id, key, sha, started))
            return staged_ingest(
                settings,
                table,
                import_spec,
                context=context,
                run=run,
                staging=staging,
                chunk_rows=request.chunk_rows or settings.ingest_chunk_rows,
                advance=advance,
                executor=request.executor,
                partitions=request.partitions,
            )


def _read_input(
    settings: Settings, path: Path, request: IngestRequest
) -> tuple[io.RawTable, spec.ImportSpec]:
    """Read the file and its import spec: whole-file problems surface before anything is written."""
    given = request.read_options or io.ReadOptions()
    options = spec.read_options(
        request.spec_path, delimiter=given.delimiter, encoding=given.encoding, sheet=given.sheet
    )
    table = io.read_table(path, dataclasses.replace(options, limits=settings.input_limits))
    import_spec = spec.load_spec(
        request.spec_path, columns=table.frame.collect_schema().names(), source=str(path)
    )
    _check_phone_columns(settings, import_spec, path)
    return table, import_spec


def _check_request(request: IngestRequest, path: Path) -> None:
    """Refuse an unknown mode and a path that is not a file, before anything is read."""
    if request.mode not in MODES:
        raise InputError(f"unknown mode {request.mode!r} (replace or append)")
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if not path.is_file():
        raise InputError("not a file (a folder?): give the contact list file", file=str(path))


def _new_run(
    settings: Settings,
    request: IngestRequest,
    path: Path,
    list_id: int,
    names: tuple[str, str, str, datetime],
) -> Run:
    """Return the run: `names` is (run id, input key, file sha256, start time)."""
    run_id, key, sha, started = names
    as_of_utc = as_utc(request.as_of)
    return Run(
        run_id=run_id,
        input_key=key,
        list_name=request.list_name,
        list_id=list_id,
        mode=request.mode,
        force=request.force,
        path=path,
        raw_copy=io.copy_raw(path, settings.lake, sha),
        sha=sha,
        as_of_utc=as_of_utc,
        horizon=windows.Horizon(
            as_of=as_of_utc, days=request.horizon_days or settings.horizon_days
        ),
        started=started,
    )


def _check_phone_columns(settings: Settings, import_spec: spec.ImportSpec, path: Path) -> None:
    """Refuse more phone columns than the limit before any per-value work."""
    if len(import_spec.phones) > settings.input_limits.max_phone_columns:
        raise InputError(
            f"{len(import_spec.phones):,} phone columns: more than the limit of "
            f"{settings.input_limits.max_phone_columns} (setting input_limits.max_phone_columns)",
            file=str(path),
        )


def input_key(settings: Settings, request: IngestRequest, sha: str) -> str:
    """Hash of everything that decides an ingest's output: file, list, options, plan time.

    An as-of left to default ("now") is not part of the key: rerunning the same file the next
    day is a no-op, and `cxpipeline plan` re-plans the windows.
    """
    spec_sha = io.file_sha256(request.spec_path) if request.spec_path else ""
    options = request.read_options or io.ReadOptions()
    parts = (
        request.list_name,
        request.group,
        request.mode,
        sha,
        spec_sha,
        ",".join(settings.chain_key_fallback),
        as_utc(request.as_of).isoformat() if request.as_of else "now",
        str(request.horizon_days or settings.horizon_days),
        repr((options.delimiter, options.encoding, options.sheet)),
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _last_run(con: duckdb.DuckDBPyConnection, list_name: str) -> tuple[int, str | None, str | None]:
    """Return the list's ingest count, and the run id and input key of its last success."""
    rows = con.execute(
        warehouse.load_sql_statement("last_ingest"), {"list_name": list_name}
    ).fetchall()
    runs, run_id, key = rows[0]
    return int(runs), run_id, key


def _list_context(
    con: duckdb.DuckDBPyConnection, settings: Settings, request: IngestRequest, folder: Path
) -> ListContext:
    """Read what the passes need on `con`: list, settings, sizes, suppression, rules.

    A replace's current record ids are staged as a file in `folder` and scanned (a 5M-row
    list has 9.3 M); the list's identities and records wait for the file's keys
    (`ingest_passes.list_rows`).
    """
    list_id = campaigns.ensure_contact_list(con, request.list_name, request.group)
    name = {"list_name": request.list_name}
    identities, records, chain_id, record_id = warehouse.named_frame(
        con, "list_holdings", name
    ).row(0)
    current_ids = None
    if request.mode == "replace":
        path = warehouse_files.bounded_staged_query(
            con,
            "list_record_ids",
            name,
            folder / "list_record_ids.parquet",
            settings.warehouse_memory_mb,
        )
        current_ids = pl.scan_parquet(path)
    return ListContext(
        list_id=list_id,
        effective=campaigns.effective_settings(con, request.list_name),
        identities=int(identities),
        records=int(records),
        highest=pl.LazyFrame(
            {"chain_id": [chain_id], "record_id": [record_id]},
            schema={"chain_id": pl.Int64, "record_id": pl.Int64},
        ),
        current_ids=current_ids,
        suppression=warehouse.named_frame(con, "suppression_in_force"),
        rules=warehouse.whole_table(con, "compliance_rules"),
    )
