"""CRS sanity: a layer whose coordinates are implausible under its CRS is refused or flagged,
by the pure check, by the reader (the API) and by the command line, with the fix named."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
from helpers import shared_data
from shapely.geometry import box

from equityplanner.errors import InputError
from equityplanner.io.crs_checks import check_file_crs, crs_problems
from equityplanner.io.neighbourhoods import read_neighbourhoods

SACRAMENTO_LONLAT = (-122.42, 38.02, -119.88, 39.32)
MAPPING = {"total_population": "TOT_POP", "nh_white": "WHITE"}


def _crs(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


def test_lonlat_numbers_under_a_projected_crs_are_fatal_and_name_the_fix():
    problems = crs_problems(SACRAMENTO_LONLAT, _crs(26910), area=0.3, count=403)
    assert problems and all(p.fatal for p in problems[:2])
    first = problems[0]
    assert "look like longitude and latitude" in first.fault
    assert "NAD83 / UTM zone 10N (EPSG:26910)" in first.fault
    assert "403 neighbourhoods would cover" in first.fault and "m²" in first.fault
    assert "EPSG:4326" in first.remedy and "EPSG:4269" in first.remedy


def test_feet_are_named_in_the_plural():
    fault = crs_problems(SACRAMENTO_LONLAT, _crs(2226), area=0.3)[0].fault
    assert "US survey feet" in fault


def test_the_same_numbers_as_longitude_latitude_are_fine():
    assert crs_problems(SACRAMENTO_LONLAT, _crs(4326), area=0.4) == []
    assert crs_problems(SACRAMENTO_LONLAT, _crs(4269), area=0.4) == []


def test_a_study_area_under_one_square_kilometre_is_refused():
    # 500 m x 500 m of UTM 10N near Sacramento: projected numbers, but a quarter km².
    x, y = 630_000.0, 4_270_000.0
    problems = crs_problems((x, y, x + 500, y + 500), _crs(32610), area=250_000.0, count=3)
    assert [p.fatal for p in problems] == [True]
    assert "0.25" not in problems[0].fault  # shown in m² below 1 km²
    assert "250,000 m²" in problems[0].fault and "less than any study area" in problems[0].fault
    assert "degrees or feet read as metres" in problems[0].remedy


def test_a_study_area_larger_than_a_continent_is_refused():
    # Centimetres read as metres: a 60 km metro becomes 6,000 km across.
    x, y = 500_000.0, 0.0
    span = 8_000_000.0
    problems = crs_problems(
        (x - span / 2, y, x + span / 2, y + span), _crs(32610), area=span * span, count=400
    )
    assert any("more than a continent" in p.fault and p.fatal for p in problems)


def test_coordinates_far_outside_the_crs_area_of_use_are_refused():
    # California State Plane numbers (feet) read as UTM zone 17N metres: far east of zone 17.
    bounds = (6_600_000.0, 1_950_000.0, 6_800_000.0, 2_100_000.0)
    problems = crs_problems(bounds, _crs(26917), area=200_000.0 * 150_000.0)
    outside = [p for p in problems if "outside the area" in p.fault]
    assert outside and outside[0].fatal


def test_a_utm_zone_just_beside_the_area_is_a_warning_only():
    # Sacramento (121.5°W) drawn in UTM zone 11N (120°W to 114°W): 1.5° outside, usable.
    t = pyproj.Transformer.from_crs(4326, 26911, always_xy=True)
    x0, y0 = t.transform(-121.6, 38.4)
    x1, y1 = t.transform(-121.2, 38.7)
    problems = crs_problems((x0, y0, x1, y1), _crs(26911), area=(x1 - x0) * (y1 - y0))
    assert [p.fatal for p in problems] == [False]
    assert "outside the area that CRS is made for" in problems[0].fault


def test_file_check_without_areas_skips_the_continent_test():
    assert check_file_crs(None, _crs(4326)) == []
    world = (-179.0, -60.0, 179.0, 80.0)
    assert not any(p.fatal for p in check_file_crs(world, _crs(4326)))


@pytest.fixture(scope="module")
def sacramento() -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data("geoda-tracts", "sacramento1.gpkg"))


@pytest.fixture
def no_crs_shapefile(tmp_path: Path, sacramento: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "sacramento_nocrs.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio: "'crs' was not provided"
        sacramento.set_crs(None, allow_override=True).to_file(path, engine="pyogrio")
    return path


def test_reader_refuses_lonlat_file_declared_projected(no_crs_shapefile: Path):
    with pytest.raises(InputError) as caught:
        read_neighbourhoods(no_crs_shapefile, crs="EPSG:26910", mapping=MAPPING)
    error = caught.value
    assert Path(error.path) == no_crs_shapefile
    assert error.location == "the CRS given"
    assert "look like longitude and latitude" in error.fault
    assert "EPSG:4326" in (error.remedy or "")


def test_reader_accepts_the_real_crs(no_crs_shapefile: Path):
    nb = read_neighbourhoods(no_crs_shapefile, crs="EPSG:4326", mapping=MAPPING)
    assert nb.crs.to_epsg() == 4326 and len(nb.frame) == 403
    assert float(nb.frame["total_population"].sum()) == 1_796_857


def test_a_wrong_crs_in_the_file_is_refused_or_overridden(
    tmp_path: Path, sacramento: gpd.GeoDataFrame
):
    path = tmp_path / "sacramento_wrong.gpkg"
    sacramento.set_crs("EPSG:26910", allow_override=True).to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as caught:
        read_neighbourhoods(path, mapping=MAPPING)
    assert caught.value.location == "the CRS the file declares"
    # Naming the real CRS overrides the file's (it would be ignored for a plausible one).
    nb = read_neighbourhoods(path, crs="EPSG:4269", mapping=MAPPING)
    assert nb.crs.to_epsg() == 4269
    assert len(nb.warnings) == 1
    assert "NAD83 (EPSG:4269) was used as requested" in nb.warnings[0]


def test_a_tiny_layer_is_refused_by_the_reader(tmp_path: Path):
    x, y = 630_000.0, 4_270_000.0
    frame = gpd.GeoDataFrame(
        {"GEOID": ["1", "2"], "total_population": [10, 20], "nh_white": [5, 5]},
        geometry=[box(x, y, x + 100, y + 100), box(x + 100, y, x + 200, y + 100)],
        crs="EPSG:32610",
    )
    path = tmp_path / "tiny.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match="cover only 20,000 m²"):
        read_neighbourhoods(path)


def test_cli_refuses_the_wrong_crs_in_one_line(no_crs_shapefile: Path, tmp_path: Path):
    site = {
        "type": "Feature",
        "properties": {
            "project_id": "homes",
            "project_name": "Homes",
            "kind": "housing",
            "role": "site",
            "total_units": 100,
            "units_market": 100,
        },
        "geometry": {"type": "Point", "coordinates": [-121.46, 38.55]},
    }
    projects = tmp_path / "projects.geojson"
    projects.write_text(json.dumps({"type": "FeatureCollection", "features": [site]}))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "equityplanner",
            "assess",
            "--neighbourhoods",
            str(no_crs_shapefile),
            "--crs",
            "EPSG:26910",
            "--projects",
            str(tmp_path / "projects.geojson"),
            "--json",
            str(tmp_path / "out.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert str(no_crs_shapefile) in proc.stderr
    assert "look like longitude and latitude" in proc.stderr and "EPSG:4326" in proc.stderr
