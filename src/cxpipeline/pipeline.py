"""Pipeline steps: each reads its inputs, calls the pure transforms, validates and writes.

Steps take and return paths and small summaries, never frames, so Prefect tasks in `flows/`
can wrap them one to one and the CLI can call them directly without an orchestration server.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from cxpipeline import campaigns, io, rules, schemas, spec, warehouse
from cxpipeline.codes import RecordStatus, RecordType
from cxpipeline.errors import CxError, InputError
from cxpipeline.settings import Settings
from cxpipeline.transforms import (
    chains,
    mapping,
    phones,
    results,
    stats,
    suppression,
    windows,
    zones,
)
from cxpipeline.transforms import export as export_tx

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- helpers


def _mask_expr(col: str) -> pl.Expr:
    """Vectorised `mask_phone`: every digit but the last four becomes '*'."""
    text = pl.col(col).fill_null("")
    head_len = pl.max_horizontal(text.str.len_chars().cast(pl.Int64) - 4, pl.lit(0))
    return pl.concat_str([text.str.head(head_len).str.replace_all(r"\d", "*"), text.str.tail(4)])


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pl.DataFrame | Path) -> None:
    """Insert a frame, or a Parquet file, into a table by column name.

    Only the table's own columns are stored (frames carry working columns the table does not
    keep). DuckDB reads a Parquet file itself, so nothing list-sized passes through Python.
    The table name comes from warehouse.RELATIONS, column names from the table.
    """
    name = warehouse.quote_identifier(table, set(warehouse.RELATIONS))
    columns = warehouse.table_columns(con, table)
    if isinstance(data, Path):
        present = set(pl.read_parquet_schema(data))
        chosen = [c for c in columns if c in present]
        if chosen:
            select = ", ".join(warehouse.quote_identifier(c, set(columns)) for c in chosen)
            con.execute(
                f"INSERT INTO {name} BY NAME SELECT {select} FROM read_parquet($path)",  # noqa: S608
                {"path": str(data)},
            )
        return
    if data.height == 0:
        return
    frame = data.select([c for c in data.columns if c in columns])
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _frame")  # noqa: S608 - allow-listed
    finally:
        con.unregister("_frame")


def _int_setting(effective: dict[str, object], key: str, default: int) -> int:
    """Return an integer effective setting, or the default when the hierarchy has none."""
    value = effective.get(key)
    return int(value) if isinstance(value, int | float | str) and value != "" else default


def _as_utc(moment: datetime | None) -> datetime:
    """Return an aware UTC datetime (naive input is taken as UTC); default now."""
    if moment is None:
        return datetime.now(UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------- setup


def prepare_warehouse(settings: Settings, rules_file: Path | None = None) -> None:
    """Create missing relations and load the compliance rules (seed plus overrides)."""
    con = warehouse.connect(settings)
    try:
        has_rules = warehouse.scalar(con, "SELECT count(*) FROM compliance_rules")
        if rules_file is not None or not has_rules:
            rules.store_rules(con, rules.load_rules(rules_file))
    finally:
        con.close()


def apply_campaigns(settings: Settings, path: Path) -> dict[str, int]:
    """Load or update the campaign model from YAML (idempotent)."""
    prepare_warehouse(settings)
    con = warehouse.connect(settings)
    try:
        return campaigns.apply_campaigns(con, Path(path))
    finally:
        con.close()


# --------------------------------------------------------------------------- suppression


def load_suppression(settings: Settings, path: Path, name: str) -> dict[str, int]:
    """Load a named do-not-call list (numbers and/or client ids) and re-apply it to all lists."""
    prepare_warehouse(settings)
    path = Path(path)
    table = io.read_table(path, io.ReadOptions())
    raw = table.frame
    # Headers compare as the import spec compares them (case, spaces, _ - . ignored).
    cols = {spec.header_key(c): c for c in raw.collect_schema().names()}

    def column(*names: str) -> str | None:
        return next((cols[k] for k in map(spec.header_key, names) if k in cols), None)

    phone_col = column("phone", "e164", "number", "contact_info")
    client_col = column("client_id")
    expiry_col = column("expires_at", "expiry", "expires")
    if phone_col is None and client_col is None:
        raise InputError("no 'phone' or 'client_id' column", file=str(path))
    frame = raw.select(
        "source_row",
        (pl.col(phone_col) if phone_col else pl.lit(None, pl.String)).alias("raw_phone"),
        (pl.col(client_col).str.strip_chars() if client_col else pl.lit(None, pl.String))
        .replace("", None)
        .alias("client_id"),
        (pl.col(expiry_col) if expiry_col else pl.lit(None, pl.String)).alias("_expiry"),
    ).collect()
    values = frame.filter(pl.col("raw_phone").str.strip_chars().fill_null("") != "").select(
        "source_row",
        pl.lit("phone").alias("phone_field"),
        pl.lit(0, pl.Int64).alias("phone_index"),
        pl.lit(1, pl.Int64).alias("contact_info_type"),
        pl.lit(settings.default_country).alias("default_country"),
        "raw_phone",
    )
    normalised = phones.normalised_phones(values.lazy()).collect()
    bad_phones = normalised.filter(pl.col("e164").is_null()).height
    expiry = pl.col("_expiry").str.strip_chars().replace("", None)
    entries = (
        frame.join(normalised.select("source_row", "e164"), on="source_row", how="left")
        .with_columns(
            expires_at=pl.coalesce(
                expiry.str.to_datetime(time_zone="UTC", strict=False),
                expiry.str.to_date(strict=False)
                .cast(pl.Datetime("us"))
                .dt.replace_time_zone("UTC"),
            )
        )
        .filter(pl.col("e164").is_not_null() | pl.col("client_id").is_not_null())
        .select(
            pl.lit(name).alias("suppression_list"),
            "e164",
            "client_id",
            "expires_at",
            pl.lit(str(path)).alias("source_file"),
            pl.lit(datetime.now(UTC)).alias("added_at"),
        )
        .unique(subset=["e164", "client_id", "expires_at"], maintain_order=True)
    )
    con = warehouse.connect(settings)
    try:
        with warehouse.transaction(con):
            con.execute("DELETE FROM suppression_entries WHERE suppression_list = $n", {"n": name})
            _insert(con, "suppression_entries", entries)
            affected = _reapply_suppression(con)
    finally:
        con.close()
    return {
        "entries": entries.height,
        "rows_read": table.rows_read,
        "unusable_rows": table.rows_read - entries.height,
        "invalid_numbers": bad_phones,
        "records_suppressed": affected,
    }


def _reapply_suppression(con: duckdb.DuckDBPyConnection) -> int:
    """Mark records of every list that match an active suppression entry as No Call."""
    count = "SELECT count(*) FROM contact_records WHERE record_type = 7"
    before = warehouse.scalar(con, count)
    con.execute(warehouse.load_sql_statement("reapply_suppression"))
    return int(warehouse.scalar(con, count) - before)


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestSummary:
    """What an ingest did, for the CLI's reconciliation and the flows' logs."""

    run_id: str
    list_name: str
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    duplicate_rows: int = 0
    phone_values: int = 0
    phones_rejected: int = 0
    records_written: int = 0
    no_call_records: int = 0
    message: str = ""
    detected: dict[str, Any] = field(default_factory=dict)

    def reconciles(self) -> bool:
        """Whether every row and phone value is accounted for."""
        return self.rows_read == self.rows_accepted + self.rows_rejected

    def describe(self) -> list[str]:
        """Return the reconciliation as printable lines (rich markup)."""
        if self.status == "unchanged":
            return [f"[yellow]{self.list_name}[/yellow]: {self.message}"]
        ok = "✓" if self.reconciles() else "✗"
        collapsed = self.phone_values - self.phones_rejected - self.records_written
        return [
            f"[bold]{self.list_name}[/bold] run {self.run_id}: rows read {self.rows_read:,} "
            f"= accepted {self.rows_accepted:,} + rejected {self.rows_rejected:,} {ok}",
            f"  phone values {self.phone_values:,} → records {self.records_written:,} "
            f"+ rejected values {self.phones_rejected:,} + collapsed duplicates {collapsed:,}; "
            f"no-call records {self.no_call_records:,}; duplicate rows {self.duplicate_rows:,}",
        ]


INGEST_STEPS = 6


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
    with io.progress(f"ingest {Path(path).name}", total=INGEST_STEPS) as advance:
        return _ingest(
            settings,
            Path(path),
            list_name=list_name,
            group=group,
            spec_path=spec_path,
            as_of=as_of,
            horizon_days=horizon_days,
            mode=mode,
            read_options=read_options,
            chunk_rows=chunk_rows,
            advance=advance,
        )


def _ingest(
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
    advance: Callable[[int], None],
) -> IngestSummary:
    """Run the ingest stages, calling `advance(1)` after each for the progress bar."""
    if mode not in {"replace", "append"}:
        raise InputError(f"unknown mode {mode!r} (replace or append)")
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    prepare_warehouse(settings)
    as_of_utc = _as_utc(as_of)
    horizon = windows.Horizon(as_of=as_of_utc, days=horizon_days or settings.horizon_days)
    sha = io.file_sha256(path)
    run_id = hashlib.sha256(f"{list_name}|{sha}|{mode}".encode()).hexdigest()[:16]
    started = datetime.now(UTC)

    con = warehouse.connect(settings)
    try:
        done = warehouse.scalar(
            con,
            "SELECT count(*) FROM ingest_runs WHERE run_id = $r AND status = 'succeeded'",
            {"r": run_id},
        )
    finally:
        con.close()
    if done:
        return IngestSummary(
            run_id=run_id,
            list_name=list_name,
            status="unchanged",
            message="this file was already ingested into this list; nothing changed",
        )

    # Whole-file problems (spec, format, encoding) surface here, before anything is written.
    given = read_options or io.ReadOptions()
    options = spec.read_options(
        spec_path, delimiter=given.delimiter, encoding=given.encoding, sheet=given.sheet
    )
    table = io.read_table(path, options)
    advance(1)
    import_spec = spec.load_spec(
        spec_path, columns=table.frame.collect_schema().names(), source=str(path)
    )

    con = warehouse.connect(settings)
    try:
        list_id = campaigns.ensure_contact_list(con, list_name, group)
        effective = campaigns.effective_settings(con, list_name)
        existing = None
        if mode == "append":
            existing = warehouse.frame(
                con,
                "SELECT chain_key, chain_id, chain_n, record_id, contact_info AS e164 "
                "FROM contact_records WHERE list_name = $l",
                {"l": list_name},
            ).lazy()
        supp = warehouse.frame(
            con, "SELECT suppression_list, e164, client_id, expires_at FROM suppression_entries"
        )
        rules_df = warehouse.frame(con, "SELECT * FROM compliance_rules")
    finally:
        con.close()
    raw_copy = io.copy_raw(path, settings.lake, sha)

    staging = settings.lake / "staging" / run_id
    shutil.rmtree(staging, ignore_errors=True)
    try:
        return _ingest_staged(
            settings,
            table,
            import_spec,
            effective=effective,
            existing=existing,
            supp=supp,
            rules_df=rules_df,
            staging=staging,
            chunk_rows=chunk_rows or settings.ingest_chunk_rows,
            run=_Run(
                run_id=run_id,
                list_name=list_name,
                list_id=list_id,
                mode=mode,
                path=path,
                raw_copy=raw_copy,
                sha=sha,
                as_of_utc=as_of_utc,
                horizon=horizon,
                started=started,
            ),
            advance=advance,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when no other run is staging


@dataclass(frozen=True)
class _Run:
    """What identifies one ingest run (passed between its staged passes)."""

    run_id: str
    list_name: str
    list_id: int
    mode: str
    path: Path
    raw_copy: Path
    sha: str
    as_of_utc: datetime
    horizon: windows.Horizon
    started: datetime


#: Reject parts in the order the rejects file lists them, with their kind.
_REJECT_PARTS: tuple[tuple[str, str], ...] = (
    ("read", "row"),
    ("excluded", "row"),
    ("invalid", "row"),
    ("no_phone", "row"),
    ("phone", "phone"),
    ("record", "record"),
)
_REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "reason": pl.String(),
    "raw": pl.String(),
}


def _reject_part(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a reject frame with exactly the staged reject columns and types."""
    return frame.select([pl.col(c).cast(t) for c, t in _REJECT_SCHEMA.items()])


