"""All file reading and writing: inputs read as text columns, outputs written atomically."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl
from charset_normalizer import from_bytes

from cxpipeline.errors import InputError

# --------------------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    The temporary file lives in the same folder so the final `os.replace` is atomic on
    POSIX: readers see the old file or the new one, never half of one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes 0600 files; outputs are meant to be shared like any other file.
        if tmp.exists():
            tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(frame: pl.LazyFrame | pl.DataFrame, target: Path | str) -> Path:
    """Write a frame to Parquet atomically, streaming a LazyFrame without collecting it."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(tmp, engine="streaming")
        else:
            frame.write_parquet(tmp)
    return target


def write_csv(frame: pl.DataFrame, target: Path | str, *, separator: str = ",") -> Path:
    """Write a frame to CSV atomically (callers protect cells against formula injection)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        frame.write_csv(tmp, separator=separator)
    return target


def write_text(text: str, target: Path | str) -> Path:
    """Write a text file (UTF-8) atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def read_parquet(path: Path | str) -> pl.LazyFrame:
    """Scan a Parquet file or glob lazily."""
    return pl.scan_parquet(path)


# --------------------------------------------------------------------------- lineage


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file, read in blocks so memory stays bounded."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_raw(source: Path | str, lake: Path, sha256: str) -> Path:
    """Copy an input file once, immutable, to lake/raw/<sha256>/<name>; return the copy."""
    source = Path(source)
    target = lake / "raw" / sha256 / source.name
    if not target.exists():
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        target.chmod(0o444)
    return target


# --------------------------------------------------------------------------- reading inputs
#
# Every input value is read as text, exactly as written; cleaning and typing happen later in
# polars expressions (transforms/mapping.py), so a ZIP code or a phone number is never mangled
# by type inference on the way in.

#: Suffixes read as delimited (or, with a fixed-width layout, fixed-width) text.
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".psv", ".dat", ".text", ".prn", ""})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
#: Delimiters the sniffer chooses from (any single character may be forced).
DELIMITERS = (",", ";", "|", "\t")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SNIFF_CHARS = 1 << 16
_BLOCK = 1 << 20
#: Bytes of raw lines the ragged-row pre-scan holds at a time.
_SHAPE_BLOCK = 8 << 20
#: Western single-byte encodings charset-normalizer may choose from: left unrestricted it
#: reads 'Muñoz' in cp1252 as Central European cp1250 ('Muńoz').
_WESTERN_ENCODINGS = ["cp1252", "iso8859_15", "latin_1", "mac_roman", "cp850"]
_RAW_CHARS = 500
_CHUNK_ROWS = 100_000
_PROGRESS_MIN_BYTES = 50 << 20

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "reason": pl.String(),
    "raw": pl.String(),
}


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input file; None means detect (delimiter sniffed, encoding guessed)."""

    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    #: Fixed-width layout: (name, start, length), start 1-based in characters.
    fixed_width: Sequence[tuple[str, int, int]] | None = None
    has_header: bool = True


@dataclass
class RawTable:
    """An input file read as text: the rows, the rows rejected while reading, what was detected."""

    frame: pl.LazyFrame
    rejects: pl.DataFrame
    rows_read: int
    detected: dict[str, object] = field(default_factory=dict)


@contextlib.contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """Yield an `advance(n)` callback driving a rich progress bar; silent when not a TTY."""
    if not sys.stdout.isatty():
        yield lambda _n: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def read_table(path: Path | str, options: ReadOptions | None = None) -> RawTable:
    """Read a contact list (CSV/TXT, fixed-width, XLSX/XLS, Parquet) with every column as text.

    The frame has the columns as written (header names verbatim) plus `source_row`, the 1-based
    data row. Single bad rows (ragged, malformed quotes) come back in `rejects`; whole-file
    problems raise InputError with a one-line message.
    """
    options = options or ReadOptions()
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name)
    if not path.is_file():
        raise InputError("not a file", file=name)
    if path.stat().st_size == 0:
        raise InputError("empty file", file=name)
    kind = _file_kind(path)
    if kind == "excel":
        table = _read_excel(path, options)
    elif kind == "parquet":
        table = _read_parquet(path)
    else:
        with _utf8_source(path, options.encoding) as (source, encoding):
            if options.fixed_width:
                table = _read_fixed_width(source, name, options)
            else:
                table = _read_delimited(source, name, options)
            if source != path:
                # a transcoded temp copy is deleted on leaving: read its rows before that
                table.frame = table.frame.collect().lazy()
        table.detected["encoding"] = encoding
    if table.rows_read == 0:
        raise InputError("header only: no data rows", file=name)
    return table


def _file_kind(path: Path) -> str:
    """Tell text, Excel and Parquet apart by magic bytes first, then by suffix."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = path.suffix.lower()
    if magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        if suffix in EXCEL_SUFFIXES or suffix in TEXT_SUFFIXES:
            return "excel"
        raise InputError(f"unknown format {suffix!r}: a ZIP/OLE file that is not a workbook")
    if magic.startswith(b"PAR1"):
        return "parquet"
    if suffix in EXCEL_SUFFIXES or suffix in PARQUET_SUFFIXES:
        raise InputError(
            f"unknown format: named {suffix} but its content is not a "
            + ("workbook" if suffix in EXCEL_SUFFIXES else "Parquet file"),
            file=str(path),
        )
    if suffix not in TEXT_SUFFIXES:
        raise InputError(
            f"unknown format {suffix!r}: expected CSV/TXT, XLSX/XLS or Parquet", file=str(path)
        )
    return "text"


