"""Is a layer where its coordinate reference system says it is? Plausibility checks of a CRS.

A wrong CRS does not fail: longitude/latitude numbers read under a projected CRS in metres
make a metro area 1.4 m² wide, and every catchment then "serves" everybody. These checks look
at the coordinates of a neighbourhood layer under the CRS declared for it (by the file, or by
the user when the file declares none) and find what no real study area looks like:

* **geographic numbers under a projected CRS**: every coordinate within ±180/±90 and the
  whole layer less than a kilometre across (fatal);
* **a study area under 1 km²** (fatal): units misread (degrees or feet taken as metres);
* **a study area larger than a continent** (more than 50 million km², fatal): centimetres
  taken as metres, or a layer that is not neighbourhoods;
* **coordinates outside the CRS's area of use** (the region the CRS is defined for, from the
  EPSG database): a projected CRS far (more than 5°) from it is fatal, nearer it or a
  geographic CRS outside it is a warning.

Every finding names the file, the fault and the fix. :func:`crs_problems` is pure (bounds and
areas in, findings out); :func:`check_layer_crs` applies it to a read layer, as the reader
(:func:`~equityplanner.io.neighbourhoods.read_neighbourhoods`) does for the CLI, the API and
the app; :func:`check_file_crs` looks at a file's extent only (no geometries read), as the
import wizard does while the user types a CRS.

Examples
--------
>>> from pyproj import CRS
>>> [p.fatal for p in crs_problems((-121.6, 38.4, -121.2, 38.7), CRS.from_epsg(26910))]
[True, True, True]
>>> crs_problems((-121.6, 38.4, -121.2, 38.7), CRS.from_epsg(4326))
[]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely

from equityplanner.errors import InputError

__all__ = [
    "MAX_STUDY_AREA_KM2",
    "MIN_STUDY_AREA_KM2",
    "CrsProblem",
    "check_file_crs",
    "check_layer_crs",
    "crs_problems",
    "file_extent",
    "missing_crs_remedy",
]

MIN_STUDY_AREA_KM2 = 1.0
"""A study area smaller than this (all neighbourhoods together) is refused."""
MAX_STUDY_AREA_KM2 = 50e6
"""A study area larger than this (Asia, the largest continent, is 44.6 million km²) is refused."""
_FAR_OUTSIDE_DEG = 5.0  # a projected CRS this far from its area of use is refused
_KM_PER_DEGREE = 111.32  # along a meridian, and along the equator
_LONLAT_FIXES = "EPSG:4326 (WGS 84) or EPSG:4269 (NAD83, as in Census TIGER/Line files)"


@dataclass(frozen=True)
class CrsProblem:
    """A reason to doubt a layer's CRS: what is wrong, how to fix it, and whether it is fatal."""

    fault: str
    remedy: str
    fatal: bool


def _label(crs: pyproj.CRS) -> str:
    code = crs.to_epsg()
    return f"{crs.name} (EPSG:{code})" if code else str(crs.name)


def _unit_factor(crs: pyproj.CRS) -> float:
    """Metres per unit of a projected CRS's first axis (1 when unknown)."""
    axes = crs.axis_info
    factor = axes[0].unit_conversion_factor if axes else 1.0
    return float(factor) if factor and math.isfinite(factor) else 1.0


def _units(crs: pyproj.CRS) -> str:
    """The plural of a projected CRS's unit: "metres", "US survey feet"."""
    name = crs.axis_info[0].unit_name if crs.axis_info else "unit"
    plural = {
        "metre": "metres",
        "meter": "metres",
        "foot": "feet",
        "US survey foot": "US survey feet",
    }
    return plural.get(name, name + "s")


def _area_km2(
    bounds: tuple[float, float, float, float], area: float | None, crs: pyproj.CRS
) -> float:
    """The study area in km²: ``area`` (or the bounding box's) in the CRS's units, converted."""
    xmin, ymin, xmax, ymax = bounds
    units2 = area if area is not None else max(xmax - xmin, 0.0) * max(ymax - ymin, 0.0)
    if crs.is_geographic:
        lat = math.radians(min(max((ymin + ymax) / 2, -89.9), 89.9))
        return units2 * _KM_PER_DEGREE**2 * math.cos(lat)
    return units2 * (_unit_factor(crs) / 1000.0) ** 2


def _area_text(km2: float) -> str:
    if km2 < 1.0:
        m2 = km2 * 1e6
        return f"{m2:.2g} m²" if m2 < 10 else f"{m2:,.0f} m²"
    if km2 >= 1e6:
        return f"{km2 / 1e6:,.1f} million km²"
    return f"{km2:,.0f} km²"