@dataclass
class _Staged:
    """What the first pass (row-local stages, chunk by chunk) left behind."""

    records: list[Path] = field(default_factory=list)
    bounds: list[tuple[int, int]] = field(default_factory=list)
    rejects: dict[str, list[Path]] = field(default_factory=dict)
    hashes: list[pl.Series] = field(default_factory=list)
    keys: list[pl.DataFrame] = field(default_factory=list)
    phone_values: int = 0
    phones_rejected: int = 0


def _enriched_chunk(
    raw: pl.LazyFrame,
    import_spec: spec.ImportSpec,
    *,
    default_country: str,
    hours: dict[str, object],
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.Series, int]:
    """Row-local stages of one chunk of input rows: map, select, validate, phones, zones.

    Returns the enriched records (with window keys), the rejects by part, the row hashes of
    the kept rows (duplicate rows are counted over the whole file) and the phone value count.
    """
    rows = mapping.mapped_rows(raw, import_spec)
    kept, excluded = mapping.selected_rows(rows, import_spec)
    kept_df = kept.collect()
    valid_rows, row_rejects = schemas.validated(kept_df, schemas.InputRow)

    values = mapping.phone_values(valid_rows.lazy(), import_spec).with_columns(
        pl.col("default_country").fill_null(default_country)
    )
    all_values = values.collect()
    # A value the reader already knows is damaged (scientific notation that lost digits)
    # is rejected as written rather than normalised into a guessed number.
    damaged = all_values.filter(pl.col("phone_issue").is_not_null())
    normalised = pl.concat(
        [
            phones.normalised_phones(
                all_values.filter(pl.col("phone_issue").is_null()).lazy()
            ).collect(),
            damaged.with_columns(phone_reject_reason=pl.col("phone_issue")),
        ],
        how="diagonal_relaxed",
    )
    rows_with_phone = normalised.select("source_row").unique()
    no_phone = valid_rows.join(rows_with_phone, on="source_row", how="anti")
    accepted_rows = valid_rows.join(rows_with_phone, on="source_row", how="semi")
    bad_phones = normalised.filter(pl.col("phone_reject_reason").is_not_null())
    good_phones = normalised.filter(pl.col("phone_reject_reason").is_null())

    excluded_df = excluded.collect()
    rejects = {
        "excluded": excluded_df.select(
            "source_row",
            pl.lit(None, pl.String).alias("field"),
            pl.col("_excluded_by").alias("reason"),
            pl.lit(None, pl.String).alias("raw"),
        ),
        "invalid": row_rejects.select("source_row", "field", "reason", "raw"),
        "no_phone": no_phone.select(
            "source_row",
            pl.lit("phone").alias("field"),
            pl.lit("no phone number").alias("reason"),
            pl.lit(None, pl.String).alias("raw"),
        ),
        "phone": bad_phones.select(
            "source_row",
            pl.col("phone_field").alias("field"),
            pl.col("phone_reject_reason").alias("reason"),
            _mask_expr("raw_phone").alias("raw"),
        ),
    }

    attrs = accepted_rows.drop(list(import_spec.phone_names), strict=False)
    records = good_phones.lazy().join(attrs.lazy(), on="source_row", how="inner")
    records = zones.record_zones(records, zones.zone_lookups())
    # Window keys depend on a record's own zones and states only: computed here, the keys of
    # the whole list are known before the windows are planned.
    records = windows.window_keys(records, hours)
    return records.collect(), rejects, kept_df.get_column("row_hash"), normalised.height


