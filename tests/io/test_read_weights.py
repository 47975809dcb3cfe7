"""Reading weights layers: census blocks (TIGER/Line, PL 94-171) and points with a count."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import LineString, Point, box

from equityplanner.errors import InputError
from equityplanner.io.hashing import sha256_file
from equityplanner.io.project_file import load_project, save_project
from equityplanner.io.weights import WeightPoints, peek_weights, read_weights

GEOIDS = ["010730001001000", "010730001001001", "010730001001002", "010730001001003"]
# Four 0.01-degree blocks in a row; each internal point sits in its block's lower-left part.
BLOCKS = [box(-86.80 + 0.01 * i, 33.50, -86.79 + 0.01 * i, 33.51) for i in range(4)]
INTPT = [(-86.798 + 0.01 * i, 33.502) for i in range(4)]


def _tabblock(folder: Path, name: str = "tl_2020_01_tabblock20.gpkg", **extra) -> Path:
    """Blocks as TIGER/Line 2020 ships them: GEOID20, POP20, HOUSING20 and internal points."""
    frame = gpd.GeoDataFrame(
        {
            "GEOID20": GEOIDS,
            "POP20": [12, 0, 40, 7],
            "HOUSING20": [5, 0, 16, 3],
            "INTPTLAT20": [f"+{lat:.7f}" for _, lat in INTPT],
            "INTPTLON20": [f"{lon:.7f}" for lon, _ in INTPT],
            **extra,
        },
        geometry=BLOCKS,
        crs="EPSG:4269",
    )
    path = folder / name
    frame.to_file(path)
    return path


def test_tiger_blocks_are_read_at_their_internal_points(tmp_path: Path) -> None:
    weights = read_weights(_tabblock(tmp_path))
    assert weights.count_column == "POP20" and weights.id_column == "GEOID20"
    assert weights.count.tolist() == [12.0, 0.0, 40.0, 7.0]
    assert weights.ids.tolist() == GEOIDS and weights.are_blocks
    np.testing.assert_allclose(np.column_stack([weights.x, weights.y]), INTPT)
    assert weights.crs.to_epsg() == 4269
    assert weights.total == 59.0 and len(weights) == 4
    assert weights.description == "4 census blocks (POP20, 59 in all)"
    assert weights.sources == [
        (
            "weights",
            str(tmp_path / "tl_2020_01_tabblock20.gpkg"),
            sha256_file(tmp_path / "tl_2020_01_tabblock20.gpkg"),
        )
    ]
    assert read_weights(_tabblock(tmp_path), count_column="housing20").count.tolist() == [
        5,
        0,
        16,
        3,
    ]


def test_tiger_blocks_from_a_zip(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.read_file(_tabblock(tmp_path)).to_file(folder / "tl_2020_01_tabblock20.shp")
    archive = tmp_path / "tl_2020_01_tabblock20.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, file.name)
    weights = read_weights(archive)
    assert weights.count.tolist() == [12.0, 0.0, 40.0, 7.0]
    np.testing.assert_allclose(weights.x, [p[0] for p in INTPT])


def test_areas_without_internal_points_are_taken_at_a_point_inside(tmp_path: Path) -> None:
    ring = box(0, 0, 100, 100).difference(box(10, 10, 90, 90))  # a centroid outside it
    frame = gpd.GeoDataFrame({"units": [30, 4]}, geometry=[ring, box(200, 0, 210, 10)], crs=32616)
    frame.to_file(tmp_path / "buildings.gpkg")
    weights = read_weights(tmp_path / "buildings.gpkg")
    assert weights.count_column == "units" and weights.ids is None
    assert ring.contains(Point(weights.x[0], weights.y[0]))
    assert weights.crs.to_epsg() == 32616


def test_points_with_a_named_count(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"address_id": ["a", "b"], "dwellings": [3, 1]},
        geometry=[Point(-86.8, 33.5), Point(-86.7, 33.6)],
        crs=4326,
    )
    frame.to_file(tmp_path / "addresses.geojson")
    weights = read_weights(
        tmp_path / "addresses.geojson", count_column="Dwellings", id_column="address_id"
    )
    assert weights.count.tolist() == [3.0, 1.0] and weights.ids.tolist() == ["a", "b"]
    assert not weights.are_blocks
    assert weights.frame().columns.tolist() == ["id", "count", "x", "y"]
    with pytest.raises(
        InputError, match=r"has no count column \(looked for 'people'\).*address_id, dwellings"
    ):
        read_weights(tmp_path / "addresses.geojson", count_column="people")


def test_a_csv_of_points(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("id,lon,lat,population\n1,-51.2,-30.0,120\n2,-51.1,-30.1,\n", encoding="utf-8")
    weights = read_weights(path)
    assert weights.count.tolist() == [120.0, 0.0]
    assert weights.crs.to_epsg() == 4326
    assert "1 blank population values are taken as 0" in weights.warnings[0]


@pytest.mark.parametrize(
    ("cell", "message"),
    [("-3", "the count -3 is negative"), ("many", "'many' is not a number")],
)
def test_bad_counts_name_the_row(tmp_path: Path, cell: str, message: str) -> None:
    path = tmp_path / "points.csv"
    path.write_text(f"lon,lat,population\n-51.2,-30.0,5\n-51.1,-30.1,{cell}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        read_weights(path)
    assert "row or feature 2" in caught.value.message


def test_projected_coordinates_said_to_be_degrees_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("x,y,count\n500000,3700000,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="not longitude/latitude"):
        read_weights(path)
    assert read_weights(path, crs="EPSG:32616").crs.to_epsg() == 32616


def test_lines_and_empty_layers_are_refused(tmp_path: Path) -> None:
    gpd.GeoDataFrame({"count": [1]}, geometry=[LineString([(0, 0), (1, 1)])], crs=4326).to_file(
        tmp_path / "lines.gpkg"
    )
    with pytest.raises(InputError, match="is a line"):
        read_weights(tmp_path / "lines.gpkg")
    gpd.GeoDataFrame({"count": [0, 0]}, geometry=[Point(0, 0), Point(1, 1)], crs=4326).to_file(
        tmp_path / "nobody.gpkg"
    )
    with pytest.raises(InputError, match="has no one in it"):
        read_weights(tmp_path / "nobody.gpkg")
    with pytest.raises(InputError, match="file not found"):
        read_weights(tmp_path / "missing.gpkg")
    (tmp_path / "blocks.txt").write_text("x")
    with pytest.raises(InputError, match="not a supported format for weights"):
        read_weights(tmp_path / "blocks.txt")


def _pl94171(path: Path, rows: list[tuple[str, str]]) -> Path:
    """The data.census.gov download of table P1, with its second header row of labels."""
    lines = ["GEO_ID,NAME,P1_001N", "Geography,Geographic Area Name,!!Total:"]
    lines += [f"1000000US{geoid},Block {geoid[-4:]},{pop}" for geoid, pop in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_block_polygons_joined_to_the_pl_94_171_table(tmp_path: Path) -> None:
    blocks = _tabblock(tmp_path)
    table = _pl94171(
        tmp_path / "DECENNIALPL2020.P1.csv",
        [(GEOIDS[0], "15"), (GEOIDS[2], "41"), (GEOIDS[3], "9"), ("010730001001999", "6")],
    )
    weights = read_weights(blocks, table=table)
    assert weights.count_column == "P1_001N"
    assert weights.count.tolist() == [15.0, 0.0, 41.0, 9.0]
    assert [role for role, _, _ in weights.sources] == ["weights", "weights_table"]
    assert any("1 rows (6 in P1_001N) match no feature" in w for w in weights.warnings)
    assert any("1 features have no row" in w for w in weights.warnings)
    other = _pl94171(tmp_path / "other.csv", [("130890001001000", "4")])
    with pytest.raises(InputError, match="no GEO_ID matches the ids"):
        read_weights(blocks, table=other)


def test_the_wizard_preview(tmp_path: Path) -> None:
    preview = peek_weights(_tabblock(tmp_path), rows=2)
    assert preview.count_column == "POP20" and preview.id_column == "GEOID20"
    assert preview.geometry == "internal points" and preview.crs == "EPSG:4269"
    assert len(preview.rows) == 2 and "INTPTLAT20" in preview.columns
    table = peek_weights(_pl94171(tmp_path / "p1.csv", [(GEOIDS[0], "15")]))
    assert table.count_column == "P1_001N" and table.id_column == "GEO_ID"
    assert table.geometry == "none (join to a layer)"


def test_weights_from_points_in_memory() -> None:
    weights = WeightPoints.from_points(
        [Point(1, 2), box(0, 0, 2, 2)], [3, 4], "EPSG:32616", ids=[7, 8]
    )
    assert weights.x.tolist() == [1.0, 1.0] and weights.ids.tolist() == ["7", "8"]
    with pytest.raises(InputError, match="no coordinate reference system"):
        WeightPoints.from_points([Point(1, 2)], [3], None)


# --- the project file's weights entry ----------------------------------------------------------


def _project(tmp_path: Path, weights: object) -> Path:
    document = {
        "format": "equityplanner-project",
        "schema_version": 1,
        "metadata": {"title": "Weights"},
        "weights": weights,
    }
    path = tmp_path / "p.eqp.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_project_file_keeps_its_weights(tmp_path: Path) -> None:
    _tabblock(tmp_path)
    _pl94171(tmp_path / "p1.csv", [(GEOIDS[0], "15")])
    document = load_project(
        _project(
            tmp_path,
            {"path": "tl_2020_01_tabblock20.gpkg", "table": "p1.csv", "count_column": "P1_001N"},
        )
    )
    assert document.weights is not None and document.weights.table == "p1.csv"
    moved = tmp_path / "elsewhere" / "copy.eqp.json"
    moved.parent.mkdir()
    save_project(document, moved)
    saved = json.loads(moved.read_text(encoding="utf-8"))["weights"]
    assert saved == {
        "path": "../tl_2020_01_tabblock20.gpkg",
        "table": "../p1.csv",
        "count_column": "P1_001N",
    }
    assert load_project(moved).weights == document.weights.__class__(
        path="../tl_2020_01_tabblock20.gpkg", count_column="P1_001N", table="../p1.csv"
    )
    assert load_project(_project(tmp_path, "tl_2020_01_tabblock20.gpkg")).weights.path == (
        "tl_2020_01_tabblock20.gpkg"
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("missing.gpkg", "weights.path: file 'missing.gpkg' not found"),
        ({"count_column": "POP20"}, "weights.path: missing"),
        ({"path": "x.gpkg", "colour": "red"}, "weights.colour: unknown"),
        (7, "weights: 7 is not an object; give a path, or an object"),
    ],
)
def test_a_bad_weights_entry_is_a_problem(tmp_path: Path, entry: object, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        load_project(_project(tmp_path, entry))
