"""The project file: round trip, atomic save, migration and every-problem reporting."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.errors import InputError
from equityplanner.io.project_file import (
    SCHEMA_VERSION,
    ProjectFileError,
    document_to_dict,
    load_project,
    save_project,
)
from equityplanner.io.projects import projects_from_features, read_projects


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "magnolia"
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    return folder / SAMPLE_PROJECT.name


def test_sample_round_trips(sample_copy: Path, tmp_path: Path):
    doc = load_project(sample_copy)
    assert [p.id for p in doc.projects] == ["southside-commons", "eastside-brt", "route-14"]
    brt = doc.projects[1]
    assert len(brt.stations) == 14 and brt.peak_headway_min == 10
    # Saved elsewhere, baseline paths are rewritten relative to the new location.
    elsewhere = tmp_path / "other" / "copy.eqp.json"
    elsewhere.parent.mkdir()
    save_project(doc, elsewhere)
    saved = json.loads(elsewhere.read_text(encoding="utf-8"))
    assert saved["baseline"]["neighbourhoods"] == "../magnolia/tracts.gpkg"
    again = load_project(elsewhere)
    assert document_to_dict(again, elsewhere) == document_to_dict(doc, elsewhere)
    assert again.projects == doc.projects


def test_failed_save_keeps_the_previous_file(sample_copy: Path, monkeypatch):
    before = sample_copy.read_bytes()
    doc = load_project(sample_copy)

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(InputError, match="the disk is full"):
        save_project(doc, sample_copy)
    assert sample_copy.read_bytes() == before
    assert [p.name for p in sample_copy.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_locked_target_is_a_clear_error(sample_copy: Path, monkeypatch):
    # On Windows, replacing a file another program holds open fails with PermissionError.
    doc = load_project(sample_copy)
    before = sample_copy.read_bytes()

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(InputError, match="open in another program or read-only") as info:
        save_project(doc, sample_copy)
    assert str(sample_copy) in info.value.message
    assert sample_copy.read_bytes() == before


def test_newer_schema_is_refused(sample_copy: Path):
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    data["schema_version"] = SCHEMA_VERSION + 1
    sample_copy.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="newer equityplanner") as info:
        load_project(sample_copy)
    assert str(sample_copy) in str(info.value)


def test_schema_0_is_migrated(sample_copy: Path):
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    old = {k: v for k, v in data.items() if k not in ("format", "schema_version")}
    old["version"] = 0
    old["neighbourhood_file"] = old["baseline"].pop("neighbourhoods")
    old["catchment_m"] = {"bus": 300}
    del old["parameters"]["catchment_m"]
    sample_copy.write_text(json.dumps(old), encoding="utf-8")
    doc = load_project(sample_copy)
    assert doc.baseline.neighbourhoods == "tracts.gpkg"
    assert doc.parameters.catchment_m["bus"] == 300


def test_every_problem_is_reported_with_its_location(sample_copy: Path):
    data = json.loads(sample_copy.read_text(encoding="utf-8"))
    data["parameters"]["catchment_m"]["bus"] = -5
    data["parameters"]["title_vi"]["forms"] = ["absolute", "eighty_percent"]
    data["parameters"]["colour"] = "blue"
    data["baseline"]["table"] = "missing.csv"
    data["scenarios"].append({"id": "x", "projects": ["no-such-project"]})
    sample_copy.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        load_project(sample_copy)
    problems = "\n".join(info.value.problems)
    assert len(info.value.problems) == 5
    for fragment in (
        "parameters.catchment_m.bus: -5 must be greater than zero",
        "parameters.title_vi.forms: ['eighty_percent']",
        "parameters.colour: unknown parameter",
        "baseline.table: file 'missing.csv' not found",
        "scenarios[2]: unknown project(s) no-such-project",
    ):
        assert fragment in problems


def test_broken_json_names_line_and_column(tmp_path: Path):
    path = tmp_path / "broken.eqp.json"
    path.write_text(
        '{"format": "equityplanner-project",\n "schema_version": 1,,}', encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"not valid JSON \(line 2, column 22"):
        load_project(path)


def _feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


POINT = {"type": "Point", "coordinates": [-86.8, 33.5]}


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([_feature(POINT, kind="housing", role="site")], "feature 1: has no project_id"),
        ([_feature(None, project_id="h", kind="housing", role="site")], "has no geometry"),
        (
            [
                _feature(
                    {"type": "Point", "coordinates": [500000, 3700000]},
                    project_id="h",
                    kind="housing",
                    role="site",
                )
            ],
            "outside longitude/latitude range",
        ),
        ([_feature(POINT, project_id="h", kind="castle", role="site")], "has kind 'castle'"),
        (
            [
                _feature(
                    POINT,
                    project_id="h",
                    kind="housing",
                    role="site",
                    total_units=10,
                    units_market="ten",
                )
            ],
            "units_market is 'ten', which is not a number",
        ),
        (
            [
                _feature(
                    POINT,
                    project_id="h",
                    kind="housing",
                    role="site",
                    total_units=10,
                    units_market=-2,
                )
            ],
            "must be zero or more",
        ),
        (
            [
                _feature(
                    POINT,
                    project_id="h",
                    kind="housing",
                    role="site",
                    total_units=10,
                    units_market=8,
                )
            ],
            "add up to 8 but total_units is 10",
        ),
        (
            [_feature(POINT, project_id="t", kind="transit", role="alignment", mode="bus")],
            "alignment is a Point",
        ),
        (
            [
                _feature(
                    {"type": "LineString", "coordinates": [[-86.8, 33.5], [-86.7, 33.5]]},
                    project_id="t",
                    kind="transit",
                    role="alignment",
                    mode="tram",
                )
            ],
            "'tram' is not one of: rail, brt, bus",
        ),
        (
            [
                _feature(
                    {"type": "LineString", "coordinates": [[-86.8, 33.5], [-86.7, 33.5]]},
                    project_id="t",
                    kind="transit",
                    role="alignment",
                    mode="bus",
                )
            ],
            "has no stations or stops",
        ),
    ],
)
def test_bad_project_features(features, message):
    with pytest.raises(InputError, match=message) as info:
        projects_from_features(features, source="proposals.geojson")
    assert "proposals.geojson" in str(info.value)


def test_projects_read_from_geojson_and_geopackage_agree(tmp_path: Path):
    import geopandas as gpd

    source = SAMPLE_PROJECT.parent / "proposals.geojson"
    from_json = read_projects(source)
    frame = gpd.read_file(source).to_crs(26916)  # a GeoPackage in another CRS
    gpkg = tmp_path / "proposals.gpkg"
    frame.to_file(gpkg, engine="pyogrio")
    from_gpkg = read_projects(gpkg)
    assert [p.id for p in from_gpkg] == [p.id for p in from_json]
    brt_json, brt_gpkg = from_json[1], from_gpkg[1]
    assert [s.name for s in brt_gpkg.stations] == [s.name for s in brt_json.stations]
    assert brt_gpkg.stations[0].geometry.distance(brt_json.stations[0].geometry) < 1e-6


def test_broken_projects_file(tmp_path: Path):
    path = tmp_path / "p.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_projects(path)


def test_saved_files_are_not_private(tmp_path: Path, sample_copy: Path):
    # Saved project and outputs must stay readable by colleagues on a shared drive.
    old_umask = os.umask(0o022)
    try:
        target = tmp_path / "new.eqp.json"
        save_project(load_project(sample_copy), target)
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o664)
        save_project(load_project(sample_copy), target)  # a replaced file keeps its mode
        assert target.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old_umask)