def _ingest_staged(
    settings: Settings,
    table: io.RawTable,
    import_spec: spec.ImportSpec,
    *,
    effective: dict[str, object],
    existing: pl.LazyFrame | None,
    supp: pl.DataFrame,
    rules_df: pl.DataFrame,
    staging: Path,
    chunk_rows: int,
    run: _Run,
    advance: Callable[[int], None],
) -> IngestSummary:
    """Enrich in chunks, chain the whole list on narrow columns, plan and write in chunks.

    Memory follows the chunk size (plus the narrow columns of the list for the chains):
    every wide frame lives for one chunk and is staged as Parquet under `staging`.
    """
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
    default_country = str(effective.get("default_country") or settings.default_country)
    hours = {k: effective.get(k) for k in windows.HOUR_KEYS}
    staged = _Staged(rejects={name: [] for name, _kind in _REJECT_PARTS})

    def stage_rejects(name: str, index: int, frame: pl.DataFrame) -> None:
        part = staging / "rejects" / f"{name}-{index:05d}.parquet"
        staged.rejects[name].append(io.write_parquet(_reject_part(frame), part))

    stage_rejects("read", 0, table.rejects.select("source_row", "field", "reason", "raw"))
    height = int(table.frame.select(pl.len()).collect().item())
    next_rec = 0
    # At least one chunk, so an input whose rows were all rejected while reading still runs
    # every stage (on empty frames) as a single pass would.
    for index, offset in enumerate(range(0, max(height, 1), chunk_rows)):
        records, rejects, hashes, n_values = _enriched_chunk(
            table.frame.slice(offset, chunk_rows),
            import_spec,
            default_country=default_country,
            hours=hours,
        )
        records = records.with_columns(
            _rec=pl.int_range(next_rec, next_rec + records.height, dtype=pl.Int64)
        )
        staged.bounds.append((next_rec, next_rec + records.height))
        next_rec += records.height
        staged.records.append(
            io.write_parquet(records, staging / "records" / f"part-{index:05d}.parquet")
        )
        for name, frame in rejects.items():
            stage_rejects(name, index, frame)
        staged.hashes.append(hashes)
        staged.keys.append(
            records.select("window_key", "tz_candidates", "states", "campaign_hours").unique(
                subset=["window_key"], keep="any"
            )
        )
        staged.phone_values += n_values
        staged.phones_rejected += rejects["phone"].height
        del records, rejects
    advance(1)

    # Chains need the whole list, but only its keys: a narrow scan of the staged records.
    fallback = tuple(settings.chain_key_fallback)
    narrow = {"source_row", "phone_index", "contact_info_type", "e164", "client_id", *fallback}
    ids = chains.chain_ids(
        pl.scan_parquet(staged.records).select(pl.col("_rec").alias("_row"), *sorted(narrow)),
        list_id=run.list_id,
        fallback_key=fallback,
        device_priority=str(effective.get("device_priority") or "input"),
        existing=existing,
    ).select(
        pl.col("_row").alias("_rec"),
        "chain_key",
        "chain_id",
        "chain_n",
        "record_id",
        "duplicate_count",
        "shared_number",
    )
    ids_path = io.write_parquet(ids.sort("_rec").collect(), staging / "ids.parquet")
    del ids

    # Windows are planned once, over the distinct keys of the whole list (they are few).
    window_rows = windows.dialable_windows(
        pl.concat(staged.keys, how="vertical_relaxed").lazy(),
        rules_df.lazy(),
        run.horizon,
        default_window=(
            settings.default_window_start,
            settings.default_window_end,
            settings.default_window_zone,
        ),
        stop_margin=_int_setting(effective, "stop_margin_minutes", settings.stop_margin_minutes),
    ).collect()
    advance(1)

    entries = supp.lazy().cast({"expires_at": pl.Datetime("us", "UTC")})
    group = str(effective["campaign_group"])
    final_parts: list[Path] = []
    used_keys: list[pl.Series] = []
    records_written = no_call_records = 0
    for index, (part, (low, high)) in enumerate(zip(staged.records, staged.bounds, strict=True)):
        chunk_ids = pl.scan_parquet(ids_path).filter(
            (pl.col("_rec") >= low) & (pl.col("_rec") < high)
        )
        chained = (
            pl.scan_parquet(part)
            .join(chunk_ids, on="_rec", how="inner")
            .drop("_rec")
            .sort("record_id")
        )
        keyed = suppression.suppressed_records(chained, entries, run.as_of_utc).collect()
        daily = windows.daily_window(
            keyed.lazy(),
            window_rows.lazy(),
            run.horizon,
            default_zone=settings.default_window_zone,
        ).collect()
        final = _calling_list_records(keyed, daily, run.list_name, group, run.run_id, run.raw_copy)
        final, record_rejects = schemas.validated(final, schemas.CallingListRecord)
        stage_rejects(
            "record", index, record_rejects.select("source_row", "field", "reason", "raw")
        )
        records_written += final.height
        no_call_records += final.filter(pl.col("record_type") == int(RecordType.NO_CALL)).height
        used_keys.append(final.get_column("window_key").unique())
        final_parts.append(io.write_parquet(final, staging / "final" / f"part-{index:05d}.parquet"))
        del keyed, daily, final
    advance(1)

    lake = settings.lake
    contacts_path = lake / "contacts" / f"list={run.list_name}" / f"{run.run_id}.parquet"
    windows_path = lake / "windows" / f"list={run.list_name}" / f"{run.run_id}.parquet"
    rejects_path = lake / "rejects" / f"list={run.list_name}" / f"{run.run_id}.parquet"
    io.write_parquet(
        pl.concat([pl.scan_parquet(p) for p in final_parts], how="diagonal_relaxed"),
        contacts_path,
    )
    advance(1)
    key_rows = window_rows.join(
        pl.DataFrame({"window_key": pl.concat(used_keys).unique()}),
        on="window_key",
        how="semi",
    ).with_columns(list_name=pl.lit(run.list_name), as_of=pl.lit(run.as_of_utc))
    io.write_parquet(key_rows, windows_path)
    reject_parts = [
        pl.scan_parquet(p).with_columns(kind=pl.lit(kind))
        for name, kind in _REJECT_PARTS
        for p in staged.rejects[name]
    ]
    io.write_parquet(
        pl.concat(reject_parts, how="vertical").with_columns(
            run_id=pl.lit(run.run_id),
            list_name=pl.lit(run.list_name),
            source_file=pl.lit(str(run.raw_copy)),
        ),
        rejects_path,
    )
    rejected_row_ids = int(
        pl.scan_parquet(rejects_path)
        .filter(pl.col("kind") == "row")
        .select(pl.col("source_row").n_unique())
        .collect()
        .item()
    )
    hashes = pl.concat(staged.hashes)
    rows_read = table.rows_read
    summary = IngestSummary(
        run_id=run.run_id,
        list_name=run.list_name,
        status="succeeded",
        rows_read=rows_read,
        rows_accepted=rows_read - rejected_row_ids,
        rows_rejected=rejected_row_ids,
        duplicate_rows=int(hashes.len() - hashes.n_unique()),
        phone_values=staged.phone_values,
        phones_rejected=staged.phones_rejected,
        records_written=records_written,
        no_call_records=no_call_records,
        detected=dict(table.detected),
    )

    run_row = pl.DataFrame(
        {
            "run_id": [run.run_id],
            "list_name": [run.list_name],
            "source_file": [str(run.raw_copy)],
            "original_file": [str(run.path)],
            "source_sha256": [run.sha],
            "mode": [run.mode],
            "rows_read": [summary.rows_read],
            "rows_accepted": [summary.rows_accepted],
            "rows_rejected": [summary.rows_rejected],
            "duplicate_rows": [summary.duplicate_rows],
            "phone_values": [summary.phone_values],
            "phones_rejected": [summary.phones_rejected],
            "records_written": [summary.records_written],
            "status": ["succeeded"],
            "as_of": [run.as_of_utc],
            "horizon_days": [run.horizon.days],
            "started_at": [run.started],
            "finished_at": [datetime.now(UTC)],
        }
    )
    con = warehouse.connect(settings)
    try:
        with warehouse.transaction(con):
            if run.mode == "replace":
                con.execute(
                    "DELETE FROM contact_records WHERE list_name = $l", {"l": run.list_name}
                )
            con.execute("DELETE FROM window_keys WHERE list_name = $l", {"l": run.list_name})
            con.execute("DELETE FROM ingest_runs WHERE run_id = $r", {"r": run.run_id})
            con.execute("DELETE FROM rejected_rows WHERE run_id = $r", {"r": run.run_id})
            # DuckDB reads the Parquet files itself: nothing list-sized passes through Python.
            _insert(con, "contact_records", contacts_path)
            _insert(con, "window_keys", windows_path)
            _insert(con, "rejected_rows", rejects_path)
            _insert(con, "ingest_runs", run_row)
            if run.mode == "append":
                con.execute(
                    warehouse.load_sql_statement("refresh_shared_numbers"),
                    {"list_name": run.list_name},
                )
    finally:
        con.close()
    advance(1)
    return summary


