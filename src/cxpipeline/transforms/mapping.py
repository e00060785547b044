"""Map raw text rows onto the canonical contact fields, clean them, melt phones, select rows.

Cleaning rules (polars expressions only):
- every value: non-breaking spaces become spaces; with `trim`, surrounding whitespace goes;
  an empty value becomes null;
- ids, ZIP codes and phones lose an Excel float tail (`2125550142.0` → `2125550142`), and a
  phone or id in scientific notation is expanded when no digit was lost
  (`2.125550142E+09` → `2125550142`); when digits were lost (`2.12555E+09`) the text is kept
  and the phone value carries `phone_issue`;
- state names become USPS codes (`Massachusetts` → `MA`), codes are upper-cased; country
  names and ISO-3 codes of the US and Canada become `US` / `CA`;
- ZIP leading zeros: a US ZIP (country US/PR/VI or empty) with 4 digits gets one zero back
  when its state's ZIPs start with 0 (CT MA ME NH NJ RI VT, PR VI, military AE) or when the state
  is empty (a 4-digit US ZIP can only be 0xxxx); a 3-digit one gets two zeros for PR and VI
  (006-009xx). ZIP+4 (`2134-1234`) is repaired the same way. Anything else is left as written,
  for validation to judge.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.spec.model import CANONICAL_FIELDS, Condition, ImportSpec, RuleSet

#: States and territories whose ZIP codes start with 0 (a 4-digit ZIP there lost one zero).
ZERO_ZIP_STATES: frozenset[str] = frozenset(
    {"CT", "MA", "ME", "NH", "NJ", "RI", "VT", "PR", "VI", "AE"}
)
#: Territories whose ZIP codes start with 00 (a 3-digit ZIP there lost two zeros).
DOUBLE_ZERO_ZIP_STATES: frozenset[str] = frozenset({"PR", "VI"})
_US_COUNTRIES = ("US", "PR", "VI")

STATE_NAMES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI",
    "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND",
    "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN",
    "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR",
    "VIRGIN ISLANDS": "VI", "U.S. VIRGIN ISLANDS": "VI", "GUAM": "GU",
    "AMERICAN SAMOA": "AS", "NORTHERN MARIANA ISLANDS": "MP",
}  # fmt: skip
COUNTRY_NAMES: dict[str, str] = {
    "USA": "US", "U.S.": "US", "U.S.A.": "US", "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US", "CAN": "CA", "CANADA": "CA",
}  # fmt: skip

_SCIENTIFIC = r"^[+]?(\d)(?:[.,](\d*))?[eE]\+?(\d{1,2})$"
#: A float tail or scientific notation: the only values number_text has to touch.
_DAMAGED = r"^(?:\d+\.0+|[+]?\d(?:[.,]\d*)?[eE]\+?\d{1,2})$"
_ODD_SPACES = "[\u00a0\u2007\u202f]"


# --------------------------------------------------------------------------- cleaning


def cleaned_text(expr: pl.Expr, *, trim: bool = True) -> pl.Expr:
    """Text with non-breaking spaces as spaces, optionally trimmed; empty text becomes null."""
    text = expr.cast(pl.String)
    # string work runs on the few values that need it: nulls cost nothing
    spaced = pl.when(text.str.contains(_ODD_SPACES)).then(text).str.replace_all(_ODD_SPACES, " ")
    text = pl.coalesce(spaced, text)
    if trim:
        text = text.str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def number_text(expr: pl.Expr) -> pl.Expr:
    """Undo spreadsheet number damage on an id-like text: float tail and lossless 1.2E+09."""
    damaged = pl.when(expr.str.contains(_DAMAGED)).then(expr)
    parts = damaged.str.extract_groups(_SCIENTIFIC)
    mantissa = parts.struct.field("1") + parts.struct.field("2").fill_null("")
    exponent = parts.struct.field("3").cast(pl.Int64)
    fraction = parts.struct.field("2").fill_null("").str.len_chars()
    # exactly `exponent` fraction digits: every digit of the integer was written out
    expanded = pl.when(fraction == exponent).then(mantissa)
    floats = pl.when(damaged.str.contains(r"^\d+\.0+$")).then(damaged)
    integer = floats.str.strip_chars_end("0").str.strip_suffix(".")
    return pl.coalesce(expanded, integer, expr)


def scientific_loss(expr: pl.Expr) -> pl.Expr:
    """Flag values in scientific notation that dropped digits (2.12555E+09)."""
    parts = pl.when(expr.str.contains(_DAMAGED)).then(expr).str.extract_groups(_SCIENTIFIC)
    fraction = parts.struct.field("2").fill_null("").str.len_chars()
    return (fraction < parts.struct.field("3").cast(pl.Int64)).fill_null(False)


def repaired_zip(postal: pl.Expr, state: pl.Expr, country: pl.Expr) -> pl.Expr:
    """Give back the leading zeros spreadsheets strip from US ZIP codes (see module doc)."""
    short = r"^(\d{3,4})(-\d{4})?$"
    parts = pl.when(postal.str.contains(short)).then(postal).str.extract_groups(short)
    head = parts.struct.field("1")
    tail = parts.struct.field("2").fill_null("")
    us = country.is_null() | country.is_in(_US_COUNTRIES)
    four = (head.str.len_chars() == 4) & (state.is_null() | state.is_in(ZERO_ZIP_STATES))
    three = (head.str.len_chars() == 3) & state.is_in(DOUBLE_ZERO_ZIP_STATES)
    return (
        pl.when(us & (four | three).fill_null(False))
        .then(head.str.pad_start(5, "0") + tail)
        .otherwise(postal)
    )


def _state(expr: pl.Expr) -> pl.Expr:
    """Upper-case a state and turn a full state name into its USPS code."""
    upper = expr.str.to_uppercase()
    return upper.replace(STATE_NAMES)


def _country(expr: pl.Expr) -> pl.Expr:
    """Upper-case a country and turn US / Canada names into ISO codes."""
    upper = expr.str.to_uppercase()
    return upper.replace(COUNTRY_NAMES)


# --------------------------------------------------------------------------- stages


def _phone_text(number: pl.Expr, extension: pl.Expr | None) -> pl.Expr:
    """Return the phone cell, its extension (if any) appended as `;ext=` (RFC 3966)."""
    number = number_text(number)
    if extension is None:
        return number
    extension = number_text(extension)
    return (
        pl.when(extension.is_not_null() & number.is_not_null())
        .then(number + ";ext=" + extension)
        .otherwise(number)
    )


def mapped_rows(raw: pl.LazyFrame, spec: ImportSpec) -> pl.LazyFrame:
    """Map raw text rows to canonical columns (docs/stages.md §1), keeping the phone columns.

    Adds `phone_count` (non-empty phone cells), `user_fields` (JSON of the unrecognised columns)
    and `row_hash` (u64 over every mapped value except source_row, for duplicate rows; polars'
    hash is stable within one version, enough to compare the rows of one ingest).
    """
    # In stages, each reading the columns the last one wrote: an expression that nests
    # another repeats it wherever it reads its input (number_text reads it six times), and
    # a ZIP code cleaned, cleaned again and repaired took a third of the mapping.
    cleaned, working = _cleaned_cells(raw, spec)
    phones = {
        p.name: _phone_text(
            pl.col(f"\x00pn:{p.name}"),
            None if p.extension is None else pl.col(f"\x00px:{p.name}"),
        )
        for p in spec.phones
    }
    rows = cleaned.with_columns(
        client_id=number_text(pl.col("client_id")),
        postal_code=number_text(cleaned_text(pl.col("postal_code"))),
        state_code=_state(cleaned_text(pl.col("state_code"))),
        country_code_iso=_country(cleaned_text(pl.col("country_code_iso"))),
        **phones,
    ).with_columns(
        repaired_zip(pl.col("postal_code"), pl.col("state_code"), pl.col("country_code_iso")).alias(
            "postal_code"
        )
    )
    users = [name for _, name in spec.user_fields]
    user_json = (
        pl.struct(pl.col(f"\x00user:{n}").alias(n) for n in users).struct.json_encode()
        if users
        else pl.lit("{}")
    )
    phone_names = list(phones)
    rows = rows.with_columns(
        phone_count=pl.sum_horizontal(pl.col(n).is_not_null() for n in phone_names).cast(pl.Int64),
        user_fields=user_json,
    ).drop(working)
    hashed = [*CANONICAL_FIELDS, *phone_names, "user_fields"]
    return rows.select(
        "source_row", *CANONICAL_FIELDS, *phone_names, "phone_count", "user_fields",
        row_hash=pl.struct(hashed).hash(seed=0),
    )  # fmt: skip


def _cleaned_cells(raw: pl.LazyFrame, spec: ImportSpec) -> tuple[pl.LazyFrame, list[str]]:
    """Return every cell the mapping reads, cleaned: canonical fields, phone parts, user fields.

    Returns the frame and its working columns (phone parts and user fields, by their
    internal names), which the mapping drops once it has read them.
    """
    by_field = {target: column for column, target in spec.fields.items()}

    def text(column: str | None) -> pl.Expr:
        if column is None:
            return pl.lit(None, pl.String)
        return cleaned_text(pl.col(column), trim=spec.trim)

    canonical = {name: text(by_field.get(name)) for name in CANONICAL_FIELDS}
    working = {f"\x00pn:{p.name}": cleaned_text(pl.col(p.column)) for p in spec.phones}
    working |= {
        f"\x00px:{p.name}": cleaned_text(pl.col(p.extension), trim=spec.trim)
        for p in spec.phones
        if p.extension is not None
    }
    working |= {f"\x00user:{name}": text(column) for column, name in spec.user_fields}
    frame = raw.select(
        pl.col("source_row").cast(pl.Int64),
        *(expr.alias(name) for name, expr in canonical.items()),
        *(expr.alias(name) for name, expr in working.items()),
    )
    return frame, list(working)


def phone_values(rows: pl.LazyFrame, spec: ImportSpec) -> pl.LazyFrame:
    """One row per non-empty phone cell, in row then column order (docs/stages.md §1).

    `raw_phone` is the cleaned cell text; `phone_issue` (str|null) flags a value that lost
    digits in scientific notation. `default_country`: the column's country, else the row's
    two-letter country_code_iso, else the spec's default_country, else null.
    """
    row_country = pl.col("country_code_iso")
    row_country = pl.when(row_country.str.contains(r"^[A-Z]{2}$")).then(row_country)
    parts = [
        rows.select(
            "source_row",
            pl.lit(p.column, pl.String).alias("phone_field"),
            pl.lit(p.index, pl.Int64).alias("phone_index"),
            pl.lit(p.contact_info_type, pl.Int64).alias("contact_info_type"),
            pl.coalesce(
                pl.lit(p.default_country, pl.String),
                row_country,
                pl.lit(spec.default_country, pl.String),
            ).alias("default_country"),
            pl.col(p.name).alias("raw_phone"),
            pl.when(scientific_loss(pl.col(p.name)))
            .then(pl.lit("phone number in scientific notation lost digits"))
            .otherwise(pl.lit(None, pl.String))
            .alias("phone_issue"),
        )
        for p in spec.phones
    ]
    return (
        pl.concat(parts, how="vertical")
        .filter(pl.col("raw_phone").is_not_null())
        .sort("source_row", "phone_index")
    )


def selected_rows(rows: pl.LazyFrame, spec: ImportSpec) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Split rows by the spec's selection rule sets into (kept, excluded).

    Kept: matches at least one include set (when there are any) and no exclude set. Excluded
    rows carry `_excluded_by` ("excluded by rule <name>": the first exclude set matched, or the
    include sets none of which matched).
    """
    includes = [r for r in spec.selection if r.action == "include"]
    excludes = [r for r in spec.selection if r.action == "exclude"]
    if not includes and not excludes:
        empty = rows.filter(pl.lit(False)).with_columns(_excluded_by=pl.lit(None, pl.String))
        return rows, empty
    area_codes = _area_codes(spec)
    reason = _first_exclude(excludes, area_codes)
    if includes:
        included = pl.any_horizontal(_matches(r, area_codes) for r in includes)
        names = " or ".join(r.name for r in includes)
        reason = pl.when(~included).then(pl.lit(f"excluded by rule {names}")).otherwise(reason)
    marked = rows.with_columns(_excluded_by=reason)
    kept = marked.filter(pl.col("_excluded_by").is_null()).drop("_excluded_by")
    excluded = marked.filter(pl.col("_excluded_by").is_not_null())
    return kept, excluded


