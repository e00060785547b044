"""Make data/sample/call_results.csv from the records the demo ingests (seeded, reproducible).

Usage: .venv/bin/python scripts/make_sample_results.py
Record ids exist only after ingest, so this ingests the sample lists into a temporary home
first (record ids are deterministic: list id × 10**10 + ordinal), then draws results for them.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cxpipeline import generate, io
from cxpipeline.demo import run_demo
from cxpipeline.settings import REPO_ROOT, Settings

START = datetime(2026, 11, 16, tzinfo=UTC)
DAYS = 5
SEED = 42


def main() -> None:
    """Ingest the sample, draw call results, write them next to the sample lists."""
    sample = REPO_ROOT / "data" / "sample"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.build(Path(tmp))
        target = sample / "call_results.csv"
        run_demo(settings, as_of=START, with_results=False)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            records = con.sql(
                "SELECT record_id, chain_id, contact_info, tz_name FROM contact_records "
                "WHERE record_type <> 7 ORDER BY record_id"
            ).pl()
    results = generate.synthetic_call_results(
        records.lazy(), start=START, days=DAYS, seed=SEED
    ).collect()
    io.write_csv(results, target)
    print(f"wrote {results.height:,} call results to {target}")


if __name__ == "__main__":
    main()
