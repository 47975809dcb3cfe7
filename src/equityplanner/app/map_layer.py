"""Qt-free geometry for the map canvas: projection, flat vertex arrays, level of detail, hit tests.

The canvas draws a neighbourhood layer as one path per class. Building those paths must not
loop over vertices in Python, so the layer is flattened once into numpy arrays
(``shapely.get_parts`` / ``get_rings`` / ``get_coordinates``): a vertex table with the polygon
and ring each vertex belongs to. A level of detail is a grid snap of that table: vertices
falling in the same cell of ``tolerance`` metres as their predecessor are dropped, and rings
that collapse below three vertices become one cell-sized square, so dense layers keep their
colour when zoomed out. :func:`pack_path` encodes the result in the binary form of a
``QPainterPath`` (read with ``QDataStream``), still without a Python loop.

Scene coordinates are metres in a local projected CRS, relative to the layer's centre, with
``y`` pointing down (as in Qt's scene). Hover and click use a ``shapely.STRtree`` on the
scene polygons.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from equityplanner.analysis.crs import local_projected_crs

__all__ = ["LayerGeometry", "SceneTransform", "pack_path"]

_WGS84 = CRS.from_epsg(4326)
# One QPainterPath element in QDataStream form (little endian): int32 type, float64 x, float64 y.
_ELEMENT = np.dtype([("type", "<i4"), ("x", "<f8"), ("y", "<f8")])
MOVE_TO, LINE_TO = 0, 1


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
        self.display_crs = display_crs
        self.origin = origin
        self._forward = Transformer.from_crs(_WGS84, display_crs, always_xy=True)
        self._inverse = Transformer.from_crs(display_crs, _WGS84, always_xy=True)
        self._from: dict[str, Transformer] = {}

    @classmethod
    def for_bounds(
        cls, bounds_lonlat: tuple[float, float, float, float], override: str | None = None
    ) -> SceneTransform:
        """A transform centred on ``bounds_lonlat`` in its local UTM zone (or ``override``)."""
        crs = local_projected_crs(bounds_lonlat, override)
        west, south, east, north = bounds_lonlat
        t = Transformer.from_crs(_WGS84, crs, always_xy=True)
        x, y = t.transform((west + east) / 2, (south + north) / 2)
        return cls(crs, (float(x), float(y)))

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

    def geometry_to_scene(
        self, geometry: BaseGeometry | np.ndarray, crs: CRS | None = None
    ) -> BaseGeometry | np.ndarray:
        """Shapely geometries (lon/lat, or ``crs``) to scene coordinates."""
        if crs is None or CRS.from_user_input(crs) == _WGS84:
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


@dataclass
class LevelOfDetail:
    """Vertices kept at one tolerance: indices into the layer's vertex table, plus squares."""

    xy: np.ndarray  # (m, 2) scene coordinates
    first: np.ndarray  # (m,) True where a ring starts
    polygon: np.ndarray  # (m,) polygon (row) of each vertex


