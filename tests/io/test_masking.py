"""Masking of phone-like text kept in rejects."""

from __future__ import annotations

from pathlib import Path

from cxpipeline import io


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_ragged_row_raw_text_masks_phone_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a,b,c\nAnn,(212) 555-0142\n")
    raw = io.read_table(path).rejects["raw"].item()
    assert raw == "Ann,(***) ***-0142"


def test_mask_phone_keeps_only_the_last_four_digits() -> None:
    assert io.mask_phone("+1 (212) 555-0142") == "+* (***) ***-0142"
    assert io.mask_phone("02134") == "02134"
    assert io.mask_text("call 212-555-0142 now, ZIP 02134") == "call ***-***-0142 now, ZIP 02134"
