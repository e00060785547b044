"""Charts an operations team reads: best time to call, daily trend, abandonment, dialable today.

Each function takes a statistics table and returns a plotly figure, or None when the table is
missing or empty; reports/html.py lays them out.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Zones shown by name in the dialable-today chart; the rest are summed as "other zones".
MAX_ZONES = 8
MAX_REASONS = 15


def _label(text: object) -> str:
    """User text for a chart label: plotly renders tags in labels, so show them literally."""
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    """Apply the common chart layout."""
    margin = kwargs.pop("margin", {"l": 40, "r": 20, "t": 30, "b": 40})
    fig.update_layout(template="plotly_white", margin=margin, **kwargs)
    return fig


def _usable(frame: pl.DataFrame | None) -> bool:
    return frame is not None and frame.height > 0


def best_time_figure(hour_weekday: pl.DataFrame | None) -> go.Figure | None:
    """Heatmap of the connect rate by local weekday × hour over all lists (hover: attempts)."""
    if not _usable(hour_weekday):
        return None
    assert hour_weekday is not None
    cells = hour_weekday.group_by("weekday", "local_hour").agg(
        pl.col("attempts").sum(), pl.col("connects").sum()
    )
    hours = list(range(24))
    rates: list[list[float | None]] = [[None] * 24 for _ in WEEKDAYS]
    counts: list[list[int]] = [[0] * 24 for _ in WEEKDAYS]
    for weekday, hour, attempts, connects in cells.iter_rows():
        rates[weekday - 1][hour] = connects / attempts if attempts else None
        counts[weekday - 1][hour] = attempts
    fig = go.Figure(
        go.Heatmap(
            z=rates,
            x=hours,
            y=list(WEEKDAYS),
            customdata=counts,
            colorscale="Greens",
            zmin=0,
            colorbar={"title": "connect rate", "tickformat": ".0%"},
            hovertemplate="%{y} %{x}:00 · connect rate %{z:.1%} · %{customdata} attempts"
            "<extra></extra>",
            hoverongaps=False,
        )
    )
    return _layout(
        fig,
        xaxis={"title": "local hour of the called party", "dtick": 1},
        yaxis={"autorange": "reversed"},
    )


def daily_trend_figure(daily: pl.DataFrame | None) -> go.Figure | None:
    """Lines of attempts, connects and abandons per local date over all lists."""
    if not _usable(daily):
        return None
    assert daily is not None
    per_day = (
        daily.group_by("call_date")
        .agg(pl.col("attempts", "connects", "abandoned").sum())
        .sort("call_date")
    )
    dates = [d.isoformat() for d in per_day["call_date"].to_list()]
    fig = go.Figure()
    for column, label in (
        ("attempts", "Attempts"),
        ("connects", "Connects"),
        ("abandoned", "Abandons"),
    ):
        fig.add_trace(
            go.Scatter(x=dates, y=per_day[column].to_list(), name=label, mode="lines+markers")
        )
    return _layout(
        fig,
        xaxis={
            "title": "date (called party's)",
            "type": "date",
            "tickformat": "%a %b %d",
            "dtick": 86_400_000,
        },
        yaxis_title="calls",
    )


def abandonment_figure(abandonment: pl.DataFrame | None) -> go.Figure | None:
    """Bars of each group's 30-day abandonment rate, red above its limit, the limit as a mark."""
    if not _usable(abandonment):
        return None
    assert abandonment is not None
    frame = abandonment.sort("campaign_group")
    groups = [_label(g) for g in frame["campaign_group"].to_list()]
    colors = ["#c0392b" if over else "#2e86c1" for over in frame["over_limit"].to_list()]
    fig = go.Figure(
        [
            go.Bar(
                x=groups,
                y=frame["abandon_rate"].fill_null(0).to_list(),
                marker_color=colors,
                text=[f"{r:.1%}" for r in frame["abandon_rate"].fill_null(0).to_list()],
                textposition="outside",
                name="abandon rate (30 days)",
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            ),
            go.Scatter(
                x=groups,
                y=frame["abandon_limit"].to_list(),
                mode="markers",
                marker={
                    "symbol": "line-ew-open",
                    "size": 90,
                    "color": "#1f2933",
                    "line": {"width": 3, "color": "#1f2933"},
                },
                name="limit",
                hovertemplate="limit %{y:.1%}<extra></extra>",
            ),
        ]
    )
    return _layout(fig, yaxis={"title": "abandoned / live answers", "tickformat": ".0%"})


