"""Synthetic contact lists, suppression lists and call results of any size (seeded, vectorised).

Modules: streams (seeded SplitMix64 random streams), names, places (ZIPs, Canada, abroad),
phone_numbers and phone_spellings (the four phone slots), customers, suppression_lists,
call_results, contact_files (chunked CSV/Parquet), sample (data/sample) and command (the CLI).
"""

from __future__ import annotations

from cxpipeline.generate.call_results import RESULT_MIX, synthetic_call_results
from cxpipeline.generate.columns import (
    CALL_RESULT_COLUMNS,
    CUSTOMER_COLUMNS,
    PHONE_COLUMNS,
    REQUIRED_STATES,
    SUPPRESSION_COLUMNS,
    Region,
)
from cxpipeline.generate.command import main
from cxpipeline.generate.contact_files import write_contact_list
from cxpipeline.generate.customers import synthetic_customers
from cxpipeline.generate.sample import SAMPLE_LISTS, SAMPLE_SUPPRESSION, generate_sample
from cxpipeline.generate.suppression_lists import synthetic_suppression

__all__ = [
    "CALL_RESULT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "PHONE_COLUMNS",
    "REQUIRED_STATES",
    "RESULT_MIX",
    "SAMPLE_LISTS",
    "SAMPLE_SUPPRESSION",
    "SUPPRESSION_COLUMNS",
    "Region",
    "generate_sample",
    "main",
    "synthetic_call_results",
    "synthetic_customers",
    "synthetic_suppression",
    "write_contact_list",
]
