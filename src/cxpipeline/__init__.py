"""cxpipeline: contact lists in, dialer-ready and law-abiding calling lists out."""

import os
from typing import Final, Literal

import polars as pl

__version__ = "0.1.0"

#: Polars engine for every `collect()` that names none (sinks name theirs: streaming).
#: Polars 2's default, `auto`, runs them streaming; our collects are over chunks and
#: partitions already bounded in size, where the in-memory engine measured faster and no
#: larger (100k benchmark: ingest 9.5 -> 8.3 s, statistics 1.71 -> 1.16 s, every step's peak
#: RSS lower; 500k ingest 57 -> 50 s, peak 795 -> 667 MiB), and pandera's many small
#: collects per validation ~2.3x faster. An engine set in the environment wins.
POLARS_ENGINE: Final[Literal["in-memory"]] = "in-memory"

if "POLARS_ENGINE_AFFINITY" not in os.environ:
    pl.Config.set_engine_affinity(POLARS_ENGINE)

#: pyarrow's allocator (it reads Parquet inputs in batches and writes sliced files): the
#: system's, which hands freed memory back, instead of mimalloc, which keeps it for reuse. A
#: 9.4 M-result load typed in pyarrow batches then peaked 846-935 MiB in its later steps
#: against 788-876 (no change to an ingest's time or peak). Read when pyarrow makes its first
#: allocation, so it applies unless pyarrow allocated before this import; the environment wins.
ARROW_MEMORY_POOL: Final = "system"

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", ARROW_MEMORY_POOL)
