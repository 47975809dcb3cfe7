"""The fuzz and fault sweep's findings (issue 12), each pinned as a regression test.

Every case builds its input from the sample project or the small fuzz project, runs the
CLI in-process and checks the outcome: exit 2 with one line naming the file and the fault
(never a traceback), or exit 0 where the input is now understood (GTFS's own time format
for the peak, a UTF-16 or semicolon CSV, Shapefile-cut ACS codes).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzz_helpers import WEDNESDAY, Run, assert_clean, run_cli, sample_copy, small_project

SAMPLE_DATE = "2026-11-25"  # the sample's Wednesday


def _edit_json(path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _expect_error(run: Run, *fragments: str) -> None:
    assert_clean(run, allowed=(2,))
    for fragment in fragments:
        assert fragment in run.err, run.err


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value

    return change


# --- project files: a list or a string where an object is expected, and other values ---------

PROJECT_VALUES = [
    (("baseline", "mapping"), ["B01003_001E"], "baseline.mapping: ['B01003_001E'] is not an"),
    (("parameters", "title_vi"), "strict", "parameters.title_vi: 'strict' is not an object"),
    (("parameters", "comparison"), ["all"], "parameters.comparison: ['all'] is not an object"),
    (("parameters",), ["catchment_m"], "parameters: ['catchment_m'] is not an object"),
    (("projects", "features", 0, "properties"), ["x"], "has properties that are not an object"),
    (("projects", "features", 0, "properties"), "x", "has properties that are not an object"),
    (("baseline", "neighbourhoods"), 5, "baseline.neighbourhoods: 5 is not a path"),
    (("baseline", "table"), ["a.csv"], "baseline.table: ['a.csv'] is not a path"),
    (("baseline", "id_column"), 7, "baseline.id_column: 7 is not a column name"),
    (("baseline", "mapping"), {"total_population": 5}, "baseline.mapping.total_population: 5"),
    (("baseline", "neighbourhoods"), "d/" + "x" * 300, "more than the 255 a file name can have"),
    (("gtfs", "date"), "10 March", "gtfs.date: '10 March' is not a date"),
    (("gtfs", "peak"), ["9:00", "7:00"], "gtfs.peak: the window ['9:00', '7:00'] ends before"),
    (("gtfs", "baseline"), "/dev/zero", "gtfs.baseline: file '/dev/zero' is a character device"),
    (("metadata",), "title", "metadata: 'title' is not an object"),
    (("scenarios",), {"id": "x"}, "scenarios: {'id': 'x'} is not a list"),
    (("opportunities", "jobs"), 3, "opportunities.jobs: 3 is not an object"),
    (("projects", "features", 0, "properties", "total_units"), 1e300, "more than 1,000,000"),
    (("projects", "features", 0, "properties", "total_units"), 10**25, "more than 1,000,000"),
]


@pytest.mark.parametrize(("path", "value", "fragment"), PROJECT_VALUES)
def test_project_values_of_the_wrong_kind(
    tmp_path: Path, path: tuple[Any, ...], value: Any, fragment: str
) -> None:
    project = _edit_json(sample_copy(tmp_path / "s"), _set(path, value))
    for command in ("validate", "assess"):
        run = run_cli(command, str(project))
        assert_clean(run, allowed=(2,))
        assert fragment in run.err, run.err


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '{"format": "equityplanner-project", "schema_version": 1, "metadata": '
            + "[" * 100_000
            + "]" * 100_000
            + "}",
            "nests arrays or objects",
        ),
        (
            '{"format": "equityplanner-project", "schema_version": 1, "parameters": '
            '{"significance_z": ' + "9" * 5000 + "}}",
            "a whole number of 5000 digits",
        ),
        (
            '{"format": "equityplanner-project", "schema_version": 1, "parameters": '
            '{"significance_z": 1e400}}',
            "the number 1e400 is too large",
        ),
        (
            '{"format": "equityplanner-project", "schema_version": 1, "parameters": '
            '{"significance_z": NaN}}',
            "NaN is not a JSON number",
        ),
        (
            '{"format": "equityplanner-project", "schema_version": 1, "metadata": '
            '{"title": "\\ud800"}}',
            "lone surrogate",
        ),
        (
            '{"format": "equityplanner-project", "schema_version": 1, "\\udfff": 1}',
            "lone surrogate",
        ),
        ('{"format": "equityplanner-project", "schema_version": true}', "invalid schema_version"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_project_texts_beyond_the_parser(tmp_path: Path, text: str, fragment: str) -> None:
    project = tmp_path / "p.eqp.json"
    project.write_text(text, encoding="utf-8")
    for command in ("validate", "assess"):
        _expect_error(run_cli(command, str(project)), str(project), fragment)


def test_a_folder_as_the_project(tmp_path: Path) -> None:
    _expect_error(run_cli("validate", str(tmp_path)), "project file is a folder, not a file")


def test_devices_and_fifos_as_inputs_never_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.eqp.json"
    os.mkfifo(fifo)
    _expect_error(run_cli("validate", str(fifo)), "is a named pipe (FIFO), not a file")
    _expect_error(run_cli("assess", str(fifo)), "is a named pipe (FIFO), not a file")
    _expect_error(run_cli("validate", "/dev/zero"), "/dev/zero: project file is a character")
    project = small_project(tmp_path / "small")
    shutil.rmtree(project.parent / "gtfs_proposed")
    os.mkfifo(project.parent / "gtfs_proposed")
    _expect_error(run_cli("validate", str(project)), "gtfs.proposed: file 'gtfs_proposed' is a")
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    quick = ["assess", "--neighbourhoods", str(sample / "tracts.gpkg")]
    _expect_error(run_cli(*quick, "--projects", str(fifo)), "projects file is a named pipe")
    _expect_error(run_cli(*quick, "--projects", "/dev/zero"), "projects file is a character")
    _expect_error(
        run_cli(*quick, "--projects", str(sample / "proposals.geojson"), "--mapping", str(fifo)),
        "mapping file is a named pipe",
    )


def test_an_unreadable_project_is_refused(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip(
            "root reads any file: tests/io/test_outputs.py runs this case as the user nobody"
        )
    project = small_project(tmp_path / "small")
    os.chmod(project, 0)
    try:
        _expect_error(run_cli("validate", str(project)), "cannot be read (Permission denied)")
    finally:
        os.chmod(project, stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize(
    ("option", "content", "fragment"),
    [
        ("--mapping", '["B01003_001E"]', "mapping: ['B01003_001E'] is not an object"),
        ("--mapping", '{"total_population": {"estimate": 5}}', "is not a non-empty list"),
        ("--mapping", "[" * 50_000 + "]" * 50_000, "nests arrays or objects"),
        ("--params", '{"catchment_m": ["bus"]}', "catchment_m must be an object"),
        ("--params", '{"significance_z": 1e400}', "too large"),
        ("--params", '{"title_vi": "strict"}', "parameters.title_vi: 'strict' is not an object"),
        ("--params", '"x"', "must hold a JSON object"),
    ],
)
def test_mapping_and_params_files(tmp_path: Path, option: str, content: str, fragment: str) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    given = tmp_path / "given.json"
    given.write_text(content, encoding="utf-8")
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(sample / "tracts.gpkg"),
        "--table",
        str(sample / "acs_2019_2023.csv"),
        "--projects",
        str(sample / "proposals.geojson"),
        "--catchment",
        "bus=300",
        option,
        str(given),
    )
    _expect_error(run, str(given), fragment)


# --- GTFS ---------------------------------------------------------------------------------------


def test_the_peak_in_gtfs_time_format_is_read_by_validate_and_assess(tmp_path: Path) -> None:
    project = _edit_json(
        small_project(tmp_path / "small"), _set(("gtfs", "peak"), ["07:00:00", "09:00:00"])
    )
    assert_clean(run_cli("validate", str(project)), allowed=(0,))
    out = tmp_path / "out.json"
    assert_clean(run_cli("assess", str(project), "--json", str(out), "--quiet"), allowed=(0,))
    assert json.loads(out.read_text(encoding="utf-8"))["results"]


def _zero_calendar(feed: Path) -> None:
    (feed / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,0,0,0,0,0,0,0,20240101,20241231\n",
        encoding="utf-8",
    )
    (feed / "calendar_dates.txt").write_text("service_id,date,exception_type\n", encoding="utf-8")


def test_a_proposed_feed_without_service_is_no_verdict(tmp_path: Path) -> None:
    project = small_project(tmp_path / "small")
    _zero_calendar(project.parent / "gtfs_proposed")
    for command in ("validate", "assess"):
        _expect_error(
            run_cli(command, str(project)),
            "gtfs_proposed: gtfs.date: the proposed feed has no service on 2024-07-03",
        )


def test_the_sample_with_an_expired_proposed_feed(tmp_path: Path) -> None:
    project = sample_copy(tmp_path / "s")
    feed = project.parent / "gtfs_proposed.zip"
    with zipfile.ZipFile(feed) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    calendar = files["calendar.txt"].replace(b"20271231", b"20251231")
    files["calendar.txt"] = calendar.replace(b"20260101", b"20250101")
    files["calendar_dates.txt"] = b"service_id,date,exception_type\n"
    with zipfile.ZipFile(feed, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    for command in ("validate", "assess"):
        _expect_error(
            run_cli(command, str(project)),
            "the proposed feed has no service on 2026-11-25 (Wednesday)",
            "runs from 2025-01-01 to 2025-12-31",
        )


def test_a_date_outside_both_feeds(tmp_path: Path) -> None:
    project = _edit_json(small_project(tmp_path / "small"), _set(("gtfs", "date"), "2031-01-01"))
    _expect_error(run_cli("validate", str(project)), "the baseline feed has no service")


def test_overlapping_frequencies_are_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "small")
    (project.parent / "gtfs_proposed" / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs\n"
        "d0_freq,07:00:00,09:00:00,30\nd0_freq,07:00:00,10:00:00,30\n",
        encoding="utf-8",
    )
    _expect_error(run_cli("validate", str(project)), "overlap an earlier period of the same trip")


def test_the_one_line_frequencies_bomb_passes_neither_validate_nor_assess(tmp_path: Path) -> None:
    project = small_project(tmp_path / "small")
    (project.parent / "gtfs_proposed" / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs\nd0_freq,00:00:00,999:59:59,1\n",
        encoding="utf-8",
    )
    for command in ("validate", "assess"):
        _expect_error(run_cli(command, str(project)), "end after 48:00:00")


def test_a_collapse_of_proposed_service_is_carried_as_a_blocking_notice(tmp_path: Path) -> None:
    project = small_project(tmp_path / "small")
    trips = project.parent / "gtfs_proposed" / "trips.txt"
    lines = trips.read_text(encoding="utf-8").splitlines()
    trips.write_text(
        "\n".join([*lines[:2], *(line.replace(",WK,", ",OFF,") for line in lines[2:])]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    run = run_cli("assess", str(project), "--json", str(out))
    assert_clean(run, allowed=(0,))
    assert "BLOCKING: The proposed GTFS feed runs 95% fewer trips" in run.out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert any("95% fewer trips" in w for w in data["warnings"])
    (notice,) = data["notices"]
    assert notice["severity"] == "blocking" and notice["result_id"] == "gtfs-service-change"
    assert notice["code"] == "gtfs.proposed_service_drop" and notice["remedy"]
    validated = run_cli("validate", str(project))
    assert "BLOCKING: The proposed GTFS feed runs 95% fewer trips" in validated.out


# --- data files ---------------------------------------------------------------------------------


def _quick(tmp_path: Path, *extra: str, table: Path | None = None) -> Run:
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    args = ["assess", "--neighbourhoods", str(sample / "tracts.gpkg")]
    args += ["--table", str(table or sample / "acs_2019_2023.csv")]
    args += ["--projects", str(sample / "proposals.geojson"), "--quiet", *extra]
    return run_cli(*args)


def _acs(tmp_path: Path) -> pd.DataFrame:
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    return pd.read_csv(sample / "acs_2019_2023.csv", dtype=str, keep_default_na=False)


def test_every_estimate_zero(tmp_path: Path) -> None:
    frame = _acs(tmp_path)
    for column in frame.columns:
        if column.startswith("B") and column.endswith("E"):
            frame[column] = "0"
    table = tmp_path / "zeros.csv"
    frame.to_csv(table, index=False)
    _expect_error(_quick(tmp_path, table=table), "every neighbourhood has a total population of 0")


def test_formulas_without_results_in_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    frame = _acs(tmp_path)
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for n, row in enumerate(frame.itertuples(index=False), start=2):
        sheet.append(list(row))
        sheet.cell(row=n, column=3, value=f"=D{n}*1")  # no cached result: openpyxl writes none
    table = tmp_path / "formulas.xlsx"
    book.save(table)
    _expect_error(
        _quick(tmp_path, table=table), "cell C2 of sheet 'Sheet' holds the formula '=D2*1'"
    )


def test_an_unclosed_ring_and_a_nan_coordinate(tmp_path: Path) -> None:
    import pyogrio

    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    frame = pyogrio.read_dataframe(sample / "tracts.gpkg")
    collection = json.loads(frame.to_json())
    ring = collection["features"][3]["geometry"]["coordinates"]
    polygon = ring[0] if collection["features"][3]["geometry"]["type"] == "MultiPolygon" else ring
    polygon[0].pop()  # the ring no longer closes
    broken = tmp_path / "unclosed.geojson"
    broken.write_text(json.dumps(collection), encoding="utf-8")
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(broken),
        "--table",
        str(sample / "acs_2019_2023.csv"),
        "--projects",
        str(sample / "proposals.geojson"),
        "--quiet",
    )
    assert_clean(run)
    collection = json.loads(frame.to_json())
    collection["features"][5]["geometry"]["coordinates"][0][0][1] = float("nan")
    nan = tmp_path / "nan.geojson"
    nan.write_text(json.dumps(collection), encoding="utf-8")
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(nan),
        "--table",
        str(sample / "acs_2019_2023.csv"),
        "--projects",
        str(sample / "proposals.geojson"),
        "--quiet",
    )
    assert_clean(run)


def test_headers_that_collide_once_stripped(tmp_path: Path) -> None:
    frame = _acs(tmp_path)
    frame.insert(1, " GEO_ID", frame["GEO_ID"])
    table = tmp_path / "collide.csv"
    frame.to_csv(table, index=False)
    _expect_error(
        _quick(tmp_path, table=table),
        "has two columns named 'GEO_ID' (once the spaces around names are removed)",
    )


def test_a_duplicate_column_is_refused_by_name(tmp_path: Path) -> None:
    text = (
        (Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia" / "acs_2019_2023.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    header = text[0].split(",")
    lines = [",".join([*header, header[2]])]
    lines += [",".join([*row.split(","), "9"]) for row in text[1:]]
    table = tmp_path / "dup.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _expect_error(_quick(tmp_path, table=table), f"has two columns named {header[2]!r}")


def test_a_workbook_with_a_dtd(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["GEO_ID", "B01003_001E"])
    book.active.append(["1400000US01073000100", "x"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    table = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(table, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"?>",
                    b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
                    1,
                ).replace(b"<t>x</t>", b"<t>&b;</t>")  # entities are never expanded
            target.writestr(item, data)
    _expect_error(
        _quick(tmp_path, table=table),
        "cannot be read as an Excel workbook (ParseError: undefined entity",
    )


def test_the_visible_sheet_is_read_and_the_hidden_one_named(tmp_path: Path) -> None:
    from openpyxl import Workbook

    frame = _acs(tmp_path)
    book = Workbook()
    stale = book.active
    stale.title = "old"
    stale.append(["GEO_ID", "B01003_001E"])
    stale.append(["1400000US01073000100", "1"])
    stale.sheet_state = "hidden"
    current = book.create_sheet("2023")
    current.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        current.append(list(row))
    table = tmp_path / "sheets.xlsx"
    book.save(table)
    out = tmp_path / "o.json"
    run = _quick(tmp_path, "--json", str(out), table=table)
    assert_clean(run, allowed=(0,))
    warnings = json.loads(out.read_text(encoding="utf-8"))["warnings"]
    assert any("read the first visible sheet, '2023'" in w and "'old'" in w for w in warnings)


@pytest.mark.parametrize(
    ("encoding", "sep", "note"),
    [
        ("utf-16", ",", "UTF-16 text"),
        ("utf-8", ";", "separated by semicolons"),
        ("utf-16", "\t", "separated by tabs"),
    ],
)
def test_utf16_and_semicolon_tables_are_read(
    tmp_path: Path, encoding: str, sep: str, note: str
) -> None:
    table = tmp_path / "t.csv"
    _acs(tmp_path).to_csv(table, index=False, sep=sep, encoding=encoding)
    out = tmp_path / "o.json"
    assert_clean(_quick(tmp_path, "--json", str(out), table=table), allowed=(0,))
    assert any(note in w for w in json.loads(out.read_text(encoding="utf-8"))["warnings"])


def _shapefile(tmp_path: Path, rename: dict[str, str] | None = None) -> Path:
    import pyogrio

    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    frame = pyogrio.read_dataframe(sample / "tracts.gpkg")
    if rename:
        frame = frame.rename(columns=rename)
    path = tmp_path / "tracts.shp"
    frame.to_file(path, engine="pyogrio")
    return path


_SHAPEFILE_WRITE = [
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name"),
    pytest.mark.filterwarnings("ignore:Column names longer than 10 characters"),
]


@_SHAPEFILE_WRITE[0]
@_SHAPEFILE_WRITE[1]
def test_a_shapefile_without_its_dbf(tmp_path: Path) -> None:
    path = _shapefile(tmp_path)
    path.with_suffix(".dbf").unlink()
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(path),
        "--table",
        str(sample / "acs_2019_2023.csv"),
        "--projects",
        str(sample / "proposals.geojson"),
    )
    _expect_error(run, "the Shapefile has no tracts.dbf beside it (its attribute table")


@_SHAPEFILE_WRITE[0]
@_SHAPEFILE_WRITE[1]
def test_shapefile_truncated_acs_codes_are_recognised(tmp_path: Path) -> None:
    import pyogrio

    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    frame = pyogrio.read_dataframe(sample / "tracts.gpkg")
    acs = _acs(tmp_path)
    acs["GEOID"] = acs["GEO_ID"].str[-11:]
    keep = [c for c in acs.columns if c.endswith("E") and c.startswith("B")]
    merged = frame[["GEOID", "geometry"]].merge(acs[["GEOID", *keep]], on="GEOID")
    for column in keep:
        merged[column] = pd.to_numeric(merged[column])
    path = tmp_path / "joined.shp"
    merged.to_file(path, engine="pyogrio")  # GDAL cuts B03002_001E to B03002_001
    out = tmp_path / "o.json"
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(path),
        "--projects",
        str(sample / "proposals.geojson"),
        "--json",
        str(out),
        "--quiet",
    )
    assert_clean(run, allowed=(0,))
    warnings = json.loads(out.read_text(encoding="utf-8"))["warnings"]
    assert any("a Shapefile cut to 10 characters" in w for w in warnings)


# --- outputs ------------------------------------------------------------------------------------


def test_outputs_onto_devices_long_names_and_a_full_disk(tmp_path: Path, monkeypatch) -> None:
    project = small_project(tmp_path / "small")
    before = os.stat("/dev/null")
    _expect_error(run_cli("assess", str(project), "--json", "/dev/null"), "is a character device")
    assert os.stat("/dev/null").st_rdev == before.st_rdev
    long = tmp_path / ("r" * 300 + ".json")
    _expect_error(run_cli("assess", str(project), "--json", str(long)), "255 a file name can")
    _expect_error(run_cli("assess", str(project), "--xlsx", str(tmp_path)), "is a folder")

    def full(self: Path, *args: Any, **kwargs: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "o.json"
    _expect_error(run_cli("assess", str(project), "--json", str(out)), "the disk is full")
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_outputs_carry_paths_relative_to_the_project(tmp_path: Path) -> None:
    project = small_project(tmp_path / "small")
    out = tmp_path / "o.json"
    assert_clean(run_cli("assess", str(project), "--json", str(out), "--quiet"), allowed=(0,))
    from equityplanner.analysis.assess import assess
    from equityplanner.io.project_file import load_project

    inputs = assess(load_project(project)).inputs
    relative = {i.role: i.relative_path for i in inputs}
    assert relative["project"] == "small.eqp.json"
    assert relative["neighbourhoods"] == "grid.gpkg"
    assert relative["gtfs_proposed"] == "gtfs_proposed"


def test_a_json_only_assessment_imports_neither_openpyxl_nor_unneeded_gtfs(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    project = small_project(tmp_path / "small")
    code = (
        "import sys; from equityplanner.cli import main; "
        f"rc = main(['assess', {str(project)!r}, '--json', {str(tmp_path / 'o.json')!r}, "
        "'--quiet']); print(rc, 'openpyxl' in sys.modules); "
        "from equityplanner.analysis import assess; "
        "print('equityplanner.io.gtfs' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.stdout.split()[:2] == ["0", "False"], proc.stderr
    # The sample's GTFS comparison needs the GTFS reader; a run without feeds does not.
    code = "import sys; import equityplanner.cli, equityplanner.analysis.assess; "
    code += "print('equityplanner.io.gtfs' in sys.modules, 'openpyxl' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.stdout.split() == ["False", "False"], proc.stderr


def test_validate_and_assess_agree_on_the_sample(tmp_path: Path) -> None:
    project = sample_copy(tmp_path / "s")
    assert_clean(run_cli("validate", str(project)), allowed=(0,))
    assert_clean(run_cli("assess", str(project), "--quiet"), allowed=(0,))
    assert WEDNESDAY and SAMPLE_DATE  # the dates the two projects compare


def test_paths_no_file_system_can_hold_given_on_the_command_line(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    long = str(tmp_path / ("n" * 300) / "tracts.gpkg")
    run = run_cli(
        "assess", "--neighbourhoods", long, "--projects", str(sample / "proposals.geojson")
    )
    _expect_error(run, "more than the 255 a file name can have")
    run = run_cli(
        "assess",
        "--neighbourhoods",
        str(sample / "tracts.gpkg"),
        "--table",
        str(tmp_path / "bad\udcff.csv"),
        "--projects",
        str(sample / "proposals.geojson"),
    )
    assert_clean(run, allowed=(2,))
    _expect_error(run_cli("validate", str(tmp_path / ("p" * 300 + ".eqp.json"))), "255")


@pytest.mark.parametrize(
    ("field", "value", "outcome"),
    [
        ("nh_white", "0", None),  # no white residents: no segregation index, no traceback
        ("nh_white", "", "field 'nh_white' has no value in any neighbourhood"),
        ("poverty_universe", "", "field 'poverty_universe' has no value in any neighbourhood"),
        ("households", "0", "is larger than its universe households"),
    ],
)
def test_a_field_emptied_or_zeroed_everywhere(
    tmp_path: Path, field: str, value: str, outcome: str | None
) -> None:
    from equityplanner.io.columns import detect_mapping

    frame = _acs(tmp_path)
    for column in detect_mapping(frame.columns)[field].estimate_columns:
        frame[column] = value
    table = tmp_path / "t.csv"
    frame.to_csv(table, index=False)
    run = _quick(tmp_path, table=table)
    if outcome is None:
        assert_clean(run, allowed=(0,))
    else:
        _expect_error(run, outcome)
