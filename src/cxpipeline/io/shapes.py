"""The ragged-row pre-scan: each record's field count and blankness, from the raw lines."""

from __future__ import annotations

from pathlib import Path

import polars as pl

#: Bytes of raw lines the ragged-row pre-scan holds at a time.
_SHAPE_BLOCK = 8 << 20


def record_shapes(
    source: Path, delimiter: str, width: int, has_header: bool
) -> tuple[int, pl.DataFrame]:
    """Count the data records and find the blank and ragged ones, from the raw lines.

    Returns the number of data records (the header is not one) and, for the records that are
    blank or do not have `width` fields, their source_row, field count, blankness and text.
    Streams the file in blocks of lines, so memory follows the block, not the file.

    Only used once polars has parsed the file, i.e. when its quoting is regular: quotes then come
    in pairs inside quoted fields, so a line ends inside a quoted field exactly when the quote
    count before its end is odd (the record goes on on the next line), and removing the quoted
    segments leaves the delimiters that separate fields.
    """
    first = 0 if has_header else 1  # source_row of the file's first record
    # A file of one block is one pass of the loop already (the scan's engine costs more to
    # start than that block: ~10 ms against ~7 for 1,000 rows).
    scanned = (
        _line_shapes(source, delimiter, width, first)
        if source.stat().st_size > _SHAPE_BLOCK
        else None
    )
    if scanned is not None:
        return scanned
    records = 0  # records seen so far, the header included
    parts: list[pl.DataFrame] = []
    pending: list[str] = []  # lines of a record still inside a quoted field
    carry = b""
    with source.open("rb") as handle:
        while True:
            block = handle.read(_SHAPE_BLOCK)
            data = carry + block
            if block:
                cut = data.rfind(b"\n") + 1
                carry, data = data[cut:], data[:cut]
                lines = data.decode("utf-8").split("\n")[:-1]
            else:  # the file's last line, when it has no line break
                carry = b""
                lines = [data.decode("utf-8")] if data else []
            if pending:
                lines = pending + lines
                pending = []
            if lines:
                shapes, pending = _block_shapes(lines, delimiter, last=not block)
                shapes = shapes.with_columns(
                    source_row=pl.int_range(0, pl.len(), dtype=pl.Int64) + (records + first)
                )
                records += shapes.height
                odd = shapes.filter(
                    (pl.col("source_row") >= 1) & (pl.col("blank") | (pl.col("fields") != width))
                )
                if odd.height:
                    parts.append(odd)
            if not block:
                break
    data_records = records - (1 if has_header else 0)
    schema = {"text": pl.String, "fields": pl.Int64, "blank": pl.Boolean, "source_row": pl.Int64}
    odd_all = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return max(data_records, 0), odd_all.select("source_row", "fields", "blank", "text")


def _line_shapes(
    source: Path, delimiter: str, width: int, first: int
) -> tuple[int, pl.DataFrame] | None:
    """Return `record_shapes` from a streaming line scan when no record spans lines, else None.

    A line holding an odd number of quotes opens a quoted field that goes on on the next line:
    then the block loop (which joins such lines) runs instead. Lines are split as the loop
    splits them (at line feeds, a carriage return before one dropped, no empty record after
    the last), so both give the same shapes (tests/io/test_shapes.py); this one is ~5x faster.
    """
    # The scan drops one carriage return ending a line, as the loop does.
    text = pl.col("text").str.strip_prefix("\ufeff")
    quotes = text.str.count_matches('"', literal=True)
    bare = pl.when(quotes > 0).then(text.str.replace_all('"[^"]*"', "")).otherwise(text)
    fields = (bare.str.count_matches(delimiter, literal=True) + 1).cast(pl.Int64)
    blank = (fields == 1) & (text.str.strip_chars().str.len_chars() == 0)
    row = pl.col("_line").cast(pl.Int64) + first
    odd = (row >= 1) & (blank | (fields != width))
    lines = pl.scan_lines(source, name="text", row_index_name="_line")
    totals, shapes = pl.collect_all(
        [
            lines.select(records=pl.len(), spanning=(quotes % 2 == 1).any()),
            lines.filter(odd).select("text", fields=fields, blank=blank, source_row=row),
        ],
        engine="streaming",
    )
    if totals["spanning"].item():
        return None
    shapes = shapes.with_columns(text=text)
    records = int(totals["records"].item()) - (1 - first)
    return max(records, 0), shapes.select("source_row", "fields", "blank", "text")


def _block_shapes(
    lines: list[str], delimiter: str, *, last: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Field count, blankness and text of the records of a block of lines starting a record.

    Unless this is the file's last block, the lines of a record still open at the block's end
    come back apart, to be read again with the next block.
    """
    frame = (
        pl.DataFrame({"text": pl.Series(lines, dtype=pl.String)})
        .select(pl.col("text").str.strip_suffix("\r").str.strip_prefix("\ufeff"))
        .with_columns(_quotes=pl.col("text").str.count_matches('"', literal=True))
    )
    pending: list[str] = []
    if int(frame["_quotes"].sum() or 0):
        inside = (pl.col("_quotes").cum_sum() - pl.col("_quotes")) % 2 == 1
        frame = frame.with_columns(_record=(~inside).cum_sum())
        if not last and int(frame["_quotes"].sum()) % 2:
            open_record = frame["_record"][-1]
            start = frame.height - int((frame["_record"] == open_record).sum())
            pending = lines[start:]
            frame = frame.slice(0, start)
        if frame["_record"].n_unique() != frame.height:
            frame = frame.group_by("_record", maintain_order=True).agg(
                pl.col("text").str.join("\n"), pl.col("_quotes").sum()
            )
    bare = (
        pl.when(pl.col("_quotes") > 0)
        .then(pl.col("text").str.replace_all('"[^"]*"', ""))
        .otherwise(pl.col("text"))
    )
    fields = (bare.str.count_matches(delimiter, literal=True) + 1).cast(pl.Int64)
    # blank as the csv module sees it: no field, or one holding only spaces ("\t" alone is two)
    blank = (fields == 1) & (pl.col("text").str.strip_chars().str.len_chars() == 0)
    return frame.select("text", fields=fields, blank=blank), pending
