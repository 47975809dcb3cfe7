"""What the project requires of a coordinate reference system (no I/O, no choice of one).

Reading a project file checks the user's projected CRS with :func:`is_metric_projected`, and
the analysis chooses one (:mod:`equityplanner.analysis.crs`) by the same rule.
"""

from __future__ import annotations

from pyproj import CRS

__all__ = ["is_metric_projected"]


def is_metric_projected(crs: CRS) -> bool:
    """True for a projected CRS whose axes are in metres (catchments are given in metres).

    Examples
    --------
    >>> is_metric_projected(CRS.from_epsg(32616)), is_metric_projected(CRS.from_epsg(2285))
    (True, False)
    """
    if not crs.is_projected:
        return False
    units = {axis.unit_name.lower() for axis in crs.axis_info}
    return bool(units) and units <= {"metre", "meter"}
