"""Call-results step: validate a results file, load new results, update state, DNC and caps.

Results attach to the record ids ever handed out (the identity registry), so a result of a
record that a refreshed file removed still joins its person's history. Statistics are a step
of their own (`steps.statistics`): callers run it after this one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import io, schemas, warehouse, warehouse_memory
from cxpipeline.codes import CallResult
from cxpipeline.errors import CxError, InputError
from cxpipeline.rejects import stored_rejects
from cxpipeline.settings import Settings
from cxpipeline.steps import call_buckets, housekeeping
from cxpipeline.steps.common import as_utc, row_count
from cxpipeline.steps.state import refresh_state
from cxpipeline.steps.state_inputs import StateDefaults
from cxpipeline.transforms import result_batches, results, suppression
from cxpipeline.transforms import suppression_files as supp_files

#: Rows of a results file keyed, checked and inserted per pass (all results of a record
#: share a pass): bounds the memory of a load however big its file.
RESULTS_PER_PASS = 250_000

#: Files the typed rows of a load of several passes are dealt into: pass p's rows are in file
#: p % PASS_FILES, so a pass reads its own rows (and beyond PASS_FILES passes a few others'),
#: not the whole file: with one file, each of the 375 passes of 93.6 M results read all of
#: them (~1.5 s a pass at 5M, most of the load's passes).
PASS_FILES = 64

#: Typed rows dealt into the pass files at a time: bounds the dealing's memory.
DEAL_ROWS = 262_144

#: DuckDB's memory for a load, in MB (the home's bound if that is lower). Its passes hold
#: Polars' working set beside DuckDB's: a day's 25.5 M results for the 5M list peaked at
#: 1,202 MiB within 512 MB and 995 MiB within 256, in the same time (353 against 352-367 s).
RESULTS_LOAD_MB = 256

_PASS, _FILE = "_pass", "_pass_file"  # columns of the pass files: the pass, its file


@dataclass
class _Tally:
    """What the passes of one load add up to (the reconciliation)."""

    known: int = 0
    fresh: int = 0
    loaded: int = 0
    rejected: int = 0
    unknown: int = 0
    per_list: Counter[str] = field(default_factory=Counter)
    #: Lists whose records the load's Do Not Call entries suppressed (besides its own).
    suppressed: set[str] = field(default_factory=set)


def load_results(
    settings: Settings, path: Path, *, as_of: datetime | None = None
) -> dict[str, object]:
    """Ingest call results, update record state and attempt caps (same file twice: no-op).

    Returns the reconciliation: rows_read = results_loaded + already_loaded + rows_rejected,
    with the results loaded per list, the rows naming an unknown record id and the lists
    whose records or results changed (`lists_changed`: their statistics are to be refreshed).
    """
    path = Path(path)
    if not path.exists() or path.is_dir():
        raise InputError("file not found", file=str(path))
    table = io.read_table(path, io.ReadOptions(allow_no_rows=True))
    rows_read, read_rejects = table.rows_read, table.rejects
    load_id = "results-" + io.file_sha256(path)[:16]
    con = warehouse.connect(settings)
    try:
        # Under the write lock: housekeeping (which clears staging) cannot run meanwhile.
        with housekeeping.staging_folder(settings, load_id) as staging:
            parsed = _staged_parse(table, path, staging / "parsed.parquet")
            del table  # its text columns: the staged file holds all the passes need
            dealt = _dealt(parsed)
            # A load that needs more than the bound runs again without it (rolled back first).
            load = partial(_load_staged, con, dealt, read_rejects, (load_id, path), as_of, settings)
            tally = warehouse_memory.within_memory_bound(load_bound(settings), load)
    finally:
        con.close()
    return {**_summary(rows_read, tally), "run_id": load_id}


def load_bound(settings: Settings) -> int | None:
    """DuckDB's memory bound of a results load, in MB: `RESULTS_LOAD_MB` or the home's, if lower."""
    return warehouse_memory.capped(settings.warehouse_memory_mb, RESULTS_LOAD_MB)


@dataclass(frozen=True)
class _Dealt:
    """A load's typed rows dealt into its passes' files (`_pass_files`)."""

    files: list[Path]
    passes: int
    folder: Path  # the load's staging folder: each pass stages what it found there

    def rows(self, index: int) -> pl.LazyFrame:
        """Return the typed rows of pass `index`, in the file's row order."""
        return _pass_rows(self.files, index).sort("source_row")