def _lonlat_numbers(bounds: tuple[float, float, float, float]) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return -180.5 <= xmin <= xmax <= 180.5 and -90.5 <= ymin <= ymax <= 90.5


def missing_crs_remedy(bounds: np.ndarray, named_by: str) -> str:
    """What to do about a layer that declares no CRS.

    ``bounds`` are the features' (xmin, ymin, xmax, ymax), NaN for a missing geometry; they
    tell longitude/latitude numbers from projected ones. ``named_by`` is where the user names
    a CRS: ``--crs`` on the command line, the project file's ``baseline "crs"``.

    >>> missing_crs_remedy(np.array([[-82.5, 27.9, -82.4, 28.0]]), "--crs")
    'Its coordinates are longitude/latitude: name EPSG:4326 (WGS 84) or EPSG:4269 (NAD83, as in Census TIGER/Line files) with --crs'
    """
    finite = bounds[np.isfinite(bounds).all(axis=1)] if len(bounds) else bounds
    if len(finite):
        extent = (
            float(finite[:, 0].min()),
            float(finite[:, 1].min()),
            float(finite[:, 2].max()),
            float(finite[:, 3].max()),
        )
        if _lonlat_numbers(extent):
            return f"Its coordinates are longitude/latitude: name {_LONLAT_FIXES} with {named_by}"
    return (
        f"Name the projected CRS its coordinates are in with {named_by}, e.g. EPSG:26916 for "
        "UTM zone 16N, or the State Plane zone the file was made in"
    )


def _outside_by(lon: float, lat: float, aou: Any) -> float:
    """Degrees by which (lon, lat) lies outside an area of use (0 inside)."""
    west, south, east, north = aou.west, aou.south, aou.east, aou.north
    if west <= east:
        dx = max(west - lon, 0.0, lon - east)
    else:  # crosses the antimeridian (NAD83's North America)
        dx = 0.0 if (lon >= west or lon <= east) else min(west - lon, lon - east)
    dy = max(south - lat, 0.0, lat - north)
    return math.hypot(dx, dy)


def crs_problems(
    bounds: tuple[float, float, float, float],
    crs: pyproj.CRS,
    *,
    area: float | None = None,
    count: int | None = None,
) -> list[CrsProblem]:
    """What is implausible about a layer with these ``bounds`` under ``crs``; fatal ones first.

    Parameters
    ----------
    bounds
        (xmin, ymin, xmax, ymax) of the layer, in the units of ``crs``.
    crs
        The CRS the coordinates are said to be in.
    area
        The summed area of the polygons in the CRS's units squared; without it the bounding
        box stands in (an upper bound: only the small-area check is made with it).
    count
        How many polygons (for the messages).
    """
    xmin, ymin, xmax, ymax = bounds
    if not all(math.isfinite(v) for v in bounds):
        return []
    problems: list[CrsProblem] = []
    what = f"the {count:,} neighbourhoods" if count else "the neighbourhoods"
    label = _label(crs)
    km2 = _area_km2(bounds, area, crs)
    lonlat_like = _lonlat_numbers(bounds)
    if (
        crs.is_projected
        and lonlat_like
        and max(xmax - xmin, ymax - ymin) * _unit_factor(crs) < 1000
    ):
        problems.append(
            CrsProblem(
                f"its coordinates, such as ({xmin:.4g}, {ymin:.4g}), look like longitude and "
                f"latitude, but its CRS is {label}, a projected CRS in {_units(crs)}: read so, "
                f"{what} would cover {_area_text(km2)}",
                f"If the coordinates are longitude/latitude, declare {_LONLAT_FIXES} instead "
                "(the CRS option of the import, --crs on the command line, or 'crs' in the "
                "project file), or re-export the file from your GIS with its real CRS",
                fatal=True,
            )
        )
    if km2 < MIN_STUDY_AREA_KM2:
        problems.append(
            CrsProblem(
                f"{what} cover only {_area_text(km2)} under {label}, less than any study "
                f"area ({MIN_STUDY_AREA_KM2:g} km² at least)",
                "Check the CRS: coordinates in degrees or feet read as metres shrink a layer. "
                + (
                    f"Declare {_LONLAT_FIXES} if the coordinates are longitude/latitude"
                    if lonlat_like
                    else "Declare the CRS the coordinates are really in (see the file's .prj "
                    "or the data's documentation)"
                ),
                fatal=True,
            )
        )
    elif area is not None and km2 > MAX_STUDY_AREA_KM2:
        problems.append(
            CrsProblem(
                f"{what} cover {_area_text(km2)} under {label}, more than a continent",
                "Check the CRS: coordinates in centimetres or feet read as metres (or as "
                "degrees) inflate a layer. Declare the CRS the coordinates are really in",
                fatal=True,
            )
        )
    aou = crs.area_of_use
    if aou is not None and not crs.is_geocentric:
        try:
            to_lonlat = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
            lon, lat = to_lonlat.transform((xmin + xmax) / 2, (ymin + ymax) / 2)
        except (pyproj.exceptions.ProjError, pyproj.exceptions.CRSError):
            lon, lat = math.nan, math.nan
        if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lat) > 90:
            problems.append(
                CrsProblem(
                    f"the centre of its coordinates ({(xmin + xmax) / 2:.6g}, "
                    f"{(ymin + ymax) / 2:.6g}) is not a place on Earth under {label}",
                    "Declare the CRS the coordinates are really in (see the file's .prj or "
                    "the data's documentation)",
                    fatal=True,
                )
            )
        else:
            off = _outside_by(lon, lat, aou)
            if off > 0:
                fatal = crs.is_projected and off > _FAR_OUTSIDE_DEG
                problems.append(
                    CrsProblem(
                        f"under {label} its centre is at {abs(lat):.2f}°{'N' if lat >= 0 else 'S'} "
                        f"{abs(lon):.2f}°{'E' if lon >= 0 else 'W'}, {off:.1f}° outside the "
                        f"area that CRS is made for ({aou.name.rstrip('.')})",
                        "Check that the file's CRS is the one its coordinates are in"
                        + (
                            "; a projected CRS used far from its area distorts distances"
                            if crs.is_projected
                            else ""
                        ),
                        fatal=fatal,
                    )
                )
    problems.sort(key=lambda p: not p.fatal)
    return problems


