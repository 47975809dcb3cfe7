"""Web map tiles under the map, without Qt: which tiles a view needs and where they go.

Basemap tiles (OpenStreetMap, Carto …) are 256-pixel squares of the Web Mercator grid
(``z/x/y``). The map is drawn in scene coordinates (metres in the local UTM zone, see
:class:`~equityplanner.render.geometry.SceneTransform`), so a tile is not a square there:
:func:`tiles_for_view` returns, for the part of the scene in view, the tiles of the zoom level
whose pixels are nearest the screen's, each with the scene position of its four corners.
:func:`tile_pieces` cuts a tile into parallelograms small enough to be drawn with an affine
transform to within half a pixel, and :func:`draw_tiles` draws them on any surface with
``draw_image`` (tiles are drawn after the background, before the neighbourhoods).

Examples
--------
>>> lonlat_to_tile(0.0, 0.0, 1)
(1.0, 1.0)
>>> [round(v, 6) for v in tile_to_lonlat(1, 1, 1)]
[0.0, 0.0]
>>> tile_zoom(1.0, 0.0)  # 1 pixel per metre at the equator: zoom 17 (1.19 m per pixel)
17
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from equityplanner.render.geometry import Affine, SceneTransform

__all__ = [
    "TILE_SIZE",
    "PlacedTile",
    "TileKey",
    "draw_tiles",
    "lonlat_to_tile",
    "tile_pieces",
    "tile_to_lonlat",
    "tile_zoom",
    "tiles_for_view",
]

TILE_SIZE = 256
_EQUATOR_M = 40_075_016.686  # Web Mercator's circumference at the equator
_MAX_LAT = 85.0511287798
_MAX_TILES = 160  # a view never asks for more (one zoom level coarser instead)


@dataclass(frozen=True, order=True)
class TileKey:
    """A tile of the Web Mercator grid: zoom, column (west to east), row (north to south)."""

    z: int
    x: int
    y: int

    def parent(self) -> TileKey:
        """The tile one zoom level out that contains this one."""
        return TileKey(self.z - 1, self.x // 2, self.y // 2)


@dataclass(frozen=True)
class PlacedTile:
    """A tile and the scene coordinates of its corners: top left, top right, bottom right,
    bottom left (north-west first, clockwise on screen)."""

    key: TileKey
    corners: np.ndarray  # (4, 2)


def lonlat_to_tile(lon: Any, lat: Any, z: int) -> tuple[Any, Any]:
    """Fractional tile coordinates of longitude/latitude (arrays or scalars) at zoom ``z``."""
    n = 2.0**z
    lat_r = np.radians(np.clip(lat, -_MAX_LAT, _MAX_LAT))
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * n
    y = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    if np.ndim(x) == 0:
        return float(x), float(y)
    return x, y


def tile_to_lonlat(x: Any, y: Any, z: int) -> tuple[Any, Any]:
    """Longitude/latitude of tile coordinates (the north-west corner of tile x, y)."""
    n = 2.0**z
    lon = np.asarray(x, dtype=float) / n * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * np.asarray(y, dtype=float) / n))))
    if np.ndim(lon) == 0:
        return float(lon), float(lat)
    return lon, lat


def tile_zoom(pixels_per_metre: float, lat: float, max_zoom: int = 19, min_zoom: int = 0) -> int:
    """The zoom level whose tile pixels are nearest the screen's at latitude ``lat``."""
    if pixels_per_metre <= 0 or not math.isfinite(pixels_per_metre):
        return min_zoom
    metres_per_tile_pixel_z0 = _EQUATOR_M * math.cos(math.radians(lat)) / TILE_SIZE
    z = math.log2(metres_per_tile_pixel_z0 * pixels_per_metre)
    # Round towards the sharper level only past two thirds: text on tiles stays legible.
    return int(min(max(math.floor(z + 1 / 3), min_zoom), max_zoom))


