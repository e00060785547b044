from __future__ import annotations

import cxpipeline.generate as generate

# Names the CLI, the scripts and other tests import from cxpipeline.generate.
PUBLIC = (
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
)


def test_public_names_importable_from_the_package() -> None:
    for name in PUBLIC:
        assert hasattr(generate, name), name
    assert set(PUBLIC) <= set(generate.__all__)
