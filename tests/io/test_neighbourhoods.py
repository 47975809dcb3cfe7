"""Reading and validating neighbourhood polygons and their ACS attribute tables."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely import LineString, Point, Polygon, box

from equityplanner.errors import InputError
from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.progress import Progress

GEOIDS = ["01073000100", "01073000200", "01073000300"]


def _squares(n: int = 3) -> list[Polygon]:
    return [box(-87.0 + 0.5 * i, 33.0, -86.5 + 0.5 * i, 33.5) for i in range(n)]


def _shapes(**columns) -> gpd.GeoDataFrame:
    data = {"GEOID": GEOIDS, "NAME": ["Tract 1", "Tract 2", "Tract 3"], **columns}
    return gpd.GeoDataFrame(data, geometry=_squares(len(data["GEOID"])), crs="EPSG:4269")


def _acs_table(**overrides) -> pd.DataFrame:
    """An ACS-style table (every cell text, as census.gov downloads are)."""
    table = {
        "GEOID": GEOIDS,
        "B03002_001E": ["1000", "2000", "500"],
        "B03002_001M": ["100", "150", "80"],
        "B03002_003E": ["600", "800", "100"],
        "B03002_003M": ["60", "90", "30"],
        "C17002_001E": ["990", "1950", "480"],
        "C17002_001M": ["99", "140", "70"],
        # below_poverty = 002 + 003; below_200_poverty = 002 + … + 007
        "C17002_002E": ["10", "0", "40"],
        "C17002_002M": ["3", "9", "8"],
        "C17002_003E": ["20", "0", "10"],
        "C17002_003M": ["4", "12", "5"],
        "C17002_004E": ["0", "30", "10"],
        "C17002_004M": ["5", "6", "7"],
        "C17002_005E": ["0", "30", "10"],
        "C17002_005M": ["7", "6", "7"],
        "C17002_006E": ["5", "30", "10"],
        "C17002_006M": ["2", "6", "7"],
        "C17002_007E": ["0", "30", "10"],
        "C17002_007M": ["6", "6", "7"],
        "B19013_001E": ["52000", "250,000+", "-666666666"],
        "B19013_001M": ["4000", "***", "-222222222"],
    }
    table.update(overrides)
    return pd.DataFrame(table)


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "tracts.gpkg"
    _shapes().to_file(path, engine="pyogrio")
    return path


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "acs.csv"
    _acs_table().to_csv(path, index=False)
    return path


def _write_csv(tmp_path: Path, table: pd.DataFrame, name: str = "acs.csv") -> Path:
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


def _write_shp_zip(shapes: gpd.GeoDataFrame, folder: Path) -> Path:
    folder.mkdir()
    shapes.to_file(folder / "tracts.shp", engine="pyogrio")
    archive = folder.parent / "tracts.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, f"tl_2023/{file.name}")
    return archive


# --- formats ---------------------------------------------------------------------------------


def test_every_format_gives_the_same_frame(tmp_path: Path):
    shapes = _shapes(
        pop=[1000.0, 2000.0, 500.0],
        pop_moe=[100.0, 150.0, 80.0],
        nh_white=[600.0, 800.0, 100.0],
        nh_white_m=[60.0, 90.0, 30.0],
    )
    paths = {
        "gpkg": tmp_path / "n.gpkg",
        "shp": tmp_path / "shp" / "n.shp",
        "geojson": tmp_path / "n.geojson",
        "fgb": tmp_path / "n.fgb",
    }
    paths["shp"].parent.mkdir()
    for path in paths.values():
        shapes.to_file(path, engine="pyogrio")
    paths["zip"] = _write_shp_zip(shapes, tmp_path / "zipped")

    results = {kind: read_neighbourhoods(path) for kind, path in paths.items()}
    reference = results["gpkg"]
    assert list(reference.frame.columns) == [
        "id",
        "name",
        "total_population",
        "nh_white",
        "geometry",
    ]
    assert reference.frame.index.equals(pd.RangeIndex(3))
    assert list(reference.frame["id"]) == GEOIDS
    assert reference.frame["total_population"].dtype == np.float64
    assert reference.crs.to_epsg() == 4269
    assert reference.fields == ["total_population", "nh_white"]
    # A FlatGeobuf written with its spatial index (the default) stores features in Hilbert
    # order; the reader keeps each file's own order, so compare in id order.
    order = reference.frame["id"].argsort().to_numpy()
    for kind, result in results.items():
        sort = result.frame["id"].argsort().to_numpy()
        assert_geodataframe_equal(
            result.frame.iloc[sort].reset_index(drop=True),
            reference.frame.iloc[order].reset_index(drop=True),
            normalize=True,
        )
        pd.testing.assert_frame_equal(
            result.moe.iloc[sort].reset_index(drop=True),
            reference.moe.iloc[order].reset_index(drop=True),
            obj=kind,
        )
        if kind != "fgb":
            assert list(result.frame["id"]) == GEOIDS, kind
        assert result.mapping == reference.mapping, kind
        assert result.warnings == [], kind
        assert result.sources[0][0] == "neighbourhoods"
    assert results["zip"].sources == [
        ("neighbourhoods", str(paths["zip"]), sha256_file(paths["zip"]))
    ]
    assert {Path(path).suffix for _, path, _ in results["shp"].sources} >= {".shp", ".dbf"}


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path: Path):
    archive = _write_shp_zip(_shapes(pop=[1.0, 2.0, 3.0], nh_white=[1.0, 1.0, 1.0]), tmp_path / "z")
    with zipfile.ZipFile(archive, "a") as zipped:
        for file in (tmp_path / "z").iterdir():
            zipped.write(file, f"other/second{file.suffix}")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(archive)
    assert "holds 2 Shapefiles" in str(info.value) and "second" in str(info.value)
    assert read_neighbourhoods(archive, layer="second").frame.shape[0] == 3


def test_multi_layer_geopackage_needs_a_layer(tmp_path: Path):
    path = tmp_path / "two.gpkg"
    shapes = _shapes(pop=[1.0, 2.0, 3.0], nh_white=[1.0, 1.0, 1.0])
    shapes.to_file(path, layer="tracts", engine="pyogrio")
    shapes.to_file(path, layer="blocks", engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path)
    assert "2 layers" in str(info.value) and "tracts" in str(info.value)
    assert len(read_neighbourhoods(path, layer="blocks").frame) == 3
    with pytest.raises(InputError, match="has no layer 'nope'"):
        read_neighbourhoods(path, layer="nope")


# --- attribute tables ------------------------------------------------------------------------


def test_csv_and_xlsx_tables_join_alike(tmp_path: Path, gpkg: Path, csv: Path):
    xlsx = tmp_path / "acs.xlsx"
    _acs_table().to_excel(xlsx, index=False)
    from_csv = read_neighbourhoods(gpkg, table=csv)
    from_xlsx = read_neighbourhoods(gpkg, table=xlsx)
    assert_geodataframe_equal(from_csv.frame, from_xlsx.frame)
    pd.testing.assert_frame_equal(from_csv.moe, from_xlsx.moe)
    frame = from_csv.frame
    assert list(frame["id"]) == GEOIDS
    assert list(frame["name"]) == ["Tract 1", "Tract 2", "Tract 3"]
    assert list(frame["total_population"]) == [1000.0, 2000.0, 500.0]
    assert list(frame["below_poverty"]) == [30.0, 0.0, 50.0]
    assert from_csv.fields == [
        "total_population",
        "nh_white",
        "poverty_universe",
        "below_poverty",
        "below_200_poverty",
        "median_household_income",
    ]
    assert [role for role, _, _ in from_csv.sources] == ["neighbourhoods", "attributes"]
    assert from_csv.sources[1] == ("attributes", str(csv), sha256_file(csv))


def test_geo_id_prefix_label_row_and_leading_zeros(tmp_path: Path, gpkg: Path):
    table = _acs_table(GEOID=["1400000US" + geoid for geoid in GEOIDS])
    table = table.rename(columns={"GEOID": "GEO_ID"})
    labels = pd.DataFrame(
        [["Geography"] + ["Estimate!!Total"] * (table.shape[1] - 1)], columns=table.columns
    )
    path = _write_csv(tmp_path, pd.concat([labels, table], ignore_index=True))
    result = read_neighbourhoods(gpkg, table=path)
    assert list(result.frame["id"]) == GEOIDS
    assert list(result.frame["total_population"]) == [1000.0, 2000.0, 500.0]

    # The polygons' GEO_ID prefix is stripped too.
    prefixed = tmp_path / "prefixed.gpkg"
    shapes = _shapes().drop(columns="GEOID")
    shapes.insert(0, "GEO_ID", ["1400000US" + geoid for geoid in GEOIDS])
    shapes.to_file(prefixed, engine="pyogrio")
    assert list(read_neighbourhoods(prefixed, table=path).frame["id"]) == GEOIDS


def test_spreadsheet_that_lost_leading_zeros_still_joins(tmp_path: Path, gpkg: Path):
    table = _acs_table()
    table["GEOID"] = [int(geoid) for geoid in GEOIDS]
    xlsx = tmp_path / "numbers.xlsx"
    table.to_excel(xlsx, index=False)
    result = read_neighbourhoods(gpkg, table=xlsx)
    assert list(result.frame["id"]) == GEOIDS
    assert result.frame["total_population"].notna().all()


def test_unmatched_ids_are_reported(tmp_path: Path, gpkg: Path):
    table = _acs_table().iloc[:2]
    result = read_neighbourhoods(gpkg, table=_write_csv(tmp_path, table))
    assert any("1 of 3 neighbourhoods have no row" in w and GEOIDS[2] in w for w in result.warnings)
    assert np.isnan(result.frame.loc[2, "total_population"])


def test_no_matching_id_is_an_error(tmp_path: Path, gpkg: Path):
    table = _acs_table(GEOID=["06001400100", "06001400200", "06001400300"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "none of its ids matches" in message
    assert "'01073000100'" in message and "'06001400100'" in message


# --- margins of error ------------------------------------------------------------------------


def test_moe_of_a_sum_is_root_sum_of_squares(gpkg: Path, csv: Path):
    moe = read_neighbourhoods(gpkg, table=csv).moe
    # below_poverty = C17002_002 + C17002_003; tract 1: estimates 10 and 20, margins 3 and 4.
    assert moe.loc[0, "below_poverty"] == pytest.approx(5.0)
    # Tract 2: both estimates are 0, so only the larger margin (12) counts.
    assert moe.loc[1, "below_poverty"] == pytest.approx(12.0)
    # Tract 3: 40 ± 8 and 10 ± 5 → sqrt(64 + 25).
    assert moe.loc[2, "below_poverty"] == pytest.approx(math.sqrt(89.0))


def test_moe_zero_estimate_rule(gpkg: Path, csv: Path):
    result = read_neighbourhoods(gpkg, table=csv)
    # Tract 1, below_200_poverty: estimates 10, 20, 0, 0, 5, 0 with margins 3, 4, 5, 7, 2, 6.
    # Non-zero: 3² + 4² + 2² = 29; zero estimates: only the largest margin, 7² = 49.
    assert result.frame.loc[0, "below_200_poverty"] == 35.0
    assert result.moe.loc[0, "below_200_poverty"] == pytest.approx(math.sqrt(29.0 + 49.0))
    assert result.moe.loc[0, "below_200_poverty"] != pytest.approx(math.sqrt(139.0))
    assert list(result.moe.columns) == [
        "total_population",
        "nh_white",
        "poverty_universe",
        "below_poverty",
        "below_200_poverty",
        "median_household_income",
    ]


def test_controlled_estimate_margin_is_zero(tmp_path: Path, gpkg: Path):
    table = _acs_table(B03002_001M=["*****", "-555555555", "80"])
    result = read_neighbourhoods(gpkg, table=_write_csv(tmp_path, table))
    assert list(result.moe["total_population"]) == [0.0, 0.0, 80.0]


def test_annotations_jam_values_and_top_coding(gpkg: Path, csv: Path):
    result = read_neighbourhoods(gpkg, table=csv)
    income = result.frame["median_household_income"]
    assert income[0] == 52000.0 and income[1] == 250000.0 and np.isnan(income[2])
    assert np.isnan(result.moe.loc[1, "median_household_income"])
    joined = "\n".join(result.warnings)
    assert "B19013_001E" in joined and "-666666666" in joined and GEOIDS[2] in joined
    assert "'250,000+'" in joined
    assert "'***'" in joined


def test_empty_and_dash_cells_are_missing_with_a_warning(tmp_path: Path, gpkg: Path):
    table = _acs_table(B03002_003E=["600", "", "-"])
    result = read_neighbourhoods(gpkg, table=_write_csv(tmp_path, table))
    assert result.frame["nh_white"].isna().tolist() == [False, True, True]
    warning = next(w for w in result.warnings if "B03002_003E" in w)
    assert "row 2 (line 3)" in warning and GEOIDS[1] in warning and "'-'" in warning


# --- user mapping ----------------------------------------------------------------------------


def test_user_mapping_overrides_detection(tmp_path: Path, gpkg: Path):
    table = _acs_table(my_pop=["100", "200", "300"], my_pop_err=["1", "2", "3"])
    path = _write_csv(tmp_path, table)
    result = read_neighbourhoods(
        gpkg,
        table=path,
        mapping={
            "total_population": {"estimate": ["my_pop"], "moe": ["my_pop_err"]},
            "nh_white": ["C17002_002E", "C17002_003E"],
            "median_household_income": None,
        },
    )
    assert list(result.frame["total_population"]) == [100.0, 200.0, 300.0]
    assert list(result.moe["total_population"]) == [1.0, 2.0, 3.0]
    assert result.mapping["total_population"].origin == "user"
    assert list(result.frame["nh_white"]) == [30.0, 0.0, 50.0]
    assert result.moe.loc[0, "nh_white"] == pytest.approx(5.0)
    assert "median_household_income" not in result.frame.columns


def test_user_mapping_to_a_missing_column(gpkg: Path, csv: Path):
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=csv, mapping={"nh_black": "B03002_004"})
    message = str(info.value)
    assert str(csv) in message and "'B03002_004'" in message and "nh_black" in message


def test_user_margins_without_estimates(gpkg: Path, csv: Path):
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=csv, mapping={"hispanic": {"moe": ["B03002_001M"]}})
    assert "without their estimates" in str(info.value) and str(csv) in str(info.value)


def test_table_margins_without_estimates(tmp_path: Path, gpkg: Path):
    table = _acs_table(B03002_012M=["5", "5", "5"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "B03002_012M" in message
    assert "without their estimates" in message


# --- faults ----------------------------------------------------------------------------------


def test_missing_file_and_unsupported_format(tmp_path: Path):
    with pytest.raises(InputError, match="not found"):
        read_neighbourhoods(tmp_path / "nope.gpkg")
    other = tmp_path / "tracts.kml"
    other.write_text("<kml/>")
    with pytest.raises(InputError, match="not a supported polygon format"):
        read_neighbourhoods(other)


def test_corrupt_file(tmp_path: Path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path)
    assert str(path) in str(info.value) and "GeoJSON" in str(info.value)


def test_no_crs(tmp_path: Path):
    path = tmp_path / "tracts.shp"
    _shapes(pop=[1.0, 2.0, 3.0], nh_white=[1.0, 1.0, 1.0]).to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path)
    message = str(info.value)
    assert str(path) in message and "has no coordinate reference system" in message
    assert "EPSG:4269" in message
    result = read_neighbourhoods(path, crs="EPSG:4269")
    assert result.crs.to_epsg() == 4269 and result.frame.crs.to_epsg() == 4269


def test_given_crs_differing_from_the_file_is_a_warning(gpkg: Path, csv: Path):
    result = read_neighbourhoods(gpkg, table=csv, crs="EPSG:4326")
    assert result.crs.to_epsg() == 4269
    assert any("EPSG:4269" in w and "EPSG:4326" in w for w in result.warnings)
    with pytest.raises(InputError, match="not a coordinate reference system"):
        read_neighbourhoods(gpkg, table=csv, crs="EPSG:nonsense")


def test_empty_geometry(tmp_path: Path, csv: Path):
    shapes = _shapes()
    shapes.loc[1, "geometry"] = None
    path = tmp_path / "holes.gpkg"
    shapes.to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path, table=csv)
    message = str(info.value)
    assert str(path) in message and "feature 2" in message and GEOIDS[1] in message
    assert "empty or missing geometry" in message


def test_invalid_geometry_is_repaired_with_a_warning(tmp_path: Path, csv: Path):
    shapes = _shapes()
    bowtie = Polygon([(-87.0, 33.0), (-86.9, 33.1), (-86.9, 33.0), (-87.0, 33.1)])
    shapes.loc[0, "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    shapes.to_file(path, engine="pyogrio")
    result = read_neighbourhoods(path, table=csv)
    repaired = result.frame.geometry.iloc[0]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(0.005)
    warning = next(w for w in result.warnings if "invalid" in w)
    assert "1 invalid geometry was repaired" in warning and GEOIDS[0] in warning


def test_mixed_geometry_types(tmp_path: Path, csv: Path):
    shapes = _shapes()
    shapes.loc[1, "geometry"] = Point(-86.25, 33.25)
    shapes.loc[2, "geometry"] = LineString([(-86.0, 33.0), (-85.5, 33.5)])
    path = tmp_path / "mixed.geojson"
    shapes.to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path, table=csv)
    message = str(info.value)
    assert str(path) in message and "not polygons" in message
    assert "feature 2" in message and "Point" in message and GEOIDS[2] in message
    assert "LineString" in message


def test_non_numeric_value(tmp_path: Path, gpkg: Path):
    table = _acs_table(B03002_003E=["600", "eight hundred", "100"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "'B03002_003E'" in message and "row 2" in message
    assert GEOIDS[1] in message and "'eight hundred' is not a number" in message


def test_non_numeric_value_in_the_polygons(tmp_path: Path):
    path = tmp_path / "attrs.gpkg"
    _shapes(pop=["1", "2", "x"], nh_white=["1", "1", "1"]).to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path)
    message = str(info.value)
    assert str(path) in message and "feature 3" in message and "'pop'" in message


def test_negative_count(tmp_path: Path, gpkg: Path):
    table = _acs_table(C17002_003E=["20", "-5", "10"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "'C17002_003E'" in message and "row 2" in message
    assert GEOIDS[1] in message and "negative" in message


def test_share_above_100_percent(tmp_path: Path, gpkg: Path):
    # 700 ± 60 white of 500 ± 80 people: 200 over, beyond the margin sqrt(60² + 80²) = 100.
    table = _acs_table(B03002_003E=["600", "800", "700"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "share above 100%" in message
    assert "row 3" in message and GEOIDS[2] in message
    assert "nh_white" in message and "total_population" in message


def test_part_above_universe_within_margin_is_accepted(tmp_path: Path, gpkg: Path):
    table = _acs_table(B03002_003E=["600", "800", "550"])
    result = read_neighbourhoods(gpkg, table=_write_csv(tmp_path, table))
    assert result.frame.loc[2, "nh_white"] == 550.0


def test_missing_required_field(tmp_path: Path, gpkg: Path):
    table = _acs_table().drop(columns=["B03002_003E", "B03002_003M"])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "required field(s) nh_white" in message
    assert "B03002_003E" in message and "white_nh" in message


def test_duplicate_ids_in_the_polygons(tmp_path: Path, csv: Path):
    shapes = _shapes()
    shapes["GEOID"] = [GEOIDS[0], GEOIDS[1], GEOIDS[0]]
    path = tmp_path / "dups.gpkg"
    shapes.to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_neighbourhoods(path, table=csv)
    message = str(info.value)
    assert str(path) in message and "more than once" in message
    assert GEOIDS[0] in message and "feature 1" in message and "feature 3" in message


def test_duplicate_ids_in_the_table(tmp_path: Path, gpkg: Path):
    table = _acs_table(GEOID=[GEOIDS[0], GEOIDS[1], "1400000US" + GEOIDS[1]])
    path = _write_csv(tmp_path, table)
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    message = str(info.value)
    assert str(path) in message and "more than once" in message
    assert GEOIDS[1] in message and "row 2" in message and "row 3" in message


def test_table_without_id_column(tmp_path: Path, gpkg: Path):
    path = _write_csv(tmp_path, _acs_table().rename(columns={"GEOID": "code"}))
    with pytest.raises(InputError) as info:
        read_neighbourhoods(gpkg, table=path)
    assert str(path) in str(info.value) and "no id column" in str(info.value)
    result = read_neighbourhoods(gpkg, table=path, table_id_column="code")
    assert len(result.frame) == 3


def test_progress_is_reported(gpkg: Path, csv: Path):
    seen: list[float] = []

    class Recorder(Progress):
        def _emit(self, fraction: float, message: str) -> None:
            seen.append(fraction)

    read_neighbourhoods(gpkg, table=csv, progress=Recorder())
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
