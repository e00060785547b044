"""Run manifest: the YAML that says what one run processes (campaigns, lists, results, reports).

Input paths are relative to the manifest's folder; the report folder is relative to the home.
The format is documented in docs/manifest.md.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxpipeline.errors import InputError

ReportFormat = Literal["html", "xlsx", "csv"]
M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    """Unknown keys are mistakes (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SuppressionFile(_Strict):
    """A do-not-call list to (re)load under a name."""

    file: Path = Field(description="CSV/TXT/XLSX of numbers and/or client ids.")
    name: str = Field(min_length=1, description="Name of the suppression list.")
    column: str | None = Field(default=None, description="Header of the phone column.")
    client_column: str | None = Field(default=None, description="Header of the client ids.")
    expiry_column: str | None = Field(default=None, description="Header of the expiry dates.")
    expires_after: str | None = Field(default=None, description="Expiry of entries, e.g. 3y14d.")
    spec: Path | None = Field(default=None, description="Import spec YAML for the file.")


class ListFile(_Strict):
    """A contact list file to ingest into a list of a campaign group."""

    file: Path = Field(description="The client's contact list file.")
    list_name: str = Field(alias="list", min_length=1, description="Contact list name.")
    group: str = Field(min_length=1, description="Campaign group of the list.")
    spec: Path | None = Field(None, description="Import spec YAML.")
    mode: Literal["replace", "append"] = Field("replace", description="replace or append.")
    delimiter: str | None = Field(None, description="Force a delimiter.")
    encoding: str | None = Field(None, description="Force an encoding.")
    sheet: str | None = Field(None, description="Excel sheet name.")
    force: bool = Field(False, description="Replace even when it removes most of the list.")


class Reports(_Strict):
    """Where reports go and in which formats."""

    dir: Path = Field(Path("reports"), description="Report folder (relative: under the home).")
    formats: tuple[ReportFormat, ...] = Field(("html", "xlsx", "csv"), description="Formats.")


class RunManifest(_Strict):
    """What one run processes, in order: campaigns, suppression, lists, results, reports."""

    campaigns: Path | None = Field(None, description="campaigns.yaml to apply first.")
    rules: Path | None = Field(None, description="Compliance rule overrides YAML.")
    suppression: tuple[SuppressionFile, ...] = ()
    lists: tuple[ListFile, ...] = ()
    results: tuple[Path, ...] = Field((), description="Call results files, loaded in order.")
    plan: bool = Field(
        True, description="Re-plan every list's windows for the run's as-of after the results."
    )
    reports: Reports | None = Field(None, description="Reports to write (none if absent).")
    as_of: datetime | None = Field(None, description="Planning time (default: now).")
    horizon_days: int | None = Field(None, ge=1, le=366, description="Days of windows.")

    def resolved(self, base: Path) -> RunManifest:
        """Return the manifest with every relative input path made absolute against `base`."""

        def at(path: Path | None) -> Path | None:
            return None if path is None else (base / path).resolve()

        return self.model_copy(
            update={
                "campaigns": at(self.campaigns),
                "rules": at(self.rules),
                "suppression": tuple(
                    s.model_copy(update={"file": at(s.file), "spec": at(s.spec)})
                    for s in self.suppression
                ),
                "lists": tuple(
                    item.model_copy(update={"file": at(item.file), "spec": at(item.spec)})
                    for item in self.lists
                ),
                "results": tuple(base / p for p in self.results),
            }
        )


def load_manifest(path: Path) -> RunManifest:
    """Read and validate a manifest file; problems are one-line errors naming the field."""
    path = Path(path)
    manifest = load_model(path, RunManifest, what="manifest")
    return manifest.resolved(path.resolve().parent)


def load_model(path: Path, model: type[M], *, what: str) -> M:
    """Read a YAML file into a pydantic model; problems are one-line errors naming the field."""
    if not path.is_file():
        raise InputError(f"{what} not found", file=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"not valid YAML{where}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"a {what} is a mapping of keys", file=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], file=str(path), field=field) from None
