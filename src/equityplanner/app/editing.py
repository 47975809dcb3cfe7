"""Qt-free edits of a :class:`~equityplanner.model.project.ProjectDocument`.

Every function takes a document and returns a new one (``dataclasses.replace``); nothing is
mutated. The app wraps each call in an undo command, so widgets never change the model
themselves. Coordinates are longitude/latitude, as in the model.

Features of a project are addressed by a :class:`FeatureRef`: the site of a housing project,
a station of a transit project (by index), or a vertex of a transit alignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

from equityplanner.model.project import (
    BaselineSource,
    HousingProject,
    Metadata,
    Mode,
    Parameters,
    Project,
    ProjectDocument,
    ServiceChange,
    Station,
    TransitProject,
)

__all__ = [
    "FeatureRef",
    "add_housing_site",
    "add_projects",
    "add_station",
    "delete_feature",
    "delete_project",
    "move_feature",
    "new_document",
    "replace_project",
    "set_alignment",
    "set_baseline",
    "set_metadata",
    "set_parameters",
    "unique_id",
    "with_absolute_paths",
]

# A placeholder mix for a newly placed site (20% affordable at 80% AMI, a common inclusionary
# zoning requirement); the planner replaces it in the project form.
DEFAULT_HOUSING_BANDS = {"ami_30": 0, "ami_50": 0, "ami_80": 20, "market": 80}


@dataclass(frozen=True)
class FeatureRef:
    """One editable feature: ``role`` is ``site``, ``station``, ``alignment`` or ``project``.

    ``index`` is the station index for ``station`` and the vertex index (over all parts of a
    multi-line, in order) for ``alignment``.
    """

    project_id: str
    role: str
    index: int = 0


def new_document(title: str = "Untitled assessment") -> ProjectDocument:
    """An empty project with default parameters and no neighbourhood data."""
    return ProjectDocument(metadata=Metadata(title=title), baseline=None)


def with_absolute_paths(doc: ProjectDocument) -> ProjectDocument:
    """The document with the paths of its data made absolute.

    The neighbourhood layer and table, the opportunity layers and their blocks, and the GTFS
    feeds. Kept in memory this way, the document stays valid when it is saved under another
    name in another folder (``save_project`` writes the paths relative to the file again).
    """

    def absolute(path: str | None) -> str | None:
        return str(doc.resolve(path)) if path else path

    baseline = doc.baseline
    if baseline is not None:
        baseline = replace(
            baseline,
            neighbourhoods=str(doc.resolve(baseline.neighbourhoods)),
            table=absolute(baseline.table),
        )
    opportunities = {
        kind: replace(source, path=str(doc.resolve(source.path)), blocks=absolute(source.blocks))
        for kind, source in doc.opportunities.items()
    }
    gtfs = doc.gtfs
    if gtfs is not None:
        gtfs = replace(
            gtfs, baseline=str(doc.resolve(gtfs.baseline)), proposed=str(doc.resolve(gtfs.proposed))
        )
    weights = doc.weights
    if weights is not None:  # population weights (issue 13): their files too
        weights = replace(
            weights,
            path=str(doc.resolve(weights.path)),
            table=str(doc.resolve(weights.table)) if weights.table else None,
        )
    absolute_doc = replace(
        doc, baseline=baseline, opportunities=opportunities, gtfs=gtfs, weights=weights
    )
    return doc if absolute_doc == doc else absolute_doc


def unique_id(existing: set[str] | list[str] | tuple[str, ...], base: str) -> str:
    """``base`` slugified, with ``-2``, ``-3``… appended until it is not in ``existing``."""
    slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "project"
    taken = set(existing)
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _ids(doc: ProjectDocument) -> set[str]:
    return {p.id for p in doc.projects} | {s.id for s in doc.scenarios}


def _project(doc: ProjectDocument, project_id: str) -> Project:
    for project in doc.projects:
        if project.id == project_id:
            return project
    raise KeyError(project_id)


def replace_project(
    doc: ProjectDocument, project: Project, old_id: str | None = None
) -> ProjectDocument:
    """The document with the project ``old_id`` (default: ``project.id``) replaced.

    When the id changes, scenarios that listed the old id are updated.
    """
    old_id = old_id or project.id
    _project(doc, old_id)  # KeyError when absent
    projects = tuple(project if p.id == old_id else p for p in doc.projects)
    scenarios = doc.scenarios
    if project.id != old_id:
        scenarios = tuple(
            replace(s, project_ids=tuple(project.id if i == old_id else i for i in s.project_ids))
            for s in scenarios
        )
    return replace(doc, projects=projects, scenarios=scenarios)


def add_projects(
    doc: ProjectDocument, projects: tuple[Project, ...] | list[Project]
) -> tuple[ProjectDocument, list[str]]:
    """Append projects, renaming ids that clash with existing ones; returns the new ids."""
    taken = _ids(doc)
    added: list[Project] = []
    for project in projects:
        pid = project.id if project.id not in taken else unique_id(taken, project.id)
        taken.add(pid)
        added.append(replace(project, id=pid))
    return replace(doc, projects=(*doc.projects, *added)), [p.id for p in added]


def delete_project(doc: ProjectDocument, project_id: str) -> ProjectDocument:
    """Remove a project; it leaves every scenario, and scenarios left empty are removed."""
    _project(doc, project_id)
    projects = tuple(p for p in doc.projects if p.id != project_id)
    scenarios = []
    for s in doc.scenarios:
        members = tuple(i for i in s.project_ids if i != project_id)
        if members:
            scenarios.append(replace(s, project_ids=members))
    return replace(doc, projects=projects, scenarios=tuple(scenarios))


def add_housing_site(
    doc: ProjectDocument,
    lon: float,
    lat: float,
    *,
    name: str | None = None,
    units_by_band: dict[str, int] | None = None,
) -> tuple[ProjectDocument, str]:
    """Add a housing project whose site is the point (lon, lat); returns its id."""
    number = 1 + sum(isinstance(p, HousingProject) for p in doc.projects)
    name = name or f"New housing site {number}"
    bands = dict(units_by_band or DEFAULT_HOUSING_BANDS)
    pid = unique_id(_ids(doc), name)
    project = HousingProject(
        id=pid,
        name=name,
        site=Point(lon, lat),
        total_units=sum(bands.values()),
        units_by_band=bands,
    )
    return replace(doc, projects=(*doc.projects, project)), pid


def _new_transit(doc: ProjectDocument, stations: tuple[Station, ...], mode: Mode) -> TransitProject:
    number = 1 + sum(isinstance(p, TransitProject) for p in doc.projects)
    name = f"New transit line {number}"
    return TransitProject(
        id=unique_id(_ids(doc), name),
        name=name,
        mode=mode,
        change=ServiceChange.NEW,
        stations=stations,
    )


def add_station(
    doc: ProjectDocument,
    project_id: str | None,
    lon: float,
    lat: float,
    *,
    name: str | None = None,
    mode: Mode = Mode.BRT,
) -> tuple[ProjectDocument, str, int]:
    """Add a station to a transit project, or start a new line when ``project_id`` is None.

    Returns the document, the project id and the index of the new station.
    """
    if project_id is None:
        line = _new_transit(doc, (Station(name or "Station 1", Point(lon, lat)),), mode)
        return replace(doc, projects=(*doc.projects, line)), line.id, 0
    project = _project(doc, project_id)
    if not isinstance(project, TransitProject):
        raise ValueError(f"'{project.name}' is not a transit project; stations belong to lines")
    station = Station(name or f"Station {len(project.stations) + 1}", Point(lon, lat))
    updated = replace(project, stations=(*project.stations, station))
    return replace_project(doc, updated), project_id, len(updated.stations) - 1


def set_alignment(
    doc: ProjectDocument,
    project_id: str | None,
    coords: list[tuple[float, float]],
    *,
    mode: Mode = Mode.BRT,
) -> tuple[ProjectDocument, str]:
    """Set the alignment of a transit project from lon/lat vertices.

    With ``project_id`` None a new line is created with a station at each end, since a
    transit project needs at least one station to be assessed.
    """
    if len(coords) < 2:
        raise ValueError("an alignment needs at least two points")
    line = LineString(coords)
    if project_id is None:
        ends = (Station("Terminus A", Point(coords[0])), Station("Terminus B", Point(coords[-1])))
        new_line = replace(_new_transit(doc, ends, mode), alignment=line)
        return replace(doc, projects=(*doc.projects, new_line)), new_line.id
    project = _project(doc, project_id)
    if not isinstance(project, TransitProject):
        raise ValueError(f"'{project.name}' is not a transit project; only lines have alignments")
    return replace_project(doc, replace(project, alignment=line)), project_id


def _move_vertex(geometry: BaseGeometry, index: int, lon: float, lat: float) -> BaseGeometry:
    coords = shapely.get_coordinates(geometry)
    if not 0 <= index < len(coords):
        raise IndexError(f"vertex {index} of a line with {len(coords)} vertices")
    coords[index] = (lon, lat)
    return shapely.set_coordinates(geometry, coords)


def move_feature(doc: ProjectDocument, ref: FeatureRef, lon: float, lat: float) -> ProjectDocument:
    """Move a site, a station or an alignment vertex to (lon, lat)."""
    project = _project(doc, ref.project_id)
    if ref.role == "site" and isinstance(project, HousingProject):
        if project.site.geom_type == "Point":
            site: BaseGeometry = Point(lon, lat)
        else:  # a polygon site moves as a whole, its centroid landing on the point
            c = project.site.centroid
            shift = np.array([lon - c.x, lat - c.y])
            site = shapely.transform(project.site, lambda xy: xy + shift)
        return replace_project(doc, replace(project, site=site))
    if ref.role == "station" and isinstance(project, TransitProject):
        stations = list(project.stations)
        stations[ref.index] = replace(stations[ref.index], geometry=Point(lon, lat))
        return replace_project(doc, replace(project, stations=tuple(stations)))
    if (
        ref.role == "alignment"
        and isinstance(project, TransitProject)
        and project.alignment is not None
    ):
        return replace_project(
            doc, replace(project, alignment=_move_vertex(project.alignment, ref.index, lon, lat))
        )
    raise ValueError(f"cannot move the {ref.role} of '{project.name}'")


def delete_feature(doc: ProjectDocument, ref: FeatureRef) -> ProjectDocument:
    """Delete a feature; deleting a site or a line's last station deletes the project."""
    project = _project(doc, ref.project_id)
    if ref.role in ("project", "site"):
        return delete_project(doc, ref.project_id)
    if not isinstance(project, TransitProject):
        raise ValueError(f"'{project.name}' has no {ref.role}")
    if ref.role == "station":
        if len(project.stations) <= 1:
            return delete_project(doc, ref.project_id)
        stations = tuple(s for n, s in enumerate(project.stations) if n != ref.index)
        return replace_project(doc, replace(project, stations=stations))
    if ref.role == "alignment":
        return replace_project(doc, replace(project, alignment=None))
    raise ValueError(f"unknown feature role {ref.role!r}")


