from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from cxpipeline.generate.columns import CUSTOMER_COLUMNS, REQUIRED_STATES
from cxpipeline.generate.sample import generate_sample

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


def test_generate_sample_matches_committed_sample(tmp_path: Path) -> None:
    written = generate_sample(tmp_path)
    assert set(written) == {"east_q4", "east_retry", "west_q4", "suppression_dnc"}
    for path in written.values():
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), committed
        assert path.read_bytes() == committed.read_bytes(), path.name


def test_sample_lists_sizes_ranges_and_states() -> None:
    lists = {
        name: pl.read_csv(SAMPLE_DIR / f"contacts_{name}.csv", infer_schema=False)
        for name in ("east_q4", "east_retry", "west_q4")
    }
    sizes = {name: frame["client_id"].n_unique() for name, frame in lists.items()}
    assert sizes == {"east_q4": 1000, "east_retry": 400, "west_q4": 600}
    ranges = [(f["client_id"].min(), f["client_id"].max()) for f in lists.values()]
    ordered = sorted(ranges)
    assert all(a[1] < b[0] for a, b in zip(ordered, ordered[1:], strict=False))  # type: ignore[operator]
    for frame in lists.values():
        assert set(REQUIRED_STATES) <= set(frame["state_code"].drop_nulls())
    dnc = pl.read_csv(SAMPLE_DIR / "suppression_dnc.csv", infer_schema=False)
    everyone = pl.concat(lists.values())["client_id"]
    assert set(dnc["client_id"].drop_nulls()) <= set(everyone)
    assert 30 <= dnc.height <= 100


def test_csv_sample_has_no_stray_structure() -> None:
    text = (SAMPLE_DIR / "contacts_east_q4.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == ",".join(CUSTOMER_COLUMNS)
    assert re.search(r"Muñoz|Zoë|Núñez|Peña", text)
