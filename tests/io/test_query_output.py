"""Query results as CSV, JSON, Markdown and Parquet: nested and binary columns included."""

import io
import json

import polars as pl
import pytest

from cxpipeline.io import query_output

FRAME = pl.DataFrame(
    {
        "n": [1, None],
        "l": [[1, 2], None],
        "s": [{"x": 1, "y": "a|b"}, {"x": None, "y": "c\nd"}],
        "b": [b"\x00\x01", None],
    }
)


def render(frame: pl.DataFrame, fmt: str) -> str | bytes:
    """What `cxpipeline sql --format fmt` writes for `frame` (text, or bytes for Parquet)."""
    sink = io.BytesIO()
    query_output.write_frames([frame], fmt, sink)
    return sink.getvalue() if fmt == "parquet" else sink.getvalue().decode("utf-8")


def test_csv_holds_nested_values_as_json_text():
    frame = pl.read_csv(io.StringIO(render(FRAME, "csv")), infer_schema=False)
    assert frame["l"].to_list() == ["[1,2]", None]
    assert json.loads(frame["s"][1]) == {"x": None, "y": "c\nd"}
    assert frame["b"].to_list() == ["0001", None]


def test_json_keeps_nesting_and_markdown_escapes_pipes_and_breaks():
    rows = json.loads(render(FRAME, "json"))
    assert rows[0] == {"n": 1, "l": [1, 2], "s": {"x": 1, "y": "a|b"}, "b": "0001"}
    lines = render(FRAME, "markdown").splitlines()
    assert lines[:2] == ["| n | l | s | b |", "|---|---|---|---|"]
    assert lines[2] == '| 1 | [1,2] | {"x":1,"y":"a\\|b"} | 0001 |'
    assert len(lines) == 4


def test_parquet_round_trips_and_unknown_formats_are_refused():
    data = render(FRAME, "parquet")
    assert isinstance(data, bytes)
    assert pl.read_parquet(io.BytesIO(data)).equals(FRAME)
    with pytest.raises(ValueError, match="xml"):
        render(FRAME, "xml")
