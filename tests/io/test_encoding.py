"""Encodings: detected, forced, refused, and transcoded copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import errors, io


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("utf-16", b"", "utf-16"),
    ],
)
def test_encodings_are_detected_and_names_survive(
    tmp_path: Path, encoding: str, prefix: bytes, detected: str
) -> None:
    text = "first,last\nZoë,Muñoz\nJosé,Brontë\n"
    table = io.read_table(write(tmp_path, "e.csv", prefix + text.encode(encoding)))
    assert table.detected["encoding"] == detected
    frame = table.frame.collect()
    assert frame.columns[:2] == ["first", "last"]
    assert frame.rows() == [("Zoë", "Muñoz", 1), ("José", "Brontë", 2)]


def test_non_utf8_bytes_late_in_the_file_are_found(tmp_path: Path) -> None:
    rows = "".join(f"{i},Smith\n" for i in range(5000))
    data = ("id,name\n" + rows + "9999,Muñoz\n").encode("cp1252")
    table = io.read_table(write(tmp_path, "late.csv", data))
    assert table.frame.collect()["name"].to_list()[-1] == "Muñoz"


def test_forced_encoding_is_used(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "n\nFrançoise\n".encode("latin-1"))
    table = io.read_table(path, io.ReadOptions(encoding="latin-1"))
    assert table.detected["encoding"] == "iso8859-1"
    assert table.frame.collect()["n"].item() == "Françoise"


def test_forced_encoding_that_fails_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "n\nok\nMuñoz\n".encode("cp1252"))
    with pytest.raises(errors.InputError, match="undecodable bytes at line 3"):
        io.read_table(path, io.ReadOptions(encoding="utf-8"))


def test_unknown_forced_encoding(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="unknown encoding 'klingon'"):
        io.read_table(write(tmp_path, "a.csv", "a\n1\n"), io.ReadOptions(encoding="klingon"))


def test_transcoded_input_stays_readable_after_its_temp_copy_is_gone(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "name,phone\nMuñoz,2125550142\n".encode("cp1252"))
    table = io.read_table(path)
    assert table.detected["encoding"] == "cp1252"
    assert table.frame.collect().rows() == [("Muñoz", "2125550142", 1)]


def test_forcing_utf16_on_a_utf8_file_is_a_one_line_input_error(tmp_path):
    path = write(tmp_path, "a.csv", "client_id,phone\n1,2125550142\n")
    with pytest.raises(errors.InputError, match="not readable as 'utf-16'"):
        io.read_table(path, io.ReadOptions(encoding="utf-16"))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognised(tmp_path, codec):
    path = write(tmp_path, "u.csv", "client_id,phone\n1,2125550142\n".encode(codec))
    table = io.read_table(path)
    assert table.detected["encoding"] == codec
    assert table.frame.collect()["phone"].to_list() == ["2125550142"]


def test_a_file_mixing_utf8_and_cp1252_is_refused_not_garbled(tmp_path):
    path = write(tmp_path, "m.csv", b"name,phone\nJos\xc3\xa9,2125550142\nRen\xe9e,2125550143\n")
    with pytest.raises(errors.InputError, match=r"mixed encodings.*line 3"):
        io.read_table(path)
    table = io.read_table(path, io.ReadOptions(encoding="cp1252"))
    assert table.frame.collect()["name"].to_list() == ["JosÃ©", "Renée"]
