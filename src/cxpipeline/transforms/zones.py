"""Time-zone candidates and implicated US states of each record (issue #4, items 3-4).

Sources of a record's zone, best first: an explicit zone field, the postal code, the area code
plus exchange, the area code, the country. Phone-derived zones are often several or wrong, so
every candidate is kept (windows intersect over all of them) and the source is recorded.

The lookups are built (and cached) by `cxpipeline.reference.zones` and passed in: this module
only joins them to the records.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from phonenumbers import phonenumberutil as pnu

from cxpipeline.transforms.phones import GEOGRAPHIC_TYPES

__all__ = ["US_ZIP_COUNTRIES", "ZoneLookups", "record_zones"]

#: Regions whose postal codes are US ZIP codes (territories included).
US_ZIP_COUNTRIES: frozenset[str] = frozenset({"US", "PR", "VI", "GU", "AS", "MP", "UM"})

_STR_LIST = pl.List(pl.String)
_PHONE_KEY = ["phone_country_code", "area_code", "number_type", "phone_region", "_z_digits"]
_POSTAL_KEY = ["_z_pc", "_z_country"]
_COMBO_KEY = ["_z_explicit", "_z_pid", "_z_qid", "_z_state_in"]
#: The record columns the zones depend on (the rest of a record is carried along untouched).
ZONE_INPUTS = (
    "tz_name_input",
    "postal_code",
    "state_code",
    "country_code_iso",
    "phone_country_code",
    "phone_region",
    "area_code",
    "national_number",
    "number_type",
)
ZONE_OUTPUTS = ("tz_candidates", "tz_name", "tz_source", "states")


@dataclass(frozen=True, eq=False)
class ZoneLookups:
    """Small lookup frames, built once per process by `reference.zones.zone_lookups()`.

    `zip_zones`: postal_code, zip_state, zip_tz, zip_area_codes.
    `area_code_zones`: phone_country_code, area_code, ac_region, ac_zones, ac_states,
    ac_primary_zone (NANP area codes, all sources merged).
    `prefix_zones`: prefix (calling code + leading digits), prefix_len, prefix_zone_list
    (phonenumbers' zone prefixes, for the longest-prefix match).
    `ca_postal_zones`: ca_prefix, ca_province, ca_zones. `zone_names`: name_key, zone.
    `country_zones`: phone_region, country_zone_list (tzdata zone.tab).
    """

    zip_zones: pl.DataFrame
    area_code_zones: pl.DataFrame
    prefix_zones: pl.DataFrame
    ca_postal_zones: pl.DataFrame
    zone_names: pl.DataFrame
    country_zones: pl.DataFrame
    us_states: tuple[str, ...]
    presumption_states: tuple[str, ...]


def _clean(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def _longest_prefix(lf: pl.LazyFrame, prefixes: pl.DataFrame) -> pl.LazyFrame:
    """Add `_z_pfx_len`, `_z_pfx_zones`: phonenumbers' longest zone prefix of `_z_digits`."""
    lengths = sorted(prefixes.get_column("prefix_len").unique().to_list(), reverse=True)
    for n in lengths:
        table = prefixes.filter(pl.col("prefix_len") == n).select(
            pl.col("prefix").alias(f"_z_p{n}"),
            pl.col("prefix_zone_list").alias(f"_z_pz{n}"),
        )
        lf = lf.join(
            table.lazy(),
            left_on=pl.col("_z_digits").str.slice(0, n),
            right_on=f"_z_p{n}",
            how="left",
            maintain_order="left",
        )
    return lf.with_columns(
        _z_pfx_len=pl.coalesce(
            [pl.when(pl.col(f"_z_pz{n}").is_not_null()).then(pl.lit(n)) for n in lengths]
        ),
        _z_pfx_zones=pl.coalesce([pl.col(f"_z_pz{n}") for n in lengths]),
    ).drop([f"_z_pz{n}" for n in lengths] + [f"_z_p{n}" for n in lengths], strict=False)


def _sorted_set(expr: pl.Expr) -> pl.Expr:
    return expr.list.unique().list.sort()


def record_zones(records: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Add `tz_candidates`, `tz_name`, `tz_source`, `states` and fill `state_code` (stages §3).

    Reads `tz_name_input`, `postal_code`, `state_code`, `country_code_iso` and the phone
    columns of stage 2 (`phone_country_code`, `phone_region`, `area_code`,
    `national_number`, `number_type`).

    Candidates: an explicit zone alone; else the postal code's zone(s) alone when the NANP
    area code serves them, else together with the area code's zones (a moved mobile); with no
    usable postal code, every zone the area code serves (the safe side); a non-NANP number
    uses phonenumbers' longest zone prefix, else its country's zones. Non-geographic numbers
    (toll-free, premium, personal...) get no phone zone. A number of another country than the
    address (the country field, else the postal code's) adds its own zones to an explicit or
    postal candidate set; the source then ends in `+number_country`.

    `tz_name` (the zone daily_from/daily_till are in): the explicit zone; else the postal
    code's (first) zone; else the exchange's zone when phonenumbers knows a single one for the
    area code + exchange; else the area code's primary zone (a primary named in the extras
    CSV, else phonenumbers' single zone for the area code, else the zone most of its ZIPs use);
    else the only candidate; else the alphabetically first candidate.

    States: the state field (a known US state/territory code), the ZIP's state, and the area
    code's states that presume residence from it (rules table `area_code_presumption`). With
    no state field and no usable postal code, all the area code's US states apply: the
    person's state is unknown and the stricter rules must win.
    """
    # Worked out on the few input columns only, then set beside the records: the joins below
    # then move a handful of columns, not every column of a wide record.
    records = records.with_row_index("_z_row").cache()
    lf = _with_keys(records.select("_z_row", *ZONE_INPUTS), lookups.prefix_zones).cache()
    found = _found(lf, lookups)
    return (
        records.join(found, on="_z_row", how="left", maintain_order="left")
        .with_columns(state_code=pl.col("_z_state_code"))
        .drop("_z_row", "_z_state_code")
    )


def _found(lf: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Each keyed row's zone outputs and filled state code, by `_z_row`."""
    # Resolved once per distinct key; keys with one answer share an id (100,000 exchanges
    # give a few hundred phone answers), so the combinations below stay few.
    phone_ids, phones = _shared_ids(
        _phone_zones(lf.select(_PHONE_KEY).unique(maintain_order=True), lookups),
        _PHONE_KEY,
        "_z_pid",
    )
    postal_ids, postals = _shared_ids(
        _postal_zones(lf.select(_POSTAL_KEY).unique(maintain_order=True), lookups),
        _POSTAL_KEY,
        "_z_qid",
    )
    lf = _with_ids(lf, phone_ids, postal_ids, postals, lookups).cache()
    combos = _combined(
        lf.select(_COMBO_KEY)
        .unique()
        .join(phones, on="_z_pid", how="left")
        .join(postals, on="_z_qid", how="left"),
        lookups,
    ).select(*_COMBO_KEY, *ZONE_OUTPUTS)
    return lf.join(
        combos, on=_COMBO_KEY, how="left", maintain_order="left", nulls_equal=True
    ).select(
        "_z_row",
        *ZONE_OUTPUTS,
        _z_state_code=pl.coalesce(_clean("state_code"), pl.col("zip_state")),
    )


def _nanp_deep_heads(prefixes: pl.DataFrame) -> list[str]:
    """NANP area codes ("1" + 3 digits) with zone prefixes longer than the area code."""
    return (
        prefixes.filter(pl.col("prefix").str.starts_with("1") & (pl.col("prefix_len") > 4))
        .select(pl.col("prefix").str.slice(0, 4).unique().sort())
        .to_series()
        .to_list()
    )


def _with_keys(records: pl.LazyFrame, prefixes: pl.DataFrame) -> pl.LazyFrame:
    """Add the cleaned key columns the phone, postal and explicit-zone lookups join on."""
    cc = pl.col("phone_country_code")
    digits = cc.cast(pl.String) + pl.col("national_number")
    # Zone prefixes are at most 7 digits long in NANP and 9 elsewhere; in a NANP area code
    # without longer ones, the area code decides, so its numbers share a key ("1" + area
    # code): a US list's distinct keys are its area codes and the exchanges of the few
    # area codes split between zones, not every exchange (127k keys a chunk otherwise).
    deep = digits.str.slice(0, 4).is_in(_nanp_deep_heads(prefixes))
    length = pl.when(cc == 1).then(pl.when(deep).then(7).otherwise(4)).otherwise(9)
    return records.with_columns(
        _z_tz_key=_clean("tz_name_input").str.to_lowercase(),
        _z_pc=_clean("postal_code").str.to_uppercase().str.replace_all(r"[\s-]", ""),
        _z_country=_clean("country_code_iso").str.to_uppercase(),
        _z_state_in=_clean("state_code").str.to_uppercase(),
        _z_digits=digits.str.slice(0, length),
    )


def _shared_ids(
    answers: pl.LazyFrame, key: list[str], name: str
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Give keys with equal answers one id; return (key -> id, id -> answer).

    `answers` holds the key columns and the answer columns; keys with equal answers (nulls
    equal) get the same id `name`, numbered in order of first appearance (maintain_order) so
    that every evaluation of the plan numbers them identically.
    """
    outputs = [c for c in answers.collect_schema().names() if c not in key]
    grouped = answers.group_by(outputs, maintain_order=True).agg(key).with_row_index(name).cache()
    return grouped.select(name, *key).explode(key), grouped.drop(key)


def _with_ids(
    lf: pl.LazyFrame,
    phone_ids: pl.LazyFrame,
    postal_ids: pl.LazyFrame,
    postals: pl.LazyFrame,
    lookups: ZoneLookups,
) -> pl.LazyFrame:
    """Attach each record's phone answer id, postal answer id (and ZIP state), explicit zone."""
    return (
        lf.join(phone_ids, on=_PHONE_KEY, how="left", maintain_order="left", nulls_equal=True)
        .join(postal_ids, on=_POSTAL_KEY, how="left", maintain_order="left", nulls_equal=True)
        .join(postals.select("_z_qid", "zip_state"), on="_z_qid", how="left", maintain_order="left")
        .join(
            lookups.zone_names.lazy().rename({"name_key": "_z_tz_key", "zone": "_z_explicit"}),
            on="_z_tz_key",
            how="left",
            maintain_order="left",
        )
    )


def _phone_zones(keys: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Zones a phone number implies, per distinct (number, 7-9 leading digits) key."""
    lf = keys.with_columns(
        # phonenumbers' own rule: a mobile number locates its owner only in a few countries.
        _z_geo=(
            pl.col("number_type").is_in(["FIXED_LINE", "FIXED_LINE_OR_MOBILE"])
            | (
                (pl.col("number_type") == "MOBILE")
                & pl.col("phone_country_code").is_in(sorted(pnu._GEO_MOBILE_COUNTRIES))
            )
        ).fill_null(False),
        _z_any=pl.col("number_type").is_in(list(GEOGRAPHIC_TYPES)).fill_null(False),
    )
    lf = lf.join(
        lookups.area_code_zones.lazy().select(
            "phone_country_code", "area_code", "ac_zones", "ac_states", "ac_primary_zone"
        ),
        on=["phone_country_code", "area_code"],
        how="left",
    )
    lf = _longest_prefix(lf, lookups.prefix_zones)
    lf = lf.join(lookups.country_zones.lazy(), on="phone_region", how="left")
    cc_len = pl.col("phone_country_code").cast(pl.String).str.len_chars()
    nanp = pl.col("phone_country_code") == 1
    geo = pl.col("_z_geo")
    ac_ok = geo & nanp & (pl.col("ac_zones").list.len() > 0).fill_null(False)
    exch_one = (
        ac_ok & (pl.col("_z_pfx_len") > 4) & (pl.col("_z_pfx_zones").list.len() == 1)
    ).fill_null(False)
    area_ok = (
        geo & ~nanp & (pl.col("_z_pfx_len") > cc_len) & (pl.col("_z_pfx_zones").list.len() > 0)
    ).fill_null(False)
    cc_zones = pl.when(pl.col("_z_pfx_len") == cc_len).then(pl.col("_z_pfx_zones"))
    country_zones = pl.coalesce("country_zone_list", cc_zones)
    country_ok = (pl.col("_z_any") & (country_zones.list.len() > 0)).fill_null(False)
    return lf.select(
        *keys.collect_schema().names(),
        _z_nanp=nanp.fill_null(False),
        _z_ac_states=pl.col("ac_states"),
        _z_phone=pl.when(ac_ok)
        .then(pl.col("ac_zones"))
        .when(area_ok)
        .then(pl.col("_z_pfx_zones"))
        .when(country_ok)
        .then(country_zones),
        _z_phone_src=pl.when(exch_one)
        .then(pl.lit("area_code_exchange"))
        .when(ac_ok | area_ok)
        .then(pl.lit("area_code"))
        .when(country_ok)
        .then(pl.lit("country")),
        _z_phone_tz=pl.when(exch_one)
        .then(pl.col("_z_pfx_zones").list.first())
        .when(ac_ok)
        .then(pl.col("ac_primary_zone")),
        _z_ac_zones=pl.when(ac_ok).then(pl.col("ac_zones")),
        _z_region=pl.col("phone_region"),
    )


def _postal_zones(keys: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Zones and state of each distinct postal code: US ZIP (ZIP+4 allowed) or Canadian."""
    country = pl.col("_z_country")
    us_zip = pl.col("_z_pc").str.contains(r"^\d{5}(\d{4})?$") & (
        country.is_null() | country.is_in(list(US_ZIP_COUNTRIES))
    )
    ca_code = pl.col("_z_pc").str.contains(r"^[ABCEGHJ-NPRSTVXY]\d[A-Z](\d[A-Z]\d)?$") & (
        country.is_null() | (country == "CA")
    )
    lf = keys.with_columns(
        _z_zip=pl.when(us_zip).then(pl.col("_z_pc").str.slice(0, 5)),
        _z_fsa=pl.when(ca_code).then(pl.col("_z_pc").str.slice(0, 3)),
    ).join(
        lookups.zip_zones.lazy().select("postal_code", "zip_state", "zip_tz"),
        left_on="_z_zip",
        right_on="postal_code",
        how="left",
    )
    ca = lookups.ca_postal_zones.lazy()
    for n in (3, 2, 1):
        lf = lf.join(
            ca.filter(pl.col("ca_prefix").str.len_chars() == n).select(
                pl.col("ca_prefix").alias(f"_z_ca{n}"), pl.col("ca_zones").alias(f"_z_caz{n}")
            ),
            left_on=pl.col("_z_fsa").str.slice(0, n),
            right_on=f"_z_ca{n}",
            how="left",
        )
    ca_zones = pl.coalesce("_z_caz3", "_z_caz2", "_z_caz1")
    return lf.select(
        *keys.collect_schema().names(),
        "zip_state",
        _z_postal=pl.when(pl.col("zip_tz").is_not_null())
        .then(pl.concat_list(pl.col("zip_tz")))
        .otherwise(ca_zones),
        # The address' country: the country field, else the one its postal code belongs to.
        _z_addr_country=pl.coalesce(
            country,
            pl.when(pl.col("zip_tz").is_not_null()).then(pl.lit("US")),
            pl.when(ca_zones.is_not_null()).then(pl.lit("CA")),
        ),
    )


def _foreign_number(address_zone: pl.Expr, moved: pl.Expr) -> pl.Expr:
    """Whether a number of another country than the address adds its own zones.

    A Chicago ZIP with a +44 number may be answered in London: the number's zones join the
    address' candidates, so the window holds in both places (the intersection rule). `address_zone`
    says the candidates come from the address (an explicit zone or the postal code); a NANP
    number of a `moved` person already brings its area code's zones.
    """
    region, country = pl.col("_z_region"), pl.col("_z_addr_country")
    # US ZIPs serve the territories too (PR, GU...): their numbers are not foreign to them.
    us_zips = list(US_ZIP_COUNTRIES)
    domestic = (region == country) | (region.is_in(us_zips) & country.is_in(us_zips))
    foreign = address_zone & ~moved & pl.col("_z_phone").is_not_null() & ~domestic
    return foreign.fill_null(False)


def _combined(lf: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Candidates, zone name, source and states of each distinct explicit/phone/postal combo."""
    presumption = list(lookups.presumption_states)
    us_states = list(lookups.us_states)
    has_postal = (pl.col("_z_postal").list.len() > 0).fill_null(False)
    moved = (
        has_postal
        & pl.col("_z_ac_zones").is_not_null()
        & (pl.col("_z_postal").list.set_difference(pl.col("_z_ac_zones")).list.len() > 0)
    ).fill_null(False)
    explicit = pl.col("_z_explicit")
    candidates = (
        pl.when(explicit.is_not_null())
        .then(pl.concat_list(explicit))
        .when(moved)
        .then(pl.concat_list("_z_postal", "_z_ac_zones"))
        .when(has_postal)
        .then(pl.col("_z_postal"))
        .when(pl.col("_z_phone").is_not_null())
        .then(pl.col("_z_phone"))
        .otherwise(pl.lit([], dtype=_STR_LIST))
    )
    foreign = _foreign_number(explicit.is_not_null() | has_postal, moved)
    candidates = pl.when(foreign).then(pl.concat_list(candidates, "_z_phone")).otherwise(candidates)
    lf = lf.with_columns(tz_candidates=_sorted_set(candidates))
    lf = lf.with_columns(
        tz_source=pl.when(explicit.is_not_null())
        .then(pl.lit("explicit"))
        .when(moved)
        .then(pl.lit("postal_code+area_code"))
        .when(has_postal)
        .then(pl.lit("postal_code"))
        .when(pl.col("_z_phone").is_not_null())
        .then(pl.col("_z_phone_src"))
        .otherwise(pl.lit("none"))
        + pl.when(foreign).then(pl.lit("+number_country")).otherwise(pl.lit("")),
        tz_name=pl.when(explicit.is_not_null())
        .then(explicit)
        .when(has_postal)
        .then(pl.col("_z_postal").list.first())
        .otherwise(pl.coalesce("_z_phone_tz", pl.col("tz_candidates").list.first())),
    )
    empty = pl.lit([], dtype=_STR_LIST)
    nanp = pl.col("_z_nanp").fill_null(False)
    state_in = pl.when(pl.col("_z_state_in").is_in(us_states)).then(pl.col("_z_state_in"))
    ac_states = pl.col("_z_ac_states").fill_null(empty)
    no_address = pl.col("_z_state_in").is_null() & ~has_postal
    from_area = (
        pl.when(nanp & no_address)
        .then(ac_states.list.set_intersection(pl.lit(us_states, dtype=_STR_LIST)))
        .when(nanp)
        .then(ac_states.list.set_intersection(pl.lit(presumption, dtype=_STR_LIST)))
        .otherwise(empty)
    )
    states = pl.concat_list(
        pl.concat_list(state_in).fill_null(empty),
        pl.concat_list(pl.col("zip_state")).fill_null(empty),
        from_area.fill_null(empty),
    ).list.drop_nulls()
    return lf.with_columns(states=_sorted_set(states))
