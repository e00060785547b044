"""The one typed settings object, built once by the CLI or a flow and passed down."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

#: The repository root when installed in editable mode (data/sample lives here).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: DDL, views and named statements: package data, so a normal install finds them too
#: (the repository's top-level `sql/` is a link to this folder).
SQL_DIR = Path(__file__).resolve().parent / "sql"


class InputLimits(BaseModel):
    """Bounds on one input file, each checked before the work it bounds (a one-line error)."""

    model_config = ConfigDict(frozen=True)

    max_sheet_cells: int = Field(
        default=20_000_000, ge=1, description="Cells a workbook sheet may declare (rows x columns)."
    )
    max_columns: int = Field(default=1_000, ge=1, description="Columns an input file may have.")
    max_phone_columns: int = Field(
        default=50, ge=1, description="Phone columns a contact list may map."
    )
    max_field_chars: int = Field(default=10_000, ge=1, description="Characters one field may hold.")


class Settings(BaseModel):
    """Where the warehouse and lake live and the defaults every stage shares."""

    model_config = ConfigDict(frozen=True)

    home: Path = Field(description="Home folder: warehouse.duckdb and lake/ live here.")
    default_country: str = Field("US", description="ISO region for numbers without country code.")
    horizon_days: int = Field(7, ge=1, le=366, description="Days of windows to plan.")
    default_window_start: time = Field(time(14, 0), description="Window for zoneless records.")
    default_window_end: time = Field(time(20, 0), description="Window end for zoneless records.")
    default_window_zone: str = Field("America/New_York", description="Zone of the default window.")
    stop_margin_minutes: int = Field(
        5, ge=0, le=240, description="No call may start later than window end minus this."
    )
    chain_key_fallback: tuple[str, ...] = Field(
        ("last_name", "postal_code"),
        description="Columns that identify a customer when client_id is empty.",
    )
    replace_max_removed_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A replace that would remove more than this share of a list needs --force.",
    )
    ingest_chunk_rows: int = Field(
        # 100,000: the 500k-row list ingests in 27 s instead of 31 s (enrich 15 -> 12 s)
        # with the same peak (its enrich peak 535 -> 687 MiB, under the commit's); 200,000
        # gained little more and peaked at 977 MiB (docs/performance.md).
        100_000,
        ge=1,
        description="Input rows enriched at a time by ingest: bounds its memory, not its result.",
    )
    statistics_slice_records: int = Field(
        # 1,000,000: a list of up to a million records is read in one batch with the other
        # inputs (as fast as before the slices); the 5M list's statistics 8.8-10.9 s within
        # 761 MiB, against 3.5 GiB in one piece (docs/performance.md).
        1_000_000,
        ge=1,
        description=(
            "Records the statistics read and sum at a time (whole chains): bounds their "
            "memory, not their result."
        ),
    )
    input_limits: InputLimits = Field(
        default_factory=InputLimits, description="Bounds on the size and shape of an input."
    )
    write_lock_timeout_seconds: float = Field(
        600, ge=0, description="How long a writing step waits for another writer of the home."
    )
    warehouse_memory_mb: int | None = Field(
        512,
        ge=64,
        description=(
            "Memory DuckDB may use for the statements of an ingest's commit, a results "
            "load and a plan, for the statistics' reads, and for every checkpoint (MiB; "
            "None: DuckDB's default); a statement that needs more runs the step again "
            "without the bound; a results load's and a plan's COMMIT run within it too, an "
            "ingest's COMMIT (which registers identities in a unique index) without it; a "
            "results load uses at most 256 (`steps.results.RESULTS_LOAD_MB`), the "
            "statistics' reads 384 (`steps.statistics.STATISTICS_READ_MB`)."
        ),
    )

    @property
    def warehouse_path(self) -> Path:
        """DuckDB file of the warehouse."""
        return self.home / "warehouse.duckdb"

    @property
    def lake(self) -> Path:
        """Root of the Parquet lake."""
        return self.home / "lake"

    @property
    def reference_dir(self) -> Path:
        """Cache of the reference lookups (zones, prefixes, rules) built from packaged data."""
        return self.home / "reference"

    @property
    def sql_dir(self) -> Path:
        """Folder of the SQL files, one relation per file."""
        return SQL_DIR

    @property
    def sample_dir(self) -> Path:
        """The committed sample data set."""
        return REPO_ROOT / "data" / "sample"

    @classmethod
    def build(cls, home: Path | str | None = None, **overrides: object) -> Settings:
        """Build settings: explicit home, else $CXPIPELINE_HOME, else ./data."""
        chosen = home or os.environ.get("CXPIPELINE_HOME") or Path.cwd() / "data"
        if Path(chosen).exists() and not Path(chosen).is_dir():
            # Imported here: errors and settings are both on the lowest floor.
            from cxpipeline.errors import CxError

            raise CxError("the home must be a folder, not a file", file=str(chosen), field="--home")
        return cls(home=Path(chosen).resolve(), **overrides)  # type: ignore[arg-type]
