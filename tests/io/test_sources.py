"""Opening neighbourhood sources: zipped Shapefiles, layers, table previews, CRS labels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
from shapely import box

from equityplanner.errors import InputError
from equityplanner.io.sources import (
    crs_label,
    parse_crs,
    peek_polygons,
    peek_table,
    polygon_source,
    read_table,
    spatial_layers,
    zip_shapefiles,
)


def _shapes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"GEOID": ["01073000100", "01073000200"]},
        geometry=[box(-87.0, 33.0, -86.5, 33.5), box(-86.5, 33.0, -86.0, 33.5)],
        crs="EPSG:4269",
    )


def _zip_two_shapefiles(tmp_path: Path) -> Path:
    for name in ("first", "second"):
        _shapes().to_file(tmp_path / f"{name}.shp", engine="pyogrio")
    archive = tmp_path / "tracts.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in sorted(tmp_path.iterdir()):
            if file.stem in ("first", "second"):
                folder = "nested/" if file.stem == "second" else ""
                zipped.write(file, folder + file.name)
        zipped.writestr("__MACOSX/._first.shp", b"")
    return archive


def test_zip_with_two_shapefiles_lists_both(tmp_path: Path):
    archive = _zip_two_shapefiles(tmp_path)
    assert zip_shapefiles(archive) == ("first.shp", "nested/second.shp")
    assert spatial_layers(archive) == ("first", "second")
    with pytest.raises(InputError, match="holds 2 Shapefiles") as info:
        polygon_source(archive, None)
    assert "first, second" in str(info.value)
    with pytest.raises(InputError, match="holds no Shapefile named 'third'"):
        polygon_source(archive, "third")
    source, layer = polygon_source(archive, "second")
    assert source.startswith("/vsizip/") and source.endswith("/nested/second.shp")
    assert layer is None
    frame, crs = peek_polygons(archive, "second", rows=1)
    assert list(frame["GEOID"]) == ["01073000100"]
    assert crs is not None and pyproj.CRS.from_user_input(crs).to_epsg() == 4269


def test_zip_without_shapefile_and_broken_zip(tmp_path: Path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zipped:
        zipped.writestr("readme.txt", "nothing here")
    with pytest.raises(InputError, match=r"holds no Shapefile \(\.shp\)"):
        zip_shapefiles(empty)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"is not a readable \.zip archive"):
        spatial_layers(broken)


def test_spatial_layers_of_a_two_layer_geopackage(tmp_path: Path):
    path = tmp_path / "two.gpkg"
    _shapes().to_file(path, layer="tracts", engine="pyogrio")
    _shapes().to_file(path, layer="blocks", engine="pyogrio")
    assert spatial_layers(path) == ("tracts", "blocks")
    assert polygon_source(path, "blocks") == (str(path), "blocks")
    with pytest.raises(InputError, match="not a supported polygon format"):
        spatial_layers(tmp_path / "tracts.kml")


def test_peek_table_of_a_cp1252_csv(tmp_path: Path):
    path = tmp_path / "acs.csv"
    rows = "".join(f"0107300{i:04d},Peñasco {i}\n" for i in range(30))
    path.write_bytes((" GEOID ,NAME\n" + rows).encode("cp1252"))
    frame = peek_table(path, rows=5)
    assert list(frame.columns) == ["GEOID", "NAME"]
    assert len(frame) == 5
    assert frame.loc[0, "GEOID"] == "01073000000"  # text: the leading zero survives
    assert frame.loc[1, "NAME"] == "Peñasco 1"
    warnings: list[str] = []
    assert len(read_table(path, warnings=warnings)) == 30
    assert len(warnings) == 1 and "Windows-1252" in warnings[0]


def test_crs_label_and_parse_crs():
    assert crs_label(pyproj.CRS.from_epsg(4269)) == "NAD83 (EPSG:4269)"
    assert crs_label(pyproj.CRS.from_epsg(32616)) == "WGS 84 / UTM zone 16N (EPSG:32616)"
    custom = pyproj.CRS.from_proj4("+proj=aeqd +lat_0=80 +lon_0=0 +datum=WGS84 +units=m")
    assert crs_label(custom) == custom.name
    assert parse_crs(" EPSG:4269 ", location="CRS").to_epsg() == 4269
    with pytest.raises(InputError, match="not a coordinate reference system") as info:
        parse_crs("EPSG:nonsense", location="crs option")
    assert info.value.location == "crs option"