def _layer_measures(geometries: Any) -> tuple[tuple[float, float, float, float], float, int]:
    geoms = np.asarray(geometries, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
    area = float(np.nansum(shapely.area(geoms))) if geoms.size else 0.0
    return (bounds[0], bounds[1], bounds[2], bounds[3]), area, int(geoms.size)


def check_layer_crs(
    geometries: Any,
    crs: pyproj.CRS,
    *,
    path: str | Path,
    declared_by_file: bool,
    alternative: pyproj.CRS | None = None,
    warnings: list[str] | None = None,
) -> pyproj.CRS:
    """The CRS to read a layer in, once its coordinates are found plausible under it.

    Parameters
    ----------
    geometries
        The layer's shapely geometries (a GeoSeries or an array).
    crs
        The CRS they are said to be in.
    path
        The file, named in the messages.
    declared_by_file
        True when ``crs`` is the file's own, False when the user named it.
    alternative
        A CRS the user named although the file declares one: used instead (with a warning)
        when the file's is implausible and this one is not.
    warnings
        Receives the non-fatal findings.

    Raises
    ------
    InputError
        For the first fatal finding (and the alternative's, when there is one).
    """
    bounds, area, count = _layer_measures(geometries)
    if count == 0:
        return crs
    problems = crs_problems(bounds, crs, area=area, count=count)
    fatal = [p for p in problems if p.fatal]
    if fatal and alternative is not None and not alternative.equals(crs):
        others = crs_problems(bounds, alternative, area=area, count=count)
        if not any(p.fatal for p in others):
            if warnings is not None:
                warnings.append(
                    f"{path}: {fatal[0].fault}; so {_label(alternative)} was used as requested."
                )
                warnings += [f"{path}: {p.fault}. {p.remedy}." for p in others]
            return alternative
    if fatal:
        first = fatal[0]
        raise InputError(
            first.fault,
            path=path,
            location="the CRS the file declares" if declared_by_file else "the CRS given",
            remedy=first.remedy,
        )
    if warnings is not None:
        warnings += [f"{path}: {p.fault}. {p.remedy}." for p in problems]
    return crs


def check_file_crs(
    bounds: tuple[float, float, float, float] | None, crs: pyproj.CRS, count: int | None = None
) -> list[CrsProblem]:
    """The findings on a file's extent alone (its polygons' areas unread): see the module."""
    if bounds is None:
        return []
    return crs_problems(bounds, crs, count=count)


def file_extent(
    path: str | Path, layer: str | None = None
) -> tuple[tuple[float, float, float, float], int] | None:
    """The bounds and feature count a polygon file records (no geometry read), or None."""
    import pyogrio

    from equityplanner.io.sources import polygon_source

    try:
        source, name = polygon_source(Path(path), layer)
        info = pyogrio.read_info(source, layer=name, force_total_bounds=True)
    except (InputError, OSError, ValueError, pyogrio.errors.DataSourceError):
        return None
    bounds = info.get("total_bounds")
    if bounds is None or len(bounds) != 4:
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    return (xmin, ymin, xmax, ymax), int(info.get("features") or 0)