def feature_position(doc: ProjectDocument, ref: FeatureRef) -> tuple[float, float]:
    """Longitude/latitude of a site (its centroid), station or alignment vertex."""
    project = _project(doc, ref.project_id)
    if ref.role == "site" and isinstance(project, HousingProject):
        c = project.site.centroid
        return float(c.x), float(c.y)
    if ref.role == "station" and isinstance(project, TransitProject):
        g = project.stations[ref.index].geometry
        return float(g.x), float(g.y)
    if (
        ref.role == "alignment"
        and isinstance(project, TransitProject)
        and project.alignment is not None
    ):
        x, y = shapely.get_coordinates(project.alignment)[ref.index]
        return float(x), float(y)
    raise ValueError(f"'{project.name}' has no {ref.role}")


def set_parameters(doc: ProjectDocument, parameters: Parameters) -> ProjectDocument:
    """The document with new assessment parameters."""
    return replace(doc, parameters=parameters)


def set_metadata(doc: ProjectDocument, metadata: Metadata) -> ProjectDocument:
    """The document with new metadata (title, author…)."""
    return replace(doc, metadata=metadata)


def set_baseline(doc: ProjectDocument, baseline: BaselineSource | None) -> ProjectDocument:
    """The document with another neighbourhood layer (paths made absolute)."""
    return with_absolute_paths(replace(doc, baseline=baseline))


def is_line(geometry: BaseGeometry | None) -> bool:
    """True for a LineString or MultiLineString."""
    return isinstance(geometry, LineString | MultiLineString)
