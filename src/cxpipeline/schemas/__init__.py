"""Pandera (polars) schemas of every frame that crosses a boundary, and row-level validation.

One package, one model per table a step writes; every column carries a description.
`validated(frame, model)` checks a collected frame with `lazy=True`, so every failure of a file
is found in one pass, and splits it into valid rows and rejects (`cxpipeline.rejects`).
Integer widths follow the warehouse DDL (INTEGER → Int32, BIGINT → Int64); models of frames we
build ourselves coerce, so a stage may hand over Int64 where Int32 is stored.
"""

from cxpipeline.rejects import REJECT_SCHEMA
from cxpipeline.schemas.bookkeeping import (
    ChainHold,
    IngestRun,
    RejectedRow,
    StateInputs,
    SuppressionEntry,
    WindowKeyRow,
    checked,
)
from cxpipeline.schemas.input_rows import InputRow
from cxpipeline.schemas.records import CallingListRecord
from cxpipeline.schemas.results import CallResultRow
from cxpipeline.schemas.statistics import (
    CallBucketRow,
    GroupStatsRow,
    HourlyStatsRow,
    ListStatsRow,
    ZoneStatsRow,
    validated_statistics,
)
from cxpipeline.schemas.validation import validated

__all__ = [
    "REJECT_SCHEMA",
    "ChainHold",
    "IngestRun",
    "RejectedRow",
    "StateInputs",
    "SuppressionEntry",
    "WindowKeyRow",
    "checked",
    "CallBucketRow",
    "CallResultRow",
    "CallingListRecord",
    "GroupStatsRow",
    "HourlyStatsRow",
    "InputRow",
    "ListStatsRow",
    "ZoneStatsRow",
    "validated",
    "validated_statistics",
]
