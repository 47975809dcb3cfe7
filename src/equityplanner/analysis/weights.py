"""Population-weighted apportionment: where each neighbourhood's people live, from a weights layer.

A neighbourhood's share in a catchment is the share of its weight (block population, dwelling
units...) whose points lie inside the catchment, instead of the share of its area. The weights
are read by :mod:`equityplanner.io.weights`; this module indexes them and answers, for one or
many catchments at once, how much weight of each nearby neighbourhood lies inside.

Three objects, each built once and reused:

* :class:`PointGrid` sorts the points into a uniform grid, so that the points of any box are a
  few contiguous slices (no per-point Python objects: 5 million points cost 3 arrays).
* :class:`WeightIndex` is the grid of one weights layer (cached per weights object).
* :class:`LayerWeights` ties a weights layer to a neighbourhood layer: which neighbourhood each
  point lies in and each neighbourhood's weight total. Both are found lazily, only for the
  points and neighbourhoods near the catchments asked about, and remembered; so the first
  assessment of a city on a national weights layer touches only that city's points.

A point lies in the neighbourhood whose polygon contains it (on a shared edge, the first such
neighbourhood of the layer), as tidycensus ``interpolate_pw`` and EJAM join block points.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

from equityplanner.analysis.caching import IdentityCache
from equityplanner.analysis.catchment import AreaPairs, CatchmentShares, to_crs
from equityplanner.io.weights import WeightPoints, read_weights
from equityplanner.model.project import ProjectDocument, WeightsSource

__all__ = [
    "LayerWeights",
    "PointGrid",
    "WeightIndex",
    "layer_weights",
    "load_weights",
    "population_shares",
    "weight_index",
]

_PER_CELL = 8  # points per grid cell on average
_EDGE_STEPS = 16  # a box's edges are cut in this many pieces before it is reprojected


class PointGrid:
    """A uniform grid over points: the points inside any box are a few slices of sorted arrays.

    ``x`` and ``y`` are kept in grid order; :attr:`order` maps grid positions back to the
    original point positions.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, per_cell: int = _PER_CELL) -> None:
        n = len(x)
        if n == 0:
            self.x0 = self.y0 = self.x1 = self.y1 = 0.0
            self.cell = 1.0
            self.nx = self.ny = 1
            self.order = np.zeros(0, dtype=np.int64)
            self.x = np.zeros(0)
            self.y = np.zeros(0)
            self.starts = np.zeros(2, dtype=np.int64)
            return
        self.x0, self.y0 = float(x.min()), float(y.min())
        self.x1, self.y1 = float(x.max()), float(y.max())
        width, height = self.x1 - self.x0, self.y1 - self.y0
        cells = max(1, n // per_cell)
        area = width * height
        if area > 0:
            cell = math.sqrt(area / cells)
        else:  # points on a line or a single spot
            cell = max(width, height) / cells
        self.cell = cell if cell > 0 else 1.0
        self.nx = int(width // self.cell) + 1
        self.ny = int(height // self.cell) + 1
        key = self._row(y) * self.nx + self._column(x)
        self.order = np.argsort(key, kind="stable")
        self.x = x[self.order]
        self.y = y[self.order]
        self.starts = np.searchsorted(key[self.order], np.arange(self.nx * self.ny + 1))

    def __len__(self) -> int:
        return len(self.x)

    def _column(self, x: np.ndarray) -> np.ndarray:
        cols: np.ndarray = np.clip(np.floor((x - self.x0) / self.cell), 0, self.nx - 1)
        return cols.astype(np.int64)

    def _row(self, y: np.ndarray) -> np.ndarray:
        rows: np.ndarray = np.clip(np.floor((y - self.y0) / self.cell), 0, self.ny - 1)
        return rows.astype(np.int64)

    def query(self, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points inside each box, for many boxes at once.

        Parameters
        ----------
        bounds
            ``(n, 4)`` array of ``(xmin, ymin, xmax, ymax)``, edges included.

        Returns
        -------
        (which, position)
            For each point found, the box it is in (0..n-1) and its grid position; a point in
            two boxes appears twice.
        """
        bounds = np.asarray(bounds, dtype=np.float64).reshape(-1, 4)
        empty = np.zeros(0, dtype=np.int64)
        if len(self.x) == 0 or len(bounds) == 0:
            return empty, empty
        xmin, ymin, xmax, ymax = bounds.T
        hit = (xmax >= self.x0) & (ymax >= self.y0) & (xmin <= self.x1) & (ymin <= self.y1)
        boxes = np.flatnonzero(hit & (xmax >= xmin) & (ymax >= ymin))
        if boxes.size == 0:
            return empty, empty
        c0, c1 = self._column(xmin[boxes]), self._column(xmax[boxes])
        r0, r1 = self._row(ymin[boxes]), self._row(ymax[boxes])
        # One slice per box and grid row: the cells c0..c1 of a row are contiguous.
        rows_per_box = r1 - r0 + 1
        box = np.repeat(np.arange(boxes.size), rows_per_box)
        first = np.cumsum(rows_per_box) - rows_per_box
        row = r0[box] + (np.arange(box.size) - first[box])
        start = self.starts[row * self.nx + c0[box]]
        stop = self.starts[row * self.nx + c1[box] + 1]
        length = stop - start
        which = np.repeat(box, length)
        offset = np.cumsum(length) - length
        position = np.repeat(start - offset, length) + np.arange(int(length.sum()))
        inside = (
            (self.x[position] >= xmin[boxes][which])
            & (self.x[position] <= xmax[boxes][which])
            & (self.y[position] >= ymin[boxes][which])
            & (self.y[position] <= ymax[boxes][which])
        )
        return boxes[which[inside]], position[inside]


@dataclass(eq=False)
class WeightIndex:
    """A weights layer sorted into a grid, in the weights' own CRS.

    ``count`` is in grid order (as :attr:`PointGrid.x`).
    """

    grid: PointGrid
    count: np.ndarray
    crs: CRS
    description: str
    count_column: str

    @classmethod
    def build(cls, weights: WeightPoints) -> WeightIndex:
        """Index ``weights`` (a sort of the points; about 1 s for 5 million)."""
        grid = PointGrid(
            np.asarray(weights.x, dtype=np.float64), np.asarray(weights.y, dtype=np.float64)
        )
        return cls(
            grid=grid,
            count=np.asarray(weights.count, dtype=np.float64)[grid.order],
            crs=weights.crs,
            description=weights.description,
            count_column=weights.count_column,
        )

    def __len__(self) -> int:
        return len(self.count)

    def points_in_boxes(self, bounds: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`PointGrid.query` for boxes given in ``crs`` (reprojected, slightly grown)."""
        return self.grid.query(_boxes_in(np.asarray(bounds, dtype=np.float64), crs, self.crs))


class LayerWeights:
    """A weights layer seen from one neighbourhood layer: each point's neighbourhood and each
    neighbourhood's weight total, found when first needed and remembered.

    Parameters
    ----------
    index
        The weights.
    geometries, tree, crs
        The neighbourhood polygons, their ``STRtree`` and CRS (never changed afterwards).
    """

    def __init__(
        self, index: WeightIndex, geometries: np.ndarray, tree: shapely.STRtree, crs: CRS
    ) -> None:
        self.index = index
        self.geometries = geometries
        self.tree = tree
        self.crs = crs
        self._owner = np.full(len(index), -2, dtype=np.int64)  # -2 unknown, -1 none
        self._total = np.full(len(geometries), np.nan)

    @property
    def count(self) -> np.ndarray:
        """Weight per point, in grid order."""
        return self.index.count

    def owners(self, positions: np.ndarray) -> np.ndarray:
        """The neighbourhood row of each point (grid positions); -1 for a point in none."""
        positions = np.asarray(positions, dtype=np.int64)
        unknown = np.unique(positions[self._owner[positions] == -2])
        if unknown.size:
            grid = self.index.grid
            xy = to_crs(shapely.points(grid.x[unknown], grid.y[unknown]), self.index.crs, self.crs)
            point, row = self.tree.query(xy, predicate="intersects")
            owner = np.full(unknown.size, -1, dtype=np.int64)
            if point.size:
                # On a shared edge a point touches two polygons: the first row takes it.
                order = np.lexsort((row, point))
                point, row = point[order], row[order]
                first = np.ones(point.size, dtype=bool)
                first[1:] = point[1:] != point[:-1]
                owner[point[first]] = row[first]
            self._owner[unknown] = owner
        owners: np.ndarray = self._owner[positions]
        return owners

    def totals(self, rows: np.ndarray) -> np.ndarray:
        """The weight total of each neighbourhood row (0.0 for a neighbourhood with none)."""
        rows = np.asarray(rows, dtype=np.int64)
        need = np.unique(rows[np.isnan(self._total[rows])])
        if need.size:
            bounds = shapely.bounds(self.geometries[need])
            _, positions = self.index.points_in_boxes(bounds, self.crs)
            positions = np.unique(positions)
            owner = self.owners(positions)
            mine = np.isin(owner, need)
            slot = np.searchsorted(need, owner[mine])
            self._total[need] = np.bincount(
                slot, weights=self.count[positions[mine]], minlength=need.size
            )
        totals: np.ndarray = self._total[rows]
        return totals

    def inside(self, catchments: np.ndarray, local: CRS) -> tuple[np.ndarray, np.ndarray]:
        """The points inside each catchment (edges included), for many catchments at once.

        Parameters
        ----------
        catchments
            Polygons in the local projected CRS ``local``.

        Returns
        -------
        (which, position)
            The catchment (0..n-1) and the grid position of every point inside one.
        """
        catchments = np.asarray(catchments, dtype=object)
        if len(catchments) == 0 or len(self.index) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        which, position = self.index.points_in_boxes(shapely.bounds(catchments), local)
        grid = self.index.grid
        moved = to_crs(shapely.points(grid.x[position], grid.y[position]), self.index.crs, local)
        xy = shapely.get_coordinates(moved)
        shapely.prepare(catchments)
        hit = shapely.intersects_xy(catchments[which], xy[:, 0], xy[:, 1])
        return which[hit], position[hit]


def population_shares(
    pairs: AreaPairs, weights: LayerWeights, catchments: np.ndarray, local: CRS
) -> list[CatchmentShares]:
    """Each catchment's shares by population, from its area shares and a weights layer.

    A neighbourhood's share is its weight inside the catchment over its weight in all; one
    with no weight keeps its area share (``by_population`` False). Weight inside the
    catchment that lies in no neighbourhood is counted in ``unassigned_weight``.

    Parameters
    ----------
    pairs
        The catchments' area shares (:func:`~equityplanner.analysis.catchment.area_pairs`).
    weights
        The weights on the same neighbourhood layer.
    catchments
        The catchments in the local projected CRS ``local``, as given to ``area_pairs``.
    """
    count = len(catchments)
    n_rows = len(weights.geometries)
    which, position = weights.inside(catchments, local)
    owner = weights.owners(position)
    people = weights.count[position]
    in_catchment = np.bincount(which, weights=people, minlength=count)
    lost = owner < 0
    unassigned = np.bincount(which[lost], weights=people[lost], minlength=count)
    unassigned_points = np.bincount(which[lost], minlength=count)
    found = ~lost
    weight_keys, slot = np.unique(which[found] * n_rows + owner[found], return_inverse=True)
    weight_sums = np.bincount(slot, weights=people[found], minlength=weight_keys.size)
    area_keys = pairs.catchment * n_rows + pairs.row
    # Sorted by catchment, then row; a row with weight inside but no area there is kept.
    keys = np.union1d(area_keys, weight_keys)
    catchment, row = keys // n_rows, keys % n_rows
    area_share = np.zeros(keys.size)
    inside = np.zeros(keys.size, dtype=bool)
    at = np.searchsorted(keys, area_keys)
    area_share[at] = pairs.share
    inside[at] = pairs.inside
    weight_inside = np.zeros(keys.size)
    weight_inside[np.searchsorted(keys, weight_keys)] = weight_sums
    total = weights.totals(row)
    by_population = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            by_population, weight_inside / np.where(by_population, total, 1.0), area_share
        )
    share = np.clip(np.where(inside & by_population, 1.0, share), 0.0, 1.0)
    edges = np.searchsorted(catchment, np.arange(count + 1))
    out = []
    for n in range(count):
        part = slice(edges[n], edges[n + 1])
        out.append(
            CatchmentShares(
                index=row[part],
                share=share[part],
                catchment_area_m2=float(pairs.catchment_area_m2[n]),
                covered_area_m2=float(pairs.covered_area_m2[n]),
                area_share=area_share[part],
                by_population=by_population[part],
                weight_inside=weight_inside[part],
                weight_total=total[part],
                weight_in_catchment=float(in_catchment[n]),
                unassigned_weight=float(unassigned[n]),
                unassigned_points=int(unassigned_points[n]),
            )
        )
    return out


def _boxes_in(bounds: np.ndarray, source: CRS, target: CRS) -> np.ndarray:
    """Boxes reprojected as the bounds of their densified outlines, grown by 1e-6 of their size."""
    if source == target or len(bounds) == 0:
        return bounds
    boxes = shapely.box(*bounds.T)
    size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    dense = shapely.segmentize(boxes, np.maximum(size / _EDGE_STEPS, 1e-9))
    moved = shapely.bounds(to_crs(dense, source, target))
    span = np.maximum(moved[:, 2] - moved[:, 0], moved[:, 3] - moved[:, 1])
    pad = np.maximum(span * 1e-6, 1e-9)[:, None]
    grown: np.ndarray = moved + np.hstack([-pad, -pad, pad, pad])
    return grown


# --- caches ----------------------------------------------------------------------------------

_INDEXES: IdentityCache[WeightPoints, WeightIndex] = IdentityCache(4)
_LAYERS: IdentityCache[WeightIndex, dict[int, tuple[weakref.ref[object], LayerWeights]]] = (
    IdentityCache(4)
)


def weight_index(weights: WeightPoints) -> WeightIndex:
    """The grid of ``weights``, built once per weights object."""
    return _INDEXES.get(weights, lambda: WeightIndex.build(weights))


def layer_weights(
    weights: WeightPoints,
    layer: object,
    geometries: np.ndarray,
    tree: shapely.STRtree,
    crs: CRS,
) -> LayerWeights:
    """The :class:`LayerWeights` of ``weights`` on a neighbourhood layer, kept per layer object.

    ``layer`` identifies the neighbourhood layer (its prepared index, which lives as long as
    the layer is in use); what is learnt about it (points' neighbourhoods, totals) is kept.
    """
    index = weight_index(weights)
    per_layer = _LAYERS.get(index, dict)
    found = per_layer.get(id(layer))
    if found is not None and found[0]() is layer:
        return found[1]
    for stale in [k for k, (ref, _) in per_layer.items() if ref() is None]:
        del per_layer[stale]
    made = LayerWeights(index, geometries, tree, crs)
    per_layer[id(layer)] = (weakref.ref(layer), made)
    return made


# --- reading a project's weights once per version of the files -------------------------------

_READ: dict[tuple[object, ...], WeightPoints] = {}


def load_weights(document: ProjectDocument) -> WeightPoints | None:
    """The weights layer a project file refers to (None without one).

    Read once per version of its files (path, modification time and size) and options, so
    that re-running an assessment in the app does not read a state's blocks again.
    """
    source = document.weights
    if source is None:
        return None
    path = document.resolve(source.path)
    table = document.resolve(source.table) if source.table else None
    key = (_file_version(path), _file_version(table), source)
    found = _READ.get(key)
    if found is None:
        found = _read(path, table, source)
        if len(_READ) >= 2:
            _READ.pop(next(iter(_READ)))
        _READ[key] = found
    return found


def _read(path: Path, table: Path | None, source: WeightsSource) -> WeightPoints:
    return read_weights(
        path,
        count_column=source.count_column,
        id_column=source.id_column,
        layer=source.layer,
        table=table,
        table_id_column=source.table_id_column,
    )


def _file_version(path: Path | None) -> tuple[str, int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return (str(path), 0, 0)  # read_weights names the missing file
    return (str(path), stat.st_mtime_ns, stat.st_size)
