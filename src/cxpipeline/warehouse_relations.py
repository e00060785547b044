"""The warehouse's relations, in the order `warehouse.migrate` creates them."""

from __future__ import annotations

#: Relations in creation order: tables first, then views that read them.
#: Every file in sql/ must be listed here (a test checks it) so nothing is created by accident.
RELATIONS: tuple[str, ...] = (
    "warehouse_schema",
    "dialing_profiles",
    "session_profiles",
    "campaign_templates",
    "campaign_groups",
    "contact_lists",
    "compliance_rules",
    "suppression_entries",
    "ingest_runs",
    "rejected_rows",
    "contact_records",
    "record_identities",
    "window_keys",
    "call_results",
    "call_buckets",
    "chain_holds",
    "state_inputs",
    "list_stats",
    "group_stats",
    "hourly_stats",
    "zone_stats",
    "hour_weekday_stats",
    "daily_stats",
    "abandonment_30d",
    "dialable_today",
    "campaign_settings",
    "dialable_windows",
    "dialable_now",
    "rejection_summary",
    "not_dialable_summary",
)
