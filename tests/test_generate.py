from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
import polars as pl
import pytest
import zipcodes
from phonenumbers import timezone as pn_timezone

from cxpipeline.codes import CallResult
from cxpipeline.generate import (
    CALL_RESULT_COLUMNS,
    CUSTOMER_COLUMNS,
    PHONE_COLUMNS,
    REQUIRED_STATES,
    SUPPRESSION_COLUMNS,
    generate_sample,
    synthetic_call_results,
    synthetic_customers,
    synthetic_suppression,
    write_contact_list,
)

N = 5000
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None


def _january_offset(zone: str) -> float:
    offset = datetime(2025, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds()


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    return synthetic_customers(N, seed=7).collect()


@pytest.fixture(scope="module")
def phones(customers: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct customer and non-empty phone cell, parsed with phonenumbers."""
    long = (
        customers.unique(maintain_order=True)
        .unpivot(index=["client_id", "postal_code", "country_code_iso"], on=list(PHONE_COLUMNS))
        .drop_nulls("value")
    )
    parsed = [_parse(v) for v in long["value"]]
    valid = [p is not None and phonenumbers.is_valid_number(p) for p in parsed]
    e164 = [
        phonenumbers.format_number(p, phonenumbers.PhoneNumberFormat.E164) if ok else None
        for p, ok in zip(parsed, valid, strict=True)
    ]
    ext = [p.extension if p is not None else None for p in parsed]
    return long.with_columns(
        valid=pl.Series(valid), e164=pl.Series(e164, dtype=pl.String), ext=pl.Series(ext)
    )


# --------------------------------------------------------------------------- customers


def test_columns_are_the_input_contact_list_all_text(customers: pl.DataFrame) -> None:
    assert customers.columns == list(CUSTOMER_COLUMNS)
    assert all(dtype == pl.String for dtype in customers.dtypes)
    ids = customers["client_id"].unique()
    assert ids.len() == N
    assert ids.sort().to_list() == [f"C{i:08d}" for i in range(1, N + 1)]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a = synthetic_customers(800, seed=3, start_client_id=50).collect()
    b = synthetic_customers(800, seed=3, start_client_id=50).collect()
    c = synthetic_customers(800, seed=4, start_client_id=50).collect()
    assert a.equals(b)
    assert not a.equals(c)


def test_duplicate_rows_about_two_percent(customers: pl.DataFrame) -> None:
    extra = customers.height - customers.unique().height
    assert 0.01 * N <= extra <= 0.03 * N
    # Duplicates are exact copies, so every client id appears once after dropping them.
    assert customers.unique()["client_id"].n_unique() == customers.unique().height


def test_one_to_four_phones_per_customer(customers: pl.DataFrame) -> None:
    filled = customers.unique().select(
        pl.sum_horizontal(pl.col(c).is_not_null() for c in PHONE_COLUMNS).alias("k")
    )["k"]
    assert filled.min() == 1
    assert filled.max() == 4
    assert set(filled.unique().to_list()) == {1, 2, 3, 4}


def test_country_mix(customers: pl.DataFrame) -> None:
    rows = customers.unique()
    canadian = rows.filter(pl.col("postal_code").str.contains(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"))
    foreign = rows.filter(pl.col("country_code_iso").is_in(["GB", "MX", "DE", "PH", "IN"]))
    assert 0.07 <= canadian.height / N <= 0.13
    assert 0.03 <= foreign.height / N <= 0.07
    assert set(foreign["country_code_iso"].unique()) == {"GB", "MX", "DE", "PH", "IN"}
    canadian_phones = canadian.unpivot(on=list(PHONE_COLUMNS))["value"].drop_nulls()
    assert canadian_phones.str.replace_all(r"\D", "").str.contains(r"^1?709").any()
    assert {"NL", "QC", "BC"} <= set(canadian["state_code"].drop_nulls())


def test_invalid_numbers_about_two_percent(phones: pl.DataFrame) -> None:
    share = 1 - phones["valid"].mean()  # type: ignore[operator]
    assert 0.01 <= share <= 0.035
    invalid = phones.filter(~pl.col("valid"))["value"]
    # Several kinds: too short, area code 0/1, letters, junk.
    assert invalid.str.contains(r"^\d{3}-\d{3}-\d{2}$").any()
    assert invalid.str.contains(r"O").any()
    assert invalid.str.contains(r"^\(?[01]\d\d").any()


def test_international_numbers_valid_and_written_with_plus(phones: pl.DataFrame) -> None:
    foreign = phones.filter(pl.col("country_code_iso").is_in(["GB", "MX", "DE", "PH", "IN"]))
    assert foreign["valid"].mean() > 0.95  # type: ignore[operator]
    # Foreign numbers carry their country code (a shared household line may be a +1 one).
    abroad = foreign.filter(pl.col("valid") & ~pl.col("e164").str.starts_with("+1"))
    assert abroad.height > 0.9 * foreign.height
    assert abroad["value"].str.contains(r"^(\+|011 )").all()


def test_real_world_spellings_and_extensions(phones: pl.DataFrame) -> None:
    values = phones["value"]
    for pattern in (
        r"^\(\d{3}\) \d{3}-\d{4}$",
        r"^\d{3}\.\d{3}\.\d{4}$",
        r"^\+1 \d{3} \d{3} \d{4}$",
        r"^\d{10}$",
        r"^\d{3}-\d{3}-\d{4}$",
    ):
        assert values.str.contains(pattern).sum() > 50, pattern
    business = phones.filter(pl.col("variable") == "business_phone")
    with_ext = business.filter(pl.col("ext").is_not_null())
    assert 0.08 <= with_ext.height / business.height <= 0.22
    assert with_ext["value"].str.contains(r" x\d+$").any()
    assert with_ext["value"].str.contains(r" ext\. \d+$").any()
    assert phones.filter(pl.col("variable") != "business_phone")["ext"].is_null().all()


def test_numbers_avoid_n11_exchanges_and_fictional_555(phones: pl.DataFrame) -> None:
    nanp = phones.filter(pl.col("valid") & pl.col("e164").str.starts_with("+1"))
    exchange = nanp["e164"].str.slice(5, 3)
    assert not exchange.str.contains(r"^\d11$").any()
    assert not nanp["e164"].str.contains(r"^\+1\d{3}55501\d\d$").any()


def test_about_one_percent_share_a_number(phones: pl.DataFrame) -> None:
    shared = (
        phones.filter(pl.col("valid"))
        .group_by("e164")
        .agg(pl.col("client_id").n_unique().alias("k"))
        .filter(pl.col("k") > 1)
    )
    assert 0.004 * N <= shared.height <= 0.016 * N


def test_some_zips_disagree_with_the_area_code_zone(phones: pl.DataFrame) -> None:
    zip_zone = {
        r["zip_code"]: r["timezone"] for r in zipcodes.list_all() if r["timezone"] and r["active"]
    }
    known_zones = available_timezones()
    agree: dict[str, bool] = {}
    nanp = phones.filter(pl.col("valid") & pl.col("e164").str.starts_with("+1"))
    for client, postal, e164 in nanp.select("client_id", "postal_code", "e164").iter_rows():
        if not postal or not postal[0].isdigit():
            continue
        zone = zip_zone.get(postal.split("-")[0].zfill(5))
        if zone is None or zone not in known_zones:
            continue
        number_zones = pn_timezone.time_zones_for_number(phonenumbers.parse(e164))
        offsets = {_january_offset(z) for z in number_zones if "/" in z and z != "Etc/Unknown"}
        agree[client] = agree.get(client, True) and _january_offset(zone) in offsets
    share = 1 - sum(agree.values()) / len(agree)
    # 5% moved customers plus a few border ZIPs whose area codes straddle zones.
    assert 0.04 <= share <= 0.12


def test_zip_spellings(customers: pl.DataFrame) -> None:
    postal = customers["postal_code"]
    four = customers.filter(postal.str.contains(r"^\d{4}$"))
    assert four.height > 0
    # A 4-digit ZIP is a New England/NJ/PR ZIP whose leading zero was lost.
    assert set(four["state_code"].drop_nulls()) <= {
        "MA",
        "RI",
        "NH",
        "ME",
        "VT",
        "CT",
        "NJ",
        "NY",
        "PR",
    }
    assert postal.str.contains(r"^\d{5}-\d{4}$").sum() > 0.01 * N


def test_required_states_in_every_block_of_250() -> None:
    frame = synthetic_customers(250, seed=11, start_client_id=9_001).collect()
    assert set(REQUIRED_STATES) <= set(frame["state_code"].drop_nulls())


def test_region_biases_zips() -> None:
    def eastern_share(region: str) -> float:
        frame = synthetic_customers(1000, seed=5, region=region).collect()  # type: ignore[arg-type]
        zips = frame.filter(pl.col("country_code_iso") == "US")["postal_code"]
        return zips.str.contains(r"^[0-3]").mean()  # type: ignore[return-value]

    assert eastern_share("east") > eastern_share("west") + 0.3


def test_explicit_zone_on_few_customers_and_names_with_accents(customers: pl.DataFrame) -> None:
    rows = customers.unique()
    tz = rows["tz"].drop_nulls()
    assert 0.015 * N <= tz.len() <= 0.05 * N
    assert tz.is_in(["EST", "CST", "MST", "PST"]).any()
    assert tz.str.contains("/").any()
    names = pl.concat([rows["first_name"], rows["last_name"]])
    assert names.str.contains(r"[^\x00-\x7F]").any()


# --------------------------------------------------------------------------- files


def test_write_contact_list_is_deterministic_and_chunked(tmp_path: Path) -> None:
    a = write_contact_list(tmp_path / "a.csv", 2500, seed=9, chunk_rows=1000)
    b = write_contact_list(tmp_path / "b.csv", 2500, seed=9, chunk_rows=1000)
    assert a.read_bytes() == b.read_bytes()
    written = pl.read_csv(a, infer_schema=False)
    expected = pl.concat(
        [
            synthetic_customers(1000, 9, start_client_id=1).collect(),
            synthetic_customers(1000, 9, start_client_id=1001).collect(),
            synthetic_customers(500, 9, start_client_id=2001).collect(),
        ]
    )
    assert written.equals(expected)
    parquet = write_contact_list(
        tmp_path / "a.parquet", 2500, seed=9, chunk_rows=1000, fmt="parquet"
    )
    assert pl.read_parquet(parquet).equals(expected)


# --------------------------------------------------------------------------- suppression


def test_suppression_drawn_from_customers(customers: pl.DataFrame) -> None:
    dnc = synthetic_suppression(customers.lazy(), 0.05, seed=1).collect()
    assert dnc.columns == list(SUPPRESSION_COLUMNS)
    assert 0.03 * N <= dnc.height <= 0.07 * N
    assert set(dnc["client_id"].drop_nulls()) <= set(customers["client_id"])
    digits_of = (
        customers.unpivot(on=list(PHONE_COLUMNS))["value"]
        .drop_nulls()
        .str.replace(r"(?i)\s*(?:x|ext\.?)\s*\d+\s*$", "")
        .str.replace_all(r"\D", "")
    )
    known = set(digits_of) | {d[1:] for d in digits_of if len(d) == 11 and d.startswith("1")}
    listed = dnc["phone"].drop_nulls().str.replace_all(r"\D", "")
    assert listed.len() > 0
    assert set(listed) <= known
    phone_only = dnc.filter(pl.col("phone").is_not_null() & pl.col("client_id").is_null())
    id_only = dnc.filter(pl.col("phone").is_null() & pl.col("client_id").is_not_null())
    assert phone_only.height > 0 and id_only.height > 0
    assert dnc.filter(pl.col("phone").is_null() & pl.col("client_id").is_null()).height == 0
    expires = dnc["expires_at"]
    assert 0 < expires.null_count() < dnc.height
    assert expires.drop_nulls().str.contains(r"^\d{4}-\d{2}-\d{2}$").all()


def test_suppression_is_deterministic(customers: pl.DataFrame) -> None:
    a = synthetic_suppression(customers.lazy(), 0.05, seed=1).collect()
    assert a.equals(synthetic_suppression(customers.lazy(), 0.05, seed=1).collect())
    assert not a.equals(synthetic_suppression(customers.lazy(), 0.05, seed=2).collect())


# --------------------------------------------------------------------------- call results

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/St_Johns",
    "Asia/Kolkata",
    None,
]
START = datetime(2025, 10, 30)  # spans the end of US daylight saving (2 November 2025)


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    n = 6000
    base = 7 * 10**10
    return pl.DataFrame(
        {
            "record_id": [base + i for i in range(n)],
            "chain_id": [base + i // 3 for i in range(n)],
            "contact_info": [f"+1212555{i % 10000:04d}" for i in range(n)],
            "tz_name": [ZONES[i % len(ZONES)] for i in range(n)],
        }
    )


@pytest.fixture(scope="module")
def results(records: pl.DataFrame) -> pl.DataFrame:
    return synthetic_call_results(records.lazy(), start=START, days=6, seed=3).collect()


def test_results_reference_given_records_with_valid_codes(
    records: pl.DataFrame, results: pl.DataFrame
) -> None:
    assert results.columns == list(CALL_RESULT_COLUMNS)
    assert set(results["record_id"]) <= set(records["record_id"])
    attempted = results["record_id"].n_unique() / records.height
    # ~70% are picked; attempts after a chain's connect / wrong party / DNC are dropped.
    assert 0.45 <= attempted <= 0.75
    labels = {r.label: int(r) for r in CallResult}
    codes = {str(int(r)) for r in CallResult}
    text = results["call_result"]
    assert text.is_in(list(codes | set(labels))).all()
    by_name = text.is_in(list(labels)).mean()
    assert 0.06 <= by_name <= 0.14  # type: ignore[operator]
    assert text.is_in(["Busy", "Answering Machine", "No Answer"]).any()


def test_result_mix_is_realistic(results: pl.DataFrame) -> None:
    labels = {r.label: str(int(r)) for r in CallResult}
    code = results["call_result"].replace(labels).cast(pl.Int64)
    share = {c: (code == c).mean() for c in (7, 6, 9, 33, 21, 17, 40, 51)}
    assert 0.30 <= share[7] <= 0.40  # type: ignore[operator]
    assert 0.07 <= share[6] <= 0.13  # type: ignore[operator]
    assert 0.16 <= share[9] <= 0.24  # type: ignore[operator]
    assert 0.16 <= share[33] <= 0.24  # type: ignore[operator]
    assert 0.015 <= share[21] <= 0.045  # type: ignore[operator]
    for rare in (17, 40, 51):
        assert share[rare] > 0  # type: ignore[operator]
    sit = code.is_in([8, 11, 12, 13, 14, 15, 16]).mean()
    assert 0.03 <= sit <= 0.08  # type: ignore[operator]
    connects = results.filter(code == 33)
    assert connects["agent_id"].is_not_null().all()
    assert results.filter(code == 7)["agent_id"].is_null().all()
    assert (connects["duration_s"] >= 30).all()


def test_call_times_within_local_window(records: pl.DataFrame, results: pl.DataFrame) -> None:
    joined = results.join(records, on="record_id", how="left")
    days = set()
    for call_time, zone in joined.select("call_time", "tz_name").iter_rows():
        if zone is None:
            assert call_time.endswith("Z")
            moment = datetime.fromisoformat(call_time)
            local = moment.astimezone(ZoneInfo("America/New_York"))
            assert time(14) <= local.time() < time(20)
        else:
            moment = datetime.fromisoformat(call_time)
            assert moment.utcoffset() == moment.astimezone(ZoneInfo(zone)).utcoffset()
            assert time(9) <= moment.time() < time(20)
        days.add(moment.date())
    assert len(days) >= 6


def test_attempts_are_numbered_and_stop_after_final_outcomes(
    records: pl.DataFrame, results: pl.DataFrame
) -> None:
    labels = {r.label: str(int(r)) for r in CallResult}
    ordered = results.with_columns(
        code=pl.col("call_result").replace(labels).cast(pl.Int64),
        utc=pl.col("call_time")
        .str.replace(r"Z$", "+00:00")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC"),
    ).sort("record_id", "attempt")
    per_record = ordered.group_by("record_id").agg(pl.col("attempt"), pl.col("utc"), pl.col("code"))
    for attempts, times, codes in per_record.select("attempt", "utc", "code").iter_rows():
        assert attempts == list(range(1, len(attempts) + 1))
        assert 1 <= len(attempts) <= 4
        assert times == sorted(times)
        assert all(c not in (33, 40, 51, 17) for c in codes[:-1])
    assert set(per_record["attempt"].list.len()) == {1, 2, 3, 4}
    # A connect, wrong party or DNC finishes the whole chain: nothing of it is dialled later.
    chains = ordered.join(records.select("record_id", "chain_id"), on="record_id")
    late = chains.with_columns(
        done=pl.when(pl.col("code").is_in([33, 40, 51])).then(pl.col("utc")).min().over("chain_id")
    ).filter(pl.col("utc") > pl.col("done"))
    assert late.height == 0
    assert chains.filter(pl.col("code").is_in([33, 40, 51]))["chain_id"].n_unique() > 100


def test_call_results_deterministic(records: pl.DataFrame, results: pl.DataFrame) -> None:
    again = synthetic_call_results(records.lazy(), start=START, days=6, seed=3).collect()
    assert again.equals(results)


# --------------------------------------------------------------------------- the sample


def test_generate_sample_matches_committed_sample(tmp_path: Path) -> None:
    written = generate_sample(tmp_path)
    assert set(written) == {"east_q4", "east_retry", "west_q4", "suppression_dnc"}
    for path in written.values():
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), committed
        assert path.read_bytes() == committed.read_bytes(), path.name


def test_sample_lists_sizes_ranges_and_states() -> None:
    lists = {
        name: pl.read_csv(SAMPLE_DIR / f"contacts_{name}.csv", infer_schema=False)
        for name in ("east_q4", "east_retry", "west_q4")
    }
    sizes = {name: frame["client_id"].n_unique() for name, frame in lists.items()}
    assert sizes == {"east_q4": 1000, "east_retry": 400, "west_q4": 600}
    ranges = [(f["client_id"].min(), f["client_id"].max()) for f in lists.values()]
    ordered = sorted(ranges)
    assert all(a[1] < b[0] for a, b in zip(ordered, ordered[1:], strict=False))  # type: ignore[operator]
    for frame in lists.values():
        assert set(REQUIRED_STATES) <= set(frame["state_code"].drop_nulls())
    dnc = pl.read_csv(SAMPLE_DIR / "suppression_dnc.csv", infer_schema=False)
    everyone = pl.concat(lists.values())["client_id"]
    assert set(dnc["client_id"].drop_nulls()) <= set(everyone)
    assert 30 <= dnc.height <= 100


def test_csv_sample_has_no_stray_structure() -> None:
    text = (SAMPLE_DIR / "contacts_east_q4.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == ",".join(CUSTOMER_COLUMNS)
    assert re.search(r"Muñoz|Zoë|Núñez|Peña", text)
