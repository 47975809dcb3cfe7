"""Map geometry without Qt: scene coordinates, packed rings, level of detail, hit tests, views.

The map is drawn in *scene coordinates*: metres in a local projected CRS (the UTM zone of the
study area, so shapes are true to scale and the scale bar is right), relative to the centre
of the area, with ``y`` pointing down as on a screen (:class:`SceneTransform`). A view maps
scene coordinates to pixels with a scale and an offset (:class:`Affine`).

Every geometry is packed as :class:`Rings`: one ``(N, 2)`` float64 array of vertices and the
index where each ring (or line part) begins, so a surface builds its paths with numpy and no
per-vertex Python loop. Polygons are oriented (every exterior one way, every hole the other)
so that a non-zero winding fill leaves holes empty and still fills slivers where
simplified neighbours overlap.

A neighbourhood layer (:class:`LayerGeometry`) is flattened once into a vertex table. A level
of detail is a grid snap of that table: vertices falling in the same cell of ``tolerance``
metres as their predecessor are dropped, and rings that collapse below three vertices become
one cell-sized square, so dense layers keep their colour when zoomed out. The canvas and the
workbook's picture draw the same level of detail for the same scale
(:func:`level_for_scale`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:  # pyproj loads with the first layer, not with the window (start-up time)
    from pyproj import CRS, Transformer

__all__ = [
    "IDENTITY",
    "Affine",
    "LayerGeometry",
    "LevelOfDetail",
    "Rings",
    "SceneTransform",
    "class_rings",
    "fit_view",
    "level_for_scale",
    "rings_of",
]


@cache
def _wgs84() -> CRS:
    from pyproj import CRS

    return CRS.from_epsg(4326)


LOD_PIXELS = 1.0
"""A level of detail snaps vertices to cells of about this many pixels."""


@dataclass(frozen=True, eq=False)
class Rings:
    """Polygon rings or line parts: all vertices in one array.

    ``coords`` is ``(N, 2)`` float64; ``starts`` holds the index in ``coords`` where each ring
    (or line part) begins, increasing. A polygon ring repeats its first vertex at the end.
    Compared by identity, so that a surface can cache what it built from a ``Rings``.
    """

    coords: np.ndarray
    starts: np.ndarray

    @classmethod
    def empty(cls) -> Rings:
        """No vertex at all."""
        return cls(np.empty((0, 2)), np.empty(0, dtype=np.int64))

    @classmethod
    def from_first(cls, xy: np.ndarray, first: np.ndarray) -> Rings:
        """Rings from vertices and a flag marking the first vertex of each ring."""
        xy = np.ascontiguousarray(xy, dtype=np.float64).reshape(-1, 2)
        starts = np.flatnonzero(first).astype(np.int64)
        if xy.shape[0] and (starts.size == 0 or starts[0] != 0):
            starts = np.concatenate([[0], starts])
        return cls(xy, starts)

    @classmethod
    def of_polygon(cls, points: np.ndarray | list[tuple[float, float]]) -> Rings:
        """One closed ring from its vertices (the first is repeated at the end if needed)."""
        xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if xy.shape[0] and not np.array_equal(xy[0], xy[-1]):
            xy = np.vstack([xy, xy[:1]])
        return cls(xy, np.zeros(1 if xy.shape[0] else 0, dtype=np.int64))

    @classmethod
    def of_line(cls, points: np.ndarray | list[tuple[float, float]]) -> Rings:
        """One open line part."""
        xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return cls(xy, np.zeros(1 if xy.shape[0] else 0, dtype=np.int64))

    @classmethod
    def concat(cls, parts: list[Rings]) -> Rings:
        """All rings of ``parts`` in one."""
        parts = [p for p in parts if not p.is_empty]
        if not parts:
            return cls.empty()
        offsets = np.cumsum([0] + [p.coords.shape[0] for p in parts[:-1]])
        return cls(
            np.concatenate([p.coords for p in parts]),
            np.concatenate([p.starts + o for p, o in zip(parts, offsets, strict=True)]),
        )

    @property
    def is_empty(self) -> bool:
        """True when there is no vertex."""
        return self.coords.shape[0] == 0

    @property
    def ends(self) -> np.ndarray:
        """One past the last vertex of each ring."""
        return np.append(self.starts[1:], self.coords.shape[0]).astype(np.int64)

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax); NaN when empty."""
        if self.is_empty:
            return (math.nan, math.nan, math.nan, math.nan)
        lo, hi = self.coords.min(axis=0), self.coords.max(axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    def parts(self) -> list[np.ndarray]:
        """The vertices of each ring (views, not copies)."""
        return [self.coords[a:b] for a, b in zip(self.starts, self.ends, strict=True)]

    def transformed(self, affine: Affine) -> Rings:
        """The same rings with ``affine`` applied to every vertex."""
        return Rings(affine.apply(self.coords), self.starts)


@dataclass(frozen=True)
class Affine:
    """A view: ``pixel = coordinate * scale + (tx, ty)`` (no rotation, no flip)."""

    scale: float = 1.0
    tx: float = 0.0
    ty: float = 0.0

    def apply(self, xy: np.ndarray) -> np.ndarray:
        """Map an ``(N, 2)`` array."""
        out = np.asarray(xy, dtype=np.float64) * self.scale
        out[:, 0] += self.tx
        out[:, 1] += self.ty
        return out

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Map one point."""
        return x * self.scale + self.tx, y * self.scale + self.ty

    def inverse_point(self, px: float, py: float) -> tuple[float, float]:
        """The coordinates shown at pixel (px, py)."""
        return (px - self.tx) / self.scale, (py - self.ty) / self.scale

    def then(self, other: Affine) -> Affine:
        """This view followed by ``other``."""
        return Affine(
            self.scale * other.scale,
            self.tx * other.scale + other.tx,
            self.ty * other.scale + other.ty,
        )


IDENTITY = Affine()


def fit_view(
    bounds: tuple[float, float, float, float],
    width: float,
    height: float,
    *,
    margin: float = 0.03,
    reserve_left: float = 0.0,
) -> Affine:
    """The view that shows ``bounds`` whole and centred in ``width`` x ``height`` pixels.

    ``margin`` is added around the bounds (a fraction of their larger side);
    ``reserve_left`` pixels are kept free on the left (for a legend in the lower left corner)
    when the view is more than four times as wide. The offset is rounded to whole pixels,
    as a scrolled view places it.

    Examples
    --------
    >>> fit_view((0, 0, 100, 50), 200, 200, margin=0.0)
    Affine(scale=2.0, tx=0.0, ty=50.0)
    >>> fit_view((0, 0, 100, 50), 200, 200, margin=0.0, reserve_left=40)
    Affine(scale=1.6, tx=40.0, ty=60.0)
    """
    xmin, ymin, xmax, ymax = bounds
    pad = margin * max(xmax - xmin, ymax - ymin)
    x0, y0, x1, y1 = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    left = reserve_left if 0 < reserve_left and width > 4 * reserve_left else 0.0
    scale = min((width - left) / span_x, height / span_y)
    tx = round(left + (width - left) / 2 - (x0 + x1) / 2 * scale)
    ty = round(height / 2 - (y0 + y1) / 2 * scale)
    return Affine(scale, float(tx), float(ty))


def level_for_scale(pixels_per_metre: float) -> tuple[int, float]:
    """The level of detail for a zoom: its number and its cell size in metres (a power of 2)."""
    metres_per_pixel = 1.0 / max(pixels_per_metre, 1e-12)
    level = math.floor(math.log2(metres_per_pixel * LOD_PIXELS))
    return level, 2.0**level


def _oriented(polygons: np.ndarray) -> np.ndarray:
    """Exteriors with a negative shoelace area in scene coordinates (y down, so counter-
    clockwise as seen on screen), holes the other way. Either way would do for a winding
    fill; this one Qt's scan converter fills about a third faster."""
    orient = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient is not None:
        return np.asarray(orient(polygons, exterior_cw=True))
    from shapely.geometry.polygon import orient as orient_one

    return np.array(
        [
            orient_one(p, sign=-1.0) if p is not None and p.geom_type == "Polygon" else p
            for p in polygons
        ],
        dtype=object,
    )


def rings_of(geometries: Any) -> Rings:
    """The rings (polygons, oriented) or parts (lines) of shapely geometries, vectorised.

    Examples
    --------
    >>> r = rings_of(shapely.box(0, 0, 1, 1))
    >>> r.coords.shape, r.starts.tolist()
    ((5, 2), [0])
    """
    geoms = np.atleast_1d(np.asarray(geometries, dtype=object))
    geoms = geoms[~shapely.is_missing(geoms)]
    if geoms.size == 0:
        return Rings.empty()
    parts = shapely.get_parts(geoms)
    polygon = shapely.get_type_id(parts) == 3
    pieces = []
    if polygon.any():
        pieces.append(shapely.get_rings(_oriented(parts[polygon])))
    if (~polygon).any():
        pieces.append(parts[~polygon])
    pieces_arr = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    coords, index = shapely.get_coordinates(pieces_arr, return_index=True)
    if coords.shape[0] == 0:
        return Rings.empty()
    starts = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]])).astype(np.int64)
    return Rings(np.ascontiguousarray(coords, dtype=np.float64), starts)


