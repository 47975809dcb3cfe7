"""The map: Qt-free scene (render/scene.py) and the picture of the workbook (render/map_image.py)."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import numpy as np
import pytest
import shapely
from PIL import Image
from report.report_helpers import grid_assessment

from equityplanner.errors import InputError, MethodError
from equityplanner.render.classify import palette
from equityplanner.render.draw import draw_page
from equityplanner.render.fields import field_label
from equityplanner.render.geometry import rings_of
from equityplanner.render.map_image import render_map_png
from equityplanner.render.raster import RasterSurface
from equityplanner.render.scene import prepare_scene


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    return grid_assessment(tmp_path_factory.mktemp("map"))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_png_decodes_at_the_requested_size_and_is_not_blank(assessment):
    png = render_map_png(assessment, width=900, height=620)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (900, 620)
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    colours = {tuple(p) for p in pixels[::7]}
    assert len(colours) > 50  # text, fills, symbols: far from a blank page
    white = np.all(pixels == 255, axis=1).mean()
    assert 0.2 < white < 0.97
    # The four grid squares have four distinct minority shares: each gets its own class colour.
    present = {tuple(p) for p in pixels}
    for colour in palette("YlGnBu", 4):
        assert _rgb(colour) in present, colour


def test_unit_map_with_natural_breaks_and_another_field(assessment):
    png = render_map_png(
        assessment,
        field="low_income",
        result_id="cut",
        method="natural",
        width=640,
        height=480,
        title="Low-income share",
    )
    assert Image.open(io.BytesIO(png)).size == (640, 480)


def test_the_page_draws_on_any_surface(assessment):
    scene = prepare_scene(assessment)
    surface = RasterSurface(400, 300)
    draw_page(surface, scene)
    pixels = surface.pixels()
    assert len({tuple(pixels[y, x]) for x in range(0, 400, 5) for y in range(0, 300, 5)}) > 10


def test_scene_is_projected_classified_and_labelled(assessment):
    scene = prepare_scene(assessment, field="minority_share")
    xmin, ymin, xmax, ymax = scene.bounds
    assert xmax - xmin == pytest.approx(2000, rel=0.01)  # the grid is 2 km square
    assert ymax - ymin == pytest.approx(2000, rel=0.01)
    assert "UTM zone 16N" in scene.crs_name
    assert abs(scene.north_angle_deg) < 3
    # Minority shares 80%, 60%, 20%, 10%: fewer values than classes, one class each.
    assert [e.label for e in scene.legend.entries] == ["10%", "20%", "60%", "80%"]
    assert [layer.count for layer in scene.classes] == [1, 1, 1, 1]
    assert scene.no_data is None
    assert len(scene.catchments) == 3  # the three projects
    assert {line.is_burden for line in scene.lines} == {True, False}
    assert any(p.symbol == "site" for p in scene.points)
    assert (
        scene.source
        == "Source: Hand-made grid (tests); equityplanner " + assessment.software_version
    )
    assert scene.legend.title == field_label("minority_share")


def test_scene_of_one_unit_shows_its_projects_only(assessment):
    scene = prepare_scene(assessment, result_id="cut", method="equal")
    assert len(scene.catchments) == 1 and scene.catchments[0].label.startswith("Route 7 cut")
    assert [p.label for p in scene.points] == ["Route 7 cut"]


def test_field_by_group_id_and_unknown_field(assessment):
    assert prepare_scene(assessment, field="low_income").field == "low_income_share"
    with pytest.raises(
        InputError, match=r"no numeric neighbourhood field 'colour'.*minority_share"
    ):
        prepare_scene(assessment, field="colour")


def test_no_geometry_is_a_method_error(assessment):
    bare = dataclasses.replace(assessment, baseline_geometries=None)
    with pytest.raises(MethodError, match="no neighbourhood geometries"):
        prepare_scene(bare)


def test_rings_are_built_without_per_vertex_loops():
    square_with_hole = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]
    )
    multi = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(12, 0, 13, 1)])
    rings = rings_of(np.array([square_with_hole, multi, None], dtype=object))
    assert rings.starts.tolist() == [0, 5, 10, 15]
    assert rings.coords.shape == (20, 2)
    line = rings_of(shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 4)]]))
    assert line.starts.tolist() == [0, 2]
    assert rings_of(np.array([], dtype=object)).is_empty


def test_preparation_and_the_workbook_do_not_import_qt():
    code = (
        "import sys\n"
        "import equityplanner.render.scene, equityplanner.render.classify\n"
        "import equityplanner.render.map_image, equityplanner.render.draw\n"
        "import equityplanner.report.workbook, equityplanner.report.layout\n"
        "import equityplanner.analysis.assess\n"
        "assert 'PySide6' not in sys.modules, sorted(m for m in sys.modules if 'PySide6' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
