"""Import-spec loader: read a spec's YAML and resolve it against a data file's columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from cxpipeline.codes import PHONE_COLUMN_TYPES, ContactInfoType
from cxpipeline.errors import InputError, SpecError
from cxpipeline.io import ReadOptions
from cxpipeline.spec.model import (
    CANONICAL_FIELDS,
    RESERVED,
    ImportSpec,
    PhoneColumn,
    PhoneEntry,
    ReadSection,
    RuleContext,
    SpecFile,
    check_country,
    check_layout,
    contact_type,
    header_key,
    phone_name,
    recognised_field,
    rule_sets,
)

#: Finds the input column a spec names (exact, else header_key-equal), `where` naming the key.
_Find = Callable[[str, str], str]


def _parse(path: Path) -> SpecFile:
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
        return SpecFile.model_validate(data)
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
    section = section or ReadSection()
    layout = None
    if section.fixed_width:
        layout = check_layout(section.fixed_width, str(path))
    has_header = section.has_header if section.has_header is not None else layout is None
    return ReadOptions(
        delimiter=delimiter or section.delimiter,
        encoding=encoding or section.encoding,
        sheet=sheet or section.sheet,
        fixed_width=layout,
        has_header=has_header,
    )


def load_spec(
    path: Path | str | None, *, columns: Sequence[str], source: str | None = None
) -> ImportSpec:
    """Resolve an import spec (or, with None, the recognised headers) against a file's columns.

    `columns` are the file's headers as read (a `source_row` column is ignored); `source` names
    the data file in errors. Unknown columns or fields raise SpecError naming the spec file and
    field; a file with no phone column raises InputError.
    """
    spec_name = str(path) if path is not None else None
    parsed = _parse(Path(path)) if path is not None else SpecFile()
    inputs = [c for c in columns if c != "source_row"]
    options = read_options(path) if path is not None else ReadOptions()
    find = _finder(inputs, spec_name)
    targets = _targets(parsed, inputs, find, spec_name)
    phone_specs = {
        find(p.column, f"phones.{i}.column"): (i, p) for i, p in enumerate(parsed.phones)
    }
    _check_one_column_per_field(inputs, targets, phone_specs, spec_name, source)
    default_country = check_country(parsed.default_country, spec_name, "default_country")
    phones = _with_extensions(
        _phones(inputs, targets, phone_specs, spec_name, source), phone_specs, find
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
    context = RuleContext(
        spec_name=spec_name,
        known=set(CANONICAL_FIELDS) | {p.name for p in phones},
        user=names,
        targets=targets,
        by_column={p.column: p.name for p in phones},
    )
    return ImportSpec(
        source=spec_name,
        fields=fields,
        phones=tuple(phones),
        user_fields=user_fields,
        default_country=default_country,
        trim=parsed.trim,
        selection=rule_sets(parsed.selection, context),
        read=options,
    )


def _finder(inputs: Sequence[str], spec_name: str | None) -> _Find:
    """Look up the input column a spec key names: exact, else one header_key match."""

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

    return find


def _targets(
    parsed: SpecFile, inputs: Sequence[str], find: _Find, spec_name: str | None
) -> dict[str, str]:
    """Map every input column to its target name (canonical, phone or user field)."""
    targets: dict[str, str] = {}
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
    return targets


def _check_one_column_per_field(
    inputs: Sequence[str],
    targets: Mapping[str, str],
    phone_specs: Mapping[str, tuple[int, PhoneEntry]],
    spec_name: str | None,
    source: str | None,
) -> None:
    """Refuse two columns mapped to one canonical field or recognised phone name."""
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


def _with_extensions(
    phones: list[PhoneColumn], phone_specs: Mapping[str, tuple[int, PhoneEntry]], find: _Find
) -> list[PhoneColumn]:
    """Attach each phone's extension column (`phones[].extension`), checked against the file."""
    found = {
        column: find(entry.extension, f"phones.{i}.extension")
        for column, (i, entry) in phone_specs.items()
        if entry.extension
    }
    return [replace(p, extension=found.get(p.column)) for p in phones]


def _phones(
    inputs: Sequence[str],
    targets: Mapping[str, str],
    phone_specs: Mapping[str, tuple[int, PhoneEntry]],
    spec_name: str | None,
    source: str | None,
) -> list[PhoneColumn]:
    """Resolve the phone columns in input order: their names, device types and countries."""
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
            target if target in PHONE_COLUMN_TYPES else phone_name(column)
        )
        if name in used_names:
            raise SpecError(
                f"phone column name {name!r} is already used", file=spec_name, field=where
            )
        used_names.add(name)
        kind = (
            contact_type(item.type, spec_name, f"{where}.type")
            if item and item.type is not None
            else int(PHONE_COLUMN_TYPES.get(target, ContactInfoType.HOME_PHONE))
        )
        country = check_country(item.country if item else None, spec_name, f"{where}.country")
        phones.append(PhoneColumn(column, name, len(phones), kind, country))
    if not phones:
        expected = "home_phone, business_phone, mobile_phone, vacation_phone, phone, phone1…phone10"
        raise InputError(
            f"no recognisable phone column (expected one of {expected}, or an import spec "
            "naming the phone columns)",
            file=source,
        )
    return phones
