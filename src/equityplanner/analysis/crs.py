"""Choice of the local projected CRS in which every distance and area is computed."""

from __future__ import annotations

from functools import lru_cache

from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from equityplanner.errors import InputError
from equityplanner.model.crs import is_metric_projected

__all__ = ["is_metric_projected", "local_projected_crs"]


def local_projected_crs(
    bounds_lonlat: tuple[float, float, float, float], override: str | None = None
) -> CRS:
    """The CRS for distances and areas: ``override`` if given, else the UTM zone of the area.

    Parameters
    ----------
    bounds_lonlat
        (west, south, east, north) in degrees of the area being measured (the projects and
        their catchments), so that buffers are true to scale where they are drawn.
    override
        A CRS the user chose (any pyproj input, e.g. ``"EPSG:26916"``); it must be projected.

    Examples
    --------
    >>> local_projected_crs((-86.9, 33.4, -86.7, 33.6)).to_epsg()
    32616
    """
    if override:
        crs = CRS.from_user_input(override)
        if not is_metric_projected(crs):
            raise InputError(
                f"the chosen CRS {override} is not projected in metres",
                location="parameters.projected_crs",
                remedy="Choose a projected CRS in metres (e.g. a UTM zone) or leave it empty",
            )
        return crs
    west, south, east, north = bounds_lonlat
    lon = (west + east) / 2
    lat = (south + north) / 2
    return _utm_zone(round(lon, 3), round(lat, 3))


@lru_cache(maxsize=32)
def _utm_zone(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone containing a point (PROJ's database knows the exceptions)."""
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(lon, lat, lon, lat),
    )
    if not infos:  # polar areas: fall back to a local azimuthal equidistant projection
        return CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    return CRS.from_authority(infos[0].auth_name, infos[0].code)