def tiles_for_view(
    transform: SceneTransform,
    visible: tuple[float, float, float, float],
    pixels_per_metre: float,
    *,
    max_zoom: int = 19,
    min_zoom: int = 0,
) -> tuple[int, list[PlacedTile]]:
    """The zoom level and the tiles covering the scene rectangle ``visible``.

    Parameters
    ----------
    transform
        The map's scene transform.
    visible
        (xmin, ymin, xmax, ymax) in scene coordinates.
    pixels_per_metre
        The view's zoom.
    max_zoom, min_zoom
        The provider's zoom levels.
    """
    xmin, ymin, xmax, ymax = visible
    if not (xmax > xmin and ymax > ymin):
        return min_zoom, []
    t = np.linspace(0.0, 1.0, 6)
    edge_x = np.concatenate(
        [xmin + (xmax - xmin) * t, np.full(6, xmax), xmin + (xmax - xmin) * t, np.full(6, xmin)]
    )
    edge_y = np.concatenate(
        [np.full(6, ymin), ymin + (ymax - ymin) * t, np.full(6, ymax), ymin + (ymax - ymin) * t]
    )
    lon, lat = _scene_to_lonlat(transform, edge_x, edge_y)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return min_zoom, []
    lon, lat = lon[ok], lat[ok]
    z = tile_zoom(pixels_per_metre, float(np.median(lat)), max_zoom, min_zoom)
    while True:
        fx, fy = lonlat_to_tile(lon, lat, z)
        n = 2**z
        x0, x1 = math.floor(float(fx.min())), math.floor(float(fx.max()))
        y0 = max(math.floor(float(fy.min())), 0)
        y1 = min(math.floor(float(fy.max())), n - 1)
        count = (x1 - x0 + 1) * (y1 - y0 + 1)
        if count <= _MAX_TILES or z <= min_zoom:
            break
        z -= 1
    if y1 < y0:
        return z, []
    gx, gy = np.meshgrid(np.arange(x0, x1 + 2), np.arange(y0, y1 + 2))
    glon, glat = tile_to_lonlat(gx, gy, z)
    sx, sy = transform.lonlat_to_scene(glon.ravel(), glat.ravel())
    grid = np.column_stack([np.asarray(sx), np.asarray(sy)]).reshape(gx.shape[0], gx.shape[1], 2)
    tiles = []
    for j, ty in enumerate(range(y0, y1 + 1)):
        for i, tx in enumerate(range(x0, x1 + 1)):
            corners = np.array(
                [grid[j, i], grid[j, i + 1], grid[j + 1, i + 1], grid[j + 1, i]], dtype=float
            )
            if np.isfinite(corners).all():
                tiles.append(PlacedTile(TileKey(z, tx % n, ty), corners))
    return z, tiles


def _scene_to_lonlat(
    transform: SceneTransform, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    inverse = transform._inverse  # one vectorised call for all points
    lon, lat = inverse.transform(x + transform.origin[0], transform.origin[1] - y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@dataclass(frozen=True)
class TilePiece:
    """A part of a tile image (``source``: left, top, width, height in tile pixels) and the
    pixel positions of three of its corners (top left, top right, bottom left): an affine
    mapping that draws it to within half a pixel of where it belongs."""

    source: tuple[float, float, float, float]
    top_left: tuple[float, float]
    top_right: tuple[float, float]
    bottom_left: tuple[float, float]


def tile_pieces(corners_px: np.ndarray, tolerance: float = 0.5, depth: int = 3) -> list[TilePiece]:
    """Cut a tile whose corners land at ``corners_px`` (TL, TR, BR, BL) into affine pieces.

    A tile is split in four (bilinearly) while drawing it as a parallelogram would put its
    fourth corner more than ``tolerance`` pixels off, at most ``depth`` times.
    """
    pieces: list[TilePiece] = []

    def at(u: float, v: float) -> np.ndarray:
        top = corners_px[0] + (corners_px[1] - corners_px[0]) * u
        bottom = corners_px[3] + (corners_px[2] - corners_px[3]) * u
        return np.asarray(top + (bottom - top) * v)

    def split(u0: float, v0: float, u1: float, v1: float, level: int) -> None:
        tl, tr, br, bl = at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)
        off = float(np.hypot(*(tr + bl - tl - br)))
        if off > tolerance and level < depth:
            um, vm = (u0 + u1) / 2, (v0 + v1) / 2
            for a, b, c, d in (
                (u0, v0, um, vm),
                (um, v0, u1, vm),
                (u0, vm, um, v1),
                (um, vm, u1, v1),
            ):
                split(a, b, c, d, level + 1)
            return
        s = TILE_SIZE
        pieces.append(
            TilePiece(
                (u0 * s, v0 * s, (u1 - u0) * s, (v1 - v0) * s),
                (float(tl[0]), float(tl[1])),
                (float(tr[0]), float(tr[1])),
                (float(bl[0]), float(bl[1])),
            )
        )

    split(0.0, 0.0, 1.0, 1.0, 0)
    return pieces


ImageFor = Callable[[TileKey], tuple[Any, tuple[float, float, float, float]] | None]
"""Gives a tile's image and the part of it that covers the tile (a parent's quarter when the
tile itself is not there yet), or None."""


def draw_tiles(surface: Any, tiles: Iterable[PlacedTile], view: Affine, image_for: ImageFor) -> int:
    """Draw ``tiles`` through ``view`` on a surface with ``draw_image``; returns how many
    had an image (their own or an ancestor's)."""
    drawn = 0
    for tile in tiles:
        found = image_for(tile.key)
        if found is None:
            continue
        image, (sx, sy, sw, sh) = found
        corners = view.apply(tile.corners)
        for piece in tile_pieces(corners):
            px, py, pw, ph = piece.source
            scale = sw / TILE_SIZE
            source = (sx + px * scale, sy + py * scale, pw * scale, ph * (sh / TILE_SIZE))
            surface.draw_image(image, source, piece.top_left, piece.top_right, piece.bottom_left)
        drawn += 1
    return drawn
