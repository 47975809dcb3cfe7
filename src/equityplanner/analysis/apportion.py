"""Apportion neighbourhood counts to catchments, one or many at once, by area or by population.

:func:`measure` is what an assessment uses: each catchment's shares, by area
(:mod:`equityplanner.analysis.catchment`) and, with a weights layer, by population
(:mod:`equityplanner.analysis.weights`). :func:`catchment_table` is the bulk API for scripts:
the people (or any count) within a distance of every stop of a network or every site of a
housing programme, one row per site, with margins that include the allocation error::

    from equityplanner.analysis.apportion import catchment_table
    from equityplanner.io.neighbourhoods import read_neighbourhoods
    from equityplanner.io.weights import read_weights

    tracts = read_neighbourhoods("tracts.gpkg", table="acs.csv")
    blocks = read_weights("tl_2020_01_tabblock20.zip")
    table = catchment_table(tracts, stops_lonlat, radius_m=400, weights=blocks)

All catchments are found with one query of the spatial index and measured with one vectorised
intersection; the results are those of measuring each catchment alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from equityplanner.analysis.baseline import LayerIndex, layer_index
from equityplanner.analysis.catchment import CatchmentShares, area_pairs, to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.moe import moe_apportioned
from equityplanner.analysis.weights import LayerWeights, layer_weights, population_shares
from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import Neighbourhoods
from equityplanner.io.weights import WeightPoints

__all__ = ["catchment_table", "measure", "weights_on"]

_WGS84 = CRS.from_epsg(4326)
_QUAD_SEGS = 16  # as analysis.catchment: 64 segments per circle


def weights_on(layer: LayerIndex, weights: WeightPoints | None) -> LayerWeights | None:
    """``weights`` tied to a neighbourhood layer (remembered per layer and weights)."""
    if weights is None:
        return None
    return layer_weights(weights, layer, layer.geometries, layer.tree, layer.crs)


def measure(
    layer: LayerIndex,
    catchments_local: Sequence[BaseGeometry] | np.ndarray,
    local: CRS,
    weights: LayerWeights | None = None,
) -> list[CatchmentShares]:
    """The shares of every neighbourhood in each catchment: by area, or by population.

    Parameters
    ----------
    layer
        The neighbourhood layer's polygons and index (:func:`~equityplanner.analysis.
        baseline.layer_index`).
    catchments_local
        Catchment polygons in the local projected CRS ``local``.
    weights
        A weights layer on the same neighbourhood layer (:func:`weights_on`), or None for
        area weighting.
    """
    catchments = np.asarray(list(catchments_local), dtype=object)
    pairs = area_pairs(
        layer.geometries,
        layer.tree,
        layer.crs,
        catchments,
        local,
        layer.reprojected,
        layer.query if layer.validity is not None else None,
    )
    if weights is None:
        return pairs.split()
    return population_shares(pairs, weights, catchments, local)


def catchment_table(
    neighbourhoods: Neighbourhoods,
    sites: Sequence[BaseGeometry] | np.ndarray,
    *,
    radius_m: float | Sequence[float] | np.ndarray,
    fields: Sequence[str] = ("total_population",),
    weights: WeightPoints | None = None,
    ids: Sequence[str] | None = None,
    projected_crs: str | None = None,
) -> pd.DataFrame:
    """Counts within ``radius_m`` of every site, each site's catchment on its own.

    Parameters
    ----------
    neighbourhoods
        The neighbourhood layer (:func:`~equityplanner.io.neighbourhoods.read_neighbourhoods`).
    sites
        Points (or polygons: a site's buffer is around its outline) in longitude/latitude.
    radius_m
        The catchment radius in metres: one for all sites, or one per site.
    fields
        Count fields of the layer to apportion (canonical names, e.g. ``total_population``,
        ``households``, ``nh_white``).
    weights
        Apportion by population with this weights layer (census blocks...); by area without.
    ids
        The sites' ids (default ``0, 1, ...``).
    projected_crs
        The CRS of distances and areas; default the UTM zone of the sites.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``id``, ``catchment_area_m2``, ``covered_fraction``,
        ``neighbourhoods`` (how many touch it), ``apportionment`` (``area``, ``population``
        or ``population and area``); for each field its value, ``<field>_moe`` (90%,
        sampling and allocation error), ``<field>_moe_sampling`` and ``<field>_moe_allocation``;
        with weights ``weights_in_catchment`` and ``weights_unassigned``.

    Raises
    ------
    InputError
        For a field the layer does not have, or radii that do not match the sites.
    """
    geoms = np.asarray(list(sites), dtype=object)
    missing = [f for f in fields if f not in neighbourhoods.frame]
    if missing:
        raise InputError(
            f"the neighbourhood layer has no {', '.join(missing)}",
            location="fields",
            remedy="Use fields of the layer: " + ", ".join(neighbourhoods.fields),
        )
    radii = np.broadcast_to(np.asarray(radius_m, dtype=float), geoms.shape)
    if len(geoms) == 0:
        return pd.DataFrame({"id": []})
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    local = local_projected_crs((xmin, ymin, xmax, ymax), projected_crs)
    catchments = shapely.buffer(to_crs(geoms, _WGS84, local), radii, quad_segs=_QUAD_SEGS)
    if weights is not None and neighbourhoods.validity is not None:
        # Weights are placed in every polygon: check them all before the index is built.
        neighbourhoods.validity.check(neighbourhoods.frame.geometry.to_numpy())
    layer = layer_index(neighbourhoods)
    shares = measure(layer, catchments, local, weights_on(layer, weights))
    out: dict[str, object] = {
        "id": list(ids) if ids is not None else list(range(len(geoms))),
        "catchment_area_m2": [s.catchment_area_m2 for s in shares],
        "covered_fraction": [s.covered_fraction for s in shares],
        "neighbourhoods": [int(s.index.size) for s in shares],
        "apportionment": [s.method for s in shares],
    }
    frame = neighbourhoods.frame
    for name in fields:
        values = np.nan_to_num(frame[name].to_numpy(dtype=float), nan=0.0)
        moes = (
            neighbourhoods.moe[name].to_numpy(dtype=float)
            if name in neighbourhoods.moe
            else np.full(len(frame), np.nan)
        )
        out[name] = [float(np.dot(s.share, values[s.index])) for s in shares]
        sampling = [
            moe_apportioned(s.share, values[s.index], moes[s.index], allocation=False)
            for s in shares
        ]
        combined = [moe_apportioned(s.share, values[s.index], moes[s.index]) for s in shares]
        out[f"{name}_moe"] = combined
        out[f"{name}_moe_sampling"] = sampling
        out[f"{name}_moe_allocation"] = [
            moe_apportioned(s.share, values[s.index], np.zeros(s.index.size)) for s in shares
        ]
    if weights is not None:
        out["weights_in_catchment"] = [s.weight_in_catchment for s in shares]
        out["weights_unassigned"] = [s.unassigned_weight for s in shares]
    return pd.DataFrame(out)
