"""Pandera models of the stored columns no step model covers: audit columns, registries, views.

They document the warehouse (schemas/catalog.py turns every description into a DuckDB COMMENT
and docs/warehouse.md); the step models stay the ones that validate what a step writes.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

_UTC = Annotated[pl.Datetime, "us", "UTC"]


def _doc(description: str) -> Any:
    return pa.Field(nullable=True, description=description)


class _Doc(pa.DataFrameModel):
    class Config(BaseConfig):
        """Documentation models: other columns allowed, types coerced."""

        strict = False
        coerce = True


class StoredRecordColumns(_Doc):
    """Audit and user columns of contact_records beyond the dialer's record."""

    first_name: str = _doc("First name from the file.")
    last_name: str = _doc("Last name from the file.")
    company: str = _doc("Company from the file.")
    country_code_iso: str = _doc("ISO 3166 country of the number.")
    states: list[str] = _doc("US states whose rules apply (from postal code and area code).")
    phone_field: str = _doc("Input column the number came from (e.g. home_phone).")
    number_type: str = _doc("Number type from the phone library (mobile, fixed_line, ...).")
    extension: str = _doc("Extension of a business number, if any.")
    area_code: str = _doc("Area code (NANP) or national destination code.")
    duplicate_count: pl.Int32 = _doc(
        "Input rows collapsed into this record (same person and number)."
    )
    shared_number: bool = _doc("The same number appears in another chain of the list.")
    window_key: pl.UInt64 = _doc("Key of the record's calling windows (table window_keys).")
    user_fields: str = _doc("JSON object of the input columns the import spec did not map.")
    other1: str = _doc("User column 1 passed to the dialer (import spec `other1`).")
    other2: str = _doc("User column 2 passed to the dialer.")
    other3: str = _doc("User column 3 passed to the dialer.")
    other4: str = _doc("User column 4 passed to the dialer.")
    other5: str = _doc("User column 5 passed to the dialer.")
    other6: str = _doc("User column 6 passed to the dialer.")
    other7: str = _doc("User column 7 passed to the dialer.")
    other8: str = _doc("User column 8 passed to the dialer.")
    other9: str = _doc("User column 9 passed to the dialer.")
    other10: str = _doc("User column 10 passed to the dialer.")
    other11: str = _doc("User column 11 passed to the dialer.")
    other12: str = _doc("User column 12 passed to the dialer.")
    other13: str = _doc("User column 13 passed to the dialer.")
    other14: str = _doc("User column 14 passed to the dialer.")
    other15: str = _doc("User column 15 passed to the dialer.")
    other16: str = _doc("User column 16 passed to the dialer.")
    other17: str = _doc("User column 17 passed to the dialer.")
    other18: str = _doc("User column 18 passed to the dialer.")
    other19: str = _doc("User column 19 passed to the dialer.")
    other20: str = _doc("User column 20 passed to the dialer.")
    chain_key: str = _doc("The person the chain was built from: id:<client_id> or key columns.")
    run_id: str = _doc("Ingest run that wrote the record (table ingest_runs).")


class RecordIdentity(_Doc):
    """Every (list, person, number, extension) ever ingested and its ids; never deleted."""

    list_name: str = _doc("Contact list.")
    chain_key: str = _doc("The person: id:<client_id>, else the chain key columns.")
    e164: str = _doc("Phone number, E.164.")
    extension: str = _doc("Extension, if any.")
    record_id: pl.Int64 = _doc("Record id given to this person's number; never reused.")
    chain_id: pl.Int64 = _doc("Chain id of the person.")
    first_run_id: str = _doc("Ingest run that first gave this id.")
    first_seen_at: _UTC = _doc("When the id was first given.")


class StoredResultColumns(_Doc):
    """Columns of call_results beyond a results file's row."""

    source_file: str = _doc("The call results file it was loaded from.")
    loaded_at: _UTC = _doc("When it was loaded.")


class IngestRunColumns(_Doc):
    """Columns of ingest_runs beyond the row accounting."""

    input_key: str = _doc("Hash of file, list, group, mode, spec, options, as-of: the no-op key.")
    duplicate_rows: pl.Int64 = _doc("Rows repeating another row of the file (same content).")
    phone_values: pl.Int64 = _doc("Non-empty phone values of the accepted rows.")
    phones_rejected: pl.Int64 = _doc("Phone values refused (rejected_rows, kind phone).")
    records_kept: pl.Int64 = _doc("Replace: ids the list had before and has now.")
    records_added: pl.Int64 = _doc("Ids new to the list.")
    records_removed: pl.Int64 = _doc("Replace: ids the list no longer has (history kept).")
    message: str = _doc("Why a run failed or was unchanged.")
    as_of: _UTC = _doc("Planning time of the run.")
    horizon_days: pl.Int32 = _doc("Days of windows planned.")
    finished_at: _UTC = _doc("When the run finished.")


class WindowKeyColumns(_Doc):
    """Columns of window_keys beyond a planned window."""

    as_of: _UTC = _doc("Horizon start the windows were planned from.")


