"""`python -m cxpipeline.generate`: write the sample, or one contact list of any size."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from cxpipeline.generate.contact_files import write_contact_list
from cxpipeline.generate.sample import generate_sample

# The package's docstring, shown by --help as before the package was split.
_DESCRIPTION = (
    "Synthetic contact lists, suppression lists and call results of any size (seeded, vectorised)."
)


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m cxpipeline.generate`: write the sample, or one contact list of any size."""
    parser = argparse.ArgumentParser(prog="python -m cxpipeline.generate", description=_DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="write the sample lists and suppression list")
    sample.add_argument("out_dir", type=Path)
    sample.add_argument("--customers", type=int, default=2000)
    sample.add_argument("--seed", type=int, default=42)
    big = sub.add_parser("list", help="write one contact list of N customers")
    big.add_argument("path", type=Path)
    big.add_argument("--customers", type=int, required=True)
    big.add_argument("--seed", type=int, default=42)
    big.add_argument("--start-client-id", type=int, default=1)
    big.add_argument("--chunk-rows", type=int, default=1_000_000)
    big.add_argument("--format", choices=("csv", "parquet"), default="csv")
    big.add_argument("--region", choices=("east", "west"), default=None)
    args = parser.parse_args(argv)
    if args.command == "sample":
        for key, path in generate_sample(args.out_dir, args.customers, args.seed).items():
            print(f"{key}: {path}")
    else:
        path = write_contact_list(
            args.path,
            args.customers,
            args.seed,
            start_client_id=args.start_client_id,
            chunk_rows=args.chunk_rows,
            fmt=args.format,
            region=args.region,
        )
        print(path)