def _first_exclude(excludes: list[RuleSet], area_codes: list[pl.Expr]) -> pl.Expr:
    """Reason naming the first exclude set (in spec order) that a row matches, else null."""
    reason: pl.Expr = pl.lit(None, pl.String)
    for rule in reversed(excludes):
        reason = (
            pl.when(_matches(rule, area_codes))
            .then(pl.lit(f"excluded by rule {rule.name}"))
            .otherwise(reason)
        )
    return reason


def _area_codes(spec: ImportSpec) -> list[pl.Expr]:
    """NANP area code of each phone column (10 digits, or 11 starting with 1), else null."""
    out = []
    for name in spec.phone_names:
        digits = pl.col(name).str.replace_all(r"\D", "")
        national = (
            pl.when(digits.str.len_chars() == 11)
            .then(pl.when(digits.str.starts_with("1")).then(digits.str.slice(1)))
            .when(digits.str.len_chars() == 10)
            .then(digits)
        )
        out.append(national.str.slice(0, 3))
    return out


def _matches(rule: RuleSet, area_codes: list[pl.Expr]) -> pl.Expr:
    """Test that a row meets every condition of a rule set (nulls never match in/prefix)."""
    return pl.all_horizontal(_condition(c, area_codes) for c in rule.conditions)


def _condition(cond: Condition, area_codes: list[pl.Expr]) -> pl.Expr:
    """Test that a row meets one condition."""
    if cond.op == "area_code":
        wanted = list(cond.values)
        return pl.any_horizontal(ac.is_in(wanted).fill_null(False) for ac in area_codes)
    assert cond.field is not None  # guaranteed by spec.load_spec
    if cond.user_field:
        key = cond.field.replace("\\", "\\\\").replace("'", "\\'")
        value = pl.col("user_fields").str.json_path_match(f"$['{key}']")
    else:
        value = pl.col(cond.field)
    folded = value.str.to_lowercase()
    wanted = [v.lower() for v in cond.values]
    if cond.op == "in":
        return folded.is_in(wanted).fill_null(False)
    if cond.op == "not_in":
        return (~folded.is_in(wanted)).fill_null(True)
    return pl.any_horizontal(folded.str.starts_with(v) for v in wanted).fill_null(False)
