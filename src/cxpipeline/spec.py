"""The import spec: how a client's file maps onto the contact-list fields (YAML, `--spec`).

Without a spec, the recognised headers of design.md §3.2 apply, compared case, space, hyphen
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
        type: direct_business_phone   # domain.md §3.4 name or number (default: from the
                                      #   recognised name, else 1 home phone)
        country: GB                # default country of this column's numbers
        name: work_phone           # its column in the mapped rows (default: from the header)
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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxpipeline.codes import PHONE_COLUMN_TYPES, ContactInfoType
from cxpipeline.errors import InputError, SpecError
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
#: Recognised phone headers, in the order of design.md §3.2.
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


# --------------------------------------------------------------------------- YAML model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _FixedField(_Strict):
    name: str = Field(min_length=1)
    start: int = Field(ge=1, description="1-based first character")
    length: int = Field(ge=1)


class _Read(_Strict):
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    has_header: bool | None = None
    fixed_width: list[_FixedField] | None = None


class _Phone(_Strict):
    column: str
    type: str | int | None = None
    country: str | None = None
    name: str | None = None


_Values = Annotated[list[str | int], Field(min_length=1)]


class _Condition(_Strict):
    field: str | None = None
    in_: _Values | None = Field(None, alias="in")
    not_in: _Values | None = None
    prefix: _Values | None = None
    area_code: _Values | None = None


class _RuleSet(_Strict):
    name: str = Field(min_length=1)
    action: Literal["include", "exclude"]
    when: list[_Condition] = Field(min_length=1)


class _SpecFile(_Strict):
    read: _Read | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    phones: list[_Phone] = Field(default_factory=list)
    default_country: str | None = None
    trim: bool = True
    selection: list[_RuleSet] = Field(default_factory=list)


def _parse(path: Path) -> _SpecFile:
    """Read and structurally validate a spec file (types, known keys)."""
    name = str(path)
    if not path.is_file():
        raise SpecError("spec file not found", file=name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise SpecError(f"not valid YAML: {problem}{where}", file=name) from None
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text", file=name) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SpecError("a spec is a mapping of keys (read, columns, phones, ...)", file=name)
    try:
        return _SpecFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]).replace("in_", "in")
        raise SpecError(error["msg"], file=name, field=where or None) from None


def read_options(
    path: Path | str | None,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ReadOptions:
    """Build reading options from a spec's `read` section, overridden by command-line values.

    Also checks the fixed-width layout (overlaps, duplicate names), so a bad position is
    reported before the file is read.
    """
    section = _parse(Path(path)).read if path is not None else None
    section = section or _Read()
    layout = None
    if section.fixed_width:
        layout = _layout(section.fixed_width, str(path))
    has_header = section.has_header if section.has_header is not None else layout is None
    return ReadOptions(
        delimiter=delimiter or section.delimiter,
        encoding=encoding or section.encoding,
        sheet=sheet or section.sheet,
        fixed_width=layout,
        has_header=has_header,
    )


def _layout(fields: Sequence[_FixedField], name: str) -> tuple[tuple[str, int, int], ...]:
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


# --------------------------------------------------------------------------- resolving


def load_spec(
    path: Path | str | None, *, columns: Sequence[str], source: str | None = None
) -> ImportSpec:
    """Resolve an import spec (or, with None, the recognised headers) against a file's columns.

    `columns` are the file's headers as read (a `source_row` column is ignored); `source` names
    the data file in errors. Unknown columns or fields raise SpecError naming the spec file and
    field; a file with no phone column raises InputError.
    """
    spec_name = str(path) if path is not None else None
    parsed = _parse(Path(path)) if path is not None else _SpecFile()
    inputs = [c for c in columns if c != "source_row"]
    options = read_options(path) if path is not None else ReadOptions()

    def find(column: str, where: str) -> str:
        if column in inputs:
            return column
        matches = [c for c in inputs if header_key(c) == header_key(column)]
        if len(matches) == 1:
            return matches[0]
        shown = ", ".join(repr(c) for c in inputs[:30])
        raise SpecError(
            f"unknown column {column!r}; the file has: {shown}", file=spec_name, field=where
        )

    targets: dict[str, str] = {}  # input column -> target name (canonical, phone or user)
    for key, target in parsed.columns.items():
        column = find(key, f"columns.{key}")
        wanted = recognised_field(target) or target.strip()
        if not wanted or wanted in RESERVED:
            raise SpecError(
                f"cannot map a column onto {target!r}", file=spec_name, field=f"columns.{key}"
            )
        targets[column] = wanted
    for column in inputs:
        if column not in targets:
            targets[column] = recognised_field(column) or column

    phone_specs = {
        find(p.column, f"phones.{i}.column"): (i, p) for i, p in enumerate(parsed.phones)
    }
    owner: dict[str, str] = {}
    for column in inputs:
        target = targets[column]
        is_phone = target in PHONE_COLUMN_TYPES or column in phone_specs
        if is_phone or target in CANONICAL_FIELDS:
            if target in owner and not (is_phone and column in phone_specs):
                message = (
                    f"columns {owner[target]!r} and {column!r} both map to {target}; "
                    "map one of them elsewhere"
                )
                if spec_name is None:
                    raise InputError(message + " in an import spec", file=source)
                raise SpecError(message, file=spec_name, field="columns")
            owner.setdefault(target, column)

    default_country = _country(parsed.default_country, spec_name, "default_country")
    phones: list[PhoneColumn] = []
    used_names: set[str] = set(CANONICAL_FIELDS) | RESERVED
    for column in inputs:
        target = targets[column]
        given = phone_specs.get(column)
        if target not in PHONE_COLUMN_TYPES and given is None:
            continue
        i, item = given if given else (None, None)
        where = f"phones.{i}" if i is not None else f"columns.{column}"
        name = (item.name if item and item.name else None) or (
            target if target in PHONE_COLUMN_TYPES else _phone_name(column)
        )
        if name in used_names:
            raise SpecError(
                f"phone column name {name!r} is already used", file=spec_name, field=where
            )
        used_names.add(name)
        kind = (
            _contact_type(item.type, spec_name, f"{where}.type")
            if item and item.type is not None
            else int(PHONE_COLUMN_TYPES.get(target, ContactInfoType.HOME_PHONE))
        )
        country = _country(item.country if item else None, spec_name, f"{where}.country")
        phones.append(PhoneColumn(column, name, len(phones), kind, country))
    if not phones:
        expected = "home_phone, business_phone, mobile_phone, vacation_phone, phone, phone1…phone10"
        raise InputError(
            f"no recognisable phone column (expected one of {expected}, or an import spec "
            "naming the phone columns)",
            file=source,
        )

    phone_columns = {p.column for p in phones}
    fields = {
        c: targets[c] for c in inputs if c not in phone_columns and targets[c] in CANONICAL_FIELDS
    }
    user_fields = tuple(
        (c, targets[c]) for c in inputs if c not in phone_columns and c not in fields
    )
    names = {n for _, n in user_fields}
    if len(names) != len(user_fields):
        raise SpecError("two columns map to the same user field", file=spec_name, field="columns")
    selection = _rule_sets(
        parsed.selection,
        spec_name,
        known=set(CANONICAL_FIELDS) | {p.name for p in phones},
        user=names,
        targets=targets,
        phone_columns=phone_columns,
        phones=phones,
    )
    return ImportSpec(
        source=spec_name,
        fields=fields,
        phones=tuple(phones),
        user_fields=user_fields,
        default_country=default_country,
        trim=parsed.trim,
        selection=selection,
        read=options,
    )


def _phone_name(column: str) -> str:
    """Column name of an unrecognised phone column in the mapped rows: <header>_phone."""
    base = re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_") or "col"
    return base if base.endswith("_phone") else f"{base}_phone"


def _country(value: str | None, spec_name: str | None, where: str) -> str | None:
    """Validate an ISO 3166 two-letter region code (upper-cased)."""
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise SpecError(
            f"not a two-letter ISO country code: {value!r}", file=spec_name, field=where
        )
    return value.strip().upper()


def _contact_type(value: str | int, spec_name: str | None, where: str) -> int:
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


def _rule_sets(
    items: Sequence[_RuleSet],
    spec_name: str | None,
    *,
    known: set[str],
    user: set[str],
    targets: Mapping[str, str],
    phone_columns: set[str],
    phones: Sequence[PhoneColumn],
) -> tuple[RuleSet, ...]:
    """Check and resolve selection rule sets (field names, operators, value shapes)."""
    out: list[RuleSet] = []
    names: set[str] = set()
    by_column = {p.column: p.name for p in phones}
    for i, item in enumerate(items):
        if item.name in names:
            raise SpecError(
                f"bad rule: the name {item.name!r} is used twice",
                file=spec_name,
                field=f"selection.{i}.name",
            )
        names.add(item.name)
        conditions: list[Condition] = []
        for j, cond in enumerate(item.when):
            where = f"selection.{i}.when.{j}"
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
                conditions.append(Condition(op="area_code", values=values))
                continue
            if cond.field is None:
                raise SpecError(f"bad rule: {op} needs a field", file=spec_name, field=where)
            resolved, is_user = _rule_field(cond.field, known, user, targets, by_column)
            if resolved is None:
                raise SpecError(
                    f"bad rule: unknown field {cond.field!r}",
                    file=spec_name,
                    field=f"{where}.field",
                )
            conditions.append(
                Condition(op=cast(_Op, op), values=values, field=resolved, user_field=is_user)
            )
        out.append(RuleSet(name=item.name, action=item.action, conditions=tuple(conditions)))
    return tuple(out)


def _rule_field(
    name: str,
    known: set[str],
    user: set[str],
    targets: Mapping[str, str],
    by_column: Mapping[str, str],
) -> tuple[str | None, bool]:
    """Resolve a rule's field: a mapped-row column, an input column, or a user field name."""
    if name in known:
        return name, False
    recognised = recognised_field(name)
    if recognised in known:
        return recognised, False
    if name in by_column:
        return by_column[name], False
    if name in targets:
        target = targets[name]
        return (target, False) if target in known else (target, target in user)
    if name in user:
        return name, True
    matches = [u for u in user if header_key(u) == header_key(name)]
    if len(matches) == 1:
        return matches[0], True
    return None, False
