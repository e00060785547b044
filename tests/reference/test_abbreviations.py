"""Zone abbreviations: the table wins, others get their standard-time name, one name per clock."""

from cxpipeline import tzdb
from cxpipeline.codes import ZONE_ABBREVIATIONS
from cxpipeline.reference.abbreviations import (
    _clock,
    _packaged_path,
    _read_packaged,
    computed_zone_abbreviations,
    write_packaged,
    zone_abbreviations,
)


def test_every_zone_has_one_abbreviation_and_the_table_wins():
    table = dict(zone_abbreviations().iter_rows())
    assert len(table) == zone_abbreviations().height  # one row per zone
    for zone, abbreviation in ZONE_ABBREVIATIONS.items():
        assert table[zone].split("_")[0] == abbreviation  # suffixed when another clock
    assert table["Europe/Paris"] == "CET"  # standard (winter) time, not CEST
    assert table["Australia/Sydney"] == "AEST"  # southern hemisphere: July is winter


def test_one_abbreviation_never_stands_for_two_clocks():
    table = dict(zone_abbreviations().iter_rows())
    assert table["America/Chicago"] == "CST" and table["America/Regina"] == "CST_REGINA"
    assert table["America/Denver"] == "MST" and table["America/Phoenix"] == "MST_PHOENIX"
    assert table["America/Los_Angeles"] == "PST" and table["Asia/Manila"] == "PST_MANILA"
    # Same clock, same name: Toronto keeps New York's EST, Boise Denver's MST.
    assert table["America/Toronto"] == table["America/New_York"] == "EST"
    assert table["America/Boise"] == "MST"
    clocks: dict[str, set] = {}
    for zone, abbreviation in table.items():
        clocks.setdefault(abbreviation, set()).add(_clock(zone))
    assert [a for a, c in clocks.items() if len(c) > 1] == []


def test_packaged_table_is_current_and_equals_the_computed_one():
    # Stale after a tzdata upgrade or an edit of abbreviations.py: rewrite it with
    # `python -m cxpipeline.reference.abbreviations` (zone_abbreviations would compute instead).
    packaged = _read_packaged(_packaged_path())
    assert packaged is not None, "run python -m cxpipeline.reference.abbreviations"
    assert packaged.equals(computed_zone_abbreviations())


def test_a_stale_or_missing_packaged_table_is_not_used(tmp_path):
    assert _read_packaged(tmp_path / "missing.json") is None
    stale = tmp_path / "stale.json"
    write_packaged(stale)
    stale.write_text(stale.read_text().replace(tzdb.release(), "1999a"))
    assert _read_packaged(stale) is None
