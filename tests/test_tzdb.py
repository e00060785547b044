"""One zone database: the pinned tzdata release decides every local time, not the machine."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tzdata
from typer.testing import CliRunner

from cxpipeline import cli, tzdb

SRC = Path(__file__).resolve().parents[1] / "src" / "cxpipeline"


def test_release_is_the_pinned_package():
    assert tzdb.release() == tzdata.IANA_VERSION
    assert re.fullmatch(r"\d{4}[a-z]", tzdb.release())


def test_zones_come_from_the_package_not_the_system():
    # 2026f keeps British Columbia on UTC-7 from November 2026; older releases (the machine's
    # /usr/share/zoneinfo may be one) fall back to UTC-8. The package's answer must win.
    if tzdb.release() < "2026f":
        pytest.skip("the rule change is in IANA 2026f")
    moment = datetime(2026, 11, 16, 18, tzinfo=UTC)
    assert moment.astimezone(tzdb.zone("America/Vancouver")).utcoffset() == timedelta(hours=-7)
    assert moment.astimezone(tzdb.zone("America/Chicago")).utcoffset() == timedelta(hours=-6)


def test_unknown_zone_is_refused():
    assert not tzdb.is_zone("Mars/Olympus")
    assert not tzdb.is_zone(None)
    with pytest.raises(KeyError):
        tzdb.zone("Mars/Olympus")
    assert "America/Vancouver" in tzdb.canonical_zones()
    assert "US/Pacific" in tzdb.zone_names() and "US/Pacific" not in tzdb.canonical_zones()


# Conversions with another engine's zone data, which would bypass the pinned release.
_FORBIDDEN = (
    re.compile(r"convert_time_zone\((?!\s*\"UTC\")"),
    re.compile(r"replace_time_zone\((?!\s*(\"UTC\"|None))"),
    re.compile(r"AT TIME ZONE|(?<![\w.])timezone\(|SET\s+TimeZone", re.IGNORECASE),
    re.compile(r"ZoneInfo\(|zoneinfo\.ZoneInfo\b"),
)


def test_no_module_converts_local_time_outside_the_pinned_release():
    offenders = []
    for path in sorted([*SRC.rglob("*.py"), *SRC.rglob("*.sql")]):
        relative = path.relative_to(SRC).as_posix()
        if relative == "tzdb.py":
            continue  # tzdb builds the zones (the generators too use them)
        text = path.read_text(encoding="utf-8")
        offenders += [f"{relative}: {p.pattern}" for p in _FORBIDDEN if p.search(text)]
    assert offenders == []


def test_version_option_prints_the_zone_release():
    result = CliRunner().invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert f"tzdata {tzdb.release()}" in result.output
    assert result.output.startswith("cxpipeline ")