class LayerGeometry:
    """A polygon layer prepared for drawing and hit testing.

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
        geometries = np.asarray(geometries, dtype=object)
        crs = CRS.from_user_input(crs)
        if transform is None:
            lonlat = Transformer.from_crs(crs, _WGS84, always_xy=True)
            xmin, ymin, xmax, ymax = shapely.total_bounds(geometries)
            lon, lat = lonlat.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
            transform = SceneTransform.for_bounds((min(lon), min(lat), max(lon), max(lat)))
        self.transform = transform
        self.count = len(geometries)
        if crs == transform.display_crs:
            scene = shapely.transform(geometries, transform.xy_to_scene)
        else:
            scene = transform.geometry_to_scene(geometries, crs)
        self.geometries = np.asarray(scene, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self.bounds = tuple(float(v) for v in shapely.total_bounds(self.geometries))
        self.areas_km2 = shapely.area(self.geometries) / 1e6

        parts, part_row = shapely.get_parts(self.geometries, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        xy, vertex_ring = shapely.get_coordinates(rings, return_index=True)
        self.xy = np.ascontiguousarray(xy, dtype=float)
        self.vertex_ring = vertex_ring.astype(np.int64)
        self.ring_row = part_row[ring_part].astype(np.int64)
        self.vertex_row = self.ring_row[self.vertex_ring]
        first = np.ones(len(xy), dtype=bool)
        first[1:] = vertex_ring[1:] != vertex_ring[:-1]
        self.vertex_first = first
        # A ring is exterior when it is the first ring of its part.
        ring_exterior = np.ones(len(rings), dtype=bool)
        ring_exterior[1:] = ring_part[1:] != ring_part[:-1]
        self.ring_exterior = ring_exterior
        self.vertex_count = len(xy)
        self._rows_cache: tuple[bytes, np.ndarray] | None = None

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
        return tuple(float(v) for v in shapely.bounds(self.geometries[row]))

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
            square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float) * tolerance
            sq_xy = (corner[:, None, :] + square[None, :, :]).reshape(-1, 2)
            sq_first = np.zeros(len(sq_xy), dtype=bool)
            sq_first[::4] = True
            sq_rows = np.repeat(self.ring_row[small], 4)
            xy = np.concatenate([xy, sq_xy])
            first_out = np.concatenate([first_out, sq_first])
            rows_out = np.concatenate([rows_out, sq_rows])
        return LevelOfDetail(xy, first_out, rows_out)

    def row_outline(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution vertices (xy, first) of one row's rings."""
        index = np.flatnonzero(self.vertex_row == row)
        return self.xy[index], self.vertex_first[index]


def class_paths(lod: LevelOfDetail, classes: np.ndarray, k: int) -> dict[int, bytes]:
    """Packed paths per class (``-1`` = no data) for the vertices of a level of detail.

    ``classes`` gives each row's class in ``0..k-1`` or -1.
    """
    vertex_class = classes[lod.polygon]
    out: dict[int, bytes] = {}
    order = np.argsort(vertex_class, kind="stable")  # one pass instead of a mask per class
    sorted_class = vertex_class[order]
    bounds = np.searchsorted(sorted_class, np.arange(-1, k + 1))
    for c, (a, b) in zip(range(-1, k), pairwise(bounds), strict=True):
        if b > a:
            sel = order[a:b]
            out[c] = pack_path(lod.xy[sel], lod.first[sel])
    return out


def pack_path(xy: np.ndarray, first: np.ndarray) -> bytes:
    """Encode vertices as a QPainterPath in QDataStream form (little endian, odd-even fill).

    ``first`` marks the vertices that start a ring (a move-to); the others are line-tos.
    Rings are closed by their last vertex repeating the first, as shapely returns them.
    """
    n = len(xy)
    elements = np.empty(n, dtype=_ELEMENT)
    elements["type"] = np.where(first, MOVE_TO, LINE_TO)
    if n:
        elements["type"][0] = MOVE_TO
    elements["x"] = xy[:, 0] if n else []
    elements["y"] = xy[:, 1] if n else []
    last_move = int(np.flatnonzero(first)[-1]) if n and first.any() else 0
    header = np.array([n], dtype="<i4").tobytes()
    tail = np.array([last_move, 0], dtype="<i4").tobytes()  # cStart, Qt::OddEvenFill
    return header + elements.tobytes() + tail


def lines_to_pack(geometry: BaseGeometry) -> bytes:
    """A line or polygon's rings/parts as a packed path (for alignments and catchments)."""
    parts = shapely.get_parts(geometry)
    if parts.size == 0:
        return pack_path(np.empty((0, 2)), np.empty(0, dtype=bool))
    rings: list[BaseGeometry] = []
    for part in parts:
        if part.geom_type == "Polygon":
            rings.extend(shapely.get_rings(part))
        else:
            rings.append(part)
    xy, index = shapely.get_coordinates(np.array(rings, dtype=object), return_index=True)
    first = np.ones(len(xy), dtype=bool)
    first[1:] = index[1:] != index[:-1]
    return pack_path(xy, first)