# ----------------------------------------------------------------- encodings


@contextlib.contextmanager
def _utf8_source(path: Path, forced: str | None) -> Iterator[tuple[Path, str]]:
    """Yield a UTF-8 path for a text file (a transcoded temp copy if needed) and its encoding.

    Detection: a BOM first, then strict UTF-8 over the whole file (a streaming decode costs far
    less than parsing), then charset-normalizer on a sample around the first bad byte, limited to
    Western encodings, falling back to cp1252 and finally latin-1 (which decodes any byte).
    """
    name = str(path)
    with path.open("rb") as handle:
        head = handle.read(4)
    bom = _bom_encoding(head)
    if forced:
        try:
            encoding = codecs.lookup(forced).name
        except LookupError:
            raise InputError(f"unknown encoding {forced!r}", file=name) from None
        if encoding == "utf-8" and bom == "utf-8-sig":
            encoding = "utf-8-sig"
        bad = _first_undecodable(path, encoding)
        if bad is not None:
            raise InputError(
                f"undecodable bytes at line {_line_of(path, bad)} (byte {bad}) "
                f"for encoding {forced!r}",
                file=name,
            )
    elif bom:
        encoding = bom
    elif _first_undecodable(path, "utf-8") is None:
        encoding = "utf-8"
    else:
        encoding = _guess_encoding(path)
    if encoding in ("utf-8", "utf-8-sig"):
        # polars strips a UTF-8 BOM itself; the csv pre-scan opens with utf-8-sig
        yield path, encoding
        return
    fd, tmp_name = tempfile.mkstemp(prefix="cxpipeline-", suffix=".utf8.txt")
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            path.open(encoding=encoding, newline="", errors="strict") as src,
        ):
            try:
                for block in iter(lambda: src.read(_BLOCK), ""):
                    out.write(block)
            except UnicodeDecodeError:
                raise InputError(
                    f"undecodable bytes for encoding {encoding!r}", file=name
                ) from None
        yield tmp, encoding
    finally:
        tmp.unlink(missing_ok=True)


