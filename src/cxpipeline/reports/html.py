"""Self-contained HTML report: plotly charts (plotly.js embedded once) and formatted tables."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import polars as pl

from cxpipeline import io
from cxpipeline.reports.excel import is_rate_column
from cxpipeline.reports.ops_charts import abandonment_warnings, ops_figures

#: Result counts of list_stats shown in the result-mix chart, with their labels.
RESULT_MIX: dict[str, str] = {
    "connects": "Connect",
    "answering_machine": "Answering machine",
    "busy": "Busy",
    "no_answer": "No answer",
    "abandoned": "Abandoned",
    "fax": "Fax",
    "invalid_number": "Invalid number",
    "do_not_call": "Do not call",
    "wrong_party": "Wrong party",
}

#: Tables shown first, in this order; any other table given follows.
TABLE_ORDER = ("list_stats", "group_stats", "abandonment_30d", "zone_stats", "hourly_stats")
MAX_TABLE_ROWS = 500

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
         color: #1f2933; background: #fff; }
  h1 { margin-bottom: .2rem; }
  .meta { color: #616e7c; margin-top: 0; }
  .cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.5rem 0; }
  .card { border: 1px solid #d9e2ec; border-radius: 6px; padding: .8rem 1.2rem; min-width: 9rem; }
  .card .value { font-size: 1.5rem; font-weight: 600; }
  .card .label { color: #616e7c; font-size: .85rem; }
  .chart { margin: 1.5rem 0; min-height: 420px; }
  table { border-collapse: collapse; margin: 1rem 0 2rem; font-size: .85rem; }
  th, td { border: 1px solid #d9e2ec; padding: .3rem .6rem; }
  th { background: #1f4e78; color: #fff; text-align: left; position: sticky; top: 0; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr:nth-child(even) td { background: #f5f7fa; }
  .note { color: #616e7c; font-style: italic; }
  .scroll { overflow-x: auto; }
  .meta-list { color: #3e4c59; margin: .4rem 0 0; padding-left: 1.2rem; }
  .warning { border: 2px solid #c0392b; background: #fdecea; color: #7b241c; border-radius: 6px;
             padding: .8rem 1.2rem; margin: 1rem 0; font-weight: 600; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">Generated {{ generated_at }}</p>
{% if meta %}
<ul class="meta-list">
{% for label, value in meta.items() %}
  <li>{{ label }}: {{ value }}</li>
{% endfor %}
</ul>
{% endif %}
{% for warning in warnings %}
<div class="warning" role="alert">&#9888; {{ warning }}</div>
{% endfor %}
{% if cards %}
<div class="cards">
{% for card in cards %}
  <div class="card"><div class="value">{{ card.value }}</div>
  <div class="label">{{ card.label }}</div></div>
{% endfor %}
</div>
{% endif %}
{% for chart in charts %}
<section class="chart">
  <h2>{{ chart.title }}</h2>
  {{ chart.html | safe }}
</section>
{% else %}
<p class="note">No call results yet: no charts.</p>
{% endfor %}
{% for table in tables %}
<section>
  <h2>{{ table.title }}</h2>
  {% if table.truncated %}
  <p class="note">First {{ table.rows | length }} of {{ table.total }} rows.</p>
  {% endif %}
  <div class="scroll">
  <table>
    <thead><tr>{% for h in table.header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in table.rows %}
      <tr>{% for cell in row -%}
        <td{% if cell.num %} class="num"{% endif %}>{{ cell.text }}</td>
      {%- endfor %}</tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
</section>
{% endfor %}
</body>
</html>
"""

_ENV = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
)

#: Integer columns that are identifiers or clock values: no thousands separators.
_PLAIN_INTEGERS = ("_id", "_hour", "source_row", "_time")


