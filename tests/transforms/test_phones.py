"""Tests of transforms/phones.py: hand-checked table, edge cases, per-row equality property."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from pathlib import Path

import phonenumbers
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import phonenumberutil as pnu

from cxpipeline.transforms import phone_library, phones
from cxpipeline.transforms.phones import normalised_phones

DATA = Path(__file__).resolve().parents[1] / "data" / "numbers_expected.csv"
FIELDS = [
    "e164",
    "phone_country_code",
    "phone_region",
    "national_number",
    "area_code",
    "exchange",
    "extension",
    "number_type",
    "contact_info_type",
    "phone_no_call_reason",
    "rejected",
]


def values(raws: list[str], countries: list[str] | str = "US", types: list[int] | int = 1):
    n = len(raws)
    countries = countries if isinstance(countries, list) else [countries] * n
    types = types if isinstance(types, list) else [types] * n
    return pl.LazyFrame(
        {
            "source_row": list(range(1, n + 1)),
            "phone_field": ["phone"] * n,
            "phone_index": [0] * n,
            "contact_info_type": types,
            "default_country": countries,
            "raw_phone": raws,
        },
        schema_overrides={"contact_info_type": pl.Int64},
    )


def run(raws, countries="US", types=1) -> pl.DataFrame:
    return normalised_phones(values(raws, countries, types)).collect()


def one(raw: str, country: str = "US", kind: int = 1) -> dict:
    return run([raw], country, kind).row(0, named=True)


# ------------------------------------------------------------------ reference: one call per row


def _fictional_or_n11(cc: int, nsn: str) -> bool:
    """Our two NANP rules on top of phonenumbers, written independently of the module."""
    if cc != 1 or len(nsn) != 10:
        return False
    exchange, line = nsn[3:6], nsn[6:]
    return exchange[1:] == "11" or (exchange == "555" and line.startswith("01"))


NANP_REGIONS = set(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


def _viable(raw: str) -> bool:
    try:
        phonenumbers.parse(raw, "US")
    except NumberParseException as exc:
        return exc.error_type != NumberParseException.NOT_A_NUMBER
    return True


def _excel_repaired(raw: str) -> tuple[str, bool]:
    """The module's other documented deviation: Excel's float rendering undone, or refused.

    "2125550142.0" is 2125550142; "2.12555014E+09" is too, when the mantissa holds every
    digit; with fewer (or a negative exponent) digits were lost: (raw, True), never dialled.
    """
    text = raw.strip()
    sci = re.fullmatch(r"\+?([1-9])\.(\d+)[eE]([+-]?)(\d{1,2})", text)
    if sci:
        lead, frac, sign, exp = sci.groups()
        if sign == "-" or len(frac) != int(exp):
            return raw, True
        return lead + frac, False
    dot_zero = re.fullmatch(r"(\+?\d+)\.0+", text)
    return (dot_zero.group(1), False) if dot_zero else (raw, False)


def reference(raw: str, region: str, kind: int = 1) -> dict:
    """Every derived field from per-row phonenumbers calls.

    Applies the module's one documented deviation first: in a NANP list a leading 00 (not
    followed by 0) is an international prefix, as the issue asks. The digit after 00 must be
    the number's own: in "00 x1" it is the extension's, so 00 is no prefix there.
    """
    raw, lossy = _excel_repaired(raw)
    if lossy:
        return {f: None for f in FIELDS} | {"contact_info_type": kind, "rejected": True}
    start = re.search(r"[+＋\d]", raw)
    if region in NANP_REGIONS and start and _viable(raw):
        rest = raw[start.start() :].lstrip("+＋")
        main = pnu._maybe_strip_extension(pnu._extract_possible_number(rest))[1]
        digit_at = [i for i, ch in enumerate(rest[: len(main)]) if ch.isdigit()][:3]
        values = [unicodedata.digit(rest[i], None) for i in digit_at]
        if len(digit_at) == 3 and values[0] == values[1] == 0 != values[2]:
            raw = "+" + rest[digit_at[1] + 1 :]
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return {f: None for f in FIELDS} | {"contact_info_type": kind, "rejected": True}
    nsn = phonenumbers.national_significant_number(number)
    cc = number.country_code
    valid = phonenumbers.is_valid_number(number)
    ok = valid and not _fictional_or_n11(cc, nsn)
    kind_name = PhoneNumberType.to_string(phonenumbers.number_type(number))
    nanp10 = cc == 1 and len(nsn) == 10
    ndc = phonenumbers.length_of_national_destination_code(number)
    area = nsn[:3] if nanp10 else (nsn[:ndc] if valid and ndc > 0 else None)
    return {
        "e164": phonenumbers.format_number(number, PhoneNumberFormat.E164) if ok else None,
        "phone_country_code": cc,
        "phone_region": phonenumbers.region_code_for_number(number),
        "national_number": nsn,
        "area_code": area,
        "exchange": nsn[3:6] if nanp10 else None,
        "extension": number.extension,
        "number_type": kind_name,
        "contact_info_type": 3 if number.extension else kind,
        "phone_no_call_reason": {"TOLL_FREE": "toll_free", "PREMIUM_RATE": "premium_rate"}.get(
            kind_name
        )
        if ok
        else None,
        "rejected": not ok,
    }


def derived(frame: pl.DataFrame) -> list[dict]:
    out = frame.with_columns(rejected=pl.col("phone_reject_reason").is_not_null())
    return out.select(FIELDS).to_dicts()


# ------------------------------------------------------------------ generated batch

REGIONS = [
    "US",
    "CA",
    "PR",
    "GU",
    "GB",
    "DE",
    "FR",
    "IT",
    "AU",
    "IN",
    "MX",
    "BR",
    "JP",
    "NL",
    "ES",
    "ZA",
    "SG",
    "CN",
    "RU",
    "CH",
    "SE",
    "IE",
    "NZ",
    "KR",
    "AR",
    "JM",
]
TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
]
EXTENSIONS = ["", "", "", " x123", " ext. 45", " #7", ";ext=2001", " extension 9", ", 12"]


def _example(rng: random.Random, region: str) -> phonenumbers.PhoneNumber | None:
    for _ in range(5):
        example = phonenumbers.example_number_for_type(region, rng.choice(TYPES))
        if example is not None:
            break
    else:
        return None
    nsn = phonenumbers.national_significant_number(example)
    # Keep a leading part of the example and randomise the rest: a mix of valid numbers
    # and near misses (wrong exchange, wrong length) from the same plan.
    keep = rng.randint(1, len(nsn))
    digits = nsn[:keep] + "".join(rng.choice("0123456789") for _ in nsn[keep:])
    if rng.random() < 0.1:
        digits = digits[:-1] if rng.random() < 0.5 else digits + rng.choice("0123456789")
    try:
        return phonenumbers.parse("+" + str(example.country_code) + digits, None)
    except NumberParseException:
        return None


def _written(rng: random.Random, number: phonenumbers.PhoneNumber, region: str) -> tuple[str, str]:
    """One written form of a number and the default country it is read with."""
    cc = number.country_code
    nsn = phonenumbers.national_significant_number(number)
    home = phonenumbers.region_code_for_country_code(cc)
    other = rng.choice(REGIONS)
    style = rng.randrange(9)
    if style == 0:
        return phonenumbers.format_number(number, PhoneNumberFormat.E164), other
    if style == 1:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), other
    if style == 2:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), region
    if style == 3:
        return nsn, region
    if style == 4:
        # Out-of-country dialling from a region whose prefix is 00, or 011 from NANP.
        if rng.random() < 0.5:
            text = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
            return "011 " + text[1:], "US"
        return "00" + str(cc) + " " + nsn, rng.choice(["GB", "DE", "FR", "IT", "ES", "NL"])
    if style == 5:
        text = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return text.replace(" ", ".").replace("-", "."), region
    if style == 6:
        return "(" + nsn[:3] + ") " + nsn[3:6] + "-" + nsn[6:], region
    if style == 7 and cc == 1:
        return "1-" + nsn[:3] + "-" + nsn[3:6] + "-" + nsn[6:], home if home != "001" else "US"
    return "+" + str(cc) + " (" + nsn[:2] + ") " + nsn[2:], other


def generated_batch(size: int, seed: int) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    batch = []
    while len(batch) < size:
        region = rng.choice(REGIONS)
        if rng.random() < 0.05:
            # Plain digit noise of any length in any list.
            raw = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 16)))
            batch.append((raw, region, 1))
            continue
        number = _example(rng, region)
        if number is None:
            continue
        raw, country = _written(rng, number, region)
        batch.append((raw + rng.choice(EXTENSIONS), country, rng.choice([1, 2, 4])))
    return batch


def test_ten_thousand_generated_numbers_equal_per_row_phonenumbers():
    batch = generated_batch(10_000, seed=20240604)
    raws, countries, kinds = (list(x) for x in zip(*batch, strict=True))
    got = derived(run(raws, countries, kinds))
    want = [reference(r, c, k) for r, c, k in batch]
    mismatches = [
        (batch[i], f, got[i][f], want[i][f])
        for i in range(len(batch))
        for f in FIELDS
        if got[i][f] != want[i][f]
    ]
    assert mismatches == [], mismatches[:10]
    # The batch must exercise what it claims to: many regions, valid and invalid, extensions.
    assert len({g["phone_region"] for g in got if g["phone_region"]}) >= 20
    assert 0.2 < sum(g["rejected"] for g in got) / len(got) < 0.8
    assert sum(g["extension"] is not None for g in got) > 500
    assert {g["number_type"] for g in got} >= {"MOBILE", "FIXED_LINE", "TOLL_FREE"}


# ------------------------------------------------------------------ hand-checked table


def table_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_table_has_at_least_forty_cases():
    rows = table_rows()
    assert len(rows) >= 40
    assert len({r["case"] for r in rows}) == len(rows)


@pytest.fixture(scope="module")
def table_result() -> tuple[list[dict[str, str]], list[dict]]:
    rows = table_rows()
    frame = run(
        [r["raw_phone"] for r in rows],
        [r["default_country"] for r in rows],
        [int(r["contact_info_type"]) for r in rows],
    )
    return rows, frame.to_dicts()


@pytest.mark.parametrize("case", [r["case"] for r in table_rows()])
def test_hand_checked_number(case, table_result):
    rows, got = table_result
    i = next(i for i, r in enumerate(rows) if r["case"] == case)
    want, out = rows[i], got[i]
    assert out["source_row"] == i + 1
    assert out["e164"] == (want["e164"] or None)
    assert out["number_type"] == (want["number_type"] or None)
    assert out["extension"] == (want["extension"] or None)
    assert out["contact_info_type"] == int(want["contact_info_type_out"])
    assert out["phone_no_call_reason"] == (want["no_call"] or None)
    if want["reject"]:
        assert out["phone_reject_reason"] is not None
        assert want["reject"] in out["phone_reject_reason"]
        assert out["e164"] is None
    else:
        assert out["phone_reject_reason"] is None


# ------------------------------------------------------------------ behaviour


def test_output_columns_and_types_follow_the_stage_contract():
    out = run(["(212) 736-5000"])
    assert out.schema["e164"] == pl.String
    assert out.schema["phone_country_code"] == pl.Int64
    assert out.schema["contact_info_type"] == pl.Int64
    for col in (
        "phone_region",
        "national_number",
        "area_code",
        "exchange",
        "extension",
        "number_type",
        "phone_reject_reason",
        "phone_no_call_reason",
    ):
        assert out.schema[col] == pl.String
    assert not any(c.startswith("_pn") for c in out.columns)
    # The input columns are kept as they were.
    assert out.row(0, named=True)["raw_phone"] == "(212) 736-5000"


def test_rows_keep_their_order_and_count_with_duplicates():
    raws = ["212-736-5000", "n/a", "212-736-5000", "+44 20 7946 0958", "212 736 5000"] * 30
    out = run(raws)
    assert out.height == len(raws)
    assert out["source_row"].to_list() == list(range(1, len(raws) + 1))
    assert out["raw_phone"].to_list() == raws


def test_nanp_fields():
    row = one("(312) 555-2368")
    assert (row["area_code"], row["exchange"], row["national_number"]) == (
        "312",
        "555",
        "3125552368",
    )
    assert row["phone_country_code"] == 1 and row["phone_region"] == "US"
    gb = one("+44 20 7946 0958")
    assert gb["area_code"] == "20" and gb["exchange"] is None and gb["phone_region"] == "GB"


def test_non_ascii_digits_and_vanity_letters():
    assert one("２１２-７３６-５０００")["e164"] == "+12127365000"
    assert one("1-800-GOT-JUNK")["e164"] == "+18004685865"


def test_phonenumbers_is_called_per_key_not_per_row(monkeypatch):
    calls = {"parse": 0, "classify": 0}
    real_parse, real_classify = phone_library._parse_one, phone_library._classify_one

    def parse(*args):
        calls["parse"] += 1
        return real_parse(*args)

    def classify(*args):
        calls["classify"] += 1
        return real_classify(*args)

    monkeypatch.setattr(phone_library, "_parse_one", parse)
    monkeypatch.setattr(phone_library, "_classify_one", classify)
    rng = random.Random(7)
    # 3,000 distinct numbers in three area codes, exchanges starting 2-9.
    raws = [
        f"({npa}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        for npa in ("212", "312", "415")
        for _ in range(1000)
    ]
    out = run(raws)
    assert out["phone_reject_reason"].null_count() > 2000
    # US numbers are decided by area code + one exchange digit: at most 3 * 10 keys each.
    assert calls["parse"] <= 30
    assert calls["classify"] <= 30


def test_default_country_is_case_and_space_insensitive():
    assert one("020 7946 0958", " gb ")["e164"] == "+442079460958"


def test_unknown_default_country_rejects_national_numbers_only():
    out = run(["020 7946 0958", "+44 20 7946 0958"], [None, None])  # type: ignore[list-item]
    reasons = out["phone_reject_reason"].to_list()
    assert reasons[0] is not None and "country" in reasons[0]
    assert reasons[1] is None


def test_extension_only_when_what_remains_is_a_number():
    # "x" inside a vanity word is not an extension marker for phonenumbers either.
    row = one("555 x")
    assert row["extension"] is None
    assert row["phone_reject_reason"] is not None


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789 +-().xX#;,extEXTabcDEF/", min_size=1, max_size=24),
            st.sampled_from(["US", "GB", "DE", "CA", "AU", "IN"]),
        ),
        min_size=20,
        max_size=40,
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_the_per_row_answer(batch):
    raws = [r for r, _ in batch]
    countries = [c for _, c in batch]
    got = derived(run(raws, countries))
    want = [reference(r, c) for r, c in batch]
    assert got == want


def test_input_plan_runs_once(monkeypatch):
    runs = []
    calls = []
    real = phones.library_answers

    def source(frame: pl.DataFrame) -> pl.DataFrame:
        runs.append(frame.height)
        return frame

    def answers(frame: pl.DataFrame) -> pl.DataFrame:
        calls.append(frame.height)
        return real(frame)

    monkeypatch.setattr(phones, "library_answers", answers)
    base = values(["212-736-5000", "212 736 5000", "n/a"]).collect()
    out = normalised_phones(base.lazy().map_batches(source, schema=base.schema)).collect()
    assert out.height == 3
    assert runs == [3]
    assert calls == [1]  # two texts, one canonical key: "n/a" never reaches the library
