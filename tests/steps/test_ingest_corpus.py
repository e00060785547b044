"""The awkward-file corpus through the whole ingest: counts, rejects and errors as expected."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from cxpipeline import errors, io
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import setup

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
ENTRIES = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["files"]
AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = Settings.build(tmp_path_factory.mktemp("corpus-home"))
    setup.apply_campaigns(s, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return s


def _ingest(settings, entry, list_name):
    options = io.ReadOptions(**entry.get("options", {}))
    spec = CORPUS / entry["spec"] if entry.get("spec") else None
    return ingest_step.ingest(
        settings,
        CORPUS / entry["file"],
        list_name=list_name,
        group="collections_east",
        spec_path=spec,
        as_of=AS_OF,
        horizon_days=2,
        read_options=options,
    )


@pytest.mark.parametrize(
    "entry", ENTRIES, ids=[e["file"] + (":" + e.get("spec", "")) for e in ENTRIES]
)
def test_corpus_file_through_the_pipeline(settings, entry):
    list_name = "corpus_" + "".join(
        c if c.isalnum() else "_" for c in entry["file"] + entry.get("spec", "")
    )
    if "error" in entry:
        with pytest.raises(getattr(errors, entry["error_type"])) as caught:
            _ingest(settings, entry, list_name)
        assert entry["error"] in caught.value.one_line()
        assert len(caught.value.one_line().splitlines()) == 1
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            written = con.execute(
                "SELECT count(*) FROM ingest_runs WHERE list_name = $l", {"l": list_name}
            ).fetchall()[0][0]
        assert written == 0, "a failed ingest must write nothing"
        return

    summary = _ingest(settings, entry, list_name)
    assert summary.rows_read == entry["rows_read"]
    assert summary.rows_accepted == entry["rows_accepted"]
    assert summary.rows_rejected == entry["rows_rejected"]
    assert summary.reconciles()
    if "phone_values" in entry:
        assert summary.phone_values == entry["phone_values"]
    assert summary.phones_rejected == len(entry.get("phone_rejects", []))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rejects = con.execute(
            "SELECT source_row, field, reason, kind FROM rejected_rows WHERE run_id = $r",
            {"r": summary.run_id},
        ).fetchall()
        records = con.execute(
            "SELECT count(*), coalesce(sum(duplicate_count), 0) FROM contact_records "
            "WHERE run_id = $r",
            {"r": summary.run_id},
        ).fetchall()[0]
    for expected in entry.get("rejects", []):
        if "reason" not in expected:
            continue
        assert any(
            row == expected["row"]
            and expected["reason"] in reason
            and kind == "row"
            and (expected.get("field") is None or field == expected["field"])
            for row, field, reason, kind in rejects
        ), f"missing reject {expected} in {rejects}"
    for expected in entry.get("phone_rejects", []):
        assert any(
            row == expected["row"] and field == expected["field"] and kind == "phone"
            for row, field, _, kind in rejects
        ), f"missing phone reject {expected}"
    # Every phone value of an accepted row is a record (possibly collapsed) or a rejected value.
    phone_level = sum(1 for *_, kind in rejects if kind in ("phone", "record"))
    assert records[1] + phone_level == summary.phone_values