def _calling_list_records(
    keyed: pl.DataFrame,
    daily: pl.DataFrame,
    list_name: str,
    group: str,
    run_id: str,
    source_file: Path,
) -> pl.DataFrame:
    """Shape enriched records into the calling-list record of domain.md §2 plus audit columns."""
    zone_abbr = export_tx.zone_abbreviations()
    return (
        keyed.join(
            daily.select("record_id", "daily_from", "daily_till"), on="record_id", how="left"
        )
        .join(zone_abbr, on="tz_name", how="left")
        .with_columns(
            contact_info=pl.col("e164"),
            list_name=pl.lit(list_name),
            campaign_group=pl.lit(group),
            record_status=pl.lit(int(RecordStatus.READY), pl.Int32),
            call_result=pl.lit(28, pl.Int32),
            attempt=pl.lit(0, pl.Int32),
            daily_from=pl.col("daily_from").fill_null(28800).cast(pl.Int32),
            daily_till=pl.col("daily_till").fill_null(64800).cast(pl.Int32),
            contact_info_type=pl.col("contact_info_type").cast(pl.Int32),
            record_type=pl.col("record_type").cast(pl.Int32),
            run_id=pl.lit(run_id),
            source_file=pl.lit(str(source_file)),
            # Fields the dialer fills while it works the list start empty.
            dial_sched_time=pl.lit(None, pl.Int64),
            call_time=pl.lit(None, pl.Int64),
            campaign_id=pl.lit(None, pl.Int32),
            agent_id=pl.lit(None, pl.String),
            group_id=pl.lit(None, pl.Int32),
            app_id=pl.lit(None, pl.Int32),
            media_ref=pl.lit(None, pl.Int32),
            email_template_id=pl.lit(None, pl.Int32),
            switch_id=pl.lit(None, pl.Int32),
            treatments=pl.lit(None, pl.String),
            email_subject=pl.lit(None, pl.String),
            chain_n=pl.col("chain_n").cast(pl.Int32),
        )
    )


