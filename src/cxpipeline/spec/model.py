"""Import-spec model: how a client's file maps onto the contact-list fields (YAML, `--spec`).

Without a spec, the recognised headers of docs/contract.md §2 apply, compared case, space, hyphen
and underscore insensitively ("Home Phone" = home_phone, "Phone 1" = phone1), with the aliases
zip / zip_code / zipcode / postcode → postal_code, state → state_code, country →
country_code_iso, tz_name / tz / timezone / time_zone → tz_name_input. Every other column is kept
as a user field (the `user_fields` JSON of the mapped rows).

Spec format (every key optional)::

    read:                          # how to read the file; command-line options win
      delimiter: ";"               # one character or tab / comma / semicolon / pipe
      encoding: cp1252             # default: detected
      sheet: Contacts              # workbook sheet (default: the first)
      has_header: true             # default true; false when fixed_width is given
      fixed_width:                 # fixed-width text: one entry per field, in any order
        - {name: cust_no, start: 1, length: 8}    # start is 1-based, in characters
        - {name: tel, start: 9, length: 12}
    columns:                       # input column -> field: a recognised name (client_id,
      Cust No: client_id           #   last_name, home_phone, zip, ...) or any other name,
      Surname: last_name           #   which makes it a user field of that name
      Tel: mobile_phone            # a recognised phone name makes the column a phone
    phones:                        # more phone columns, or a type/country for one
      - column: Work Tel           # input column (exact, else case/space-insensitive)
        type: direct_business_phone   # docs/domain.md §3.4 name or number (default:
                                      #   from the recognised name, else 1 home phone)
        country: GB                # default country of this column's numbers
        name: work_phone           # its column in the mapped rows (default: from the header)
        extension: Work Ext        # column holding this phone's extension (optional)
    default_country: US            # for numbers without country code (default: the list's)
    trim: true                     # strip spaces and non-breaking spaces (default true)
    selection:                     # like the dialer's list rules
      - name: northeast            # reason of an excluded row: "excluded by rule northeast"
        action: include            # include | exclude
        when:                      # every condition must hold (AND)
          - {field: state_code, in: [NY, NJ, CT]}
          - {field: postal_code, prefix: ["06", "07", "10"]}    # quote prefixes
          - {area_code: [212, 917]}                # any phone of the row in these NPAs
          - {field: Segment, not_in: [closed]}     # user fields by their name
      - name: no_test_rows
        action: exclude
        when:
          - {field: last_name, in: [TEST]}

Selection: a row is kept when it matches at least one include set (or there is none) and no
exclude set (OR across sets). Values compare case-insensitively after cleaning; a missing value
is never `in` nor `prefix`, and always `not_in`. Default country of a phone value, best first:
the column's `country`, the row's two-letter `country_code_iso`, `default_country`, else null
(the list's setting then applies).

Spec errors (unknown column or field, bad position, bad rule, bad YAML) raise SpecError naming the
spec file and the field, before any data is written.

This module is pure: the resolved spec, the YAML structure and the checks of its values;
`loader.py` reads the file and resolves it against a file's columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from cxpipeline.codes import PHONE_COLUMN_TYPES, ContactInfoType
from cxpipeline.errors import SpecError
from cxpipeline.io import ReadOptions

#: Canonical non-phone fields of the mapped rows (docs/stages.md §1).
CANONICAL_FIELDS: tuple[str, ...] = (
    "client_id",
    "first_name",
    "last_name",
    "company",
    "postal_code",
    "state_code",
    "country_code_iso",
    "tz_name_input",
    *(f"other{i}" for i in range(1, 21)),
)
#: Recognised phone headers, in the order of docs/contract.md §2.
PHONE_FIELDS: tuple[str, ...] = tuple(PHONE_COLUMN_TYPES)
ALIASES: dict[str, str] = {
    "zip": "postal_code",
    "zip_code": "postal_code",
    "zipcode": "postal_code",
    "postcode": "postal_code",
    "state": "state_code",
    "country": "country_code_iso",
    "tz_name": "tz_name_input",
    "tz": "tz_name_input",
    "timezone": "tz_name_input",
    "time_zone": "tz_name_input",
}
#: Columns the mapped rows add themselves; no input column may be mapped onto them.
RESERVED: frozenset[str] = frozenset({"source_row", "user_fields", "row_hash", "phone_count"})


def header_key(name: str) -> str:
    """Comparison key of a header: lower case without spaces, underscores, hyphens or dots."""
    return re.sub(r"[\s_\-.]+", "", name.strip().lower())


_RECOGNISED: dict[str, str] = {
    **{header_key(n): n for n in (*CANONICAL_FIELDS, *PHONE_FIELDS)},
    **{header_key(a): n for a, n in ALIASES.items()},
}


def recognised_field(name: str) -> str | None:
    """Canonical field or phone name a header stands for, or None."""
    return _RECOGNISED.get(header_key(name))


# --------------------------------------------------------------------------- resolved spec


@dataclass(frozen=True)
class PhoneColumn:
    """One phone column: where it comes from and what its values become."""

    column: str  # input header, verbatim
    name: str  # column in the mapped rows
    index: int  # 0-based order among the phone columns of the input
    contact_info_type: int
    default_country: str | None
    extension: str | None = None  # input header of the column holding its extension


_Op = Literal["in", "not_in", "prefix", "area_code"]


@dataclass(frozen=True)
class Condition:
    """One condition of a selection rule set."""

    op: _Op
    values: tuple[str, ...]
    field: str | None = None  # column of the mapped rows, or a user field name
    user_field: bool = False


@dataclass(frozen=True)
class RuleSet:
    """A named include or exclude rule set; its conditions all must hold."""

    name: str
    action: Literal["include", "exclude"]
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class ImportSpec:
    """A spec resolved against a file's columns: what mapping.py needs, nothing to look up."""

    source: str | None
    fields: Mapping[str, str]  # input column -> canonical field
    phones: tuple[PhoneColumn, ...]
    user_fields: tuple[tuple[str, str], ...]  # (input column, user field name)
    default_country: str | None = None
    trim: bool = True
    selection: tuple[RuleSet, ...] = ()
    read: ReadOptions = field(default_factory=ReadOptions)

    @property
    def phone_names(self) -> tuple[str, ...]:
        """Names of the phone columns in the mapped rows."""
        return tuple(p.name for p in self.phones)


