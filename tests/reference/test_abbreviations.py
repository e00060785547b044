"""Zone abbreviations: the table wins, others get their standard-time name, one name per clock."""

from cxpipeline.codes import ZONE_ABBREVIATIONS
from cxpipeline.reference.abbreviations import _clock, zone_abbreviations


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
