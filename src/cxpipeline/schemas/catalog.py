"""The warehouse catalogue: a description of every relation and column, from the schema models.

One source of truth: the Pandera models' docstrings and column descriptions (and, for the
campaign-object tables, the setting keys of `campaigns.model.SETTINGS`). `warehouse.migrate`
stores them as DuckDB comments; docs/warehouse.md is rendered from those comments
(`render_markdown`, scripts/warehouse_docs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandera.polars as pa

from cxpipeline.campaigns.model import SETTINGS, Setting
from cxpipeline.schemas import warehouse_columns as wc
from cxpipeline.schemas.bookkeeping import (
    ChainHold,
    IngestRun,
    RejectedRow,
    StateInputs,
    SuppressionEntry,
    WarehouseSchema,
    WindowKeyRow,
)
from cxpipeline.schemas.ops_statistics import OPS_STATISTICS_MODELS
from cxpipeline.schemas.records import CallingListRecord
from cxpipeline.schemas.results import CallResultRow
from cxpipeline.schemas.statistics import (
    CallBucketRow,
    GroupStatsRow,
    HourlyStatsRow,
    ListStatsRow,
    ZoneStatsRow,
)

Model = type[pa.DataFrameModel]

#: The models that describe each relation; the first one's docstring describes the relation and
#: a column's description comes from the first model that has the column.
RELATION_MODELS: dict[str, tuple[Model, ...]] = {
    "warehouse_schema": (WarehouseSchema,),
    "compliance_rules": (wc.ComplianceRuleRow,),
    "suppression_entries": (SuppressionEntry,),
    "ingest_runs": (IngestRun, wc.IngestRunColumns),
    "rejected_rows": (RejectedRow,),
    "contact_records": (CallingListRecord, wc.StoredRecordColumns),
    "record_identities": (wc.RecordIdentity,),
    "window_keys": (WindowKeyRow, wc.WindowKeyColumns),
    "call_results": (CallResultRow, wc.StoredResultColumns),
    "call_buckets": (CallBucketRow,),
    "chain_holds": (ChainHold,),
    "state_inputs": (StateInputs,),
    "list_stats": (ListStatsRow, wc.StatsColumns),
    "group_stats": (GroupStatsRow, wc.StatsColumns),
    "hourly_stats": (HourlyStatsRow,),
    "zone_stats": (ZoneStatsRow,),
    **{name: (model,) for name, model in OPS_STATISTICS_MODELS.items()},
    "dialable_windows": (wc.DialableWindow,),
    "dialable_now": (wc.DialableNow,),
    "rejection_summary": (wc.RejectionSummaryRow,),
    "not_dialable_summary": (wc.NotDialableRow,),
}

#: The campaign-object tables (campaigns.yaml) and the view of effective settings.
CAMPAIGN_RELATIONS: dict[str, str] = {
    "dialing_profiles": "Dialing profiles: dialing mode, pacing, contact hours and retries.",
    "session_profiles": "Session profiles: application, trunk group, routing point and queue.",
    "campaign_templates": "Campaign templates: one dialing and one session profile; overrides.",
    "campaign_groups": "Campaign groups: made from a template, worked by one agent group.",
    "contact_lists": "Contact lists: one campaign group each; overrides of the settings.",
    "campaign_settings": "Effective settings of every contact list and where each comes from.",
}


@dataclass(frozen=True)
class RelationDoc:
    """What the catalogue says about one relation."""

    description: str
    columns: dict[str, str]


def _model_description(model: Model) -> str:
    """Return the first line of a model's docstring without its '(table x)' or '(view)' tail."""
    first = (model.__doc__ or "").strip().splitlines()[0]
    return re.sub(r"\s*\((?:table|view)[^)]*\)", "", first).strip()


def _model_columns(models: tuple[Model, ...]) -> dict[str, str]:
    """Column descriptions of the models, the first model's description winning."""
    columns: dict[str, str] = {}
    for model in models:
        for name, column in model.to_schema().columns.items():
            if column.description and name not in columns:
                columns[str(name)] = column.description
    return columns


def _setting_description(setting: Setting) -> str:
    """Describe a setting column of an object table."""
    default = "" if setting.default is None else f"; built-in default {setting.default!r}"
    return f"Setting {setting.key} ({setting.kind} key); null: inherited from the level above" + (
        default + "."
    )


def _campaign_columns(effective: bool) -> dict[str, str]:
    """Columns of the campaign tables (effective=False) or of campaign_settings (True)."""
    columns = _model_columns((wc.CampaignObjectColumns,))
    for setting in SETTINGS:
        if effective:
            default = "null" if setting.default is None else repr(setting.default)
            columns[setting.key] = f"Effective {setting.key} of the list (built-in: {default})."
            columns[f"{setting.key}_source"] = (
                f"Where {setting.key} comes from: list, group, template, dialing_profile:<name>, "
                "session_profile:<name>, default_*_profile:<name>, builtin, or null."
            )
        else:
            columns[setting.key] = _setting_description(setting)
    return columns


def relation_docs() -> dict[str, RelationDoc]:
    """Return the description of every documented relation and of its columns."""
    docs = {
        name: RelationDoc(_model_description(models[0]), _model_columns(models))
        for name, models in RELATION_MODELS.items()
    }
    for name, text in CAMPAIGN_RELATIONS.items():
        docs[name] = RelationDoc(text, _campaign_columns(name == "campaign_settings"))
    return docs


@dataclass(frozen=True)
class DescribedColumn:
    """A stored column as the warehouse has it: name, type and comment."""

    name: str
    data_type: str
    comment: str | None


@dataclass(frozen=True)
class DescribedRelation:
    """A stored relation as the warehouse has it."""

    name: str
    kind: str
    comment: str | None
    columns: tuple[DescribedColumn, ...]


def _cell(text: str | None) -> str:
    """Escape a table cell of Markdown."""
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(relations: list[DescribedRelation]) -> str:
    """Render docs/warehouse.md from the relations and comments of a migrated warehouse."""
    lines = [
        "# Warehouse reference",
        "",
        "<!-- Generated by scripts/warehouse_docs.py from the schema models "
        "(src/cxpipeline/schemas/catalog.py); do not edit by hand. -->",
        "",
        "Every relation and column below carries the same text as a DuckDB comment: "
        "`SELECT table_name, column_name, comment FROM duckdb_columns()` or "
        "`SELECT comment FROM duckdb_tables()` show it in any SQL client. "
        "Commands and invariants: [contract.md](contract.md).",
        "",
        "| relation | kind | what it holds |",
        "|---|---|---|",
        *(f"| [`{r.name}`](#{r.name}) | {r.kind} | {_cell(r.comment)} |" for r in relations),
    ]
    for relation in relations:
        lines += ["", f"## {relation.name}", "", f"{relation.kind}: {_cell(relation.comment)}", ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        lines += [
            f"| `{c.name}` | {_cell(c.data_type)} | {_cell(c.comment)} |" for c in relation.columns
        ]
    return "\n".join(lines) + "\n"
