"""Catchments around projects and the share of each neighbourhood inside them.

The catchment of a project is the union of buffers around its stations or site, so that
overlapping buffers count once. Each neighbourhood's share is the area of its intersection
with the catchment over its own area (``allocate_total=False`` in tobler's terms: the part of a
neighbourhood outside the catchment is not pushed in). Only neighbourhoods near the catchment
are reprojected, so a national layer costs little more than a city. Many catchments (every
stop of a network) are measured together by :func:`catchment_shares_many`: one query of the
spatial index and one vectorised intersection for all of them.

Shares by population instead of area (a weights layer) are added by
:mod:`equityplanner.analysis.weights`; :mod:`equityplanner.analysis.apportion` puts the two
together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from equityplanner.model.project import HousingProject, Parameters, Project

__all__ = [
    "AreaPairs",
    "CatchmentShares",
    "Reprojected",
    "area_pairs",
    "catchment_geometry",
    "catchment_shares",
    "catchment_shares_many",
    "to_crs",
]

_QUAD_SEGS = 16  # 64 segments per circle: area within 0.2% of a true circle
_POINT = 0  # shapely's type id of a Point
_WGS84 = CRS.from_epsg(4326)  # the projects' coordinates (built once: ~60 us a time)
_SEARCH_SEGMENT_M = 200.0  # longest edge of a catchment reprojected to search the layer


_TRANSFORMERS: dict[tuple[object, object], Transformer] = {}


def _transformer(source: CRS, target: CRS) -> Transformer:
    """A transformer between two CRSs, built once (it costs ~10 ms; an assessment needs the
    same few many times). Remembered by the CRSs' definitions as given (``srs``): hashing a
    pyproj CRS writes its whole WKT, ~70 us a time."""
    key = (source.srs or source, target.srs or target)
    found = _TRANSFORMERS.get(key)
    if found is None:
        if len(_TRANSFORMERS) >= 64:
            _TRANSFORMERS.pop(next(iter(_TRANSFORMERS)))
        found = _TRANSFORMERS[key] = Transformer.from_crs(source, target, always_xy=True)
    return found


def to_crs(geoms: np.ndarray | BaseGeometry, source: CRS, target: CRS) -> np.ndarray:
    """Transform shapely geometries between CRSs (vectorised over coordinates)."""
    if source == target:
        return np.asarray(geoms)
    transformer = _transformer(source, target)
    moved: np.ndarray = shapely.transform(
        np.asarray(geoms), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    return moved


class Reprojected:
    """A layer's polygons in local CRSs, each polygon reprojected once, when first needed.

    An assessment measures its catchments in a local CRS (the projects' UTM zone); running it
    again, or other projects in the same area, reuses the polygons already reprojected. The
    two most recent local CRSs are kept.
    """

    def __init__(self, geometries: np.ndarray, crs: CRS) -> None:
        self.geometries = geometries
        self.crs = crs
        self._by_crs: dict[str, np.ndarray] = {}

    def get(self, rows: np.ndarray, local: CRS) -> np.ndarray:
        """The polygons ``rows`` in ``local`` (same order)."""
        key = local.srs or local.to_wkt()
        cache = self._by_crs.get(key)
        if cache is None:
            if len(self._by_crs) >= 2:
                self._by_crs.pop(next(iter(self._by_crs)))
            cache = self._by_crs[key] = np.full(len(self.geometries), None, dtype=object)
        todo = rows[shapely.is_missing(cache[rows])]
        if todo.size:
            cache[todo] = to_crs(self.geometries[todo], self.crs, local)
        found: np.ndarray = cache[rows]
        return found


def catchment_geometry(
    projects: Sequence[Project], parameters: Parameters, local: CRS
) -> BaseGeometry:
    """The union of the buffers of ``projects`` in the local CRS."""
    pieces = []
    for project in projects:
        radius = parameters.catchment_for(project)
        if isinstance(project, HousingProject):
            sources = [project.site]
        else:
            sources = [s.geometry for s in project.stations]
        local_geoms = to_crs(np.array(sources, dtype=object), _WGS84, local)
        # A multipoint's buffer is the union of its points' buffers, merged by GEOS as it
        # buffers (a third of the time of buffering each and uniting them).
        if len(local_geoms) > 1 and (shapely.get_type_id(local_geoms) == _POINT).all():
            together = shapely.multipoints(local_geoms[~shapely.is_empty(local_geoms)])
            pieces.append(np.array([shapely.buffer(together, radius, quad_segs=_QUAD_SEGS)]))
        else:
            pieces.append(shapely.buffer(local_geoms, radius, quad_segs=_QUAD_SEGS))
    if not pieces:
        return shapely.Polygon()
    merged = np.concatenate(pieces)
    return merged[0] if len(merged) == 1 else shapely.union_all(merged)


@dataclass(frozen=True)
class CatchmentShares:
    """Which neighbourhoods touch a catchment and what share of each lies inside.

    ``index`` are row positions in the neighbourhood layer (ascending); ``share`` is in 0..1
    and exactly 1.0 for a neighbourhood wholly inside. ``covered_area_m2`` is the catchment
    area that falls on some neighbourhood; ``catchment_area_m2`` the whole catchment.

    With a weights layer (:mod:`equityplanner.analysis.weights`) ``share`` is the share of each
    neighbourhood's weight inside, where it has any (``by_population``), else its area share;
    ``area_share`` keeps the area shares, ``weight_inside`` and ``weight_total`` each
    neighbourhood's weight inside and in all, ``weight_in_catchment`` every weight inside the
    catchment (also in no neighbourhood: ``unassigned_weight`` from ``unassigned_points``).
    Without weights these are None, NaN and 0.
    """

    index: np.ndarray
    share: np.ndarray
    catchment_area_m2: float
    covered_area_m2: float
    area_share: np.ndarray | None = None
    by_population: np.ndarray | None = None
    weight_inside: np.ndarray | None = None
    weight_total: np.ndarray | None = None
    weight_in_catchment: float = float("nan")
    unassigned_weight: float = 0.0
    unassigned_points: int = 0

    @property
    def covered_fraction(self) -> float:
        """Share of the catchment's area that lies on the neighbourhood layer."""
        if self.catchment_area_m2 <= 0:
            return 0.0
        return self.covered_area_m2 / self.catchment_area_m2

    @property
    def area_shares(self) -> np.ndarray:
        """The area share of each row (``share`` itself when apportioned by area)."""
        return self.share if self.area_share is None else self.area_share

    @property
    def weighted(self) -> bool:
        """True when a weights layer was used (for some or all of the rows)."""
        return self.by_population is not None

    @property
    def method(self) -> str:
        """``"area"``, ``"population"`` or, when some rows fell back to area, ``"population and area"``."""
        if self.by_population is None or not self.by_population.any():
            return "area"
        return "population" if self.by_population.all() else "population and area"

    @property
    def fallback_rows(self) -> int:
        """Rows apportioned by area although weights were given (they have no weight)."""
        return 0 if self.by_population is None else int((~self.by_population).sum())

    def dense(self, size: int) -> np.ndarray:
        """The shares as a full-length vector over ``size`` rows (0 outside)."""
        out = np.zeros(size)
        out[self.index] = self.share
        return out


_EMPTY = CatchmentShares(np.array([], dtype=np.int64), np.array([]), 0.0, 0.0)


def catchment_shares(
    geometries: np.ndarray,
    tree: shapely.STRtree,
    layer_crs: CRS,
    catchment_local: BaseGeometry,
    local: CRS,
) -> CatchmentShares:
    """Area share of every neighbourhood inside ``catchment_local``.

    Parameters
    ----------
    geometries
        Neighbourhood polygons in ``layer_crs`` (the tree was built on them).
    tree
        ``shapely.STRtree(geometries)``, built once per layer.
    catchment_local
        The catchment in the local projected CRS ``local``.
    """
    return catchment_shares_many(geometries, tree, layer_crs, [catchment_local], local)[0]


def catchment_shares_many(
    geometries: np.ndarray,
    tree: shapely.STRtree,
    layer_crs: CRS,
    catchments_local: Sequence[BaseGeometry] | np.ndarray,
    local: CRS,
) -> list[CatchmentShares]:
    """Area shares for many catchments at once: one tree query, one vectorised intersection.

    Each catchment is measured on its own (overlapping catchments are not merged); the result
    for each is what :func:`catchment_shares` gives for it alone.

    Parameters
    ----------
    geometries, tree, layer_crs
        As for :func:`catchment_shares`.
    catchments_local
        The catchments (polygons) in the local projected CRS ``local``.
    """
    catchments = np.asarray(list(catchments_local), dtype=object)
    pairs = area_pairs(geometries, tree, layer_crs, catchments, local)
    return pairs.split()


@dataclass(frozen=True)
class AreaPairs:
    """Area shares of (catchment, neighbourhood) pairs, sorted by catchment then row.

    ``inside`` marks neighbourhoods wholly inside their catchment; ``catchment_area_m2`` and
    ``covered_area_m2`` have one value per catchment.
    """

    catchment: np.ndarray
    row: np.ndarray
    share: np.ndarray
    inside: np.ndarray
    catchment_area_m2: np.ndarray
    covered_area_m2: np.ndarray

    def bounds(self) -> np.ndarray:
        """Where each catchment's pairs start and end in the arrays (n + 1 offsets)."""
        return np.searchsorted(self.catchment, np.arange(len(self.catchment_area_m2) + 1))

    def split(self) -> list[CatchmentShares]:
        """One :class:`CatchmentShares` per catchment (by area)."""
        edges = self.bounds()
        out = []
        for n in range(len(self.catchment_area_m2)):
            part = slice(edges[n], edges[n + 1])
            if self.catchment_area_m2[n] <= 0 and edges[n] == edges[n + 1]:
                out.append(_EMPTY)
                continue
            out.append(
                CatchmentShares(
                    index=self.row[part].astype(np.int64),
                    share=self.share[part],
                    catchment_area_m2=float(self.catchment_area_m2[n]),
                    covered_area_m2=float(self.covered_area_m2[n]),
                )
            )
        return out


def area_pairs(
    geometries: np.ndarray,
    tree: shapely.STRtree,
    layer_crs: CRS,
    catchments: np.ndarray,
    local: CRS,
    reprojected: Reprojected | None = None,
    query: Callable[[np.ndarray], np.ndarray] | None = None,
) -> AreaPairs:
    """Area share of every neighbourhood touching each catchment (see :func:`catchment_shares`).

    ``reprojected`` keeps the layer's polygons once reprojected to ``local`` (the same
    numbers, without reprojecting them again). ``query`` finds the ``(2, n)`` pairs of
    catchment and neighbourhood that intersect (default: the tree's ``intersects`` query); a
    layer whose validity is checked when used passes its own
    (:meth:`~equityplanner.analysis.baseline.LayerIndex.query`), which checks the candidates.
    """
    count = len(catchments)
    empty = shapely.is_missing(catchments) | shapely.is_empty(catchments)
    live = np.flatnonzero(~empty)
    areas = np.zeros(count)
    areas[live] = shapely.area(catchments[live])
    no_pairs = np.zeros(0, dtype=np.int64)
    if live.size == 0:
        return AreaPairs(
            no_pairs, no_pairs, np.zeros(0), np.zeros(0, dtype=bool), areas, np.zeros(count)
        )
    # Find candidates in the layer's own CRS with densified catchments, then measure exactly
    # in the local CRS. A straight edge of at most 200 m bends by far less than a millimetre
    # when reprojected, so no neighbourhood overlapping a catchment is missed.
    search_layer = to_crs(shapely.segmentize(catchments[live], _SEARCH_SEGMENT_M), local, layer_crs)
    if query is None:
        which, candidates = tree.query(search_layer, predicate="intersects")
    else:
        which, candidates = query(search_layer)
    which = live[which]
    order = np.lexsort((candidates, which))
    which, candidates = which[order], candidates[order]
    rows, slot = np.unique(candidates, return_inverse=True)
    if reprojected is None:
        local_rows = to_crs(geometries[rows], layer_crs, local)
    else:
        local_rows = reprojected.get(rows, local)
    local_geoms = local_rows[slot]
    own_area = shapely.area(local_rows)[slot]
    shapely.prepare(catchments[live])
    inside = shapely.covers(catchments[which], local_geoms)
    partial = ~inside
    inter_area = own_area.copy()
    if partial.any():
        inter_area[partial] = _intersection_areas(local_geoms[partial], catchments[which[partial]])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(own_area > 0, inter_area / own_area, 0.0)
    share = np.clip(share, 0.0, 1.0)
    share[inside] = 1.0
    keep = share > 0
    covered = np.bincount(which[keep], weights=inter_area[keep], minlength=count)
    return AreaPairs(
        catchment=which[keep].astype(np.int64),
        row=candidates[keep].astype(np.int64),
        share=share[keep],
        inside=inside[keep],
        catchment_area_m2=areas,
        covered_area_m2=covered,
    )


# A catchment with more vertices than this is first clipped to each neighbourhood's bounding
# box: GEOS's rectangle clip is linear and the overlay that follows sees a small piece, not
# the whole outline (on a 30-station line, 827 vertices, the areas cost a half of the plain
# intersection). Small catchments (one stop's circle) gain nothing from it.
_CLIP_ABOVE_VERTICES = 200


def _intersection_areas(parts: np.ndarray, catchments: np.ndarray) -> np.ndarray:
    """The area of each ``parts[i] ∩ catchments[i]`` (polygons in one projected CRS)."""
    detailed = shapely.get_num_coordinates(catchments) > _CLIP_ABOVE_VERTICES
    others = catchments
    if detailed.any():
        others = catchments.copy()
        bounds = shapely.bounds(parts[detailed])
        clipped = np.array(
            [
                shapely.clip_by_rect(c, *box)
                for c, box in zip(catchments[detailed], bounds.tolist(), strict=True)
            ],
            dtype=object,
        )
        # The clip is fast but may leave an invalid piece where outlines run along the box's
        # edge; such a pair is measured against the whole catchment instead.
        usable = shapely.is_valid(clipped)
        slots = np.flatnonzero(detailed)[usable]
        others[slots] = clipped[usable]
    areas: np.ndarray = shapely.area(shapely.intersection(parts, others))
    return areas
