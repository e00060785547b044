import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline.reports.excel import write_xlsx_report
from cxpipeline.reports.html import format_value, write_html_report
from cxpipeline.reports.tabular import safe_cells, write_csv_report

EVIL = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _list_stats(names=("east", "west")):
    n = len(names)
    return pl.DataFrame(
        {
            "list_name": list(names),
            "campaign_group": ["g"] * n,
            "total_records": [1200, 10][:n],
            "dialable_records": [1000, 10][:n],
            "attempts": [500, 0][:n],
            "attempted_records": [400, 0][:n],
            "connected_records": [100, 0][:n],
            "connects": [100, 0][:n],
            "answering_machine": [50, 0][:n],
            "busy": [20, 0][:n],
            "no_answer": [200, 0][:n],
            "abandoned": [5, 0][:n],
            "fax": [1, 0][:n],
            "invalid_number": [30, 0][:n],
            "do_not_call": [2, 0][:n],
            "wrong_party": [3, 0][:n],
            "connect_rate": [0.2, None][:n],
            "abandon_rate": [5 / 105, None][:n],
            "penetration": [0.4, 0.0][:n],
        }
    )


def _hourly():
    return pl.DataFrame(
        {
            "list_name": ["east", "east", "east"],
            "local_hour": [9, 9, 14],
            "result_group": ["live_connect", "no_contact", "no_contact"],
            "attempts": [100, 150, 250],
        }
    )


# --------------------------------------------------------------------------- safe_cells


def test_safe_cells_prefixes_formula_triggers_and_leaves_the_rest():
    frame = pl.DataFrame({"text": [*EVIL, "plain", "a=b", None], "n": list(range(-4, 5))})
    out = safe_cells(frame)
    assert out["text"].to_list() == [*("'" + v for v in EVIL), "plain", "a=b", None]
    assert out["n"].to_list() == list(range(-4, 5))
    assert out.schema["n"] == pl.Int64


def test_safe_cells_keeps_signed_numbers_such_as_e164_unless_told_not_to():
    frame = pl.DataFrame({"phone": ["+12125550101", "-12.5", "+1 212", "+1+1"]})
    assert safe_cells(frame)["phone"].to_list() == ["+12125550101", "-12.5", "'+1 212", "'+1+1"]
    with_extension = pl.DataFrame({"d": ["+16173532011;ext=204", "+1;ext=2+cmd|x"]})
    assert safe_cells(with_extension)["d"].to_list() == ["+16173532011;ext=204", "'+1;ext=2+cmd|x"]
    strict = safe_cells(frame, keep_signed_numbers=False)["phone"].to_list()
    assert strict == ["'+12125550101", "'-12.5", "'+1 212", "'+1+1"]


_CELL = st.one_of(
    st.none(),
    st.text(alphabet="=+-@\t\r0123456789.;extab |", max_size=8),
    st.sampled_from([*EVIL, "+12125550101", "+16173532011;ext=204", "-12.5", "plain"]),
)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda rows: st.lists(st.lists(_CELL, min_size=rows, max_size=rows), min_size=1, max_size=5)
    ),
    st.booleans(),
)
def test_safe_cells_guards_every_cell_a_spreadsheet_would_run(columns, keep_signed):
    # Columns with and without risky cells: every cell is what the rule says, one by one.
    frame = pl.DataFrame(
        {f"c{i}": pl.Series(cells, dtype=pl.String) for i, cells in enumerate(columns)}
    )
    signed = r"^([+-][0-9]+(\.[0-9]+)?|\+[0-9]+;ext=[0-9]+)$"

    def guarded(cell):
        if cell is None or not re.match(r"^[=+\-@\t\r]", cell):
            return cell
        return cell if keep_signed and re.match(signed, cell) else "'" + cell

    out = safe_cells(frame, keep_signed_numbers=keep_signed)
    assert out.columns == frame.columns and out.dtypes == frame.dtypes
    for i, cells in enumerate(columns):
        assert out[f"c{i}"].to_list() == [guarded(cell) for cell in cells]


def test_safe_cells_guards_categorical_and_list_columns():
    frame = pl.DataFrame(
        {
            "cat": pl.Series(["=x", "y"], dtype=pl.Categorical),
            "many": [["=a", "b"], ["c"]],
        }
    )
    out = safe_cells(frame)
    assert out["cat"].to_list() == ["'=x", "y"]
    assert out["many"].to_list() == ["'=a; b", "c"]


# --------------------------------------------------------------------------- CSV


