"""The committed sample (data/sample): three contact lists and a suppression list."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline import io
from cxpipeline.generate.columns import Region
from cxpipeline.generate.customers import synthetic_customers
from cxpipeline.generate.suppression_lists import synthetic_suppression

#: The committed sample: (key, file name, share of customers, first client id, region).
SAMPLE_LISTS: tuple[tuple[str, str, float, int, Region], ...] = (
    ("east_q4", "contacts_east_q4.csv", 0.5, 100_001, "east"),
    ("east_retry", "contacts_east_retry.csv", 0.2, 200_001, "east"),
    ("west_q4", "contacts_west_q4.csv", 0.3, 300_001, "west"),
)
SAMPLE_SUPPRESSION = ("suppression_dnc", "suppression_dnc.csv", 0.03)


def generate_sample(out_dir: Path, customers: int = 2000, seed: int = 42) -> dict[str, Path]:
    """Write the three sample contact lists and the suppression list; return key -> path.

    Keys: east_q4, east_retry, west_q4 (50/20/30% of `customers`, client ids from 100001,
    200001, 300001) and suppression_dnc (~3% of all customers). Exactly how data/sample was made.
    """
    out_dir = Path(out_dir)
    written: dict[str, Path] = {}
    frames: list[pl.DataFrame] = []
    allotted = 0
    for i, (key, name, share, first_id, region) in enumerate(SAMPLE_LISTS):
        count = customers - allotted if i == len(SAMPLE_LISTS) - 1 else round(customers * share)
        allotted += count
        frame = synthetic_customers(count, seed, start_client_id=first_id, region=region).collect()
        written[key] = io.write_csv(frame, out_dir / name)
        frames.append(frame)
    key, name, fraction = SAMPLE_SUPPRESSION
    dnc = synthetic_suppression(pl.concat(frames).lazy(), fraction, seed).collect()
    written[key] = io.write_csv(dnc, out_dir / name)
    return written
