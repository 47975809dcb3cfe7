"""The headless surface (render/raster.py): scan conversion, strokes, blending, text, output."""

from __future__ import annotations

import io

import numpy as np
import pytest
import shapely
from PIL import Image

from equityplanner.render.geometry import Affine, Rings, rings_of
from equityplanner.render.raster import RasterSurface, coverage
from equityplanner.render.surface import Fill, FontSpec, Hatch, Pen, Rect, rgba


def _mask(rings: Rings, height: int, width: int, rule: str = "nonzero") -> np.ndarray:
    top, left, part = coverage(rings.coords, rings.starts, height, width, rule)  # type: ignore[arg-type]
    full = np.zeros((height, width), dtype=bool)
    full[top : top + part.shape[0], left : left + part.shape[1]] = part
    return full


def test_a_pixel_is_inside_when_its_centre_is():
    # x from 2.4 to 7.6: centres 2.5 .. 7.5 are inside, pixels 2..7 (6 wide).
    mask = _mask(rings_of(shapely.box(2.4, 1.0, 7.6, 3.0)), 5, 10)
    assert mask.sum(axis=1).tolist() == [0, 6, 6, 0, 0]
    assert np.flatnonzero(mask[1]).tolist() == [2, 3, 4, 5, 6, 7]


def test_neighbours_sharing_an_edge_cover_every_pixel_once():
    left = rings_of(shapely.Polygon([(0.3, 0.2), (10.37, 0.9), (9.1, 11.6), (0.1, 11.9)]))
    right = rings_of(shapely.Polygon([(10.37, 0.9), (19.7, 0.4), (19.9, 11.2), (9.1, 11.6)]))
    a, b = _mask(left, 12, 20), _mask(right, 12, 20)
    assert not (a & b).any(), "no pixel is filled twice"
    shared_rows = slice(1, 11)
    assert (a | b)[shared_rows, 1:19].all(), "no gap between the neighbours"


def test_holes_stay_empty_and_the_fill_rules_differ_where_rings_overlap():
    with_hole = shapely.Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]]
    )
    mask = _mask(rings_of(with_hole), 10, 10)
    assert mask[1, 1] and not mask[5, 5]
    # Two squares turning the same way overlap in (4..6, 4..6).
    squares = Rings.concat([rings_of(shapely.box(0, 0, 6, 6)), rings_of(shapely.box(4, 4, 10, 10))])
    assert _mask(squares, 10, 10, "nonzero")[5, 5]
    assert not _mask(squares, 10, 10, "evenodd")[5, 5]


def test_a_large_layer_is_filled_without_a_loop_per_ring():
    rng = np.random.default_rng(0)
    n = 50_000
    corner = rng.random((n, 2)) * [1900, 1400]
    square = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], dtype=float)
    coords = (corner[:, None, :] + square[None]).reshape(-1, 2)
    top, left, mask = coverage(coords, np.arange(0, n * 5, 5), 1410, 1910)
    covered = np.zeros((1410, 1910), dtype=bool)
    covered[top : top + mask.shape[0], left : left + mask.shape[1]] = mask
    # Each square covers its 16 pixel centres: check a few squares exactly.
    for x, y in corner[:20]:
        cols = np.arange(np.ceil(x - 0.5), np.ceil(x + 4 - 0.5)).astype(int)
        rows = np.arange(np.ceil(y - 0.5), np.ceil(y + 4 - 0.5)).astype(int)
        assert covered[np.ix_(rows, cols)].all()


def test_supersampling_antialiases_edges():
    surface = RasterSurface(4, 1, supersample=4)
    surface.fill(rings_of(shapely.box(0, 0, 1.5, 1)), Fill(rgba("#000000")))
    row = surface.pixels()[0, :, 0]
    assert row[0] == 0 and row[2] == 255
    assert row[1] == pytest.approx(128, abs=2), "a half-covered pixel is half dark"


def test_translucent_fills_blend_and_hatches_follow_their_origin():
    surface = RasterSurface(40, 40, supersample=1)
    surface.fill(rings_of(shapely.box(0, 0, 40, 40)), Fill(rgba("#0000ff", 0.5)))
    assert surface.pixels()[5, 5].tolist() == [127, 127, 255]
    hatched = RasterSurface(40, 40, supersample=1)
    hatch = Hatch(rgba("#000000"), "fdiag", 8.0, 1.0, origin=(0.0, 0.0))
    hatched.fill(rings_of(shapely.box(0, 0, 40, 40)), Fill(rgba("#ffffff", 0.0), hatch))
    moved = RasterSurface(40, 40, supersample=1)
    moved.fill(
        rings_of(shapely.box(0, 0, 40, 40)),
        Fill(rgba("#ffffff", 0.0), Hatch(rgba("#000000"), "fdiag", 8.0, 1.0, origin=(3.0, 0.0))),
    )
    a, b = hatched.pixels()[..., 0] < 128, moved.pixels()[..., 0] < 128
    assert 0.05 < a.mean() < 0.3
    assert np.array_equal(b[:, 3:], a[:, :-3]), "the pattern moves with its origin"


def test_strokes_have_their_width_and_caps():
    surface = RasterSurface(60, 30, supersample=3)
    surface.stroke(Rings.of_line([(10, 15), (50, 15)]), Pen(rgba("#000000"), 6.0, cap="flat"))
    dark = surface.pixels()[..., 0] < 128
    assert dark[:, 30].sum() == 6
    assert not dark[15, 8] and dark[15, 11], "a flat cap ends at the line's end"
    rounded = RasterSurface(60, 30, supersample=3)
    rounded.stroke(Rings.of_line([(10, 15), (50, 15)]), Pen(rgba("#000000"), 6.0, cap="round"))
    assert (rounded.pixels()[..., 0] < 128)[15, 8], "a round cap reaches half the width beyond"


def test_drawing_in_map_units_through_a_view():
    surface = RasterSurface(100, 100, supersample=1)
    view = Affine(0.01, 50.0, 50.0)  # 1 pixel = 100 m, the origin in the middle
    surface.fill(rings_of(shapely.box(-1000, -1000, 1000, 1000)), Fill(rgba("#ff0000")), view)
    red = surface.pixels()[..., 1] == 0
    assert red[40:60, 40:60].all() and red.sum() == 400


def test_clips_nest_and_text_is_measured_and_drawn():
    surface = RasterSurface(200, 60)
    with surface.clip(Rect(0, 0, 100, 60)), surface.clip(Rect(50, 0, 150, 60)):
        surface.fill(rings_of(shapely.box(0, 0, 200, 60)), Fill(rgba("#000000")))
    dark = surface.pixels()[..., 0] < 128
    assert dark[:, 50:100].all() and not dark[:, :49].any() and not dark[:, 101:].any()
    font = FontSpec(20, bold=True)
    short, long = surface.measure("Rosemont", font), surface.measure("Rosemont Station", font)
    assert 0 < short.width < long.width and short.ascent > short.descent > 0
    text = RasterSurface(200, 40)
    text.text(10, 28, "Rosemont", font, rgba("#000000"), Pen(rgba("#ffffff"), 3.0))
    ink = np.flatnonzero((text.pixels()[..., 0] < 100).any(axis=0))
    assert abs((ink.max() - ink.min()) - short.width) < 4


def test_png_keeps_its_size_and_resolution():
    surface = RasterSurface(120, 80)
    data = surface.png(dpi=150)
    image = Image.open(io.BytesIO(data))
    assert image.size == (120, 80) and image.mode == "RGB"
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # stored per metre