# --------------------------------------------------------------------------- YAML structure


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FixedFieldEntry(_Strict):
    """One field of `read.fixed_width`."""

    name: str = Field(min_length=1)
    start: int = Field(ge=1, description="1-based first character")
    length: int = Field(ge=1)


class ReadSection(_Strict):
    """The `read` section: how to read the file."""

    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    has_header: bool | None = None
    fixed_width: list[FixedFieldEntry] | None = None


class PhoneEntry(_Strict):
    """One entry of `phones`."""

    column: str
    type: str | int | None = None
    country: str | None = None
    name: str | None = None
    extension: str | None = None


_Values = Annotated[list[str | int], Field(min_length=1)]


class ConditionEntry(_Strict):
    """One condition of a selection rule set, as written."""

    field: str | None = None
    in_: _Values | None = Field(None, alias="in")
    not_in: _Values | None = None
    prefix: _Values | None = None
    area_code: _Values | None = None


class RuleSetEntry(_Strict):
    """One selection rule set, as written."""

    name: str = Field(min_length=1)
    action: Literal["include", "exclude"]
    when: list[ConditionEntry] = Field(min_length=1)


class SpecFile(_Strict):
    """A whole spec file, structurally valid (types, known keys)."""

    read: ReadSection | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    phones: list[PhoneEntry] = Field(default_factory=list)
    default_country: str | None = None
    trim: bool = True
    selection: list[RuleSetEntry] = Field(default_factory=list)


# --------------------------------------------------------------------------- value checks


def check_layout(fields: Sequence[FixedFieldEntry], name: str) -> tuple[tuple[str, int, int], ...]:
    """Check a fixed-width layout: unique names, no overlapping positions."""
    seen: set[str] = set()
    spans = sorted((f.start, f.start + f.length - 1, f.name) for f in fields)
    for i, item in enumerate(fields):
        if item.name in seen:
            raise SpecError(
                f"bad position: field name {item.name!r} is used twice",
                file=name,
                field=f"read.fixed_width.{i}",
            )
        seen.add(item.name)
    for (_, end, left), (start, _, right) in zip(spans, spans[1:], strict=False):
        if start <= end:
            raise SpecError(
                f"bad position: {right!r} starts at {start}, inside {left!r} (ends at {end})",
                file=name,
                field="read.fixed_width",
            )
    return tuple((f.name, f.start, f.length) for f in fields)


def phone_name(column: str) -> str:
    """Column name of an unrecognised phone column in the mapped rows: <header>_phone."""
    base = re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_") or "col"
    return base if base.endswith("_phone") else f"{base}_phone"


def check_country(value: str | None, spec_name: str | None, where: str) -> str | None:
    """Validate an ISO 3166 two-letter region code (upper-cased)."""
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise SpecError(
            f"not a two-letter ISO country code: {value!r}", file=spec_name, field=where
        )
    return value.strip().upper()