@dataclass
class _Found:
    """What a load's passes staged for its transaction to store (files of the staging)."""

    fresh: list[Path] = field(default_factory=list)  # new results, one file a pass
    rejects: list[Path] = field(default_factory=list)  # refused rows (passes with some)
    dnc: list[Path] = field(default_factory=list)  # Do Not Call entries (passes with some)


def _dealt(parsed: Path) -> _Dealt:
    """Deal the staged typed rows into their passes (`RESULTS_PER_PASS` rows each)."""
    passes = max(1, -(-row_count(pl.scan_parquet(parsed)) // RESULTS_PER_PASS))
    return _Dealt(_pass_files(parsed, passes), passes, parsed.parent)


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    dealt: _Dealt,
    read_rejects: pl.DataFrame,
    source: tuple[str, Path],
    as_of: datetime | None,
    settings: Settings,
    megabytes: int | None,
) -> _Tally:
    """Check the dealt rows pass by pass, then store them and refresh the touched chains.

    The passes only read the warehouse (the load holds the write lock: nothing else changes
    it) and stage what they find; one transaction then stores it all. Run inside it, they
    grew the process ~3.5 MiB a pass at 1M (the frames copied for their statements stayed
    DuckDB's until the COMMIT, and each kept its chain ids, now `_touched_chains`): 1,648 MiB
    for the 5M list's 93.6 M results. Now they run flat (docs/performance.md).
    DuckDB's memory is bounded to `megabytes` for the statements and the COMMIT (an 8.5
    M-result load into a 5M-row list grew to 4.1 GiB unbounded, a COMMIT of 25.5 M to 2.2).
    """
    load_id, _ = source
    tally = _Tally()
    started = datetime.now(UTC)  # the Do Not Call entries this load adds are newer
    found = _Found()
    with warehouse_memory.memory_bound(con, megabytes):
        for index in range(dealt.passes):
            # One pass in memory at a time.
            part = dealt.rows(index).collect()
            unread = read_rejects if index == 0 else read_rejects.clear()
            stem = dealt.folder / f"found-{index:05d}"
            _check_pass(con, part, unread, source, tally, found, stem)
            del part  # the next pass has a working set of its own
    with warehouse_memory.bounded_transaction(con, megabytes, bound_commit=True):
        warehouse.delete_where(con, "rejected_rows", run_id=load_id)
        warehouse.insert(con, "rejected_rows", found.rejects)
        _add_dnc_entries(con, found.dnc, dealt.folder / "dnc.parquet")
        touched = _touched_chains(found.fresh)
        _store_fresh(con, found.fresh, touched)
        # Only the chains this batch touched change: a load every few minutes stays
        # proportional to the batch, not to the list's whole history.
        refresh_state(
            con,
            as_utc(as_of),
            defaults=StateDefaults.of(settings),
            chains=touched,
            staging=dealt.folder / "state",
        )
        # Its new entries to every other list (the lists it recomputed have them all): the
        # lists they reach have their statistics refreshed too.
        tally.suppressed = set(warehouse.reapply_suppression(con, since=started))
    return tally


def _store_fresh(con: duckdb.DuckDBPyConnection, fresh: list[Path], chains: pl.Series) -> None:
    """Store a load's new results (the passes' files, of `chains`) and count them (call_buckets).

    DuckDB reads the new results from the staged files itself (from Arrow pass by pass, they
    grew the process by ~35 MiB a pass until the commit), in one INSERT in any physical
    order: in file order every pass left a part-filled row group (94 of 298 after the 5M
    list's 25.5 M results), which DuckDB's checkpoints then merged, a few at each later write
    (3.5-9 s and ~560 MiB for each of the next ~5 writes at 5M). Passes split records by id
    modulo, so each file spans every id: file order gave the row groups no narrower record id
    ranges (docs/performance.md). The lists whose kept call counts are complete (checked
    before the INSERT) get the new results' counts: a refresh then reads them instead of
    counting every result again (`steps.call_buckets`).
    """
    counted = sorted(call_buckets.complete(con, call_buckets.owners_of_chains(con, chains)))
    with warehouse.option(con, "preserve_insertion_order", False):
        warehouse.insert(con, "call_results", fresh)
    call_buckets.add_new(con, fresh, counted)


def _touched_chains(fresh: list[Path]) -> pl.Series:
    """Return the chains of the new results (the passes' files), each once.

    Read back at the end, not kept pass by pass: each pass's ~200 KB of chain ids, kept,
    grew the process ~2 MiB a pass (a 1M list's 75 passes; the cause inside the allocators
    was not found, the growth is gone without them).
    """
    chains = pl.scan_parquet(fresh).select(pl.col("chain_id").unique())
    return chains.collect(engine="streaming").to_series()


def _staged_parse(table: io.RawTable, path: Path, target: Path) -> Path:
    """Type the file's rows and stage them as Parquet (streamed where the reader allows).

    In any row order: each pass sorts its rows by `source_row` when it reads them. A table
    read in batches (a Parquet file) is typed batch by batch.
    """
    try:
        if table.batches is None:
            return io.write_staged(results.parsed_call_results(table.frame), target, ordered=False)
        typed = (results.parsed_call_results(batch.lazy()) for batch in table.batches())
        return io.write_parquet_slices(typed, target, compression=io.STAGING_COMPRESSION)
    except CxError as exc:
        raise exc.at_file(str(path)) from None


def _pass_files(parsed: Path, passes: int) -> list[Path]:
    """Deal the staged typed rows into the passes' files (see `PASS_FILES`); return them.

    A record's results (its attempts, its duplicates) share a pass: the pass is the record
    id modulo the passes (null or unreadable ids: pass 0). One pass: the staged file itself.
    """
    if passes == 1:
        return [parsed]
    record = pl.col("record_id").cast(pl.Int64, strict=False)
    which = (((record % passes) + passes) % passes).fill_null(0)  # negative ids too
    count = min(passes, PASS_FILES)
    scan = pl.scan_parquet(parsed)
    slabs = (
        scan.slice(offset, DEAL_ROWS)
        .with_columns(which.cast(pl.Int32).alias(_PASS))
        .with_columns((pl.col(_PASS) % count).alias(_FILE))
        .collect()
        for offset in range(0, row_count(scan), DEAL_ROWS)
    )
    targets = [parsed.with_name(f"pass-{index:03d}.arrow") for index in range(count)]
    files = io.write_ipc_buckets(slabs, targets, _FILE)
    parsed.unlink()
    return files


def _pass_rows(files: list[Path], index: int) -> pl.LazyFrame:
    """Return the staged rows of pass `index` (`_pass_files`' files)."""
    if len(files) == 1:  # one pass: the staged file itself
        return pl.scan_parquet(files[0])
    part = pl.scan_ipc(files[index % len(files)])  # `io.write_ipc_buckets`' files
    return part.filter(pl.col(_PASS) == index).drop(_PASS)


def _check_pass(
    con: duckdb.DuckDBPyConnection,
    parsed: pl.DataFrame,
    read_rejects: pl.DataFrame,
    source: tuple[str, Path],
    tally: _Tally,
    found: _Found,
    stem: Path,
) -> None:
    """Key and check one pass of a load; stage what it finds (`found`, files named `stem-*`).

    Its new results, refused rows and Do Not Call entries not held yet; it writes nothing
    to the warehouse.
    """
    load_id, path = source
    owners, previous = _stored_of(con, parsed)
    joined = results.call_results(parsed.lazy(), owners.lazy(), previous=previous.lazy()).collect()
    fresh = result_batches.new_results(joined, previous).with_columns(
        source_file=pl.lit(str(path)), loaded_at=pl.lit(datetime.now(UTC))
    )
    loaded, invalid = schemas.validated(fresh, schemas.CallResultRow)
    rejects = _stored_rejects(
        pl.concat(
            [result_batches.result_rejects(read_rejects, parsed, joined), invalid],
            how="vertical_relaxed",
        ),
        joined,
        load_id,
        path,
    )
    # In record id order: the rows DuckDB inserts from it then cluster by record, and a state
    # pass (results_of_chains.sql) skips the row groups outside its records' range.
    found.fresh.append(io.write_staged(loaded.sort("record_id"), f"{stem}-fresh.parquet"))
    if rejects.height:
        found.rejects.append(io.write_staged(rejects, f"{stem}-rejects.parquet"))
    entries = _dnc_entries(con, loaded, owners)
    if entries.height:
        found.dnc.append(io.write_staged(entries, f"{stem}-dnc.parquet"))
    unknown = joined.filter(pl.col("unknown_record")).height
    tally.known += joined.height - unknown
    tally.unknown += unknown
    tally.fresh += fresh.height
    tally.loaded += loaded.height
    tally.rejected += rejects.height
    tally.per_list.update(dict(loaded.group_by("list_name").len().iter_rows()))


def _stored_of(
    con: duckdb.DuckDBPyConnection, parsed: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the owners and the stored results of the records a batch names.

    Owners: list, chain, number and client id of each record id the batch names (an unknown
    id has none). Stored results: for duplicates and attempt numbers.
    """
    ids = parsed.select(pl.col("record_id").cast(pl.Int64, strict=False)).drop_nulls().unique()
    with warehouse.registered(con, "_result_records", ids):
        return (
            warehouse.named_frame(con, "owners_of_records"),
            warehouse.named_frame(con, "results_of_records"),
        )


def _stored_rejects(
    rejects: pl.DataFrame, joined: pl.DataFrame, load_id: str, path: Path
) -> pl.DataFrame:
    """Refused rows as rejected_rows stores them: masked, with run, list (if known) and file."""
    lists = joined.select("source_row", "list_name").unique(subset=["source_row"])
    stored = stored_rejects(
        rejects.join(lists, on="source_row", how="left"),
        run_id=load_id,
        source_file=str(path),
        kind="result",
    )
    return schemas.checked(stored, schemas.RejectedRow)


def _dnc_entries(
    con: duckdb.DuckDBPyConnection, loaded: pl.DataFrame, owners: pl.DataFrame
) -> pl.DataFrame:
    """Return the suppression entries (number and client id) of a pass's Do Not Call results.

    Only those the Do Not Call list does not hold yet; passes may find the same entry (one
    person's records in two passes): `_add_dnc_entries` stores each once.
    """
    dnc = loaded.filter(pl.col("call_result") == int(CallResult.DO_NOT_CALL)).select("record_id")
    people = dnc.join(owners.unique(subset=["record_id"]), on="record_id", how="inner")
    entries = supp_files.dnc_result_entries(
        people.lazy(), suppression.DNC_RESULTS_LIST, datetime.now(UTC)
    ).collect()
    if entries.height == 0:
        return entries
    with warehouse.registered(con, "_new_entries", entries.select("e164", "client_id")):
        held = warehouse.named_frame(
            con, "held_entries", {"suppression_list": suppression.DNC_RESULTS_LIST}
        )
    new = entries.join(
        held.select("e164", "client_id"), on=["e164", "client_id"], how="anti", nulls_equal=True
    )
    return schemas.checked(new, schemas.SuppressionEntry)


def _add_dnc_entries(con: duckdb.DuckDBPyConnection, files: list[Path], target: Path) -> None:
    """Store the passes' Do Not Call entries (`_dnc_entries`), each number and client id once."""
    if not files:
        return
    entries = pl.scan_parquet(files).unique(
        subset=["e164", "client_id"], keep="first", maintain_order=True
    )
    warehouse.insert(con, "suppression_entries", io.write_staged(entries, target))


def _summary(rows_read: int, tally: _Tally) -> dict[str, object]:
    """Return the load's reconciliation and the results loaded per list."""
    return {
        "rows_read": rows_read,
        "results_loaded": tally.loaded,
        "already_loaded": tally.known - tally.fresh,
        "rows_rejected": tally.rejected,
        "unknown_records": tally.unknown,
        "loaded_per_list": dict(sorted(tally.per_list.items())),
        "lists_changed": sorted(set(tally.per_list) | tally.suppressed),
    }


def lists_changed(summary: dict[str, object]) -> list[str]:
    """Return the lists a load changed (`load_results`' summary): their statistics move."""
    changed = summary.get("lists_changed")
    return [str(name) for name in changed] if isinstance(changed, list) else []


def describe_results(summary: dict[str, object], name: str) -> str:
    """Return a load's reconciliation as one printable line (rich markup)."""
    per_list = summary.get("loaded_per_list") or {}
    lists = (
        ", ".join(f"{k} {v:,}" for k, v in per_list.items()) if isinstance(per_list, dict) else ""
    )
    unknown = summary.get("unknown_records")
    return (
        f"call results {name}: rows read {summary['rows_read']:,} = loaded "
        f"{summary['results_loaded']:,}{f' ({lists})' if lists else ''} + already loaded "
        f"{summary['already_loaded']:,} + rejected {summary['rows_rejected']:,}"
        f"{f' (unknown record ids: {unknown:,})' if unknown else ''}"
    )
