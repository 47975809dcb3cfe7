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

from equityplanner.app.translated import LazyLabels
from equityplanner.i18n import _
from equityplanner.model.network import NetworkSource
from equityplanner.model.project import (
    BaselineSource,
    GtfsSource,
    HousingProject,
    Metadata,
    Mode,
    OpportunitySource,
    Parameters,
    Project,
    ProjectDocument,
    Scenario,
    ServiceChange,
    Station,
    TransitProject,
    WeightsSource,
)

__all__ = [
    "OPPORTUNITY_KINDS",
    "FeatureRef",
    "add_housing_site",
    "add_projects",
    "add_scenario",
    "add_station",
    "check_scenario",
    "delete_feature",
    "delete_project",
    "delete_scenario",
    "move_feature",
    "nearest_on_line",
    "new_document",
    "replace_project",
    "replace_scenario",
    "set_alignment",
    "set_baseline",
    "set_data_vintage",
    "set_gtfs",
    "set_metadata",
    "set_network",
    "set_opportunity",
    "set_parameters",
    "set_weights",
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


def new_document(title: str | None = None) -> ProjectDocument:
    """An empty project with default parameters and no neighbourhood data."""
    return ProjectDocument(
        metadata=Metadata(title=title or _("Untitled assessment")), baseline=None
    )


def with_absolute_paths(doc: ProjectDocument) -> ProjectDocument:
    """The document with the paths of its data made absolute.

    The neighbourhood layer and table, the opportunity layers and their blocks, the GTFS
    feeds, the population weights and the street network's OSM extract and feeds. Kept in memory this way, the document stays valid when it is saved under another
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
    if weights is not None:
        weights = replace(
            weights, path=str(doc.resolve(weights.path)), table=absolute(weights.table)
        )
    network = doc.network
    if network is not None:
        network = replace(
            network,
            osm=str(doc.resolve(network.osm)),
            gtfs=tuple(str(doc.resolve(feed)) for feed in network.gtfs),
        )
    absolute_doc = replace(
        doc,
        baseline=baseline,
        opportunities=opportunities,
        gtfs=gtfs,
        weights=weights,
        network=network,
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
    name = name or _("New housing site {number}").format(number=number)
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
    name = _("New transit line {number}").format(number=number)
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
        first = name or _("Station {number}").format(number=1)
        line = _new_transit(doc, (Station(first, Point(lon, lat)),), mode)
        return replace(doc, projects=(*doc.projects, line)), line.id, 0
    project = _project(doc, project_id)
    if not isinstance(project, TransitProject):
        raise ValueError(
            _("'{name}' is not a transit project; stations belong to lines").format(
                name=project.name
            )
        )
    number = len(project.stations) + 1
    station = Station(name or _("Station {number}").format(number=number), Point(lon, lat))
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
        raise ValueError(_("an alignment needs at least two points"))
    line = LineString(coords)
    if project_id is None:
        ends = (
            Station(_("Terminus A"), Point(coords[0])),
            Station(_("Terminus B"), Point(coords[-1])),
        )
        new_line = replace(_new_transit(doc, ends, mode), alignment=line)
        return replace(doc, projects=(*doc.projects, new_line)), new_line.id
    project = _project(doc, project_id)
    if not isinstance(project, TransitProject):
        raise ValueError(
            _("'{name}' is not a transit project; only lines have alignments").format(
                name=project.name
            )
        )
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


def nearest_on_line(line: BaseGeometry, lon: float, lat: float) -> tuple[float, float]:
    """The point of ``line`` nearest to (lon, lat), in the line's coordinates."""
    point = line.interpolate(line.project(Point(lon, lat)))
    return float(point.x), float(point.y)


def is_line(geometry: BaseGeometry | None) -> bool:
    """True for a LineString or MultiLineString."""
    return isinstance(geometry, LineString | MultiLineString)


# Scenarios, data vintage and access data ---------------------------------------------------

# The kinds of opportunity layer a project file takes (io.project_file), as planners say them.
# Read in the current language (a LazyLabels): the keys are the file's, the values words.
OPPORTUNITY_KINDS = LazyLabels(
    lambda: {
        "jobs": _("Jobs"),
        "schools": _("Schools"),
        "childcare": _("Childcare"),
        "clinics": _("Clinics"),
    }
)


def check_scenario(doc: ProjectDocument, scenario: Scenario, old_id: str | None = None) -> None:
    """Raise ValueError with a planner's message when ``scenario`` cannot be saved as it is."""
    if not scenario.name.strip():
        raise ValueError(_("the scenario has no name: give it one"))
    if not scenario.project_ids:
        raise ValueError(_("the scenario lists no project: tick at least one"))
    known = {p.id for p in doc.projects}
    unknown = [i for i in scenario.project_ids if i not in known]
    if unknown:
        raise ValueError(
            _("the scenario lists projects not in this file: {ids}").format(ids=", ".join(unknown))
        )
    taken = _ids(doc) - ({old_id} if old_id else set())
    if scenario.id in taken:
        raise ValueError(
            _("the id '{id}' is already used by a project or scenario").format(id=scenario.id)
        )


def add_scenario(
    doc: ProjectDocument, name: str, project_ids: tuple[str, ...] | list[str]
) -> tuple[ProjectDocument, str]:
    """Append a scenario of ``project_ids`` named ``name``; returns the document and its id."""
    scenario = Scenario(unique_id(_ids(doc), name), name.strip(), tuple(project_ids))
    check_scenario(doc, scenario)
    return replace(doc, scenarios=(*doc.scenarios, scenario)), scenario.id


def replace_scenario(
    doc: ProjectDocument, scenario: Scenario, old_id: str | None = None
) -> ProjectDocument:
    """The document with the scenario ``old_id`` (default: ``scenario.id``) replaced."""
    old_id = old_id or scenario.id
    if all(s.id != old_id for s in doc.scenarios):
        raise KeyError(old_id)
    check_scenario(doc, scenario, old_id)
    scenarios = tuple(scenario if s.id == old_id else s for s in doc.scenarios)
    return replace(doc, scenarios=scenarios)


def delete_scenario(doc: ProjectDocument, scenario_id: str) -> ProjectDocument:
    """Remove a scenario (its projects stay)."""
    if all(s.id != scenario_id for s in doc.scenarios):
        raise KeyError(scenario_id)
    return replace(doc, scenarios=tuple(s for s in doc.scenarios if s.id != scenario_id))


def set_data_vintage(doc: ProjectDocument, vintage: str) -> ProjectDocument:
    """The document with the neighbourhood data's vintage ("ACS 2019-2023 5-year")."""
    if doc.baseline is None:
        raise ValueError(_("the project has no neighbourhood layer to give a vintage"))
    return replace(doc, baseline=replace(doc.baseline, vintage=vintage.strip()))


def set_opportunity(
    doc: ProjectDocument, kind: str, source: OpportunitySource | None
) -> ProjectDocument:
    """The document with the opportunity layer of ``kind`` set (None removes it)."""
    if kind not in OPPORTUNITY_KINDS:
        raise ValueError(
            f"unknown kind of opportunity {kind!r} (use {', '.join(OPPORTUNITY_KINDS)})"
        )
    layers = dict(doc.opportunities)
    if source is None:
        layers.pop(kind, None)
    else:
        layers[kind] = source
    ordered = {k: layers[k] for k in OPPORTUNITY_KINDS if k in layers}
    return with_absolute_paths(replace(doc, opportunities=ordered))


def set_gtfs(doc: ProjectDocument, gtfs: GtfsSource | None) -> ProjectDocument:
    """The document with the baseline and proposed GTFS feeds set (None removes them)."""
    return with_absolute_paths(replace(doc, gtfs=gtfs))


def set_weights(doc: ProjectDocument, weights: WeightsSource | None) -> ProjectDocument:
    """The document with population weights set (None removes them: catchments by area)."""
    return with_absolute_paths(replace(doc, weights=weights))


def set_network(doc: ProjectDocument, network: NetworkSource | None) -> ProjectDocument:
    """The document with a street network for routed access (None: the sketch model)."""
    return with_absolute_paths(replace(doc, network=network))