def dialable_today_figure(dialable: pl.DataFrame | None) -> go.Figure | None:
    """Stacked bars of the records dialable per local hour today, by record zone."""
    if not _usable(dialable):
        return None
    assert dialable is not None
    zone = pl.col("tz_name").fill_null("no zone")
    totals = dialable.group_by(zone).agg(pl.col("records").sum()).sort("records", descending=True)
    top = totals["tz_name"].head(MAX_ZONES).to_list()
    per_hour = (
        dialable.with_columns(zone.alias("tz_name"))
        .with_columns(
            pl.when(pl.col("tz_name").is_in(top)).then("tz_name").otherwise(pl.lit("other zones"))
        )
        .group_by("tz_name", "local_hour")
        .agg(pl.col("records").sum())
    )
    fig = go.Figure()
    for name in [*top, "other zones"]:
        part = per_hour.filter(pl.col("tz_name") == name).sort("local_hour")
        if part.height:
            fig.add_trace(
                go.Bar(
                    name=_label(name), x=part["local_hour"].to_list(), y=part["records"].to_list()
                )
            )
    return _layout(
        fig,
        barmode="stack",
        xaxis={"title": "local hour of the record", "tickmode": "linear", "dtick": 1},
        yaxis_title="records with a window",
    )


def rejects_figure(rejections: pl.DataFrame | None) -> go.Figure | None:
    """Horizontal bars of rejected rows and values by kind and reason (the largest first)."""
    if not _usable(rejections):
        return None
    assert rejections is not None
    per_reason = (
        rejections.with_columns(
            pl.concat_str(pl.col("kind"), pl.lit(": "), pl.col("reason")).alias("_what")
        )
        .group_by("_what")
        .agg(pl.col("rejected").sum())
        .sort("rejected", descending=True)
        .head(MAX_REASONS)
        .reverse()
    )
    fig = go.Figure(
        go.Bar(
            y=[_label(r) for r in per_reason["_what"].to_list()],
            x=per_reason["rejected"].to_list(),
            orientation="h",
        )
    )
    return _layout(fig, xaxis_title="rejected", margin={"l": 320, "r": 20, "t": 30, "b": 40})


def ops_figures(tables: Mapping[str, pl.DataFrame]) -> list[tuple[str, go.Figure]]:
    """Return every operations chart the tables allow, titled, in reading order."""
    candidates = [
        (
            "Abandonment rate over 30 days, per campaign group",
            abandonment_figure(tables.get("abandonment_30d")),
        ),
        (
            "Best time to call: connect rate by local weekday and hour",
            best_time_figure(tables.get("hour_weekday_stats")),
        ),
        (
            "Daily trend: attempts, connects, abandons",
            daily_trend_figure(tables.get("daily_stats")),
        ),
        (
            "Records dialable today by zone and local hour",
            dialable_today_figure(tables.get("dialable_today")),
        ),
        ("Rejected rows and values by reason", rejects_figure(tables.get("rejection_summary"))),
    ]
    return [(title, fig) for title, fig in candidates if fig is not None]


def abandonment_warnings(abandonment: pl.DataFrame | None) -> list[str]:
    """One sentence per campaign group whose 30-day abandonment rate is above its limit."""
    if not _usable(abandonment):
        return []
    assert abandonment is not None
    return [
        f"Campaign group {row['campaign_group']}: {row['abandon_rate']:.1%} of live-answered "
        f"calls abandoned over the 30 days to {row['window_end_utc']:%Y-%m-%d}, above its limit "
        f"of {row['abandon_limit']:.1%} ({row['abandoned']:,} abandoned of "
        f"{row['connects'] + row['abandoned']:,})."
        for row in abandonment.filter(pl.col("over_limit")).iter_rows(named=True)
    ]
