"""The warehouse catalogue: every relation described from the models, and its Markdown page."""

import polars as pl
import pytest
from pandera.errors import SchemaError

from cxpipeline import warehouse
from cxpipeline.campaigns.model import SETTINGS
from cxpipeline.schemas import catalog
from cxpipeline.schemas import warehouse_columns as wc


def test_every_relation_has_a_description_and_described_columns():
    docs = catalog.relation_docs()
    assert set(docs) == set(warehouse.RELATIONS)
    for name, doc in docs.items():
        assert doc.description and "(table" not in doc.description, name
        assert doc.columns and all(doc.columns.values()), name


def test_setting_columns_come_from_the_setting_keys():
    docs = catalog.relation_docs()
    for setting in SETTINGS:
        assert setting.key in docs["contact_lists"].columns[setting.key]
        assert f"{setting.key}_source" in docs["campaign_settings"].columns
    assert "built-in default 5" in docs["dialing_profiles"].columns["max_attempts"]


def test_first_model_wins_for_a_column():
    docs = catalog.relation_docs()
    assert docs["ingest_runs"].columns["run_id"] == "Hash of list, file content and mode."
    assert docs["ingest_runs"].columns["finished_at"] == "When the run finished."


def test_markdown_escapes_cells_and_links_every_relation():
    relation = catalog.DescribedRelation(
        "t", "view", "a | b", (catalog.DescribedColumn("c", "VARCHAR[]", "x\ny"),)
    )
    text = catalog.render_markdown([relation])
    assert "| [`t`](#t) | view | a \\| b |" in text
    assert "| `c` | VARCHAR[] | x y |" in text
    assert "## t" in text


@pytest.mark.parametrize(
    ("model", "frame"),
    [
        (wc.RecordIdentity, {"record_id": ["not a number"]}),
        (wc.DialableWindow, {"window_key": ["-1"]}),
        (wc.ComplianceRuleRow, {"effective_from": ["someday"]}),
    ],
)
def test_documentation_models_still_refuse_wrong_types(model, frame):
    columns = {c: pl.Series(c, [None], pl.String) for c in model.to_schema().columns}
    good = pl.DataFrame(list(columns.values()))
    model.validate(good)
    with pytest.raises(SchemaError):
        model.validate(good.with_columns(pl.DataFrame(frame)))
