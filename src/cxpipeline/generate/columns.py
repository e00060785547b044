"""Column layouts of the generated files and the states every sample must show."""

from __future__ import annotations

from typing import Literal

#: Output columns of a synthetic contact list (docs/contract.md §2 headers).
CUSTOMER_COLUMNS: tuple[str, ...] = (
    "client_id",
    "first_name",
    "last_name",
    "company",
    "home_phone",
    "business_phone",
    "mobile_phone",
    "phone4",
    "postal_code",
    "state_code",
    "country_code_iso",
    "tz",
    "other1",
    "other2",
    "other3",
)
PHONE_COLUMNS: tuple[str, ...] = ("home_phone", "business_phone", "mobile_phone", "phone4")
SUPPRESSION_COLUMNS: tuple[str, ...] = ("phone", "client_id", "expires_at")
CALL_RESULT_COLUMNS: tuple[str, ...] = (
    "record_id",
    "call_time",
    "call_result",
    "attempt",
    "agent_id",
    "duration_s",
    "disposition",
)
#: States the issue asks to see in every sample (strict calling rules or unusual zones).
REQUIRED_STATES: tuple[str, ...] = ("FL", "TX", "CT", "MS", "LA", "AZ", "IN", "HI", "AK")

Region = Literal["east", "west"]
