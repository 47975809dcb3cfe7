"""The project file's ``network`` block (schema 2): read, checked, saved, migrated from schema 1."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.io.project_file import (
    SCHEMA_VERSION,
    ProjectFileError,
    load_project,
    save_project,
)
from equityplanner.model.network import NETWORK_FIELDS, NetworkSource, network_from_dict


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    return folder / SAMPLE_PROJECT.name


def test_the_table_has_every_key_with_its_default() -> None:
    assert [f.key for f in NETWORK_FIELDS] == [f.name for f in fields(NetworkSource)]
    defaults = NetworkSource("a", ("b",), "2019-05-13")
    for spec in NETWORK_FIELDS[3:]:
        assert spec.default == getattr(defaults, spec.key), spec.key
        assert spec.doc


def test_the_sample_routes_on_its_street_grid(sample_copy: Path) -> None:
    doc = load_project(sample_copy)
    assert SCHEMA_VERSION == 2
    assert doc.network == NetworkSource("streets.osm.pbf", ("gtfs_baseline.zip",), "2026-11-25")
    assert doc.network.departures_s[0] == 7 * 3600 and len(doc.network.departures_s) == 25
    route14 = next(p for p in doc.projects if p.id == "route-14")
    assert route14.gtfs_routes == ("14",)


def test_the_block_round_trips_with_paths_relative_to_the_new_place(
    sample_copy: Path, tmp_path: Path
) -> None:
    doc = load_project(sample_copy)
    target = tmp_path / "elsewhere" / "copy.eqp.json"
    target.parent.mkdir()
    save_project(doc, target)
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 2
    assert saved["network"]["osm"] == "../sample/streets.osm.pbf"
    assert saved["network"]["gtfs"] == ["../sample/gtfs_baseline.zip"]
    assert saved["network"]["window"] == ["07:00", "09:00"] and saved["network"]["percentile"] == 50
    again = load_project(target)
    assert again.network is not None and again.resolve(again.network.osm) == doc.resolve(
        doc.network.osm
    )
    assert again.projects == doc.projects


def test_schema_1_is_migrated_and_keeps_the_sketch_model(sample_copy: Path) -> None:
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    data["schema_version"] = 1
    del data["network"]
    sample_copy.write_text(json.dumps(data), encoding="utf-8")
    doc = load_project(sample_copy)
    assert doc.network is None


def test_every_fault_of_the_block_is_named(sample_copy: Path) -> None:
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    data["network"] = {
        "osm": "missing.osm.pbf",
        "gtfs": [],
        "date": "2026-13-01",
        "window": ["09:00", "07:00"],
        "step_min": 0,
        "percentile": 90,
        "colour": "blue",
    }
    sample_copy.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        load_project(sample_copy)
    problems = "\n".join(info.value.problems)
    for fragment in (
        "network.colour: unknown",
        "network.gtfs: [] is not a list of GTFS feeds",
        "network.date: '2026-13-01' is not a date",
        "network.window: ['09:00', '07:00'] ends before it starts",
        "network.step_min: 0 must be from 1 to 60",
        "network.percentile: 90; give 25, 50 (the median) or 75",
    ):
        assert fragment in problems, problems


def test_a_missing_file_is_named(sample_copy: Path) -> None:
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    data["network"]["osm"] = "nowhere.osm.pbf"
    sample_copy.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectFileError, match=r"network\.osm: file 'nowhere\.osm\.pbf' not found"):
        load_project(sample_copy)


def test_required_keys() -> None:
    problems: list[str] = []
    assert network_from_dict({"osm": "a.osm.pbf"}, problems) is None
    assert problems == [
        "network.gtfs: missing (the baseline GTFS feeds (zip or folder))",
        "network.date: missing (the service day routed, YYYY-MM-DD)",
    ]
    assert network_from_dict(None, problems) is None
    problems.clear()
    one = network_from_dict({"osm": "a", "gtfs": "g.zip", "date": "2019-05-13"}, problems)
    assert one is not None and one.gtfs == ("g.zip",) and not problems