def test_csv_report_writes_one_guarded_file_per_table(tmp_path):
    tables = {"list_stats": _list_stats(), "notes": pl.DataFrame({"note": EVIL})}
    paths = write_csv_report(tables, tmp_path / "out")
    assert [p.name for p in paths] == ["list_stats.csv", "notes.csv"]
    back = pl.read_csv(paths[1], infer_schema=False)
    assert back["note"].to_list() == ["'" + v for v in EVIL]
    stats = pl.read_csv(paths[0])
    assert stats["total_records"].to_list() == [1200, 10]
    assert not list(tmp_path.joinpath("out").glob(".*.tmp"))  # no temp files left behind


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", ""])
def test_csv_report_refuses_table_names_that_are_paths(tmp_path, name):
    with pytest.raises(ValueError):
        write_csv_report({name: pl.DataFrame({"a": [1]})}, tmp_path)


# --------------------------------------------------------------------------- Excel


def test_xlsx_report_writes_text_never_formulas(tmp_path):
    tables = {"list_stats": _list_stats(), "notes": pl.DataFrame({"note": EVIL, "n": range(6)})}
    path = write_xlsx_report(tables, tmp_path / "report.xlsx")
    back = pl.read_excel(path, sheet_name="notes", drop_empty_rows=False)
    # calamine trims nothing: the guarded text comes back as written
    assert back["note"].to_list() == ["'" + v for v in EVIL]
    assert back["n"].to_list() == list(range(6))
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in xml
    assert "0.0%" in styles
    assert "#,##0" in styles


def test_xlsx_report_one_sheet_per_table_with_numbers_and_nulls(tmp_path):
    tables = {"list_stats": _list_stats(), "group_stats": _list_stats(("all",))}
    path = write_xlsx_report(tables, tmp_path / "report.xlsx")
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["list_stats", "group_stats"]
    ls = sheets["list_stats"]
    assert ls["total_records"].to_list() == [1200, 10]
    assert ls["connect_rate"].to_list() == [0.2, None]


def test_xlsx_sheet_names_are_made_valid_and_unique(tmp_path):
    long = "x" * 40
    tables = {long: pl.DataFrame({"a": [1]}), long + "y": pl.DataFrame({"a": [2]})}
    path = write_xlsx_report(tables, tmp_path / "r.xlsx")
    names = list(pl.read_excel(path, sheet_id=0))
    assert all(len(n) <= 31 for n in names)
    assert len(set(names)) == 2


def test_xlsx_timestamps_are_written_as_dates_in_utc(tmp_path):
    moment = datetime(2025, 3, 9, 15, 30, tzinfo=UTC)
    frame = pl.DataFrame({"at": [moment]}).with_columns(
        pl.col("at").dt.convert_time_zone("America/New_York")
    )
    path = write_xlsx_report({"runs": frame}, tmp_path / "r.xlsx")
    back = pl.read_excel(path)
    assert back["at"].to_list() == [datetime(2025, 3, 9, 15, 30)]


# --------------------------------------------------------------------------- HTML


@pytest.fixture(scope="module")
def html_report(tmp_path_factory):
    evil = "<script>alert('x')</script>"
    tables = {
        "list_stats": _list_stats(("east", evil)),
        "group_stats": _list_stats(("all",)).rename({"list_name": "campaign_group_name"}),
        "hourly_stats": _hourly(),
    }
    path = tmp_path_factory.mktemp("html") / "report.html"
    out = write_html_report(
        tables, path, title="Q4 <b>report</b>", generated_at=datetime(2025, 3, 9, tzinfo=UTC)
    )
    return out.read_text(encoding="utf-8")


def test_html_embeds_plotly_js_once_and_needs_nothing_external(html_report):
    assert len(re.findall(r"plotly\.js v\d", html_report)) == 1
    assert html_report.count("Plotly.newPlot(") == 3  # result mix, funnel, hourly
    assert not re.search(r"<script[^>]+src=", html_report)
    assert "<link" not in html_report  # no external stylesheet or font either


def test_html_escapes_user_text_everywhere(html_report):
    assert "<script>alert" not in html_report
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html_report  # table cell
    assert "<title>Q4 &lt;b&gt;report&lt;/b&gt;</title>" in html_report
    assert "<b>report</b>" not in html_report


def test_html_formats_numbers(html_report):
    assert ">1,200<" in html_report
    assert ">20.0%<" in html_report
    assert ">4.8%<" in html_report  # 5 / 105


