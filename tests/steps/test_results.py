"""Results rejects are cut and masked like every reject: no whole number, no huge value."""

from datetime import datetime

import duckdb
import pytest

from cxpipeline.errors import InputError
from cxpipeline.settings import Settings
from cxpipeline.steps import results

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")


def test_a_refused_results_row_is_stored_cut_and_masked(tmp_path):
    settings = Settings.build(tmp_path / "home")
    path = tmp_path / "results.csv"
    path.write_text(
        "record_id,call_time,call_result\n"
        f"2125550142,2026-11-30T10:00:00-05:00,{'9175550123 ' * 300}\n",
        encoding="utf-8",
    )
    loaded = results.load_results(settings, path, as_of=AS_OF)
    assert loaded["rows_rejected"] == 1
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stored = con.execute("SELECT field, reason, raw FROM rejected_rows").fetchall()
    assert stored
    for value in (v or "" for row in stored for v in row):
        assert len(value) <= 500
        assert "2125550142" not in value and "9175550123" not in value


def test_the_staged_parse_is_removed_after_a_load_and_after_a_refused_file(tmp_path):
    # A load stages its typed rows under lake/staging (read back pass by pass): nothing of it
    # may stay behind, whether the load succeeds or the file is refused.
    settings = Settings.build(tmp_path / "home")
    good = tmp_path / "results.csv"
    good.write_text(
        "record_id,call_time,call_result\n1,2026-11-30T10:00:00-05:00,7\n", encoding="utf-8"
    )
    loaded = results.load_results(settings, good, as_of=AS_OF)
    assert loaded["rows_read"] == 1
    staging = settings.lake / "staging"
    assert not staging.exists() or not any(staging.iterdir())
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,call_result\n1,7\n", encoding="utf-8")  # no call_time column
    with pytest.raises(InputError) as refused:
        results.load_results(settings, bad, as_of=AS_OF)
    assert "bad.csv" in str(refused.value) and "\n" not in str(refused.value)
    assert not staging.exists() or not any(staging.iterdir())
