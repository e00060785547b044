"""The rule model: day sets, clock times, weekday expansion and field validation messages."""

import polars as pl
import pytest

from cxpipeline import rules
from cxpipeline.errors import CxError


@pytest.fixture(scope="module")
def seed():
    return rules.load_rules(None)


def _yaml(tmp_path, text, name="rules.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Sun", [1, 2, 3, 4, 5, 6, 7]),
        ("Mon-Fri", [1, 2, 3, 4, 5]),
        ("Sat", [6]),
        ("Sun", [7]),
        ("Mon,Wed-Fri", [1, 3, 4, 5]),
        ("sat-sun", [6, 7]),
    ],
)
def test_parse_days(text, days):
    assert rules.parse_days(text) == days


@pytest.mark.parametrize("text", ["", "Funday", "Fri-Mon", "Mon,Mon", "Mon-Tue-Wed"])
def test_parse_days_rejects(text):
    with pytest.raises(ValueError):
        rules.parse_days(text)


def test_parse_clock_time():
    assert rules.parse_clock_time("08:00") == 480
    assert rules.parse_clock_time("24:00") == 1440
    for bad in ["8:00", "24:30", "12:60", "noon", "25:00"]:
        with pytest.raises(ValueError):
            rules.parse_clock_time(bad)


def test_rule_days_expands_weekdays(seed):
    ri = rules.rule_days(seed).filter(pl.col("jurisdiction") == "RI").sort("weekday")
    assert ri["weekday"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    assert ri["start_min"].to_list() == [540] * 5 + [600, None]
    assert ri["end_min"].to_list() == [1080] * 5 + [1020, None]
    assert ri["holiday_ban"].all()


# --------------------------------------------------------------------------- validation


def _error(tmp_path, body):
    path = _yaml(tmp_path, "rules:\n" + body)
    with pytest.raises(CxError) as info:
        rules.load_rules(path)
    assert info.value.file == str(path)
    return info.value


BASE = {
    "jurisdiction": "NY",
    "days": "Mon-Sun",
    "start_local": '"09:00"',
    "end_local": '"20:00"',
    "effective_from": "2026-01-01",
}


def _entry(**raw):
    fields = {**BASE, **raw}
    return "  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items()) + "\n"


GOOD = _entry()


@pytest.mark.parametrize(
    ("key", "raw", "field"),
    [
        ("days", "Mon-Funday", "days"),
        ("start_local", "10:00", "start_local"),  # unquoted: YAML reads the number 600
        ("start_local", '"21:00"', "end_local"),  # end not after start
        ("end_local", '"24:30"', "end_local"),
        ("end_local", '""', "end_local"),  # only one of the pair
        ("clock", "Mars/Olympus", "clock"),
        ("max_attempts", "3", "attempt_window_hours"),
        ("max_attempts", "-1", "max_attempts"),
        ("holiday_ban", "maybe", "holiday_ban"),
        ("jurisdiction", "ZZ", "jurisdiction"),
        ("effective_from", "yesterday", "effective_from"),
        ("effective_to", "2025-01-01", "effective_to"),
        ("confidence", "sure", "confidence"),
        ("colour", "red", "colour"),
    ],
)
def test_bad_override_names_file_row_and_field(tmp_path, key, raw, field):
    # the first rule is valid (other jurisdiction), the second carries the fault
    first = _entry(jurisdiction="WA", effective_from="2030-01-01")
    err = _error(tmp_path, first + _entry(**{key: raw}))
    assert (err.row, err.field) == (2, field), err.one_line()


def test_missing_required_field(tmp_path):
    err = _error(
        tmp_path,
        '  - jurisdiction: NY\n    days: Sat\n    start_local: "09:00"\n    end_local: "20:00"\n',
    )
    assert (err.row, err.field) == (1, "effective_from")


def test_overlapping_days_in_one_version(tmp_path):
    err = _error(
        tmp_path,
        GOOD + "  - jurisdiction: NY\n    days: Sun\n    effective_from: 2026-01-01\n",
    )
    assert (err.row, err.field) == (2, "days")
    assert "Sun" in err.message
