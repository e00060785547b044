"""Window keys: canonical campaign hours and the key records that share windows share."""

import hashlib

import pytest
from tests.transforms.frames import window_records

from cxpipeline.errors import CxError
from cxpipeline.transforms.window_keys import campaign_hours_spec, window_keys

NY = "America/New_York"


# --------------------------------------------------------------------------- keys and settings


def test_window_key_is_shared_stable_and_specific():
    keyed = window_keys(
        window_records(
            [
                (1, [NY, "America/Chicago"], ["NY", "CT"], NY),
                (2, ["America/Chicago", NY, NY], ["CT", "NY"], "America/Chicago"),
                (3, [NY], ["CT", "NY"], NY),
                (4, [], [], None),
                (5, None, None, None),
            ]
        ),
        {"hours_mon": "09:00-20:00"},
    ).collect()
    # Keyed per distinct (zones, states) pair and joined back: every record once, in order.
    assert keyed["record_id"].to_list() == [1, 2, 3, 4, 5]
    k = keyed["window_key"].to_list()
    assert k[0] == k[1] and k[0] != k[2] and k[3] == k[4]
    spec = campaign_hours_spec({"hours_mon": "09:00-20:00"})
    text = f"America/Chicago,{NY}|CT,NY|{spec}"
    expected = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    assert k[0] == expected
    other = window_keys(window_records([(1, [NY], ["CT", "NY"], NY)]), {"hours_mon": "10:00-20:00"})
    assert other.collect()["window_key"][0] != k[2]


def test_campaign_hours_spec_is_canonical():
    spec = campaign_hours_spec(
        {
            "hours_mon": " 09:00-20:00 ",
            "hours_sun": "Closed",
            "blackout_dates": "2026-12-25,2026-01-01,",
        }
    )
    assert spec == (
        "mon=09:00-20:00 tue=00:00-24:00 wed=00:00-24:00 thu=00:00-24:00 fri=00:00-24:00 "
        "sat=00:00-24:00 sun=closed blackout=2026-01-01,2026-12-25"
    )


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"hours_mon": "9-5"}, "hours_mon"),
        ({"hours_tue": "20:00-09:00"}, "hours_tue"),
        ({"hours_sat": "25:00-26:00"}, "hours_sat"),
        ({"blackout_dates": "2026-13-01"}, "blackout_dates"),
    ],
)
def test_bad_campaign_hours_name_the_setting(hours, field):
    with pytest.raises(CxError) as info:
        campaign_hours_spec(hours)
    assert info.value.field == field


def test_a_campaign_purpose_ends_the_hours_text_and_is_checked():
    assert campaign_hours_spec({"purpose": " Collections "}).endswith(" purpose=collections")
    assert "purpose" not in campaign_hours_spec({})
    with pytest.raises(CxError) as info:
        campaign_hours_spec({"purpose": "sales"})
    assert info.value.field == "purpose"
