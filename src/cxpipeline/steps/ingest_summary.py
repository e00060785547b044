"""What an ingest did: the reconciliation the CLI prints and `ingest_runs` stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class IngestSummary:
    """What an ingest did, for the CLI's reconciliation and the flows' logs."""

    run_id: str
    list_name: str
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    duplicate_rows: int = 0
    phone_values: int = 0
    phones_rejected: int = 0
    records_written: int = 0
    records_kept: int = 0
    records_added: int = 0
    records_removed: int = 0
    no_call_records: int = 0
    message: str = ""
    detected: dict[str, Any] = field(default_factory=dict)

    def reconciles(self) -> bool:
        """Whether every row and phone value is accounted for."""
        return self.rows_read == self.rows_accepted + self.rows_rejected

    def describe(self) -> list[str]:
        """Return the reconciliation as printable lines (rich markup)."""
        if self.status == "unchanged":
            return [f"[yellow]{self.list_name}[/yellow]: {self.message}"]
        ok = "✓" if self.reconciles() else "✗"
        collapsed = self.phone_values - self.phones_rejected - self.records_written
        return [
            f"[bold]{self.list_name}[/bold] run {self.run_id}: rows read {self.rows_read:,} "
            f"= accepted {self.rows_accepted:,} + rejected {self.rows_rejected:,} {ok}",
            f"  phone values {self.phone_values:,} → records {self.records_written:,} "
            f"+ rejected values {self.phones_rejected:,} + collapsed duplicates {collapsed:,}; "
            f"no-call records {self.no_call_records:,}; duplicate rows {self.duplicate_rows:,}",
            f"  list records: kept {self.records_kept:,}, added {self.records_added:,}, "
            f"removed {self.records_removed:,} (removed records keep their history)",
        ]
