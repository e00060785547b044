"""The one reject contract: the columns every rejected row or value carries, and masking.

Every stage that refuses input (the reader, Pandera validation, phone normalisation, call
results) returns rejects in `REJECT_SCHEMA`; the steps add run, list, file and kind columns
when they write `rejected_rows` (docs/contract.md).
"""

from __future__ import annotations

import polars as pl

#: Columns of a reject as stages hand it on, in this order.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "reason": pl.String(),
    "raw": pl.String(),
}


def empty_rejects() -> pl.DataFrame:
    """Return an empty reject frame."""
    return pl.DataFrame(schema=REJECT_SCHEMA)


#: Characters of a refused value a reject keeps: a 200 MB field is not stored whole.
RAW_LIMIT = 500


def reject_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Return exactly the reject columns, cast to their types (extra columns dropped).

    Every text column is cut to RAW_LIMIT characters and has its runs of 7+ digits masked,
    whatever the stage that refused it: a number inside a ragged row, a postal code or free
    text is personal data too.
    """
    typed = frame.select([pl.col(c).cast(t) for c, t in REJECT_SCHEMA.items()])
    text = [c for c, t in REJECT_SCHEMA.items() if t == pl.String()]
    return typed.with_columns(pl.col(c).str.slice(0, RAW_LIMIT) for c in text).with_columns(
        masked_digit_runs(c) for c in text
    )


def masked_digits(col: str) -> pl.Expr:
    """Vectorised phone masking: every digit but the last four of a column becomes '*'."""
    text = pl.col(col).fill_null("")
    head_len = pl.max_horizontal(text.str.len_chars().cast(pl.Int64) - 4, pl.lit(0))
    return pl.concat_str([text.str.head(head_len).str.replace_all(r"\d", "*"), text.str.tail(4)])


def masked_digit_runs(col: str) -> pl.Expr:
    """Mask every run of 7 or more digits in a text column to its last four ('***0142')."""
    return pl.col(col).str.replace_all(r"\d{3,}(\d{4})", "***${1}")


#: Columns of a row of rejected_rows, in table order.
STORED_COLUMNS = ("run_id", "list_name", "source_file", *REJECT_SCHEMA, "kind")


def stored_rejects(
    frame: pl.DataFrame, *, run_id: str, source_file: str, kind: str
) -> pl.DataFrame:
    """Return rejects as rejected_rows stores them (cut and masked by `reject_frame`).

    A `list_name` column of `frame` is kept (null where unknown); run, file and kind are given.
    """
    lists = frame.get_column("list_name") if "list_name" in frame.columns else None
    return (
        reject_frame(frame)
        .with_columns(
            run_id=pl.lit(run_id),
            list_name=pl.lit(None, pl.String) if lists is None else lists.cast(pl.String),
            source_file=pl.lit(source_file),
            kind=pl.lit(kind),
        )
        .select(STORED_COLUMNS)
    )
