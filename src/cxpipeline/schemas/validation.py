"""Row-level validation: split a frame into valid rows and rejects (the one reject schema)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any, cast

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from cxpipeline.errors import InputError
from cxpipeline.rejects import REJECT_SCHEMA


def validated(
    frame: pl.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a collected frame; return (valid rows, rejects: source_row, field, reason, raw).

    One reject per failing row and check (a row failing two checks appears twice; count rows
    with n_unique). Failures not tied to a row (missing column, wrong type) mean the frame
    itself is wrong: they raise InputError naming the schema and column.
    """
    # checked first: a coercing schema fails on a missing column inside polars, not in pandera
    for name, column in model.to_schema().columns.items():
        if column.required and name not in frame.columns:
            raise InputError("missing column", file=f"schema {model.__name__}", field=name)
    try:
        checked = model_validate(frame, model, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return cast(pl.DataFrame, checked), pl.DataFrame(schema=REJECT_SCHEMA)
    whole = cases.filter(pl.col("index").is_null())
    if whole.height:
        first = whole.row(0, named=True)
        raise InputError(
            f"{first['check']} failed for {first['failure_case']}",
            file=f"schema {model.__name__}",
            field=first["column"],
        )
    with_row = frame.with_row_index("__index").with_columns(pl.col("__index").cast(pl.Int64))
    rows = (
        with_row.select("__index", "source_row")
        if "source_row" in frame.columns
        else with_row.select("__index", (pl.col("__index") + 1).alias("source_row"))
    )
    # a row-level frame check names no field, and its failure case is the whole row (phones
    # included), so neither goes to rejected_rows; phone_count reads better as 'phone'
    column_level = (pl.col("schema_context") == "Column") & (pl.col("column") != "phone_count")
    rejects = (
        cases.with_columns(pl.col("index").cast(pl.Int64))
        .join(rows, left_on="index", right_on="__index", how="left")
        .select(
            pl.col("source_row").cast(pl.Int64),
            pl.when(column_level)
            .then(pl.col("column"))
            .when(pl.col("column") == "phone_count")
            .then(pl.lit("phone"))
            .alias("field"),
            _reason(pl.col("check")).alias("reason"),
            pl.when(column_level).then(pl.col("failure_case")).alias("raw"),
        )
        .unique(maintain_order=True)
    )
    bad = cases["index"].cast(pl.Int64).unique()
    valid = with_row.filter(~pl.col("__index").is_in(bad.implode())).drop("__index")
    return _coerced(valid, model), rejects


def _coerced(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Cast the valid rows to the model's types, as a successful coercing validation would."""
    schema = model.to_schema()
    return frame.cast(_casts(frame, schema)) if schema.coerce else frame


def _casts(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> dict[Any, Any]:
    """Return the model's type of each of its columns the frame has."""
    return {
        name: column.dtype.type
        for name, column in schema.columns.items()
        if name in frame.columns and column.dtype is not None
    }


def model_validate(
    frame: pl.DataFrame, model: type[pa.DataFrameModel], *, lazy: bool = False
) -> pl.DataFrame:
    """Validate `frame` with `model` (raising its SchemaError(s)); the coercion cast once.

    pandera's polars backend coerces column by column, collecting the whole frame after each
    cast (an 84-column slice of records: 40 collects, ~30 % of its validation). A strict cast
    of every column at once does the same; only when it fails (a value of the wrong type) does
    pandera coerce, so its failure cases name the rows as before.
    """
    schema = model.to_schema()
    if schema.coerce:
        casts = _casts(frame, schema)
        try:
            frame = frame.cast(casts)
        except _CAST_ERRORS:
            # Cast what casts, so pandera's coercion meets only the columns at fault.
            frame = frame.cast({n: t for n, t in casts.items() if _casts_cleanly(frame, n, t)})
        else:
            schema = _without_coercion(model)
    return cast(pl.DataFrame, schema.validate(frame, lazy=lazy))


_CAST_ERRORS = (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError, TypeError)


def _casts_cleanly(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> bool:
    """Whether every value of column `name` casts strictly to `dtype`."""
    try:
        frame.select(pl.col(name).cast(dtype))
    except _CAST_ERRORS:
        return False
    return True


@cache
def _without_coercion(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """Return a copy of the model's schema with coercion off (made once)."""
    schema = copy.deepcopy(model.to_schema())
    schema.coerce = False
    for column in schema.columns.values():
        column.coerce = False
    return schema


def _reason(check: pl.Expr) -> pl.Expr:
    """Turn pandera's built-in check names into plain reasons; custom errors pass through."""
    return (
        pl.when(check == "not_nullable")
        .then(pl.lit("missing value"))
        .when(check.str.starts_with("field_uniqueness"))
        .then(pl.lit("duplicate value"))
        .when(check.str.starts_with("in_range"))
        .then(check.str.replace(r"in_range\((.*), (.*)\)", "out of range ${1}..${2}"))
        .when(check.str.starts_with("greater_than_or_equal_to"))
        .then(check.str.replace(r"greater_than_or_equal_to\((.*)\)", "must be >= ${1}"))
        .when(check.str.starts_with("str_length"))
        .then(check.str.replace(r"str_length\((.*), (.*)\)", "length outside ${1}..${2}"))
        .when(check.str.starts_with("isin"))
        .then(pl.lit("not an allowed value"))
        .when(check.str.starts_with("coerce_dtype"))
        .then(pl.lit("wrong type"))
        .otherwise(check)
    )
