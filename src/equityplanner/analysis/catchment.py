"""Catchments around projects and the share of each neighbourhood inside them.

The catchment of a project is the union of buffers around its stations or site, so that
overlapping buffers count once. Each neighbourhood's share is the area of its intersection
with the catchment over its own area (``allocate_total=False`` in tobler's terms: the part of a
neighbourhood outside the catchment is not pushed in). Only neighbourhoods near the catchment
are reprojected, so a national layer costs little more than a city.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from equityplanner.model.project import HousingProject, Parameters, Project

__all__ = ["CatchmentShares", "catchment_geometry", "catchment_shares", "to_crs"]

_QUAD_SEGS = 16  # 64 segments per circle: area within 0.2% of a true circle


@lru_cache(maxsize=64)
def _transformer(source: CRS, target: CRS) -> Transformer:
    # Building a transformer costs ~10 ms; an assessment needs the same few many times.
    return Transformer.from_crs(source, target, always_xy=True)


def to_crs(geoms: np.ndarray | BaseGeometry, source: CRS, target: CRS) -> np.ndarray:
    """Transform shapely geometries between CRSs (vectorised over coordinates)."""
    if source == target:
        return np.asarray(geoms)
    transformer = _transformer(source, target)
    moved: np.ndarray = shapely.transform(
        np.asarray(geoms), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    return moved


def catchment_geometry(
    projects: Sequence[Project], parameters: Parameters, local: CRS
) -> BaseGeometry:
    """The union of the buffers of ``projects`` in the local CRS."""
    wgs84 = CRS.from_epsg(4326)
    pieces = []
    for project in projects:
        radius = parameters.catchment_for(project)
        if isinstance(project, HousingProject):
            sources = [project.site]
        else:
            sources = [s.geometry for s in project.stations]
        local_geoms = to_crs(np.array(sources, dtype=object), wgs84, local)
        pieces.append(shapely.buffer(local_geoms, radius, quad_segs=_QUAD_SEGS))
    if not pieces:
        return shapely.Polygon()
    return shapely.union_all(np.concatenate(pieces))


@dataclass(frozen=True)
class CatchmentShares:
    """Which neighbourhoods touch a catchment and what share of each lies inside.

    ``index`` are row positions in the neighbourhood layer; ``share`` is in 0..1 and exactly
    1.0 for a neighbourhood wholly inside. ``covered_area_m2`` is the catchment area that
    falls on some neighbourhood; ``catchment_area_m2`` the whole catchment.
    """

    index: np.ndarray
    share: np.ndarray
    catchment_area_m2: float
    covered_area_m2: float

    @property
    def covered_fraction(self) -> float:
        """Share of the catchment's area that lies on the neighbourhood layer."""
        if self.catchment_area_m2 <= 0:
            return 0.0
        return self.covered_area_m2 / self.catchment_area_m2


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
    if catchment_local.is_empty:
        return CatchmentShares(np.array([], dtype=np.int64), np.array([]), 0.0, 0.0)
    # Find candidates in the layer's own CRS with a densified, slightly grown catchment
    # (curved edges after reprojection), then measure exactly in the local CRS.
    search = shapely.segmentize(catchment_local.buffer(1.0), 200.0)
    search_layer = to_crs(np.array([search], dtype=object), local, layer_crs)[0]
    candidates = tree.query(search_layer, predicate="intersects")
    candidates = np.sort(candidates)
    local_geoms = to_crs(geometries[candidates], layer_crs, local)
    shapely.prepare(catchment_local)
    own_area = shapely.area(local_geoms)
    inside = shapely.covers(catchment_local, local_geoms)
    partial = ~inside
    inter_area = own_area.copy()
    if partial.any():
        inter_area[partial] = shapely.area(
            shapely.intersection(local_geoms[partial], catchment_local)
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(own_area > 0, inter_area / own_area, 0.0)
    share = np.clip(share, 0.0, 1.0)
    share[inside] = 1.0
    keep = share > 0
    covered = float(inter_area[keep].sum())
    return CatchmentShares(
        index=candidates[keep].astype(np.int64),
        share=share[keep],
        catchment_area_m2=float(catchment_local.area),
        covered_area_m2=covered,
    )