def test_html_without_results_has_tables_but_no_charts(tmp_path):
    empty = _list_stats(("east",)).with_columns(pl.lit(0).alias("attempts"))
    path = write_html_report(
        {"list_stats": empty.head(0)},
        tmp_path / "r.html",
        title="t",
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    text = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" not in text
    assert "plotly.js v" not in text
    assert "list stats" in text


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (1234567, "attempts", "1,234,567"),
        (30000000001, "record_id", "30000000001"),
        (0.1234, "connect_rate", "12.3%"),
        (0.5, "penetration", "50.0%"),
        (None, "connect_rate", "–"),
        (2.5, "duration_s", "2.50"),
    ],
)
def test_format_value(value, column, expected):
    assert format_value(value, column) == expected


# --------------------------------------------------------------------------- operations page


def _ops_tables():
    t = datetime(2026, 11, 21, tzinfo=UTC)
    return {
        "list_stats": _list_stats(),
        "hourly_stats": _hourly(),
        "abandonment_30d": pl.DataFrame(
            {
                "campaign_group": ["g"],
                "lists": [2],
                "window_start_utc": [t],
                "window_end_utc": [t],
                "attempts": [500],
                "connects": [100],
                "abandoned": [5],
                "abandon_rate": [5 / 105],
                "abandon_limit": [0.03],
                "over_limit": [True],
            }
        ),
        "hour_weekday_stats": pl.DataFrame(
            {
                "list_name": ["east"] * 2,
                "weekday": [1, 3],
                "local_hour": [9, 18],
                "attempts": [10, 4],
                "connects": [2, 3],
                "connect_rate": [0.2, 0.75],
            }
        ),
        "daily_stats": pl.DataFrame(
            {
                "list_name": ["east"] * 2,
                "call_date": [t.date(), t.date().replace(day=22)],
                "attempts": [300, 200],
                "connects": [60, 40],
                "abandoned": [3, 2],
                "connect_rate": [0.2, 0.2],
                "abandon_rate": [3 / 63, 2 / 42],
            }
        ),
        "dialable_today": pl.DataFrame(
            {
                "list_name": ["east"] * 2,
                "as_of": [t] * 2,
                "tz_name": ["America/Chicago", None],
                "local_hour": [9, 10],
                "records": [120, 3],
            }
        ),
        "rejection_summary": pl.DataFrame(
            {
                "list_name": ["east"],
                "run_id": ["r"],
                "kind": ["phone"],
                "field": ["home_phone"],
                "reason": ["too short"],
                "rejected": [7],
            }
        ),
    }


@pytest.fixture(scope="module")
def ops_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("ops") / "report.html"
    meta = {
        "Windows planned as of": "2026-12-01 08:00",
        "Lists (2)": "east, <i>west</i>",
        "Time-zone data": "IANA tzdata 2025b",
    }
    write_html_report(
        _ops_tables(), path, title="t", generated_at=datetime(2026, 12, 1, tzinfo=UTC), meta=meta
    )
    return path


def test_ops_page_header_names_as_of_lists_and_tz_release(ops_report):
    text = ops_report.read_text(encoding="utf-8")
    assert "<li>Windows planned as of: 2026-12-01 08:00</li>" in text
    assert "<li>Lists (2): east, &lt;i&gt;west&lt;/i&gt;</li>" in text
    assert "<li>Time-zone data: IANA tzdata 2025b</li>" in text


def test_ops_page_warns_about_a_group_over_its_abandonment_limit(ops_report):
    text = ops_report.read_text(encoding="utf-8")
    assert '<div class="warning" role="alert">' in text
    assert "Campaign group g: 4.8% of live-answered calls abandoned" in text
    assert "above its limit of 3.0%" in text


def test_ops_page_has_every_chart_once_with_plotly_inline(ops_report):
    text = ops_report.read_text(encoding="utf-8")
    for title in (
        "Abandonment rate over 30 days",
        "Best time to call",
        "Daily trend",
        "Records dialable today",
        "Rejected rows and values by reason",
    ):
        assert text.count(title) == 1, title
    assert text.count("Plotly.newPlot(") == 8
    assert len(re.findall(r"plotly\.js v\d", text)) == 1
    assert not re.search(r"<script[^>]+src=", text)


def test_ops_page_renders_its_charts_in_headless_chromium(ops_report, tmp_path):
    browser = next(
        (
            shutil.which(b)
            for b in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(b)
        ),
        None,
    )
    if browser is None:
        pytest.skip("no Chromium installed")
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=20000",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            ops_report.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout
    # plotly draws each chart into an <svg class="main-svg"> only when its script ran offline
    assert len(re.findall(r'<div id="chart-\d+"[^>]*class="[^"]*js-plotly-plot', dom)) == 8
    assert dom.count('class="main-svg"') >= 8
