"""Basemap tiles placed in the map's projection, and drawn on the raster surface."""

from __future__ import annotations

import numpy as np
from PIL import Image

from equityplanner.render.geometry import Affine, SceneTransform
from equityplanner.render.raster import RasterSurface
from equityplanner.render.tiles import (
    TILE_SIZE,
    TileKey,
    draw_tiles,
    lonlat_to_tile,
    tile_pieces,
    tile_to_lonlat,
    tile_zoom,
    tiles_for_view,
)

SACRAMENTO = (-121.6, 38.4, -121.2, 38.7)


def test_tile_math_round_trips():
    x, y = lonlat_to_tile(-121.49, 38.58, 12)
    lon, lat = tile_to_lonlat(x, y, 12)
    assert abs(lon + 121.49) < 1e-9 and abs(lat - 38.58) < 1e-9
    assert TileKey(12, 683, 1573).parent() == TileKey(11, 341, 786)


def test_zoom_follows_the_screen():
    # At 38.6°N a zoom-13 tile pixel is 14.9 m: a view of 15 m per pixel asks for zoom 13.
    assert tile_zoom(1 / 15, 38.6) == 13
    assert tile_zoom(1 / 15, 38.6, max_zoom=12) == 12
    assert tile_zoom(100.0, 38.6) == 19


def test_tiles_cover_the_view_and_meet_edge_to_edge():
    transform = SceneTransform.for_bounds(SACRAMENTO)
    visible = (-8000.0, -6000.0, 8000.0, 6000.0)
    z, tiles = tiles_for_view(transform, visible, 1 / 20)
    assert 10 <= z <= 14 and 4 <= len(tiles) <= 160
    corners = np.concatenate([t.corners for t in tiles])
    assert corners[:, 0].min() <= visible[0] and corners[:, 0].max() >= visible[2]
    assert corners[:, 1].min() <= visible[1] and corners[:, 1].max() >= visible[3]
    by_key = {t.key: t.corners for t in tiles}
    for key, c in by_key.items():
        right = by_key.get(TileKey(key.z, key.x + 1, key.y))
        # A shared edge: top right = its top left, bottom right = its bottom left.
        if right is not None:
            assert np.allclose(c[1], right[0]) and np.allclose(c[2], right[3])
        # North is up: the top edge lies above the bottom edge in scene y (down).
        assert c[0][1] < c[3][1]


def test_a_huge_view_asks_for_a_coarser_level():
    transform = SceneTransform.for_bounds(SACRAMENTO)
    z, tiles = tiles_for_view(transform, (-500_000.0, -400_000.0, 500_000.0, 400_000.0), 1.0)
    assert len(tiles) <= 160 and z < 19


def test_pieces_are_affine_within_half_a_pixel():
    square = np.array([[0, 0], [256, 0], [256, 256], [0, 256]], dtype=float)
    assert len(tile_pieces(square)) == 1
    warped = np.array([[0, 0], [256, 10], [250, 270], [-8, 256]], dtype=float)
    pieces = tile_pieces(warped)
    assert len(pieces) > 1
    assert sum(p.source[2] * p.source[3] for p in pieces) == TILE_SIZE * TILE_SIZE


def test_raster_surface_draws_a_tile_where_it_belongs():
    surface = RasterSurface(60, 40, supersample=1)
    tile = Image.new("RGB", (256, 256), (200, 30, 30))
    tiles = []
    transform = SceneTransform.for_bounds(SACRAMENTO)
    _z, tiles = tiles_for_view(transform, (-50.0, -50.0, 50.0, 50.0), 10.0, max_zoom=18)
    view = Affine(0.3, 30.0, 20.0)
    drawn = draw_tiles(surface, tiles, view, lambda key: (tile, (0.0, 0.0, 256.0, 256.0)))
    assert drawn == len(tiles) > 0
    pixels = surface.pixels()
    assert tuple(pixels[20, 30]) == (200, 30, 30)