# --------------------------------------------------------------------------- call results


def load_results(
    settings: Settings, path: Path, *, as_of: datetime | None = None
) -> dict[str, int]:
    """Ingest call results, update record state, caps and statistics (same file twice: no-op)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    prepare_warehouse(settings)
    as_of_utc = _as_utc(as_of)
    table = io.read_table(path, io.ReadOptions())
    try:
        parsed = results.parsed_call_results(table.frame).collect()
    except CxError as exc:
        raise exc.at_file(str(path)) from None
    con = warehouse.connect(settings)
    try:
        records = warehouse.frame(
            con,
            "SELECT r.list_name, r.campaign_group, r.record_id, r.chain_id, r.tz_name, "
            "r.contact_info, r.client_id, r.record_type, r.record_status, r.attempt, "
            "r.call_result, r.call_time, r.dial_sched_time, r.no_call_reason, r.states, "
            "s.retry_interval_minutes "
            "FROM contact_records r LEFT JOIN campaign_settings s USING (list_name)",
        )
        previous = warehouse.frame(con, "SELECT * FROM call_results")
        joined = results.call_results(
            parsed.lazy(), records.drop("retry_interval_minutes").lazy(), previous=previous.lazy()
        ).collect()
        fresh = joined.filter(~pl.col("unknown_record") & ~pl.col("duplicate_result")).join(
            previous.select("result_key"), on="result_key", how="anti"
        )
        rejects = pl.concat(
            [
                table.rejects.select("source_row", "field", "reason", "raw"),
                parsed.filter(pl.col("parse_error").is_not_null()).select(
                    "source_row",
                    pl.col("parse_error_field").alias("field"),
                    pl.col("parse_error").alias("reason"),
                    pl.lit(None, pl.String).alias("raw"),
                ),
                joined.filter(pl.col("unknown_record")).select(
                    "source_row",
                    pl.lit("record_id").alias("field"),
                    pl.lit("unknown record_id").alias("reason"),
                    pl.col("record_id").cast(pl.String).alias("raw"),
                ),
            ],
            how="vertical_relaxed",
        )
        loaded = fresh.with_columns(
            source_file=pl.lit(str(path)), loaded_at=pl.lit(datetime.now(UTC))
        )
        with warehouse.transaction(con):
            _insert(con, "call_results", loaded)
            all_results = warehouse.frame(con, "SELECT * FROM call_results")
            # The retry interval is a list setting: state is computed list by list.
            for (retry,), part in records.group_by(["retry_interval_minutes"]):
                state = results.record_state(
                    part.drop("retry_interval_minutes").lazy(),
                    all_results.lazy(),
                    retry_interval_minutes=int(retry or 60),
                ).collect()
                _update_record_state(con, state)
            dnc = all_results.filter(pl.col("call_result") == 51).join(
                records.select("record_id", "contact_info"), on="record_id"
            )
            con.execute(
                "DELETE FROM suppression_entries WHERE suppression_list = $n",
                {"n": suppression.DNC_RESULTS_LIST},
            )
            _insert(
                con,
                "suppression_entries",
                dnc.select(
                    pl.lit(suppression.DNC_RESULTS_LIST).alias("suppression_list"),
                    pl.col("contact_info").alias("e164"),
                    pl.lit(None, pl.String).alias("client_id"),
                    pl.lit(None, pl.Datetime("us", "UTC")).alias("expires_at"),
                    pl.lit("call_results").alias("source_file"),
                    pl.lit(datetime.now(UTC)).alias("added_at"),
                ).unique(subset=["e164"]),
            )
            _reapply_suppression(con)
            rules_df = warehouse.frame(con, "SELECT * FROM compliance_rules")
            holds = windows.attempt_cap_holds(
                all_results.lazy(), records.lazy(), rules_df.lazy(), as_of_utc
            ).collect()
            con.execute("DELETE FROM chain_holds")
            _insert(con, "chain_holds", holds)
    finally:
        con.close()
    build_statistics(settings)
    known = joined.filter(~pl.col("unknown_record")).height
    return {
        "rows_read": table.rows_read,
        "results_loaded": loaded.height,
        "already_loaded": known - loaded.height,
        "rows_rejected": rejects.height,
    }


_STATE_COLUMNS = (
    "attempt",
    "call_result",
    "call_time",
    "record_status",
    "record_type",
    "dial_sched_time",
    "no_call_reason",
)


def _update_record_state(con: duckdb.DuckDBPyConnection, state: pl.DataFrame) -> None:
    """Write the recomputed state columns back to contact_records (inside a transaction)."""
    frame = state.select("record_id", *_STATE_COLUMNS)
    con.register("_state", frame.to_arrow())
    try:
        con.execute(warehouse.load_sql_statement("update_record_state"))
    finally:
        con.unregister("_state")


# --------------------------------------------------------------------------- statistics


def build_statistics(settings: Settings) -> dict[str, int]:
    """Rebuild list_stats, group_stats, hourly_stats and zone_stats from records and results."""
    prepare_warehouse(settings)
    con = warehouse.connect(settings)
    try:
        records = warehouse.frame(
            con,
            "SELECT list_name, campaign_group, record_id, chain_id, record_type, record_status, "
            "attempt, call_result, tz_name FROM contact_records",
        )
        res = warehouse.frame(con, "SELECT * FROM call_results")
        lists = warehouse.frame(con, "SELECT name AS list_name, campaign_group FROM contact_lists")
        per_list = stats.list_stats(records.lazy(), res.lazy()).collect()
        missing = lists.join(per_list.select("list_name"), on="list_name", how="anti")
        if missing.height:
            # Lists without records still get a row: zero counts, rates left null.
            counts = [c for c, t in per_list.schema.items() if t.is_integer()]
            per_list = pl.concat([per_list, missing], how="diagonal_relaxed").with_columns(
                pl.col(counts).fill_null(0)
            )
        per_group = stats.group_stats(per_list.lazy()).collect()
        per_list = per_list.join(
            stats.completion_estimates(records.lazy(), res.lazy()).collect(),
            on="list_name",
            how="left",
        )
        hourly = stats.hourly_stats(res.lazy(), records.lazy()).collect()
        per_zone = stats.zone_stats(records.lazy(), res.lazy()).collect()
        with warehouse.transaction(con):
            for name, frame in (
                ("list_stats", per_list),
                ("group_stats", per_group),
                ("hourly_stats", hourly),
                ("zone_stats", per_zone),
            ):
                con.execute(
                    f"DELETE FROM {warehouse.quote_identifier(name, set(warehouse.RELATIONS))}"
                )  # noqa: S608
                _insert(con, name, frame)
    finally:
        con.close()
    return {"lists": per_list.height, "groups": per_group.height, "hourly_rows": hourly.height}


# --------------------------------------------------------------------------- reports and export


REPORT_TABLES = (
    "list_stats",
    "group_stats",
    "zone_stats",
    "not_dialable_summary",
    "rejection_summary",
    "hourly_stats",
    "ingest_runs",
)


def write_reports(settings: Settings, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
    """Export the statistics as HTML (with charts), Excel and/or CSV into out_dir."""
    from cxpipeline.reports import excel, html, tabular

    con = warehouse.connect(settings, read_only=True)
    try:
        tables = {
            name: warehouse.frame(
                con,
                f"SELECT * FROM {warehouse.quote_identifier(name, set(REPORT_TABLES))}",  # noqa: S608
            )
            for name in REPORT_TABLES
        }
    finally:
        con.close()
    out_dir = Path(out_dir)
    written: list[Path] = []
    now = datetime.now(UTC)
    if "html" in formats:
        written.append(
            html.write_html_report(
                tables,
                out_dir / "report.html",
                title="cxpipeline campaign report",
                generated_at=now,
            )
        )
    if "xlsx" in formats:
        written.append(excel.write_xlsx_report(tables, out_dir / "report.xlsx"))
    if "csv" in formats:
        written.extend(tabular.write_csv_report(tables, out_dir))
    return written


def export_list(settings: Settings, list_name: str, out: Path, fmt: str = "genesys") -> Path:
    """Write one contact list in the dialer's import format (genesys CSV, parquet or csv)."""
    from cxpipeline.reports import tabular

    con = warehouse.connect(settings, read_only=True)
    try:
        records = warehouse.frame(
            con,
            "SELECT * FROM contact_records WHERE list_name = $l ORDER BY chain_id, chain_n",
            {"l": list_name},
        )
    finally:
        con.close()
    if records.height == 0:
        raise InputError(f"contact list {list_name!r} has no records", field="--list")
    frame = export_tx.genesys_calling_list(
        records.lazy(), default_zone=settings.default_window_zone
    ).collect()
    out = Path(out)
    if fmt == "parquet":
        return io.write_parquet(frame, out)
    return io.write_csv(tabular.safe_cells(frame), out)
