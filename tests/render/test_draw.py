"""The painter's pieces (render/draw.py, labels.py, shapes.py, geometry.py): views, levels of
detail, scale bars, legend layout, name placement and dashes, checked on the headless surface."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS

from equityplanner.render.draw import (
    MapStyle,
    draw_legend,
    draw_screen,
    draw_swatch,
    legend_size,
    scale_bar,
)
from equityplanner.render.geometry import (
    Affine,
    LayerGeometry,
    Rings,
    SceneTransform,
    class_rings,
    fit_view,
    level_for_scale,
)
from equityplanner.render.labels import LabelCandidate, Obstacles, place_labels
from equityplanner.render.legend import Legend, LegendEntry
from equityplanner.render.raster import RasterSurface
from equityplanner.render.scene import ClassFill, MapScene
from equityplanner.render.shapes import dashed
from equityplanner.render.surface import FontSpec, Rect

UTM16 = CRS.from_epsg(32616)


def _grid_layer(n: int = 4, size: float = 100.0) -> LayerGeometry:
    boxes = [
        shapely.box(x * size, y * size, (x + 1) * size, (y + 1) * size)
        for x in range(n)
        for y in range(n)
    ]
    geoms = shapely.transform(
        np.array(boxes, dtype=object), lambda xy: xy + np.array([500_000, 3_700_000])
    )
    origin = (500_000 + n * size / 2, 3_700_000 + n * size / 2)
    return LayerGeometry(geoms, UTM16, SceneTransform(UTM16, origin))


# Views and geometry ---------------------------------------------------------------------


def test_fit_view_centres_the_bounds_and_leaves_room_for_the_legend():
    view = fit_view((-100, -50, 100, 50), 400, 300, margin=0.0)
    assert view.scale == 2.0
    assert view.point(-100, -50) == (0.0, 50.0) and view.point(100, 50) == (400.0, 250.0)
    roomy = fit_view((-100, -50, 100, 50), 400, 300, margin=0.0, reserve_left=80)
    left, _ = roomy.point(-100, 0)
    assert left >= 80 - 0.5 and roomy.point(100, 0)[0] <= 400.5
    assert float(roomy.tx).is_integer() and float(roomy.ty).is_integer()


def test_affine_views_compose_and_invert():
    a, b = Affine(2.0, 10.0, -5.0), Affine(0.5, 1.0, 1.0)
    x, y = a.then(b).point(3.0, 4.0)
    assert (x, y) == b.point(*a.point(3.0, 4.0))
    assert a.inverse_point(*a.point(3.0, 4.0)) == (3.0, 4.0)


def test_layers_are_oriented_and_split_by_class():
    layer = _grid_layer()
    rings = layer.level_of_detail(0.0).rings()
    for ring in rings.parts():
        x, y = ring[:, 0], ring[:, 1]
        area = (x * np.roll(y, -1) - np.roll(x, -1) * y).sum()
        assert area < 0, "every exterior turns the same way"
    classes = np.arange(layer.count) % 3 - (np.arange(layer.count) == 0)
    by_class = class_rings(layer.level_of_detail(10.0), classes, 3)
    assert sorted(by_class) == [-1, 0, 1, 2]
    assert sum(r.starts.size for r in by_class.values()) == layer.count


def test_levels_of_detail_are_powers_of_two_about_a_pixel():
    level, cell = level_for_scale(0.1)  # 10 m per pixel
    assert cell == 8.0 and level == 3


def test_north_is_up_at_the_centre_of_a_utm_zone():
    transform = SceneTransform(UTM16, (500_000.0, 3_700_000.0))  # on the central meridian
    assert transform.north_angle_deg() == pytest.approx(0.0, abs=0.01)
    east = SceneTransform(UTM16, (700_000.0, 3_700_000.0))
    assert east.north_angle_deg() < -0.5, "east of the central meridian, north leans left"


# Scale bar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pixels_per_metre", "target", "units", "last"),
    [
        (0.1, 130, "metric", (100.0, "1 km")),
        (0.1, 160, "metric", (100.0, "1 km")),
        (0.1, 260, "metric", (250.0, "2.5 km")),
        (1.0, 130, "metric", (100.0, "100 m")),
        (0.01, 150, "metric", (100.0, "10 km")),
        (1.0, 130, "imperial", (76.2, "250 ft")),
        (0.1, 130, "imperial", (80.4672, "0.5 mi")),
    ],
)
def test_scale_bars_have_round_lengths(pixels_per_metre, target, units, last):
    bar = scale_bar(pixels_per_metre, target, units)
    assert bar is not None
    assert bar.ticks[-1][0] == pytest.approx(last[0]) and bar.ticks[-1][1] == last[1]
    assert bar.length_px <= target
    assert bar.ticks[0] == (0.0, "0")


def test_no_scale_bar_without_a_zoom():
    assert scale_bar(0.0, 100) is None


# Legend ---------------------------------------------------------------------------------


def test_the_legend_wraps_to_its_width_and_draws_every_swatch():
    surface = RasterSurface(320, 400)
    style = MapStyle()
    symbols = tuple(
        LegendEntry(label, colour, symbol)
        for label, colour, symbol in (
            ("Walk catchment", "#cc79a7", "catchment"),
            ("Reduced service catchment", "#d55e00", "burden_catchment"),
            ("New line", "#1a1a1a", "line"),
            ("Cut", "#d55e00", "burden_line"),
            ("Station or stop", "#ffffff", "station"),
            ("Housing", "#e69f00", "site"),
            ("No data", "#d9d9d9", "no_data"),
        )
    )
    legend = Legend(
        "Minority (all persons except non-Hispanic White alone), % of total population",
        (LegendEntry("10%", "#edf8b1"), LegendEntry("80%", "#2c7fb8")),
        symbols,
    )
    narrow, tall = legend_size(surface, legend, style, 200)
    wide, short = legend_size(surface, legend, style, 600)
    assert narrow <= 200 < wide and tall > short, "a narrower legend wraps its title"
    box = draw_legend(surface, legend, 10, 10, style, 300)
    pixels = surface.pixels()
    present = {tuple(int(v) for v in p) for p in pixels.reshape(-1, 3)}
    assert (237, 248, 177) in present and (44, 127, 184) in present  # the class swatches
    assert box.w <= 300 and box.h > 0
    with pytest.raises(ValueError, match="unknown legend symbol"):
        LegendEntry("x", "#000000", "dashed")


def test_the_existing_routes_swatch_is_a_thin_grey_line_as_on_the_map():
    surface = RasterSurface(60, 20)
    style = MapStyle()
    draw_swatch(
        surface,
        LegendEntry("Existing transit routes", "#8c8c8c", "network_line"),
        Rect(5, 2, 50, 16),
        style,
    )
    pixels = surface.pixels().astype(int)
    marked = np.flatnonzero((np.abs(pixels - 255).sum(axis=2) > 30).any(axis=1))
    assert marked.size and marked.min() >= 8 and marked.max() <= 12, "a thin line at mid-height"
    middle = pixels[10, 30]
    assert middle[0] == middle[1] == middle[2] and 130 < middle[0] < 200, "translucent grey"


# Names ----------------------------------------------------------------------------------


def _measure(text: str, font: FontSpec):
    return RasterSurface(1, 1).measure(text, font)


def test_names_avoid_lines_symbols_and_each_other():
    font = FontSpec(12, bold=True)
    obstacles = Obstacles()
    obstacles.add_lines(Rings.of_line([(0, 95), (400, 95)]), 10)  # a line just above the anchor
    candidates = [
        LabelCandidate((0, 0), "Civic Center", 200, 100, font, 7, (1,)),
        LabelCandidate((0, 1), "Civic Centre", 202, 100, font, 7, (2,)),
        LabelCandidate((1, 0), "Homes", 390, 100, font, 9, (0,), force=True),
        LabelCandidate((2, 0), "Far away", 900, 100, font, 7, (3,)),
    ]
    placed = {p.key: p for p in place_labels(candidates, _measure, Rect(0, 0, 400, 200), obstacles)}
    assert (2, 0) not in placed, "a name outside the map is left out"
    assert (1, 0) in placed, "a site's name is always written"
    first = placed[(0, 0)]
    assert not obstacles.hits(first.box) and first.box.y > 100, "below the line, not over it"
    second = placed.get((0, 1))
    assert second is None or not second.box.intersects(first.box)


# Dashes ---------------------------------------------------------------------------------


def test_dashes_keep_their_phase_when_only_the_visible_part_is_made():
    line = Rings.of_line([(0, 0), (1000, 0), (1000, 300)])
    every = dashed(line, 8, 4)
    visible = dashed(line, 8, 4, Rect(300, -5, 100, 10))
    starts = {tuple(p) for p in every.coords[every.starts]}
    assert {tuple(p) for p in visible.coords[visible.starts]} <= starts
    assert 0 < visible.starts.size < every.starts.size
    assert every.starts.size == int(np.ceil(1300 / 12))


# The whole screen -----------------------------------------------------------------------


def test_the_screen_shows_classes_legend_and_north_arrow():
    layer = _grid_layer()
    colours = ["#edf8b1", "#7fcdbb", "#2c7fb8"]
    classes = np.arange(layer.count) % 3
    scene = MapScene(
        layer=layer,
        row_classes=classes,
        classes=tuple(
            ClassFill(c, f"class {i}", int((classes == i).sum())) for i, c in enumerate(colours)
        ),
        legend=Legend(
            "Classes", tuple(LegendEntry(f"class {i}", c) for i, c in enumerate(colours))
        ),
    )
    surface = RasterSurface(500, 400)
    view = draw_screen(surface, scene)
    pixels = surface.pixels()
    for row, geometry in enumerate(layer.geometries):
        x, y = view.point(*shapely.get_coordinates(geometry.centroid)[0])
        expected = colours[classes[row]]
        got = "#{:02x}{:02x}{:02x}".format(*(int(v) for v in pixels[int(y), int(x)]))
        if not (x < 200 and y > 250):  # the legend's corner
            assert got == expected, row
    assert (pixels[20:80, 440:490] < 60).all(axis=2).any(), "the north arrow's dark half"
