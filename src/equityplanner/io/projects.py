"""Proposed projects as GeoJSON features: parse, validate and write.

One encoding serves the project file (inline FeatureCollection) and project files on disk
(GeoJSON or GeoPackage). Every feature carries ``project_id``, ``kind`` (``housing`` or
``transit``) and ``role`` (``site``, ``alignment`` or ``station``); the project's attributes sit
on its site or alignment feature (or on any of its features, if they agree). See
``docs/project_file.md``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from equityplanner.errors import InputError
from equityplanner.io.files import read_json, regular_file
from equityplanner.model.project import (
    AMI_BANDS,
    HousingProject,
    Mode,
    Project,
    ServiceChange,
    Station,
    Tenure,
    TransitProject,
)
from equityplanner.model.schema import show

__all__ = ["projects_from_features", "projects_to_features", "read_projects"]

_HOUSING_FIELDS = (
    "total_units",
    "units_ami_30",
    "units_ami_50",
    "units_ami_80",
    "units_market",
    "tenure",
    "rent_ami_30",
    "rent_ami_50",
    "rent_ami_80",
    "rent_market",
    "units_demolished",
    "affordable_units_demolished",
    "households_displaced",
)
_TRANSIT_FIELDS = (
    "mode",
    "change",
    "peak_headway_min",
    "baseline_peak_headway_min",
    "span_hours",
    "fare_usd",
    "gtfs_routes",
    "run_time_min",
)
_ROLES = ("site", "alignment", "station")
# The largest value each number can sensibly have, and its unit: beyond, a typing error.
_LIMITS: dict[str, tuple[float, str]] = {
    **{
        key: (1_000_000.0, "units")
        for key in (
            "total_units",
            "units_ami_30",
            "units_ami_50",
            "units_ami_80",
            "units_market",
            "units_demolished",
            "affordable_units_demolished",
        )
    },
    "households_displaced": (1_000_000.0, "households"),
    **{f"rent_{band}": (1_000_000.0, "dollars a month") for band in AMI_BANDS},
    "peak_headway_min": (1_440.0, "minutes (a day)"),
    "baseline_peak_headway_min": (1_440.0, "minutes (a day)"),
    "span_hours": (48.0, "hours"),
    "fare_usd": (1_000.0, "dollars"),
}
# Keys that describe one feature rather than the project, so they may differ between features.
_PER_FEATURE_KEYS = frozenset({"role", "name", "fid", "id", "stop_id", "sequence"})


def read_projects(path: str | Path) -> tuple[Project, ...]:
    """Read proposed projects from a GeoJSON or GeoPackage file (any CRS; stored as lon/lat)."""
    path = regular_file(path, "projects file")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        data = read_json(path, "projects file", remedy="Export the file again as GeoJSON")
        if (
            not isinstance(data, dict)
            or data.get("type") != "FeatureCollection"
            or not isinstance(data.get("features", []), list)
        ):
            raise InputError(
                "expected a GeoJSON FeatureCollection",
                path=path,
                remedy="Save the projects as a FeatureCollection",
            )
        return projects_from_features(data.get("features", []), source=path)
    if suffix == ".gpkg":
        import geopandas as gpd  # deferred: heavy import only when needed

        try:
            frame = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # pyogrio raises several types for broken files
            raise InputError(
                f"cannot read the GeoPackage ({exc})", path=path, remedy="Check the file"
            ) from exc
        if frame.crs is None:
            raise InputError(
                "has no coordinate reference system",
                path=path,
                remedy="Assign one in your GIS and save again",
            )
        frame = frame.to_crs(4326)
        features = json.loads(frame.to_json(drop_id=True))["features"]
        return projects_from_features(features, source=path)
    raise InputError(
        f"unsupported project file type '{suffix}'",
        path=path,
        remedy="Use GeoJSON (.geojson) or GeoPackage (.gpkg)",
    )


def projects_from_features(
    features: list[dict[str, Any]], source: str | Path | None = None
) -> tuple[Project, ...]:
    """Build projects from GeoJSON feature dicts, validating every feature."""
    grouped: dict[str, list[tuple[int, dict[str, Any], BaseGeometry]]] = defaultdict(list)
    order: list[str] = []
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        if not isinstance(feature, dict):
            raise InputError("is not a GeoJSON feature", path=source, location=where)
        raw_props = feature.get("properties") or {}
        if not isinstance(raw_props, dict):
            raise InputError(
                "has properties that are not an object",
                path=source,
                location=where,
                remedy='Write the attributes as "properties": {"project_id": ..., ...}',
            )
        props = dict(raw_props)
        pid = props.get("project_id")
        if isinstance(pid, bool) or not isinstance(pid, str | int | None):
            raise InputError(
                f"has a project_id that is not a text ({type(pid).__name__})",
                path=source,
                location=where,
                remedy="Give every feature a project_id naming the project it belongs to",
            )
        if pid in (None, "") or (isinstance(pid, str) and not pid.strip()):
            raise InputError(
                "has no project_id",
                path=source,
                location=where,
                remedy="Give every feature a project_id naming the project it belongs to",
            )
        pid = str(pid)
        where = f"feature {number} (project '{pid}')"
        geometry = _parse_geometry(feature.get("geometry"), source, where)
        if pid not in grouped:
            order.append(pid)
        grouped[pid].append((number, props, geometry))
    return tuple(_build_project(pid, grouped[pid], source) for pid in order)


def _parse_geometry(geo: Any, source: str | Path | None, where: str) -> BaseGeometry:
    if not geo:
        raise InputError("has no geometry", path=source, location=where)
    if not isinstance(geo, dict):
        raise InputError("has a geometry that is not a GeoJSON object", path=source, location=where)
    try:
        geometry = shape(geo)
        valid = bool(shapely.is_valid(geometry))
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise InputError(
            f"has a malformed geometry ({str(exc)[:200]})", path=source, location=where
        ) from exc
    if geometry.is_empty:
        raise InputError("has an empty geometry", path=source, location=where)
    minx, miny, maxx, maxy = geometry.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise InputError("has coordinates that are not numbers", path=source, location=where)
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InputError(
            "has coordinates outside longitude/latitude range",
            path=source,
            location=where,
            remedy="GeoJSON must be in WGS84 longitude/latitude; reproject before saving",
        )
    if not valid:
        repaired = shapely.make_valid(geometry)
        if repaired.is_empty or repaired.geom_type != geometry.geom_type:
            raise InputError(
                f"has an invalid {geometry.geom_type} ({shapely.is_valid_reason(geometry)})",
                path=source,
                location=where,
                remedy="Redraw the geometry (a polygon's ring must close and not cross itself)",
            )
        geometry = repaired
    return geometry


def _build_project(
    pid: str, parts: list[tuple[int, dict[str, Any], BaseGeometry]], source: str | Path | None
) -> Project:
    attrs: dict[str, Any] = {}
    attr_origin: dict[str, int] = {}
    by_role: dict[str, list[tuple[int, dict[str, Any], BaseGeometry]]] = defaultdict(list)
    for number, props, geometry in parts:
        role = str(props.get("role", "")).strip().lower()
        if role not in _ROLES:
            raise InputError(
                f"has role '{props.get('role')}'",
                path=source,
                location=f"feature {number} (project '{pid}')",
                remedy="Use role 'site' (housing), 'alignment' or 'station' (transit)",
            )
        by_role[role].append((number, props, geometry))
        for key, value in props.items():
            if value is None or key in _PER_FEATURE_KEYS:
                continue
            if key in attrs and attrs[key] != value:
                raise InputError(
                    f"says {key} = {value!r} but feature {attr_origin[key]} says {attrs[key]!r}",
                    path=source,
                    location=f"feature {number} (project '{pid}')",
                    remedy="Give the project's attributes once, on its site or alignment",
                )
            attrs[key] = value
            attr_origin[key] = number
    kind = str(attrs.get("kind", "")).strip().lower()
    where = f"project '{pid}' (feature {parts[0][0]})"
    name = str(attrs.get("project_name") or pid)
    if kind == "housing":
        return _build_housing(pid, name, attrs, by_role, source, where)
    if kind == "transit":
        return _build_transit(pid, name, attrs, by_role, source, where)
    raise InputError(
        f"has kind '{attrs.get('kind')}'",
        path=source,
        location=where,
        remedy="Set kind to 'housing' or 'transit'",
    )


def _number(
    attrs: dict[str, Any],
    key: str,
    source: str | Path | None,
    where: str,
    *,
    default: float | None = None,
    integer: bool = False,
    positive: bool = False,
) -> float | None:
    value = attrs.get(key)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(value)
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(
            f"{key} is {show(value)}, which is not a number", path=source, location=where
        ) from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        need = "greater than zero" if positive else "zero or more"
        raise InputError(f"{key} is {show(value)}; it must be {need}", path=source, location=where)
    limit = _LIMITS.get(key)
    if limit is not None and number > limit[0]:
        raise InputError(
            f"{key} is {show(value)}, more than {limit[0]:,.0f} {limit[1]}",
            path=source,
            location=where,
            remedy="Check the value (a typing error?)",
        )
    if integer and number != int(number):
        raise InputError(
            f"{key} is {value!r}; it must be a whole number", path=source, location=where
        )
    return number


def _build_housing(
    pid: str,
    name: str,
    attrs: dict[str, Any],
    by_role: dict[str, list[tuple[int, dict[str, Any], BaseGeometry]]],
    source: str | Path | None,
    where: str,
) -> HousingProject:
    sites = by_role.get("site", [])
    if len(sites) != 1:
        raise InputError(
            f"needs exactly one site feature, found {len(sites)}", path=source, location=where
        )
    site = sites[0][2]
    if site.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        raise InputError(
            f"site is a {site.geom_type}; it must be a point or a polygon",
            path=source,
            location=where,
        )
    bands = {
        band: int(_number(attrs, f"units_{band}", source, where, default=0, integer=True) or 0)
        for band in AMI_BANDS
    }
    total = _number(attrs, "total_units", source, where, integer=True)
    total_units = int(total) if total is not None else sum(bands.values())
    if sum(bands.values()) != total_units:
        raise InputError(
            f"units by AMI band add up to {sum(bands.values())} but total_units is {total_units}",
            path=source,
            location=where,
            remedy="Make units_ami_30 + units_ami_50 + units_ami_80 + units_market equal total_units",
        )
    if total_units <= 0:
        raise InputError("has no units (total_units is 0)", path=source, location=where)
    rents = {
        band: float(r)
        for band in AMI_BANDS
        if (r := _number(attrs, f"rent_{band}", source, where)) is not None
    }
    try:
        tenure = Tenure.create(attrs.get("tenure", "rental"))
    except ValueError as exc:
        raise InputError(f"tenure {exc}", path=source, location=where) from None
    demolished = int(
        _number(attrs, "units_demolished", source, where, default=0, integer=True) or 0
    )
    affordable_demolished = int(
        _number(attrs, "affordable_units_demolished", source, where, default=0, integer=True) or 0
    )
    if affordable_demolished > demolished:
        raise InputError(
            f"affordable_units_demolished ({affordable_demolished}) exceeds units_demolished "
            f"({demolished})",
            path=source,
            location=where,
        )
    return HousingProject(
        id=pid,
        name=name,
        site=site,
        total_units=total_units,
        units_by_band=bands,
        tenure=tenure,
        proposed_rents_usd=rents,
        units_demolished=demolished,
        affordable_units_demolished=affordable_demolished,
        households_displaced=int(
            _number(attrs, "households_displaced", source, where, default=0, integer=True) or 0
        ),
    )


def _build_transit(
    pid: str,
    name: str,
    attrs: dict[str, Any],
    by_role: dict[str, list[tuple[int, dict[str, Any], BaseGeometry]]],
    source: str | Path | None,
    where: str,
) -> TransitProject:
    try:
        mode = Mode.create(attrs.get("mode", ""))
        change = ServiceChange.create(attrs.get("change", "new"))
    except ValueError as exc:
        raise InputError(f"mode or change {exc}", path=source, location=where) from None
    alignments = by_role.get("alignment", [])
    if len(alignments) > 1:
        raise InputError(
            f"has {len(alignments)} alignment features; use one (a MultiLineString for branches)",
            path=source,
            location=where,
        )
    alignment = alignments[0][2] if alignments else None
    if alignment is not None and alignment.geom_type not in ("LineString", "MultiLineString"):
        raise InputError(
            f"alignment is a {alignment.geom_type}; it must be a line",
            path=source,
            location=where,
        )
    stations: list[Station] = []
    for number, props, geometry in by_role.get("station", []):
        if geometry.geom_type != "Point":
            raise InputError(
                f"station is a {geometry.geom_type}; it must be a point",
                path=source,
                location=f"feature {number} (project '{pid}')",
            )
        stations.append(
            Station(name=str(props.get("name") or f"Stop {len(stations) + 1}"), geometry=geometry)
        )
    if not stations:
        raise InputError(
            "has no stations or stops",
            path=source,
            location=where,
            remedy="Add point features with role 'station'",
        )
    return TransitProject(
        id=pid,
        name=name,
        mode=mode,
        change=change,
        stations=tuple(stations),
        alignment=alignment,
        peak_headway_min=_number(attrs, "peak_headway_min", source, where, positive=True),
        baseline_peak_headway_min=_number(
            attrs, "baseline_peak_headway_min", source, where, positive=True
        ),
        span_hours=_number(attrs, "span_hours", source, where),
        fare_usd=_number(attrs, "fare_usd", source, where),
        gtfs_routes=_route_names(attrs.get("gtfs_routes"), source, where),
        run_time_min=_number(attrs, "run_time_min", source, where, positive=True),
    )


def _route_names(value: Any, source: str | Path | None, where: str) -> tuple[str, ...]:
    """``gtfs_routes``: a list of route ids or short names (or one, or comma-separated text)."""
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        items: list[Any] = [v for v in value.split(",")]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise InputError(
            f"gtfs_routes is {value!r}; give a list of GTFS route ids or short names",
            path=source,
            location=where,
        )
    names = tuple(str(v).strip() for v in items if str(v).strip())
    return tuple(dict.fromkeys(names))


def projects_to_features(projects: tuple[Project, ...] | list[Project]) -> dict[str, Any]:
    """Encode projects as a GeoJSON FeatureCollection (the project-file form)."""
    features: list[dict[str, Any]] = []
    for project in projects:
        base = {"project_id": project.id, "project_name": project.name, "kind": project.kind}
        if isinstance(project, HousingProject):
            props: dict[str, Any] = {**base, "role": "site", "total_units": project.total_units}
            props.update({f"units_{b}": project.units_by_band.get(b, 0) for b in AMI_BANDS})
            props["tenure"] = project.tenure.value
            props.update({f"rent_{b}": r for b, r in project.proposed_rents_usd.items()})
            props.update(
                units_demolished=project.units_demolished,
                affordable_units_demolished=project.affordable_units_demolished,
                households_displaced=project.households_displaced,
            )
            features.append(_feature(project.site, props))
            continue
        attrs = {
            "mode": project.mode.value,
            "change": project.change.value,
            "peak_headway_min": project.peak_headway_min,
            "baseline_peak_headway_min": project.baseline_peak_headway_min,
            "span_hours": project.span_hours,
            "fare_usd": project.fare_usd,
            "gtfs_routes": list(project.gtfs_routes) or None,
            "run_time_min": project.run_time_min,
        }
        attrs = {k: v for k, v in attrs.items() if v is not None}
        if project.alignment is not None:
            features.append(_feature(project.alignment, {**base, "role": "alignment", **attrs}))
            station_extra: dict[str, Any] = {}
        else:
            station_extra = attrs
        for station in project.stations:
            props = {**base, "role": "station", "name": station.name, **station_extra}
            features.append(_feature(station.geometry, props))
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": _rounded(mapping(geometry)), "properties": props}


def _rounded(geo: Any) -> Any:
    """Round coordinates to 7 decimals (about 1 cm) so saved files stay readable."""
    if isinstance(geo, dict):
        return {k: _rounded(v) for k, v in geo.items()}
    if isinstance(geo, list | tuple):
        return [_rounded(v) for v in geo]
    if isinstance(geo, float):
        return round(geo, 7)
    return geo
