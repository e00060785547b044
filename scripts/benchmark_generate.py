"""Benchmark the synthetic contact-list generator: rows per second and peak memory."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from cxpipeline.generate import write_contact_list


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(customers: int, fmt: str, chunk_rows: int, out_dir: Path) -> None:
    """Write one list of `customers` customers and print throughput, file size and peak memory."""
    target = out_dir / f"bench_{customers}.{fmt}"
    began = time.perf_counter()
    write_contact_list(target, customers, seed=42, chunk_rows=chunk_rows, fmt=fmt)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - began
    size_mb = target.stat().st_size / 1e6
    print(
        f"{customers:>12,} customers  {fmt:<7}  {elapsed:8.1f} s  "
        f"{customers / elapsed:>10,.0f} customers/s  {size_mb:8.1f} MB  "
        f"peak RSS {_peak_rss_mb():,.0f} MiB"
    )
    target.unlink()


def main() -> None:
    """Parse arguments and run the benchmark for each requested size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--chunk-rows", type=int, default=1_000_000)
    parser.add_argument("--out-dir", type=Path, default=None, help="default: a temporary folder")
    args = parser.parse_args()
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            run(size, args.format, args.chunk_rows, args.out_dir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            run(size, args.format, args.chunk_rows, Path(tmp))


if __name__ == "__main__":
    main()
