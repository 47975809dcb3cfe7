"""Reading opportunity points and LODES workplace jobs, and every fault a user can make."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point, box

from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.opportunities import OpportunityKind, read_lodes_wac, read_points

MAGNOLIA = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _points(tmp_path: Path, name: str = "sites.geojson", **columns) -> Path:
    frame = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"], **columns},
        geometry=[Point(-86.80, 33.50), Point(-86.81, 33.51), Point(-86.82, 33.52)],
        crs="EPSG:4326",
    )
    path = tmp_path / name
    frame.to_file(path)
    return path


# --- read_points -----------------------------------------------------------------------------


def test_geojson_points_with_detected_capacity(tmp_path: Path) -> None:
    layer = read_points(_points(tmp_path, physicians=[2, 0, 5]), kind="clinic")
    assert layer.kind is OpportunityKind.CLINIC
    assert layer.capacity_field == "physicians"
    assert layer.capacity.tolist() == [2.0, 0.0, 5.0]
    assert layer.frame["name"].tolist() == ["A", "B", "C"]
    assert layer.crs.to_epsg() == 4326 and layer.warnings == []
    assert layer.sources[0][1].endswith("sites.geojson")


def test_named_capacity_column_and_no_capacity(tmp_path: Path) -> None:
    path = _points(tmp_path, seats=[100, 200, 300], enrolled=[90, 180, 250])
    assert read_points(path, kind="School", capacity_column="ENROLLED").capacity.tolist() == [
        90,
        180,
        250,
    ]
    plain = read_points(_points(tmp_path, "plain.geojson"), kind="groceries")
    assert plain.kind is OpportunityKind.GROCERY
    assert plain.capacity_field is None and plain.capacity.tolist() == [1.0, 1.0, 1.0]


def test_geopackage(tmp_path: Path) -> None:
    path = _points(tmp_path, "sites.gpkg", capacity=[10, 20, 30])
    assert read_points(path, kind="childcare").total_capacity == 60.0


@pytest.mark.parametrize(
    "lon, lat", [("lon", "lat"), ("Longitude", "Latitude"), ("lng", "lat"), ("X", "Y")]
)
def test_csv_coordinate_columns_are_detected(tmp_path: Path, lon: str, lat: str) -> None:
    path = _write_csv(tmp_path / "s.csv", f'name,{lon},{lat},capacity\nA,-86.8,33.5,"1,200"\n')
    layer = read_points(path, kind="school")
    assert layer.frame.geometry.iloc[0].coords[0] == (-86.8, 33.5)
    assert layer.capacity.tolist() == [1200.0]


def test_csv_named_columns_and_projected_crs(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "site,east,north\n1,518000,3709000\n")
    layer = read_points(path, kind="park", lon_column="east", lat_column="north", crs="EPSG:26916")
    assert layer.crs.to_epsg() == 26916
    assert layer.frame["id"].tolist() == ["1"]


def test_polygons_become_centroids_with_a_warning(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["Park"], "area_m2": [12000.0]},
        geometry=[box(-86.81, 33.50, -86.80, 33.51)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "parks.geojson")
    layer = read_points(tmp_path / "parks.geojson", kind="park")
    point = layer.frame.geometry.iloc[0]
    assert point.geom_type == "Point"
    assert point.x == pytest.approx(-86.805, abs=1e-4) and point.y == pytest.approx(
        33.505, abs=1e-4
    )
    assert layer.capacity_field == "area_m2"
    assert "replaced by their centroids" in layer.warnings[0]


def test_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match="school, childcare, clinic, hospital, grocery, park, jobs"
    ):
        read_points(_points(tmp_path), kind="library")


def test_missing_file_and_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_points(tmp_path / "none.geojson", kind="school")
    (tmp_path / "s.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"not a supported format \(\.xlsx\)"):
        read_points(tmp_path / "s.xlsx", kind="school")


def test_csv_without_coordinate_columns(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,address\nA,1 Main St\n")
    with pytest.raises(InputError) as info:
        read_points(path, kind="school")
    error = info.value
    assert error.path == path and "longitude" in error.fault and "lon_column" in error.remedy


def test_non_numeric_coordinate_names_row_and_field(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,lon,lat\nA,-86.8,33.5\nB,-86.8,north\n")
    with pytest.raises(InputError) as info:
        read_points(path, kind="school")
    error = info.value
    assert error.path == path
    assert error.location == "row 2 (line 3), field 'lat'"
    assert "'north' is not a number" in error.fault


def test_empty_coordinate(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,lon,lat\nA,,33.5\n")
    with pytest.raises(InputError, match="coordinate is empty") as info:
        read_points(path, kind="school")
    assert info.value.location == "row 1 (line 2), field 'lon'"


def test_coordinate_out_of_range(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,lon,lat\nA,-86.8,33.5\nB,-286.8,33.5\n")
    with pytest.raises(InputError, match=r"longitude -286\.8 is out of range") as info:
        read_points(path, kind="school")
    assert info.value.location == "row 2 (line 3), field 'lon'"


def test_swapped_coordinates_are_suspected(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,lon,lat\nA,37.8,-122.4\nB,37.7,-122.5\n")
    with pytest.raises(InputError, match=r"latitude -122\.4 is out of range") as info:
        read_points(path, kind="school")
    assert "swapped" in info.value.remedy


def test_negative_capacity(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="capacity -5 is negative") as info:
        read_points(_points(tmp_path, capacity=[10, -5, 3]), kind="school")
    assert info.value.location == "feature 2, field 'capacity'"


def test_non_numeric_capacity(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "s.csv", "name,lon,lat,seats\nA,-86.8,33.5,many\n")
    with pytest.raises(InputError, match="'many' is not a number") as info:
        read_points(path, kind="school")
    assert info.value.location == "row 1 (line 2), field 'seats'"


def test_named_capacity_column_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no capacity column 'beds'"):
        read_points(_points(tmp_path), kind="hospital", capacity_column="beds")


def test_lines_and_missing_geometry_are_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[Point(-86.8, 33.5), LineString([(-86.8, 33.5), (-86.7, 33.6)])],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "lines.geojson")
    with pytest.raises(InputError, match="is a line") as info:
        read_points(tmp_path / "lines.geojson", kind="school")
    assert info.value.location == "feature 2"
    frame = gpd.GeoDataFrame(
        {"name": ["A", "B"]}, geometry=[Point(-86.8, 33.5), None], crs="EPSG:4326"
    )
    frame.to_file(tmp_path / "missing.gpkg")
    with pytest.raises(InputError, match="has no geometry") as info:
        read_points(tmp_path / "missing.gpkg", kind="school")
    assert info.value.location == "feature 2"


def test_gis_file_without_crs(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["A"]}, geometry=[Point(518000, 3709000)])
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(tmp_path / "nocrs.gpkg")
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_points(tmp_path / "nocrs.gpkg", kind="school")
    assert (
        read_points(tmp_path / "nocrs.gpkg", kind="school", crs="EPSG:26916").crs.to_epsg() == 26916
    )


def test_sample_layers() -> None:
    schools = read_points(MAGNOLIA / "schools.geojson", kind="school")
    clinics = read_points(MAGNOLIA / "clinics.geojson", kind="clinic")
    childcare = read_points(MAGNOLIA / "childcare.geojson", kind="childcare")
    assert schools.capacity_field == "capacity" and schools.capacity.min() >= 350
    assert clinics.capacity_field == "physicians" and clinics.capacity.min() >= 1
    assert len(childcare) > 0 and not (schools.warnings or clinics.warnings or childcare.warnings)


# --- read_lodes_wac --------------------------------------------------------------------------

WAC = (
    "w_geocode,C000,CA01,CE01,CE02,CE03,createdate\n"
    "010730001001001,10,3,2,3,5,20230101\n"
    "010730001001002,5,1,1,1,3,20230101\n"
    "010730001002001,7,2,0,0,7,20230101\n"
    "010730002001001,4,1,4,0,0,20230101\n"
)


def _blocks(tmp_path: Path, codes: list[str], column: str = "GEOID20") -> Path:
    frame = gpd.GeoDataFrame(
        {column: codes},
        geometry=[Point(-86.80 + 0.001 * k, 33.50) for k in range(len(codes))],
        crs="EPSG:4269",
    )
    path = tmp_path / "blocks.geojson"
    frame.to_file(path)
    return path


def _tracts(tmp_path: Path, ids: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"GEOID": ids},
        geometry=[box(-86.9 + 0.05 * k, 33.4, -86.85 + 0.05 * k, 33.45) for k in range(len(ids))],
        crs="EPSG:4269",
    )


def test_wac_joined_to_block_points(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    blocks = _blocks(
        tmp_path,
        [
            "010730001001001",
            "010730001001002",
            "010730001002001",
            "010730002001001",
            "010730002001002",
        ],
    )
    layer = read_lodes_wac(wac, blocks=blocks)
    assert layer.kind is OpportunityKind.JOBS and layer.capacity_field == "C000"
    assert layer.frame["id"].tolist()[:2] == ["010730001001001", "010730001001002"]
    assert layer.capacity.tolist() == [10, 5, 7, 4]
    assert layer.frame["CE03"].tolist() == [5, 3, 7, 0]
    assert set(layer.frame["located_at"]) == {"block"}
    assert layer.unmatched_ids == () and layer.warnings == []
    assert [role for role, _, _ in layer.sources] == ["jobs", "blocks"]


def test_wac_aggregated_to_tracts(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    layer = read_lodes_wac(
        wac, neighbourhoods=_tracts(tmp_path, ["01073000100", "01073000200", "01073000300"])
    )
    assert layer.frame["id"].tolist() == ["01073000100", "01073000200"]
    assert layer.capacity.tolist() == [22.0, 4.0]
    assert layer.frame["CE01"].tolist() == [3.0, 4.0]
    assert set(layer.frame["located_at"]) == {"tract centroid"}
    centroid = layer.frame.geometry.iloc[0]
    assert centroid.x == pytest.approx(-86.875, abs=1e-3) and centroid.y == pytest.approx(
        33.425, abs=1e-3
    )


def test_wac_aggregated_to_block_groups_reports_unmatched(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    layer = read_lodes_wac(wac, neighbourhoods=_tracts(tmp_path, ["010730001001", "010730001002"]))
    assert layer.capacity.tolist() == [15.0, 7.0]
    assert set(layer.frame["located_at"]) == {"block group centroid"}
    assert layer.unmatched_ids == ("010730002001001",)
    assert layer.unmatched_capacity == 4.0
    assert "1 blocks with 4 jobs (15.4% of all jobs)" in layer.warnings[0]


def test_wac_blocks_first_then_neighbourhoods(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    blocks = _blocks(tmp_path, ["010730001001001"])
    layer = read_lodes_wac(
        wac, blocks=blocks, neighbourhoods=_tracts(tmp_path, ["01073000100", "01073000200"])
    )
    assert layer.frame["located_at"].tolist() == ["block", "tract centroid", "tract centroid"]
    assert layer.capacity.tolist() == [10.0, 12.0, 4.0]
    assert layer.total_capacity == 26.0 and layer.unmatched_ids == ()


def test_wac_from_neighbourhoods_object_and_gzip(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "al_wac_S000_JT00_2021.csv.gz", "wt") as f:
        f.write(WAC)
    hoods = read_neighbourhoods(MAGNOLIA / "tracts.gpkg", table=MAGNOLIA / "acs_2019_2023.csv")
    layer = read_lodes_wac(tmp_path / "al_wac_S000_JT00_2021.csv.gz", neighbourhoods=hoods)
    assert layer.frame["id"].tolist() == ["01073000100", "01073000200"]


def test_wac_14_digit_codes_are_padded(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", "w_geocode,C000\n10730001001001,10\n")
    layer = read_lodes_wac(wac, blocks=_blocks(tmp_path, ["010730001001001"]))
    assert layer.frame["id"].tolist() == ["010730001001001"]
    assert "padded to 15" in layer.warnings[0]


def test_wac_earnings_bands_that_do_not_add_up_warn(tmp_path: Path) -> None:
    wac = _write_csv(
        tmp_path / "wac.csv", "w_geocode,C000,CE01,CE02,CE03\n010730001001001,10,1,1,1\n"
    )
    layer = read_lodes_wac(wac, blocks=_blocks(tmp_path, ["010730001001001"]))
    assert "CE01 + CE02 + CE03 differs from C000 at 1 rows (row 1 (line 2))" in layer.warnings[0]


@pytest.mark.parametrize(
    "text, fault, location",
    [
        (
            "w_geocode,C000\n010730001001001,10\n0107300010010,3\n",
            "'0107300010010' is not a 15-digit",
            "row 2 (line 3), field w_geocode",
        ),
        (
            "w_geocode,C000\n01073000100100A,10\n",
            "not a 15-digit census block code",
            "row 1 (line 2), field w_geocode",
        ),
        (
            "w_geocode,C000\n010730001001001,-3\n",
            "job count -3 is negative",
            "row 1 (line 2), field 'C000'",
        ),
        (
            "w_geocode,C000\n010730001001001,ten\n",
            "'ten' is not a number",
            "row 1 (line 2), field 'C000'",
        ),
        (
            "w_geocode,C000\n010730001001001,1\n010730001001001,2\n",
            "repeats block codes",
            "row 1 (line 2)",
        ),
    ],
)
def test_wac_bad_rows(tmp_path: Path, text: str, fault: str, location: str) -> None:
    wac = _write_csv(tmp_path / "wac.csv", text)
    with pytest.raises(InputError, match=fault) as info:
        read_lodes_wac(wac, blocks=_blocks(tmp_path, ["010730001001001"]))
    assert info.value.path == wac
    assert info.value.location == location


def test_wac_missing_columns_and_locations(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", "geocode,jobs\n010730001001001,10\n")
    with pytest.raises(InputError, match="no w_geocode column") as info:
        read_lodes_wac(wac, blocks=_blocks(tmp_path, ["010730001001001"]))
    assert "WAC" in info.value.remedy
    good = _write_csv(tmp_path / "good.csv", WAC)
    with pytest.raises(InputError, match="jobs need locations"):
        read_lodes_wac(good)


def test_wac_blocks_without_a_code_column(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    with pytest.raises(InputError, match="no block code column") as info:
        read_lodes_wac(wac, blocks=_blocks(tmp_path, ["010730001001001"], column="code"))
    assert "GEOID20" in info.value.remedy


def test_wac_neighbourhoods_that_are_not_geoids(tmp_path: Path) -> None:
    wac = _write_csv(tmp_path / "wac.csv", WAC)
    with pytest.raises(InputError, match="'A' are not all tract"):
        read_lodes_wac(wac, neighbourhoods=_tracts(tmp_path, ["A", "B"]))


def test_sample_wac_matches_the_tract_jobs() -> None:
    layer = read_lodes_wac(MAGNOLIA / "jobs_lodes_wac.csv", blocks=MAGNOLIA / "blocks.geojson")
    acs = pd.read_csv(
        MAGNOLIA / "acs_2019_2023.csv", dtype={"GEO_ID": str}, usecols=["GEO_ID", "jobs"]
    )
    assert layer.total_capacity == acs["jobs"].sum() and layer.unmatched_ids == ()
    per_tract = layer.frame.groupby(layer.frame["id"].str[:11])["capacity"].sum()
    expected = acs.set_index(acs["GEO_ID"].str[-11:])["jobs"].astype(float)
    pd.testing.assert_series_equal(per_tract.sort_index(), expected.sort_index(), check_names=False)
    assert np.allclose(layer.frame[["CE01", "CE02", "CE03"]].sum(axis=1), layer.capacity)