def _bom_encoding(head: bytes) -> str | None:
    """Return the encoding a byte-order mark announces, if any (UTF-32 before UTF-16)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    return None


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte that does not decode, or None; streams the file."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset - len(decoder.getstate()[0]) + exc.start
    return None


def _line_of(path: Path, offset: int) -> int:
    """1-based physical line number holding a byte offset."""
    lines = 1
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(_BLOCK, remaining))
            if not block:
                break
            lines += block.count(b"\n")
            remaining -= len(block)
    return lines


def _guess_encoding(path: Path) -> str:
    """Guess a non-UTF-8 encoding from the file's start and the bytes around its first non-UTF-8."""
    bad = _first_undecodable(path, "utf-8") or 0
    with path.open("rb") as handle:
        sample = handle.read(_SNIFF_CHARS)
        handle.seek(max(0, bad - _SNIFF_CHARS // 2))
        sample += b"\n" + handle.read(_SNIFF_CHARS)
    best = from_bytes(sample, cp_isolation=_WESTERN_ENCODINGS).best()
    for candidate in ([codecs.lookup(best.encoding).name] if best else []) + ["cp1252"]:
        if _first_undecodable(path, candidate) is None:
            return candidate
    return "iso8859-1"


# ----------------------------------------------------------------- delimited text


def _delimiter(forced: str | None, sample: str) -> str:
    """Return the forced delimiter (names like 'tab' allowed) or sniff one from a sample."""
    if forced:
        delimiter = _DELIMITER_NAMES.get(forced.lower(), forced)
        if len(delimiter) != 1 or delimiter in '\r\n"':
            raise InputError(f"bad delimiter {forced!r}: give one character, e.g. ';' or 'tab'")
        return delimiter
    return sniff_delimiter(sample)


def sniff_delimiter(sample: str) -> str:
    """Pick the delimiter giving the most consistent field count (> 1) over a text sample.

    A candidate scores by the share of sample rows having as many fields as the header, then by
    that field count; quotes are honoured, so commas inside quoted names do not count. A file
    where no candidate splits the header is a single-column file and reads with ','.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut mid-row
    text = "".join(lines[:200])
    best: tuple[float, int, str] = (0.0, 1, ",")
    for candidate in DELIMITERS:
        try:
            rows = [r for r in csv.reader(text.splitlines(), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        share = sum(len(r) == width for r in rows) / len(rows)
        if (share, width) > best[:2]:
            best = (share, width, candidate)
    return best[2]


@dataclass
class _Scan:
    """What one pass of the csv module learnt about a delimited file."""

    header: list[str]
    records: int = 0
    blanks: list[int] = field(default_factory=list)
    rejects: list[tuple[int, str, str | None]] = field(default_factory=list)
    chunks: list[pl.DataFrame] = field(default_factory=list)


def _read_delimited(source: Path, name: str, options: ReadOptions) -> RawTable:
    """Read delimited text with polars, finding ragged and blank rows with a vectorised pass.

    Why two passes: polars' reader is fast but pads short rows and cuts long ones without saying
    which, so a second polars pass over the raw lines counts each record's fields (quote-aware:
    see `_record_shapes`). When polars cannot parse the file (unterminated or malformed quotes),
    or the two passes disagree on the number of records, the csv module reads the file instead:
    streaming, row by row, slower but exact, and it names the line of an unterminated quote.

    Both passes stream, and the frame returned is a lazy scan of the file (numbered, blank and
    ragged rows filtered out): a slice of it parses only its part, so memory follows the slice.
    """
    with source.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(_SNIFF_CHARS)
        if not sample.strip():
            raise InputError("empty file", file=name)
        delimiter = _delimiter(options.delimiter, sample)
        handle.seek(0)
        first = _first_record(csv.reader(handle, delimiter=delimiter), name)
    width = len(first)
    names = _column_names(first, name) if options.has_header else _numbered(width)
    scan = _scan_text(source, names, delimiter, options.has_header)
    try:
        # One streaming parse of every column, in bounded memory: it finds the files polars
        # cannot read (they go to the csv module) and counts the records polars sees.
        height = int(
            scan.select(pl.len(), pl.all().str.len_bytes().sum())
            .collect(engine="streaming")["len"]
            .item()
        )
        polars_width = len(scan.collect_schema())
    except pl.exceptions.PolarsError:
        return _read_with_csv_module(source, name, delimiter, options.has_header, names)
    records, odd = _record_shapes(source, delimiter, width, options.has_header)
    if records != height or polars_width != width:
        return _read_with_csv_module(source, name, delimiter, options.has_header, names)
    rejects = odd.filter(~pl.col("blank")).select(
        "source_row",
        pl.lit(None, pl.String).alias("field"),
        pl.format("ragged row: {} fields, expected {}", "fields", pl.lit(width)).alias("reason"),
        pl.col("text").str.slice(0, _RAW_CHARS).alias("raw"),
    )
    blanks = int(odd["blank"].sum())
    index = "_row_index"
    while index in names:
        index = f"_{index}"
    frame = (
        _scan_text(source, names, delimiter, options.has_header, row_index=index)
        .with_columns(pl.col(index).cast(pl.Int64).alias("source_row"))
        .drop(index)
    )
    if odd.height:
        frame = frame.filter(~pl.col("source_row").is_in(odd["source_row"].implode()))
    return RawTable(
        frame=frame,
        rejects=_masked_rejects(rejects),
        rows_read=records - blanks,
        detected={
            "format": "delimited",
            "delimiter": delimiter,
            "blank_lines": blanks,
            "columns": width,
            "reader": "polars",
        },
    )


def _scan_text(
    source: Path, names: list[str], delimiter: str, has_header: bool, row_index: str | None = None
) -> pl.LazyFrame:
    """Scan delimited text lazily with polars, every column as text, short rows padded.

    With `row_index`, a column of that name numbers the records from 1 (header excluded).
    """
    return pl.scan_csv(
        source,
        has_header=has_header,
        new_columns=names,
        separator=delimiter,
        quote_char='"',
        infer_schema=False,
        truncate_ragged_lines=True,
        empty_string_is_null=False,
        raise_if_empty=False,
        row_index_name=row_index,
        row_index_offset=1,
    )


def _record_shapes(
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


def _read_with_csv_module(
    source: Path, name: str, delimiter: str, has_header: bool, names: list[str]
) -> RawTable:
    """Read delimited text with the csv module: the exact, slower path (see _read_delimited)."""
    scan = _scan_delimited(source, name, delimiter, has_header, names)
    frame = (
        pl.concat(scan.chunks)
        if scan.chunks
        else pl.DataFrame(schema={**dict.fromkeys(names, pl.String), "source_row": pl.Int64})
    )
    rejects = pl.DataFrame(
        {
            "source_row": [r for r, _, _ in scan.rejects],
            "field": [None] * len(scan.rejects),
            "reason": [reason for _, reason, _ in scan.rejects],
            "raw": [raw for _, _, raw in scan.rejects],
        },
        schema=REJECT_SCHEMA,
    )
    return RawTable(
        frame=frame.lazy(),
        rejects=rejects,
        rows_read=scan.records - len(scan.blanks),
        detected={
            "format": "delimited",
            "delimiter": delimiter,
            "blank_lines": len(scan.blanks),
            "columns": len(names),
            "reader": "csv",
        },
    )


def _numbered(width: int) -> list[str]:
    """Column names of a file without header: column_1 … column_n."""
    return [f"column_{i}" for i in range(1, width + 1)]


def _scan_delimited(
    source: Path, name: str, delimiter: str, has_header: bool, names: list[str]
) -> _Scan:
    """One streaming csv-module pass: the rows in chunks, blank and bad rows set aside."""
    size = source.stat().st_size
    with (
        source.open(encoding="utf-8-sig", newline="") as handle,
        progress(
            f"reading {Path(name).name}", size if size > _PROGRESS_MIN_BYTES else None
        ) as advance,
    ):
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', strict=True)
        header = _first_record(reader, name)
        width = len(header)
        scan = _Scan(header=names)
        rows: list[list[str]] = []
        ordinals: list[int] = []
        ordinal = 0
        if not has_header:
            ordinal = 1
            rows.append(header)
            ordinals.append(1)
        last_line = reader.line_num
        position = 0
        while True:
            try:
                for record in reader:
                    ordinal += 1
                    count = len(record)
                    if count != width:
                        if count == 0 or (count == 1 and not record[0].strip()):
                            scan.blanks.append(ordinal)
                        else:
                            reason = f"ragged row: {count} fields, expected {width}"
                            scan.rejects.append((ordinal, reason, _masked_raw(record, delimiter)))
                    else:
                        rows.append(record)
                        ordinals.append(ordinal)
                        if len(rows) >= _CHUNK_ROWS:
                            scan.chunks.append(_chunk(rows, ordinals, names))
                            rows, ordinals = [], []
                            now = handle.buffer.tell()  # type: ignore[attr-defined]
                            advance(now - position)
                            position = now
                    last_line = reader.line_num
                break
            except csv.Error as exc:
                ordinal += 1
                if "unexpected end of data" in str(exc):
                    raise InputError(
                        f"unterminated quote: the quoted field opened on line {last_line + 1} "
                        "never closes",
                        file=name,
                        row=ordinal,
                    ) from None
                if "field larger than field limit" in str(exc):
                    raise InputError(
                        f"unterminated quote or a field over {csv.field_size_limit()} characters "
                        f"starting on line {last_line + 1}",
                        file=name,
                        row=ordinal,
                    ) from None
                scan.rejects.append((ordinal, f"malformed quotes: {exc}", None))
                last_line = reader.line_num
        if rows:
            scan.chunks.append(_chunk(rows, ordinals, names))
        scan.records = ordinal
    return scan


def _first_record(reader: Iterator[list[str]], name: str) -> list[str]:
    """Return the first record (the header when there is one); an empty file is an error."""
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                return record
            raise InputError("the first line is blank: expected a header or a first row", file=name)
    except csv.Error as exc:
        raise InputError(f"unreadable first row: {exc}", file=name, row=0) from None
    raise InputError("empty file", file=name)


def _chunk(rows: list[list[str]], ordinals: list[int], names: list[str]) -> pl.DataFrame:
    """Turn a chunk of well-formed rows into a text frame with their source_row."""
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row").with_columns(
        source_row=pl.Series(ordinals, dtype=pl.Int64)
    )


def _column_names(header: list[str], name: str) -> list[str]:
    """Header names verbatim; a blank one becomes column_<n>; a repeated one is an error.

    A repeated name is refused rather than renamed: two 'Phone' columns cannot be told apart by
    a spec, and renaming one would quietly turn a phone number into an unused user field.
    """
    names = [h if h.strip() else f"column_{i}" for i, h in enumerate(header, start=1)]
    seen: dict[str, int] = {}
    for i, column in enumerate(names, start=1):
        if column in seen:
            raise InputError(
                f"duplicate column name {column!r} (columns {seen[column]} and {i})", file=name
            )
        seen[column] = i
    return names


def _masked_raw(record: list[str], delimiter: str) -> str:
    """Rebuild a rejected row's text, phone-like cells masked to their last 4 digits."""
    return delimiter.join(mask_phone(cell) for cell in record)[:_RAW_CHARS]


def _masked_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """Mask phone-like text in the raw column of (the few) rejected rows."""
    masked = [None if raw is None else mask_text(raw) for raw in rejects["raw"].to_list()]
    return rejects.with_columns(raw=pl.Series(masked, dtype=pl.String))


_PHONE_LIKE = re.compile(r"\+?\d[\d ().\-]{5,}\d")


def mask_text(text: str) -> str:
    """Mask the phone-like runs (7+ digits with separators) of a free text to their last 4."""
    return _PHONE_LIKE.sub(lambda m: mask_phone(m.group()), text)


def mask_phone(text: str) -> str:
    """Mask every digit but the last four of a phone-like text (7+ digits); others unchanged."""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7:
        return text
    keep = 4
    out = []
    for ch in reversed(text):
        if ch.isdigit():
            out.append(ch if keep > 0 else "*")
            keep -= 1
        else:
            out.append(ch)
    return "".join(reversed(out))


# ----------------------------------------------------------------- fixed width


def _read_fixed_width(source: Path, name: str, options: ReadOptions) -> RawTable:
    """Slice fixed-width lines by the layout (1-based start, length, in characters).

    A line with text beyond the layout's last column is rejected rather than cut, so nothing is
    dropped silently; a short line is fine (trailing blank fields are often trimmed).
    """
    layout = list(options.fixed_width or [])
    width = max(start - 1 + length for _, start, length in layout)
    lines = pl.scan_lines(source, name="line").collect()
    first = 0 if options.has_header else 1
    lines = lines.with_columns(
        pl.col("line").str.strip_suffix("\r").str.strip_prefix("\ufeff"),
        source_row=pl.int_range(first, pl.len() + first, dtype=pl.Int64),
    )
    if options.has_header:
        lines = lines.slice(1)
    if lines.height == 0 and not options.has_header:
        raise InputError("empty file", file=name)
    blank = pl.col("line").str.strip_chars().str.len_chars() == 0
    used = pl.col("line").str.strip_chars_end().str.len_chars()
    too_long = used > width
    rejects = lines.filter(~blank & too_long).select(
        "source_row",
        pl.lit(None, pl.String).alias("field"),
        pl.format(
            "line longer than the fixed-width layout ({} > {} characters)", used, width
        ).alias("reason"),
        pl.col("line").str.slice(0, _RAW_CHARS).alias("raw"),
    )
    kept = lines.filter(~blank & ~too_long)
    frame = kept.select(
        *(
            pl.col("line").str.slice(start - 1, length).alias(column)
            for column, start, length in layout
        ),
        "source_row",
    )
    blanks = lines.filter(blank).height
    return RawTable(
        frame=frame.lazy(),
        rejects=_masked_rejects(rejects),
        rows_read=lines.height - blanks,
        detected={"format": "fixed_width", "blank_lines": blanks, "columns": len(layout)},
    )


# ----------------------------------------------------------------- workbooks and Parquet


def _read_excel(path: Path, options: ReadOptions) -> RawTable:
    """Read one sheet (named, else the first) of an XLSX/XLS workbook with calamine, as text.

    Numbers stored in cells come back as their shortest text (2125550142, not 2125550142.0);
    a row whose cells are all empty is a blank line, not a data row.
    """
    name = str(path)
    try:
        book = fastexcel.read_excel(str(path))
        sheets = list(book.sheet_names)
        if options.sheet is not None and options.sheet not in sheets:
            raise InputError(
                f"sheet {options.sheet!r} not found; sheets: {', '.join(sheets)}", file=name
            )
        if not sheets:
            raise InputError("empty file: the workbook has no sheet", file=name)
        sheet = options.sheet if options.sheet is not None else 0
        loaded = book.load_sheet(
            sheet, header_row=0 if options.has_header else None, dtypes="string"
        )
        frame = loaded.to_polars()
    except InputError:
        raise
    except Exception as exc:  # fastexcel raises its own error classes for broken workbooks
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "no data" in message.lower() or "empty" in message.lower():
            raise InputError("empty file: the sheet has no rows", file=name) from None
        raise InputError(f"cannot read the workbook: {message}", file=name) from None
    if frame.width == 0:
        raise InputError("empty file: the sheet has no rows", file=name)
    header = [str(c) for c in frame.columns]
    if not options.has_header:
        header = [f"column_{i}" for i in range(1, frame.width + 1)]
    frame = frame.rename(dict(zip(frame.columns, header, strict=True))).with_columns(
        pl.all().cast(pl.String)
    )
    empty = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in header
    )
    frame = frame.with_columns(source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    blanks = frame.filter(empty).height
    frame = frame.filter(~empty)
    kind = "xls" if path.suffix.lower() == ".xls" else path.suffix.lower().lstrip(".") or "xlsx"
    return RawTable(
        frame=frame.lazy(),
        rejects=pl.DataFrame(schema=REJECT_SCHEMA),
        rows_read=frame.height,
        detected={
            "format": kind,
            "sheet": sheets[sheet] if isinstance(sheet, int) else sheet,
            "blank_lines": blanks,
            "columns": len(header),
        },
    )


def _read_parquet(path: Path) -> RawTable:
    """Read a Parquet file with every column cast to text (nested columns are refused)."""
    name = str(path)
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # a truncated or foreign file: report it in one line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read the Parquet file: {first}", file=name) from None
    nested = [c for c, t in frame.schema.items() if t.is_nested()]
    if nested:
        raise InputError(f"nested column {nested[0]!r} cannot be read as text", file=name)
    frame = frame.with_columns(pl.all().cast(pl.String)).with_columns(
        source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    )
    return RawTable(
        frame=frame.lazy(),
        rejects=pl.DataFrame(schema=REJECT_SCHEMA),
        rows_read=frame.height,
        detected={"format": "parquet", "columns": frame.width - 1},
    )