class SceneTransform:
    """Longitude/latitude to scene coordinates and back (metres, y down, centred).

    Parameters
    ----------
    display_crs
        The projected CRS the map is drawn in.
    origin
        The projected point that becomes the scene's (0, 0).
    """

    def __init__(self, display_crs: CRS, origin: tuple[float, float]) -> None:
        from pyproj import Transformer

        WGS84 = _wgs84()
        self.display_crs = display_crs
        self.origin = origin
        self._forward = Transformer.from_crs(WGS84, display_crs, always_xy=True)
        self._inverse = Transformer.from_crs(display_crs, WGS84, always_xy=True)
        self._from: dict[str, Transformer] = {}

    @classmethod
    def for_bounds(
        cls, bounds_lonlat: tuple[float, float, float, float], override: str | None = None
    ) -> SceneTransform:
        """A transform centred on ``bounds_lonlat`` in its local UTM zone (or ``override``)."""
        from pyproj import Transformer

        from equityplanner.analysis.crs import local_projected_crs

        WGS84 = _wgs84()
        crs = local_projected_crs(bounds_lonlat, override)
        west, south, east, north = bounds_lonlat
        t = Transformer.from_crs(WGS84, crs, always_xy=True)
        x, y = t.transform((west + east) / 2, (south + north) / 2)
        return cls(crs, (float(x), float(y)))

    @property
    def crs_name(self) -> str:
        """The name of the display CRS (for the map's note)."""
        return str(self.display_crs.name)

    def xy_to_scene(self, xy: np.ndarray) -> np.ndarray:
        """Projected (n, 2) coordinates to scene coordinates."""
        out = np.empty_like(xy, dtype=float)
        out[:, 0] = xy[:, 0] - self.origin[0]
        out[:, 1] = self.origin[1] - xy[:, 1]
        return out

    def lonlat_to_scene(
        self, lon: np.ndarray | float, lat: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scene x, y of longitude/latitude arrays (or scalars)."""
        x, y = self._forward.transform(lon, lat)
        return np.asarray(x) - self.origin[0], self.origin[1] - np.asarray(y)

    def scene_to_lonlat(self, sx: float, sy: float) -> tuple[float, float]:
        """Longitude/latitude of a scene point."""
        lon, lat = self._inverse.transform(sx + self.origin[0], self.origin[1] - sy)
        return float(lon), float(lat)

    def geometry_to_scene(self, geometry: Any, crs: CRS | str | None = None) -> Any:
        """Shapely geometries (lon/lat, or ``crs``) to scene coordinates."""
        from pyproj import CRS, Transformer

        WGS84 = _wgs84()
        if crs is None or CRS.from_user_input(crs) == WGS84:
            transformer = self._forward
        else:
            key = CRS.from_user_input(crs).to_wkt()
            if key not in self._from:
                self._from[key] = Transformer.from_crs(
                    CRS.from_user_input(crs), self.display_crs, always_xy=True
                )
            transformer = self._from[key]

        def apply(xy: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return self.xy_to_scene(np.column_stack([x, y]))

        return shapely.transform(geometry, apply)

    def north_angle_deg(self) -> float:
        """Direction of true north at the scene's origin, clockwise from up, in degrees."""
        lon, lat = self.scene_to_lonlat(0.0, 0.0)
        x0, y0 = self.lonlat_to_scene(lon, lat)
        x1, y1 = self.lonlat_to_scene(lon, min(lat + 0.01, 89.99))
        return math.degrees(math.atan2(float(x1 - x0), float(y0 - y1)))


@dataclass
class LevelOfDetail:
    """Vertices kept at one tolerance, with the ring starts and the row of each vertex."""

    xy: np.ndarray  # (m, 2) scene coordinates
    first: np.ndarray  # (m,) True where a ring starts
    polygon: np.ndarray  # (m,) polygon (row) of each vertex

    def rings(self) -> Rings:
        """All kept rings (the outlines)."""
        return Rings.from_first(self.xy, self.first)


_BATCH = 20_000  # polygons flattened at a time on the loading thread (see _yield_gil)


def _yield_gil() -> None:
    """Let other threads run: shapely keeps the GIL while it makes geometry objects, and the
    app's window (its GUI thread) would wait for a whole 240,000-polygon layer."""
    time.sleep(0)


class LayerGeometry:
    """A polygon layer prepared for drawing and hit testing, in scene coordinates.

    Parameters
    ----------
    geometries
        Shapely polygons or multipolygons, one per row, in ``crs``.
    crs
        Their coordinate reference system.
    transform
        The scene transform; chosen from the layer's extent when None.
    """

    def __init__(
        self, geometries: np.ndarray, crs: CRS | str, transform: SceneTransform | None = None
    ) -> None:
        from pyproj import CRS, Transformer

        WGS84 = _wgs84()
        geometries = np.asarray(geometries, dtype=object)
        crs = CRS.from_user_input(crs)
        if transform is None:
            lonlat = Transformer.from_crs(crs, WGS84, always_xy=True)
            xmin, ymin, xmax, ymax = shapely.total_bounds(geometries)
            lon, lat = lonlat.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
            transform = SceneTransform.for_bounds((min(lon), min(lat), max(lon), max(lat)))
        self.transform = transform
        self.count = len(geometries)
        pieces = []
        for a in range(0, max(self.count, 1), _BATCH):
            batch = geometries[a : a + _BATCH]
            if crs == transform.display_crs:
                pieces.append(shapely.transform(batch, transform.xy_to_scene))
            else:
                pieces.append(transform.geometry_to_scene(batch, crs))
            _yield_gil()
        scene = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        self.geometries = np.asarray(scene, dtype=object)
        xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(self.geometries))
        self.bounds: tuple[float, float, float, float] = (xmin, ymin, xmax, ymax)
        self.areas_km2 = shapely.area(self.geometries) / 1e6
        area = float(np.nansum(self.areas_km2)) * 1e6
        self.mean_size_m = math.sqrt(area / max(self.count, 1))
        """Side of the mean polygon's square, metres: decides when outlines are worth drawing."""

        part_rows, ring_parts, coords, vertex_rings = [], [], [], []
        n_parts = n_rings = 0
        for a in range(0, max(self.count, 1), _BATCH):
            parts, part_row = shapely.get_parts(self.geometries[a : a + _BATCH], return_index=True)
            rings, ring_part = shapely.get_rings(_oriented(parts), return_index=True)
            xy_part, vertex_ring_part = shapely.get_coordinates(rings, return_index=True)
            part_rows.append(part_row + a)
            ring_parts.append(ring_part + n_parts)
            coords.append(xy_part)
            vertex_rings.append(vertex_ring_part + n_rings)
            n_parts += len(parts)
            n_rings += len(rings)
            _yield_gil()
        part_row = np.concatenate(part_rows)
        ring_part = np.concatenate(ring_parts)
        xy = np.concatenate(coords) if coords else np.empty((0, 2))
        vertex_ring = np.concatenate(vertex_rings)
        self.xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
        self.vertex_ring = vertex_ring.astype(np.int64)
        self.ring_row = part_row[ring_part].astype(np.int64)
        self.vertex_row = self.ring_row[self.vertex_ring]
        first = np.ones(len(xy), dtype=bool)
        first[1:] = vertex_ring[1:] != vertex_ring[:-1]
        self.vertex_first = first
        # A ring is exterior when it is the first ring of its part.
        ring_exterior = np.ones(n_rings, dtype=bool)
        ring_exterior[1:] = ring_part[1:] != ring_part[:-1]
        self.ring_exterior = ring_exterior
        self.vertex_count = len(xy)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of the polygons (built on first use: pictures need none)."""
        return shapely.STRtree(self.geometries)

    # Hit tests ---------------------------------------------------------------------------

    def row_at(self, x: float, y: float) -> int:
        """The row whose polygon contains scene point (x, y), or -1."""
        hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return int(hits.min()) if hits.size else -1

    def rows_in(self, xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
        """Rows whose bounding boxes meet the rectangle (sorted)."""
        return np.sort(self.tree.query(shapely.box(xmin, ymin, xmax, ymax)))

    def row_bounds(self, row: int) -> tuple[float, float, float, float]:
        """Scene bounds of one row's polygon."""
        xmin, ymin, xmax, ymax = (float(v) for v in shapely.bounds(self.geometries[row]))
        return xmin, ymin, xmax, ymax

    def row_outline(self, row: int) -> Rings:
        """Full-resolution rings of one row."""
        index = np.flatnonzero(self.vertex_row == row)
        return Rings.from_first(self.xy[index], self.vertex_first[index])

    # Level of detail ---------------------------------------------------------------------

    def level_of_detail(self, tolerance: float, rows: np.ndarray | None = None) -> LevelOfDetail:
        """Vertices to draw at ``tolerance`` metres per cell, for ``rows`` (all when None)."""
        if rows is None:
            index = np.arange(self.vertex_count)
        else:
            wanted = np.zeros(self.count, dtype=bool)
            wanted[rows] = True
            index = np.flatnonzero(wanted[self.vertex_row])
        if tolerance <= 0 or index.size == 0:
            return LevelOfDetail(self.xy[index], self.vertex_first[index], self.vertex_row[index])
        first = self.vertex_first[index]
        cells = np.floor(self.xy[index] / tolerance).astype(np.int64)
        keep = first.copy()
        keep[1:] |= (cells[1:] != cells[:-1]).any(axis=1)
        kept = index[keep]
        # Rings with fewer than 3 distinct cells collapse: exteriors become one cell square.
        ring = self.vertex_ring[kept]
        counts = np.bincount(ring, minlength=len(self.ring_exterior))
        ok = counts[ring] >= 4  # closed ring: first vertex repeated at the end
        small = np.unique(ring[~ok])
        small = small[self.ring_exterior[small]]
        # Snapped to cell centres, so that an edge shared by two polygons simplifies to the
        # same points from both sides and the fills meet without seams.
        xy = (cells[keep][ok] + 0.5) * tolerance
        first_out = self.vertex_first[kept[ok]]
        rows_out = self.vertex_row[kept[ok]]
        if small.size:
            starts = np.searchsorted(self.vertex_ring, small)
            corner = np.floor(self.xy[starts] / tolerance) * tolerance
            # Turning the same way as the oriented exteriors; left open (fills close rings,
            # and a cell-sized outline is not seen).
            square = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=float) * tolerance
            sq_xy = (corner[:, None, :] + square[None, :, :]).reshape(-1, 2)
            sq_first = np.zeros(len(sq_xy), dtype=bool)
            sq_first[::4] = True
            sq_rows = np.repeat(self.ring_row[small], 4)
            xy = np.concatenate([xy, sq_xy])
            first_out = np.concatenate([first_out, sq_first])
            rows_out = np.concatenate([rows_out, sq_rows])
        return LevelOfDetail(xy, first_out, rows_out)


def class_rings(lod: LevelOfDetail, classes: np.ndarray, k: int) -> dict[int, Rings]:
    """The rings of each class (``-1`` = no data) in a level of detail.

    ``classes`` gives each row's class in ``0..k-1`` or -1; classes without rings are left out.
    """
    vertex_class = np.asarray(classes, dtype=np.int64)[lod.polygon]
    out: dict[int, Rings] = {}
    order = np.argsort(vertex_class, kind="stable")  # one pass instead of a mask per class
    sorted_class = vertex_class[order]
    bounds = np.searchsorted(sorted_class, np.arange(-1, k + 1))
    for c, (a, b) in zip(range(-1, k), pairwise(bounds), strict=True):
        if b > a:
            sel = order[a:b]
            out[c] = Rings.from_first(lod.xy[sel], lod.first[sel])
    return out


def geometry_rings(transform: SceneTransform, geometry: BaseGeometry | None) -> Rings:
    """The scene rings of one lon/lat geometry (a catchment, an alignment, a site)."""
    if geometry is None or geometry.is_empty:
        return Rings.empty()
    return rings_of(transform.geometry_to_scene(geometry))