class StatsColumns(_Doc):
    """Measures of list_stats and group_stats beyond the shared dashboard measures."""

    connected_records: pl.Int64 = _doc("Distinct records with a connect (33).")
    records_finished: pl.Int64 = _doc("Dialable records with status 3 Updated or 7 Chain Updated.")
    records_remaining: pl.Int64 = _doc("Dialable records not finished.")
    sit_rate: pl.Float64 = _doc("invalid_number / attempts (null without attempts).")
    finished_last_24h: pl.Int64 = _doc("Records finished in the 24 h before the last call.")
    completion_per_hour: pl.Float64 = _doc("finished_last_24h / 24.")
    est_hours_to_complete: pl.Float64 = _doc("records_remaining / completion_per_hour.")


class ComplianceRuleRow(_Doc):
    """One compliance rule (jurisdiction × day set × version): seed CSV plus overrides."""

    jurisdiction: str = _doc("'US' (federal), 'CAN' (Canada) or a state or territory code.")
    purpose: str = _doc("Purpose it binds: telemarketing, collections, informational or all.")
    days: str = _doc("Days it covers: Mon-Sun, Mon-Fri, Sat, Sun, ...")
    start_local: str = _doc("First minute calls are allowed, HH:MM in clock (empty: no calls).")
    end_local: str = _doc("End of the allowed time, HH:MM in clock (up to 24:00).")
    clock: str = _doc("'local' (the record's zone) or a fixed IANA zone such as Etc/GMT+6.")
    holiday_ban: bool = _doc("No calls on the jurisdiction's legal holidays.")
    max_attempts: pl.Int64 = _doc("Calls per chain per attempt_window_hours (null: no cap).")
    attempt_window_hours: pl.Int64 = _doc("Hours of the attempt cap's sliding window.")
    area_code_presumption: bool = _doc("The state's rules apply to its area codes, wherever.")
    effective_from: pl.Date = _doc("First local date the version is in force.")
    effective_to: pl.Date = _doc("First local date no longer in force (null: open).")
    confidence: str = _doc("How sure the research is (seed rules).")
    source: str = _doc("Statute or source of the rule.")
    origin: str = _doc("Seed CSV or overrides file it came from.")
    origin_row: pl.Int64 = _doc("1-based row or rule entry in origin.")


class DialableWindow(_Doc):
    """One row per record and calling window; No Call records have none (view)."""

    list_name: str = _doc("Contact list.")
    record_id: pl.Int64 = _doc("Record.")
    chain_id: pl.Int64 = _doc("Chain of the record.")
    window_start_utc: _UTC = _doc("Window start (inclusive), cut at the chain's attempt-cap hold.")
    window_end_utc: _UTC = _doc("Window end (exclusive): no call starts at or after it.")
    start_rule: str = _doc("Rule that bounds the start, e.g. 'state:CT' or 'attempt_cap:FL'.")
    end_rule: str = _doc("Rule that bounds the end, e.g. 'stop_margin:federal'.")
    rule: str = _doc("'<start_rule>..<end_rule>'.")
    window_key: pl.UInt64 = _doc("Window key of the record.")


class DialableNow(DialableWindow):
    """Records that may be dialed at this moment: their window contains now() (view)."""


class RejectionSummaryRow(_Doc):
    """Rejected rows and values per list, run, kind, field and reason: what to fix (view)."""

    list_name: str = _doc("Contact list (null: results of unknown records, suppression files).")
    run_id: str = _doc("Ingest run, results load or suppression:<list>.")
    kind: str = _doc("row, phone, record, result or suppression.")
    field: str = _doc("Input column at fault, if one.")
    reason: str = _doc("Why it was refused.")
    rejected: pl.Int64 = _doc("Rows or values refused.")


class NotDialableRow(_Doc):
    """No Call records per list and reason: suppression list, toll-free, DNC result (view)."""

    list_name: str = _doc("Contact list.")
    campaign_group: str = _doc("Campaign group of the list.")
    reason: str = _doc("no_call_reason, e.g. 'suppressed:state_dnc' or 'toll_free'.")
    records: pl.Int64 = _doc("No Call records.")


class CampaignObjectColumns(_Doc):
    """Columns of the campaign-object tables and campaign_settings besides the setting keys."""

    name: str = _doc("Name of the object (unique per table).")
    is_default: bool = _doc("The default profile of its kind (exactly one row is true).")
    dialing_profile: str = _doc("Dialing profile of the template (null: the default one).")
    session_profile: str = _doc("Session profile of the template (null: the default one).")
    campaign_template: str = _doc("Campaign template the group is made from.")
    agent_group: str = _doc("Agent group that works the campaign group.")
    campaign_group: str = _doc("Campaign group of the list.")
    list_id: pl.Int32 = _doc("Stable list number: record_id = list_id * 10**10 + n.")
    list_name: str = _doc("Contact list.")
    dialing_profile_source: str = _doc("'template' or 'default': where dialing_profile is from.")
    session_profile_source: str = _doc("'template' or 'default': where session_profile is from.")
    created_at: _UTC = _doc("When the object was first applied.")
    updated_at: _UTC = _doc("When its declaration last changed.")