def contact_type(value: str | int, spec_name: str | None, where: str) -> int:
    """Device type from a number 0-10, a §3.4 name (mobile, HOME_PHONE) or a phone header."""
    if isinstance(value, int) or str(value).strip().isdigit():
        number = int(value)
        if number in {int(t) for t in ContactInfoType}:
            return number
    else:
        key = header_key(str(value))
        by_name = {header_key(t.name): int(t) for t in ContactInfoType}
        by_header = {header_key(h): int(t) for h, t in PHONE_COLUMN_TYPES.items()}
        if key in by_name or key in by_header:
            return by_name.get(key, by_header.get(key, 1))
    names = ", ".join(t.name.lower() for t in ContactInfoType)
    raise SpecError(
        f"unknown device type {value!r} (0-10 or one of {names})", file=spec_name, field=where
    )


# --------------------------------------------------------------------------- selection rules


@dataclass(frozen=True)
class RuleContext:
    """What a rule's field may name: mapped-row columns, user fields, input columns."""

    spec_name: str | None
    known: set[str]  # columns of the mapped rows
    user: set[str]  # user field names
    targets: Mapping[str, str]  # input column -> target name
    by_column: Mapping[str, str]  # phone input column -> its name in the mapped rows


def rule_sets(items: Sequence[RuleSetEntry], context: RuleContext) -> tuple[RuleSet, ...]:
    """Check and resolve selection rule sets (field names, operators, value shapes)."""
    out: list[RuleSet] = []
    names: set[str] = set()
    for i, item in enumerate(items):
        if item.name in names:
            raise SpecError(
                f"bad rule: the name {item.name!r} is used twice",
                file=context.spec_name,
                field=f"selection.{i}.name",
            )
        names.add(item.name)
        conditions = tuple(
            _condition(cond, f"selection.{i}.when.{j}", context) for j, cond in enumerate(item.when)
        )
        out.append(RuleSet(name=item.name, action=item.action, conditions=conditions))
    return tuple(out)


def _condition(cond: ConditionEntry, where: str, context: RuleContext) -> Condition:
    """Check and resolve one condition of a rule set."""
    spec_name = context.spec_name
    ops = {
        op: values
        for op, values in (
            ("in", cond.in_),
            ("not_in", cond.not_in),
            ("prefix", cond.prefix),
            ("area_code", cond.area_code),
        )
        if values is not None
    }
    if len(ops) != 1:
        raise SpecError(
            "bad rule: give exactly one of in, not_in, prefix, area_code",
            file=spec_name,
            field=where,
        )
    op, raw_values = next(iter(ops.items()))
    if op == "prefix" and any(not isinstance(v, str) for v in raw_values):
        raise SpecError(
            'bad rule: quote prefixes ("07", not 07: YAML drops leading zeros)',
            file=spec_name,
            field=f"{where}.prefix",
        )
    values = tuple(str(v).strip() for v in raw_values)
    if op == "area_code":
        return _area_code_condition(cond, values, where, spec_name)
    if cond.field is None:
        raise SpecError(f"bad rule: {op} needs a field", file=spec_name, field=where)
    resolved, is_user = _rule_field(cond.field, context)
    if resolved is None:
        raise SpecError(
            f"bad rule: unknown field {cond.field!r}", file=spec_name, field=f"{where}.field"
        )
    return Condition(op=cast(_Op, op), values=values, field=resolved, user_field=is_user)


def _area_code_condition(
    cond: ConditionEntry, values: tuple[str, ...], where: str, spec_name: str | None
) -> Condition:
    """Check an area_code condition: no field, 3-digit NPAs."""
    if cond.field is not None:
        raise SpecError(
            "bad rule: area_code applies to the row's phones and takes no field",
            file=spec_name,
            field=where,
        )
    bad = [v for v in values if not re.fullmatch(r"[2-9]\d\d", v)]
    if bad:
        raise SpecError(
            f"bad rule: {bad[0]!r} is not a 3-digit area code",
            file=spec_name,
            field=f"{where}.area_code",
        )
    return Condition(op="area_code", values=values)


def _rule_field(name: str, context: RuleContext) -> tuple[str | None, bool]:
    """Resolve a rule's field: a mapped-row column, an input column, or a user field name."""
    known, user, targets = context.known, context.user, context.targets
    if name in known:
        return name, False
    recognised = recognised_field(name)
    if recognised in known:
        return recognised, False
    if name in context.by_column:
        return context.by_column[name], False
    if name in targets:
        target = targets[name]
        return (target, False) if target in known else (target, target in user)
    if name in user:
        return name, True
    matches = [u for u in user if header_key(u) == header_key(name)]
    if len(matches) == 1:
        return matches[0], True
    return None, False
