"""Input files opened honestly (io/files.py): regular files only, bounded, JSON within limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from equityplanner.errors import InputError
from equityplanner.io.files import (
    MAX_NESTING,
    check_json_value,
    read_bounded,
    read_json,
    regular_file,
    relative_inputs,
)
from equityplanner.model.results import InputFile


def test_regular_files_pass_and_other_kinds_are_named(tmp_path: Path) -> None:
    file = tmp_path / "a.json"
    file.write_text("{}")
    assert regular_file(file, "project file") == file
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cases = {
        tmp_path / "missing": "project file not found",
        tmp_path: "project file is a folder, not a file",
        fifo: "project file is a named pipe (FIFO), not a file",
    }
    if Path("/dev/zero").exists():
        cases[Path("/dev/zero")] = "project file is a character device, not a file"
    for path, fault in cases.items():
        with pytest.raises(InputError) as info:
            regular_file(path, "project file")
        assert info.value.fault == fault
    assert regular_file(tmp_path, "GTFS feed", allow_folder=True) == tmp_path


def test_paths_no_file_system_holds(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="more than the 255 a file name can have"):
        regular_file(tmp_path / ("x" * 256), "table")
    with pytest.raises(InputError, match="holds a NUL character"):
        regular_file("a\0b", "table")
    with pytest.raises(InputError, match="characters no file name can have"):
        regular_file("a\ud800b", "table")


def test_reading_is_bounded(tmp_path: Path) -> None:
    file = tmp_path / "big.json"
    file.write_bytes(b"x" * 1001)
    assert read_bounded(file, "file", 1001) == b"x" * 1001
    with pytest.raises(InputError, match="1,001 bytes, more than the 1,000 read"):
        read_bounded(file, "file", 1000)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("{", "is not valid JSON (line 1, column 2"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": 1e999}', "the number 1e999 is too large"),
        ('{"a": ' + "1" * 31 + "}", "a whole number of 31 digits"),
        ('{"a": "\\udc00"}', "a lone surrogate"),
        ("[" * 100_000 + "]" * 100_000, "nests arrays or objects"),
    ],
)
def test_json_beyond_the_limits(tmp_path: Path, text: str, fault: str) -> None:
    file = tmp_path / "p.json"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=None) as info:
        read_json(file, "project file")
    assert fault in info.value.message and str(file) in info.value.message


def test_json_with_a_byte_order_mark_and_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / "p.json"
    file.write_bytes(b"\xef\xbb\xbf" + b'{"a": 1}')
    assert read_json(file, "project file") == {"a": 1}
    file.write_bytes('{"a": "é"}'.encode("latin-1"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_json(file, "project file")


def test_nesting_is_checked_without_recursion() -> None:
    value: object = 1
    for _ in range(MAX_NESTING + 1):
        value = {"k": value}
    with pytest.raises(InputError, match=f"more than {MAX_NESTING} levels") as info:
        check_json_value(value, None, "project file")
    assert info.value.location is not None and info.value.location.startswith("k.k.k")
    shallow: object = 1
    for _ in range(MAX_NESTING - 1):
        shallow = [shallow]
    check_json_value(shallow, None, "project file")


def test_input_records_get_paths_relative_to_the_project(tmp_path: Path) -> None:
    project = tmp_path / "city" / "p.eqp.json"
    records = [
        InputFile("project", str(project), "0"),
        InputFile("attributes", str(tmp_path / "data" / "acs.csv"), "1"),
    ]
    relative = relative_inputs(records, project)
    assert [r.relative_path for r in relative] == ["p.eqp.json", "../data/acs.csv"]
    assert [r.path for r in relative] == [r.path for r in records]