def format_value(value: Any, column: str) -> str:
    """Human formatting of one cell: thousands separators, percentages, '–' for missing."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and is_rate_column(column):
        return f"{value:.1%}"
    if isinstance(value, int):
        return str(value) if column.endswith(_PLAIN_INTEGERS) else f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(text: object) -> str:
    """User text for a chart label: plotly renders tags in labels, so show them literally."""
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    """Apply the common chart layout."""
    fig.update_layout(
        template="plotly_white", margin={"l": 40, "r": 20, "t": 30, "b": 40}, **kwargs
    )
    return fig


def _result_mix_figure(list_stats: pl.DataFrame) -> go.Figure:
    """Stacked bars: attempts per list by result, the rest shown as 'Other'."""
    present = [c for c in RESULT_MIX if c in list_stats.columns]
    frame = list_stats.sort("list_name").with_columns(
        (pl.col("attempts") - pl.sum_horizontal(present)).clip(lower_bound=0).alias("_other")
    )
    names = [_label(n) for n in frame["list_name"].to_list()]
    fig = go.Figure()
    for column, label in [*((c, RESULT_MIX[c]) for c in present), ("_other", "Other")]:
        fig.add_trace(go.Bar(name=label, y=names, x=frame[column].to_list(), orientation="h"))
    return _layout(fig, barmode="stack", xaxis_title="attempts", legend_traceorder="normal")


def _hourly_figure(hourly: pl.DataFrame) -> go.Figure:
    """Stacked bars: attempts by local hour of the called party, per result group."""
    per_hour = (
        hourly.group_by("local_hour", "result_group")
        .agg(pl.col("attempts").sum())
        .sort("result_group", "local_hour")
    )
    fig = go.Figure()
    for (group,), part in per_hour.group_by("result_group", maintain_order=True):
        fig.add_trace(
            go.Bar(
                name=_label(group),
                x=part["local_hour"].to_list(),
                y=part["attempts"].to_list(),
            )
        )
    return _layout(
        fig,
        barmode="stack",
        xaxis={"title": "local hour", "tickmode": "linear", "dtick": 1, "range": [-0.5, 23.5]},
        yaxis_title="attempts",
    )


def _funnel_figure(list_stats: pl.DataFrame) -> go.Figure:
    """Funnel over all lists: total records → dialable → attempted → connected."""
    steps = {
        "Total records": "total_records",
        "Dialable": "dialable_records",
        "Attempted": "attempted_records",
        "Connected": "connected_records"
        if "connected_records" in list_stats.columns
        else "connects",
    }
    totals = list_stats.select(pl.col(c).sum() for c in steps.values()).row(0)
    fig = go.Figure(go.Funnel(y=list(steps), x=list(totals), textinfo="value+percent initial"))
    return _layout(fig)


def _charts(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, str]]:
    """Return the charts the tables allow as HTML fragments; plotly.js goes into the first."""
    figures: list[tuple[str, go.Figure]] = []
    list_stats = tables.get("list_stats")
    if list_stats is not None and list_stats.height:
        if list_stats["attempts"].sum():
            figures.append(("Result mix per list", _result_mix_figure(list_stats)))
        figures.append(("Funnel: records to connects", _funnel_figure(list_stats)))
    hourly = tables.get("hourly_stats")
    if hourly is not None and hourly.height:
        figures.append(("Attempts by local hour", _hourly_figure(hourly)))
    figures[:0] = ops_figures(tables)
    charts = []
    for index, (title, fig) in enumerate(figures):
        fragment = fig.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            include_mathjax=False,
            div_id=f"chart-{index}",
            default_height="420px",
            config={"displaylogo": False, "responsive": True},
        )
        charts.append({"title": title, "html": fragment})
    return charts


def _cards(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, str]]:
    """Headline numbers over all lists."""
    list_stats = tables.get("list_stats")
    if list_stats is None or list_stats.height == 0:
        return []
    sums = list_stats.select(
        pl.col(c).sum()
        for c in ("total_records", "dialable_records", "attempts", "connects", "abandoned")
    ).row(0, named=True)
    attempts, connects, abandoned = sums["attempts"], sums["connects"], sums["abandoned"]
    rates = {
        "connect_rate": connects / attempts if attempts else None,
        "abandon_rate": abandoned / (connects + abandoned) if connects + abandoned else None,
    }
    labels = {
        "total_records": "records",
        "dialable_records": "dialable",
        "attempts": "attempts",
        "connects": "connects",
        "connect_rate": "connect rate",
        "abandon_rate": "abandon rate",
    }
    values = {**sums, **rates}
    return [{"label": label, "value": format_value(values[k], k)} for k, label in labels.items()]


def _table(name: str, frame: pl.DataFrame) -> dict[str, Any]:
    """Prepare a table for the template: formatted cells, numbers marked, first rows only."""
    shown = frame.head(MAX_TABLE_ROWS)
    numeric = [dtype.is_numeric() for dtype in shown.dtypes]
    # Display only: at most MAX_TABLE_ROWS rows of a statistics table.
    rows = [
        [
            {"text": format_value(value, column), "num": is_num}
            for value, column, is_num in zip(row, shown.columns, numeric, strict=True)
        ]
        for row in shown.iter_rows()
    ]
    return {
        "title": name.replace("_", " "),
        "header": shown.columns,
        "rows": rows,
        "total": frame.height,
        "truncated": frame.height > shown.height,
    }


def render_html_report(
    tables: Mapping[str, pl.DataFrame],
    *,
    title: str,
    generated_at: datetime,
    meta: Mapping[str, str] | None = None,
) -> str:
    """Render the report as one HTML document (no external resources, user text escaped).

    `meta` lines (as-of, lists, time-zone data release) head the page; a campaign group over
    its 30-day abandonment limit (table abandonment_30d) gets a warning above the charts.
    """
    ordered = [n for n in TABLE_ORDER if n in tables] + [n for n in tables if n not in TABLE_ORDER]
    return _ENV.from_string(_TEMPLATE).render(
        title=title,
        generated_at=generated_at.isoformat(sep=" ", timespec="seconds"),
        meta=dict(meta or {}),
        warnings=abandonment_warnings(tables.get("abandonment_30d")),
        cards=_cards(tables),
        charts=_charts(tables),
        tables=[_table(n, tables[n]) for n in ordered],
    )


def write_html_report(
    tables: Mapping[str, pl.DataFrame],
    path: Path | str,
    *,
    title: str,
    generated_at: datetime,
    meta: Mapping[str, str] | None = None,
) -> Path:
    """Write the self-contained HTML report atomically and return its path.

    Charts (abandonment, best time to call, daily trend, dialable today, rejects, result mix,
    funnel, attempts by local hour) come from the tables that hold them; every table given is
    shown (first 500 rows), list_stats and group_stats first.
    """
    return io.write_text(
        render_html_report(tables, title=title, generated_at=generated_at, meta=meta), Path(path)
    )
