"""Zone abbreviations: the project's table wins, other zones get their standard-time name."""

from cxpipeline.codes import ZONE_ABBREVIATIONS
from cxpipeline.reference.abbreviations import zone_abbreviations


def test_every_zone_has_one_abbreviation_and_the_table_wins():
    table = dict(zone_abbreviations().iter_rows())
    assert len(table) == zone_abbreviations().height  # one row per zone
    for zone, abbreviation in ZONE_ABBREVIATIONS.items():
        assert table[zone] == abbreviation
    assert table["Europe/Paris"] == "CET"  # standard (winter) time, not CEST
    assert table["Australia/Sydney"] == "AEST"  # southern hemisphere: July is winter
