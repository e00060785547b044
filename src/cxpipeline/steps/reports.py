"""Reports step: read the statistics relations and write HTML, Excel and CSV reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import tzdata

from cxpipeline import warehouse
from cxpipeline.io import outputs
from cxpipeline.reports import excel, html, tabular
from cxpipeline.settings import Settings

REPORT_TABLES = (
    "list_stats",
    "group_stats",
    "zone_stats",
    "not_dialable_summary",
    "rejection_summary",
    "hourly_stats",
    "ingest_runs",
    "abandonment_30d",
    "hour_weekday_stats",
    "daily_stats",
    "dialable_today",
)
REPORT_FORMATS = ("html", "xlsx", "csv")


def write_reports(
    settings: Settings, out_dir: Path, formats: tuple[str, ...], *, force: bool = True
) -> list[Path]:
    """Export the statistics as HTML (with charts), Excel and/or CSV into out_dir.

    The folder is refused when it is a file or inside the lake; without `force` (the CLI's
    default) an existing report file is not replaced. Runs replace their own reports.
    """
    out_dir = outputs.check_output_folder(out_dir, home=settings.home)
    for name in _report_files(formats):
        outputs.check_output_file(out_dir / name, home=settings.home, force=force)
    con = warehouse.connect(settings, read_only=True)
    try:
        tables = {name: warehouse.whole_table(con, name) for name in REPORT_TABLES}
        planned = warehouse.named_frame(con, "plan_as_of")
    finally:
        con.close()
    out_dir = Path(out_dir)
    written: list[Path] = []
    if "html" in formats:
        written.append(
            html.write_html_report(
                tables,
                out_dir / "report.html",
                title="cxpipeline campaign report",
                generated_at=datetime.now(UTC),
                meta=report_meta(tables["list_stats"], planned),
            )
        )
    if "xlsx" in formats:
        written.append(excel.write_xlsx_report(tables, out_dir / "report.xlsx"))
    if "csv" in formats:
        written.extend(tabular.write_csv_report(tables, out_dir))
    return written


def _report_files(formats: tuple[str, ...]) -> list[str]:
    """Names of the files the chosen formats write into the report folder."""
    names = [f"report.{fmt}" for fmt in ("html", "xlsx") if fmt in formats]
    return names + ([f"{table}.csv" for table in REPORT_TABLES] if "csv" in formats else [])


#: Lists named in the report header; more are counted.
MAX_LISTED = 12


def report_meta(list_stats: pl.DataFrame, planned: pl.DataFrame) -> dict[str, str]:
    """Return the header lines: the planning as-of, the lists, the time-zone data release."""
    names = sorted(list_stats["list_name"].to_list())
    shown = ", ".join(names[:MAX_LISTED]) + (
        f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    )
    latest = planned["as_of"].max() if planned.height else None
    as_of = latest.isoformat(sep=" ", timespec="minutes") if isinstance(latest, datetime) else "–"
    return {
        "Windows planned as of": as_of,
        f"Lists ({len(names)})": shown or "none",
        "Time-zone data": f"IANA tzdata {tzdata.IANA_VERSION}",
    }
