"""The ex-ante equity assessment of projects, scenarios and a GTFS service change.

:func:`assess` runs a whole project document; :func:`assess_projects` takes the pieces
directly (the CLI's quick mode and scripts). Both return an
:class:`~equityplanner.model.results.Assessment`.

This module only orchestrates: it splits each proposal into its benefit and burden sides,
measures each side's catchment (by area, or by population with a weights layer:
:mod:`equityplanner.analysis.apportion`), and asks the indicator families
(:mod:`equityplanner.analysis.indicators`) for their indicators. Reading the inputs is in
:mod:`equityplanner.analysis.inputs`. The prepared neighbourhoods are remembered per layer
(:func:`~equityplanner.analysis.baseline.baseline_for`), so running again, with other
projects or scenarios, does not prepare them anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from equityplanner._version import __version__
from equityplanner.analysis.access_measures import (
    AccessInputs,
    MeasureCache,
    RoutedAccess,
    measure_access,
    travel_model_description,
)
from equityplanner.analysis.apportion import measure, weights_on
from equityplanner.analysis.baseline import Baseline, LayerIndex, baseline_for, layer_index
from equityplanner.analysis.catchment import CatchmentShares, catchment_geometry, to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.indicators import (
    access,
    affordability,
    displacement,
    distribution,
    housing,
    segregation,
    served,
    title_vi,
)
from equityplanner.analysis.indicators import fare as fare_indicators
from equityplanner.analysis.indicators import screening as screening_indicators
from equityplanner.analysis.indicators.housing import _site_row
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.inputs import (
    ServiceChangeInputs,
    load_baseline,
    load_network,
    load_opportunities,
    load_service_change,
)
from equityplanner.analysis.neighbourhood_table import merge_sides, neighbourhood_table
from equityplanner.analysis.screening import Screening, load_screening
from equityplanner.analysis.service_change import compare_service
from equityplanner.analysis.transport_cost import TransportCosts, transport_costs
from equityplanner.analysis.weights import LayerWeights, load_weights
from equityplanner.analysis.words import num, pct
from equityplanner.errors import InputError
from equityplanner.i18n import SOURCE_LANGUAGE, _, language, ngettext
from equityplanner.io.fares import gtfs_fare
from equityplanner.io.files import relative_inputs
from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import Neighbourhoods
from equityplanner.io.sources import crs_label
from equityplanner.io.weights import WeightPoints
from equityplanner.model.concepts import IndicatorFamily, Side, TitleViTest
from equityplanner.model.fields import group_specs
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import (
    FareChange,
    HousingProject,
    Metadata,
    Parameters,
    Project,
    ProjectDocument,
    Scenario,
    TransitProject,
)
from equityplanner.model.results import (
    Assessment,
    Indicator,
    InputFile,
    Notice,
    ProposalResult,
    ResultKind,
)
from equityplanner.model.transport_cost import TransportCostParameters
from equityplanner.progress import NullProgress, Progress

if TYPE_CHECKING:  # the routing modules (and the GTFS reader) load only with a network
    from equityplanner.analysis.routing.network import RoutedNetwork

__all__ = [
    "ServiceChangeInputs",
    "assess",
    "assess_projects",
    "load_baseline",
    "load_network",
    "load_opportunities",
    "load_service_change",
]

_WGS84 = CRS.from_epsg(4326)
_MIN_COVERED = 0.98  # below this share of a catchment inside the layer, warn
SERVICE_CHANGE_ID = "gtfs-service-change"
SERVICE_CHANGE_NAME = "Service change between the GTFS feeds"
FARE_CHANGE_ID = "fare-change"


def assess(
    document: ProjectDocument,
    *,
    neighbourhoods: Neighbourhoods | None = None,
    weights: WeightPoints | None = None,
    progress: Progress | None = None,
) -> Assessment:
    """Assess every project and scenario of a project document.

    Parameters
    ----------
    document
        The project (from :func:`equityplanner.load_project`).
    neighbourhoods
        The baseline layer if already loaded (the app keeps it); read from the document's
        baseline otherwise.
    weights
        A weights layer for population-weighted apportionment if already loaded; read from
        the document's ``weights`` otherwise (none: area weighting).
    progress
        Progress and cancellation; see :mod:`equityplanner.progress`.
    """
    progress = progress or NullProgress()
    nb = neighbourhoods or load_baseline(document, progress.subrange(0.0, 0.3))
    if weights is None:
        weights = load_weights(document)
    if nb.validity is not None and document.opportunities:
        nb.validity.check(nb.frame.geometry.to_numpy())  # jobs are placed in every polygon
    inputs: list[InputFile] = []
    if document.path is not None and document.path.exists():
        inputs.append(InputFile("project", str(document.path), sha256_file(document.path)))
    opportunities = load_opportunities(document, nb)
    service = load_service_change(document, progress.subrange(0.3, 0.35))
    network = load_network(document, progress.subrange(0.35, 0.4))
    for layer in [opportunities.jobs, *opportunities.facilities.values()]:
        if layer is not None:
            inputs += [InputFile(role, path, sha) for role, path, sha in layer.sources]
    if service is not None:
        inputs += [
            InputFile(f"gtfs_{role}", str(feed.path), feed.sha256)
            for role, feed in (("baseline", service.baseline), ("proposed", service.proposed))
        ]
    screening = load_screening(document, nb.frame["id"].astype(str).to_numpy())
    inputs += [InputFile(role, path, sha) for role, path, sha in screening.sources]
    fare = None
    if document.gtfs is not None:
        price = gtfs_fare(document.resolve(document.gtfs.baseline))
        if price is not None:
            fare = (price, "the baseline GTFS feed's fare_attributes.txt (most common price)")
    if network is not None:
        inputs += _network_inputs(network)
    assessment = assess_projects(
        nb,
        document.projects,
        parameters=document.parameters,
        metadata=document.metadata,
        scenarios=document.scenarios,
        progress=progress.subrange(0.4, 1.0),
        inputs=inputs,
        vintage=document.baseline.vintage if document.baseline else "",
        access=opportunities,
        service_change=service,
        weights=weights,
        screening=screening,
        fare_change=document.fare_change,
        transit_fare=fare,
        network=network,
    )
    # Inputs' own warnings (feeds, opportunity layers) and paths as a published pack shows them.
    layers = [opportunities.jobs, *opportunities.facilities.values()]
    extra = [w for layer in layers if layer is not None for w in layer.warnings]
    if service is not None:
        extra += [*service.baseline.warnings, *service.proposed.warnings]
    assessment.warnings = list(dict.fromkeys([*assessment.warnings, *extra]))
    assessment.inputs = relative_inputs(assessment.inputs, document.path)
    assessment.equity_questions = dict(document.equity_questions)
    return assessment


def _network_inputs(network: RoutedNetwork) -> list[InputFile]:
    """The street network and the feeds routed, for the audit trail."""
    out = [InputFile("network_osm", str(network.osm), sha256_file(network.osm))]
    for feed in network.feeds:
        path = feed.source
        sha = sha256_file(path) if path.is_file() else ""
        out.append(InputFile(f"network_gtfs_{feed.prefix}", str(path), sha))
    return out


@dataclass(frozen=True)
class _Proposal:
    """A project alone or a scenario: what one result assesses."""

    id: str
    name: str
    kind: ResultKind
    projects: tuple[Project, ...]


@dataclass
class _Run:
    """What every proposal of one assessment shares."""

    baseline: Baseline
    params: Parameters
    local: CRS
    warnings: list[str]
    access: AccessInputs
    access_cache: MeasureCache
    layer: LayerIndex
    weights: LayerWeights | None = None
    notices: list[Notice] = field(default_factory=list)
    screening: Screening = field(default_factory=Screening)
    costs: TransportCosts | None = None
    routed: RoutedAccess | None = None

    def shares(self, projects: Sequence[Project]) -> tuple[BaseGeometry, CatchmentShares]:
        """The catchment of ``projects`` (local CRS) and the shares of the neighbourhoods in it."""
        catchment = catchment_geometry(projects, self.params, self.local)
        return catchment, measure(self.layer, [catchment], self.local, self.weights)[0]


def assess_projects(
    neighbourhoods: Neighbourhoods,
    projects: tuple[Project, ...] | list[Project],
    *,
    parameters: Parameters | None = None,
    metadata: Metadata | None = None,
    scenarios: tuple[Scenario, ...] | list[Scenario] = (),
    progress: Progress | None = None,
    inputs: list[InputFile] | None = None,
    vintage: str = "",
    access: AccessInputs | None = None,
    service_change: ServiceChangeInputs | None = None,
    weights: WeightPoints | None = None,
    screening: Screening | None = None,
    fare_change: FareChange | None = None,
    transit_fare: tuple[float, str] | None = None,
    network: RoutedNetwork | None = None,
) -> Assessment:
    """Assess projects (each alone) and scenarios (projects together) on a baseline layer.

    With ``access`` (opportunity layers), transit projects also get access-to-opportunity
    indicators; with ``service_change`` (two GTFS feeds), a result of kind
    :attr:`~equityplanner.model.results.ResultKind.SERVICE_CHANGE` tests the neighbourhoods
    whose service falls or grows by the major-change threshold. With ``weights`` (census
    blocks or other points with a count, :func:`~equityplanner.io.weights.read_weights`)
    catchment counts are apportioned by population instead of area. With ``network`` (a street
    network and GTFS feeds), access is measured on routed travel times instead of the
    straight-line sketch model. With ``screening``
    (:func:`~equityplanner.analysis.screening.load_screening`) the disadvantaged-community and
    environmental indicators are added; with ``fare_change`` a result of kind
    :attr:`~equityplanner.model.results.ResultKind.FARE_CHANGE` holds its fare equity analysis.
    ``transit_fare`` is (price, source) of the transport-cost model's fare.
    """
    parameters = parameters or Parameters()
    access = access or AccessInputs()
    metadata = metadata or Metadata()
    progress = progress or NullProgress()
    if not projects:
        raise InputError(
            "there is no proposed project to assess",
            remedy="Add a housing or transit project, or pass --projects",
        )
    progress.report(0.0, "Preparing neighbourhoods")
    validity = neighbourhoods.validity
    if validity is not None and (
        weights is not None or not access.is_empty or service_change is not None
    ):
        # Weights, access and service changes use every polygon: check them all first.
        validity.check(neighbourhoods.frame.geometry.to_numpy())
    baseline = baseline_for(neighbourhoods, parameters)
    layer = baseline.layer or layer_index(neighbourhoods)
    run = _Run(
        baseline=baseline,
        params=parameters,
        local=local_projected_crs(_projects_bounds(projects), parameters.projected_crs),
        warnings=[*neighbourhoods.warnings, *baseline.warnings],
        access=access,
        access_cache={},
        layer=layer,
        weights=weights_on(layer, weights),
        screening=screening or Screening(),
    )
    cost_params = TransportCostParameters.from_dict(parameters.transport_cost or {})
    fare, fare_source = transit_fare if transit_fare else (None, "")
    run.costs = baseline.remembered(
        ("transport_costs", cost_params, fare, fare_source),
        lambda: transport_costs(baseline.table, cost_params, fare=fare, fare_source=fare_source),
    )
    run.warnings += [
        _("Transport costs (H+T): {assumption}").format(assumption=a) for a in run.costs.assumptions
    ]
    run.warnings += run.screening.warnings
    if weights is not None:
        run.warnings += weights.warnings
    if network is not None and not access.is_empty:
        run.routed = RoutedAccess(network, baseline, access, run.local)
    study = _study_area(baseline, parameters)
    by_id = {p.id: p for p in projects}
    proposals = [_Proposal(p.id, p.name, ResultKind.PROJECT, (p,)) for p in projects]
    proposals += [
        _Proposal(s.id, s.name, ResultKind.SCENARIO, tuple(by_id[i] for i in s.project_ids))
        for s in scenarios
    ]
    results = []
    steps = len(proposals) + (1 if service_change is not None else 0)
    for n, proposal in enumerate(proposals):
        sub = progress.subrange(0.05 + 0.95 * n / steps, 0.05 + 0.95 * (n + 1) / steps)
        sub.report(0.0, f"Assessing {proposal.name}")
        results.append(_assess_proposal(run, proposal, sub))
    if service_change is not None:
        progress.report(0.05 + 0.95 * len(proposals) / steps, "Comparing GTFS service")
        results.append(_assess_service_change(run, service_change))
    if fare_change is not None:
        results.append(_assess_fare_change(run, fare_change))
    travel_model = ""
    routing: dict[str, Any] = {}
    if not access.is_empty and any(isinstance(p, TransitProject) for p in projects):
        travel_model = travel_model_description(parameters)
        if run.routed is not None:
            travel_model = run.routed.description
            routing = _routing_record(run.routed)
    if network is not None:
        run.warnings += network.warnings
    progress.report(1.0, "Assessment complete")
    repaired = validity.warning() if validity is not None else None
    if repaired:  # the polygons the catchments touched that had to be repaired
        run.warnings.insert(len(neighbourhoods.warnings), repaired)
    all_inputs = [*(inputs or []), *(InputFile(r, p, s) for r, p, s in neighbourhoods.sources)]
    if weights is not None:
        all_inputs += [InputFile(r, p, s) for r, p, s in weights.sources]
    return Assessment(
        metadata=metadata,
        parameters=parameters,
        results=results,
        study_indicators=study,
        baseline=baseline.table.copy(deep=False),  # the prepared baseline is shared
        warnings=list(dict.fromkeys(run.warnings)),
        inputs=all_inputs,
        software_version=__version__,
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        projected_crs=_crs_label(run.local),
        comparison_label=parameters.comparison.label,
        vintage=vintage,
        baseline_geometries=baseline.geometries,
        baseline_crs=baseline.crs,
        projects=tuple(projects),
        travel_model=travel_model,
        notices=run.notices,
        routing=routing,
    )


_CRS_LABELS: dict[str, str] = {}


def _crs_label(crs: CRS) -> str:
    """:func:`crs_label`, remembered (its look-up of the authority code costs ~0.5 ms)."""
    key = crs.srs or crs.to_wkt()
    if key not in _CRS_LABELS:
        if len(_CRS_LABELS) > 64:
            _CRS_LABELS.clear()
        _CRS_LABELS[key] = crs_label(crs)
    return _CRS_LABELS[key]


def _study_area(baseline: Baseline, parameters: Parameters) -> list[Indicator]:
    """The study area's segregation indicators, computed once per prepared baseline."""
    key = ("study_area", parameters.comparison.label)
    if key not in baseline._memo:
        baseline._memo[key] = segregation.study_area_indicators(baseline, parameters)
    return list(baseline._memo[key])


def _projects_bounds(
    projects: tuple[Project, ...] | list[Project],
) -> tuple[float, float, float, float]:
    geoms = []
    for p in projects:
        if isinstance(p, HousingProject):
            geoms.append(p.site)
        else:
            geoms.extend(s.geometry for s in p.stations)
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geoms, dtype=object))
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _is_benefit(project: Project) -> bool:
    return True if isinstance(project, HousingProject) else project.change.is_benefit


# --------------------------------------------------------------------------------------
# One project or scenario


def _assess_proposal(run: _Run, proposal: _Proposal, progress: Progress) -> ProposalResult:
    """Each side's indicators and tables, then the housing tests of a housing project."""
    benefits = [p for p in proposal.projects if _is_benefit(p)]
    burdens = [p for p in proposal.projects if not _is_benefit(p)]
    mixed = bool(benefits and burdens)
    sides = [(side, ps) for side, ps in ((Side.BENEFITS, benefits), (Side.BURDENS, burdens)) if ps]
    indicators: list[Indicator] = []
    tables: list[pd.DataFrame] = []
    access_frames: list[pd.DataFrame] = []
    catchments: dict[str, BaseGeometry] = {}
    quintiles: pd.DataFrame | None = None
    for side, side_projects in sides:
        catchment, ctx = _measure_side(run, side, side_projects, mixed)
        side_indicators, side_quintiles = _side_indicators(ctx, run.warnings)
        indicators += side_indicators
        indicators += screening_indicators.served_indicators(ctx, run.screening)
        lines = [p for p in side_projects if isinstance(p, TransitProject)]
        if lines and side.is_benefit and ctx.transit_weights is not None and run.costs is not None:
            indicators.append(
                affordability.transit_indicator(
                    run.baseline,
                    lines,
                    ctx.transit_weights,
                    run.costs,
                    ctx.indicator_id(
                        IndicatorId(IndicatorFamily.AFFORDABILITY, "transport_cost_change")
                    ),
                )
            )
        if not run.access.is_empty:
            access_list, access_table = access.access_indicators(
                ctx,
                run.access,
                run.local,
                progress=progress.subrange(0.2, 1.0),
                cache=run.access_cache,
                routed=run.routed,
            )
            indicators += access_list
            if run.screening.layers:
                # The measures just computed (the cache holds them): the share of each access
                # change reaching disadvantaged communities (Justice40, issue 15.2).
                measures = measure_access(
                    ctx.baseline,
                    ctx.projects,
                    run.access,
                    run.params,
                    run.local,
                    cache=run.access_cache,
                    routed=run.routed,
                )
                gains = screening_indicators.access_gain_indicators(ctx, run.screening, measures)
                second = [m.against_rebuilt() or m for m in measures]
                indicators += access.within_routing_noise(
                    gains,
                    {
                        i.id: i.rating
                        for i in screening_indicators.access_gain_indicators(
                            ctx, run.screening, second
                        )
                    },
                )
            if not access_table.empty:
                access_frames.append(access_table.set_index("id").add_suffix(ctx.name_suffix))
        assert ctx.shares is not None
        shares = ctx.shares
        table = neighbourhood_table(run.baseline, shares.index, shares.share, ctx.id_suffix)
        if ctx.transit_weights is not None and ctx.transit_weights is not ctx.weights:
            # The catchment the side's Title VI tests were measured on (transit projects only).
            table["share_in_transit_catchment" + ctx.id_suffix] = ctx.transit_weights[shares.index]
        if shares.weighted:
            _add_weight_columns(table, shares, ctx.id_suffix)
        tables.append(table)
        catchments[side.value] = to_crs(np.array([catchment], dtype=object), run.local, _WGS84)[0]
        if not ctx.id_suffix:
            quintiles = side_quintiles
    first = proposal.projects[0]
    if proposal.kind is ResultKind.PROJECT and isinstance(first, HousingProject):
        indicators += housing.housing_indicators(run.baseline, first, run.params, run.warnings)
    indicators += _site_affordability(run, proposal)
    return ProposalResult(
        id=proposal.id,
        name=proposal.name,
        kind=proposal.kind,
        project_ids=tuple(p.id for p in proposal.projects),
        is_benefit=None if mixed else bool(benefits),
        indicators=indicators,
        neighbourhoods=merge_sides(tables),
        quintiles=pd.DataFrame() if quintiles is None else quintiles,
        catchment=catchments[sides[0][0].value],
        catchments=catchments,
        catchment_m={p.id: run.params.catchment_for(p) for p in proposal.projects},
        access=pd.concat(access_frames, axis=1).reset_index() if access_frames else pd.DataFrame(),
    )


def _site_affordability(run: _Run, proposal: _Proposal) -> list[Indicator]:
    """H+T and the screening layers at a housing site: a project alone, or a scenario joining
    a housing site with new or improved lines (its H+T is then measured with them)."""
    sites = [p for p in proposal.projects if isinstance(p, HousingProject)]
    if len(sites) != 1 or run.costs is None:
        return []
    site = sites[0]
    row = _site_row(run.baseline, site)
    if proposal.kind is ResultKind.PROJECT:
        out = affordability.site_indicators(run.baseline, site, row, run.params, run.costs)
        return out + screening_indicators.site_indicators(run.baseline, row, run.screening)
    lines = [
        p
        for p in proposal.projects
        if isinstance(p, TransitProject)
        and p.change.is_benefit
        and run.shares([p])[1].dense(len(run.baseline.table))[row] > 0
    ]
    if not lines:
        return []
    return [
        i
        for i in affordability.site_indicators(
            run.baseline, site, row, run.params, run.costs, with_transit=lines
        )
        if i.id == "affordability.h_plus_t"
    ]


def _assess_fare_change(run: _Run, change: FareChange) -> ProposalResult:
    """The fare equity analysis of FTA C 4702.1B (its two Title VI tests)."""
    low = group_specs(run.params.low_income_poverty_pct)["low_income"].label
    indicators, burden = fare_indicators.fare_indicators(
        change, run.baseline.table, run.params, low
    )
    if change.uses_proxy:
        run.warnings.append(
            _(
                "{name}: no rider survey was given; ACS commuters by public transportation "
                "stand in for riders (a proxy that shows differences of place, not of fare media)."
            ).format(name=change.name)
        )
    return ProposalResult(
        id=FARE_CHANGE_ID,
        name=change.name,
        kind=ResultKind.FARE_CHANGE,
        project_ids=(),
        is_benefit=not burden,
        indicators=indicators,
        neighbourhoods=pd.DataFrame({"id": []}),
        quintiles=pd.DataFrame(),
        catchment=None,
        catchment_m={},
    )


def _add_weight_columns(table: pd.DataFrame, shares: CatchmentShares, suffix: str) -> None:
    """How each neighbourhood's share was found, beside it (population-weighted sides only)."""
    assert shares.by_population is not None
    table["apportionment" + suffix] = np.where(shares.by_population, "population", "area")
    table["area_share_in_catchment" + suffix] = shares.area_shares
    table["weights_in_catchment" + suffix] = shares.weight_inside
    table["weights_total" + suffix] = shares.weight_total


def _measure_side(
    run: _Run, side: Side, projects: list[Project], mixed: bool
) -> tuple[Any, SideContext]:
    """(catchment in the local CRS, the side's context with its shares).

    Raises
    ------
    InputError
        When no neighbourhood falls within the catchment.
    """
    b = run.baseline
    catchment, shares = run.shares(projects)
    label = _describe(projects)
    if shares.index.size == 0:
        with language(SOURCE_LANGUAGE):  # errors are written in English, as the io layer's
            where = _describe(projects)
        raise InputError(
            "lies outside the study area: no neighbourhood falls within its catchment",
            location=where,
            remedy="Check its coordinates (GeoJSON must be longitude/latitude) "
            "or load the neighbourhood layer that covers it",
        )
    if shares.covered_fraction < _MIN_COVERED:
        warning = _(
            "{label}: {share} of the catchment lies outside the neighbourhood layer; people "
            "living there are not counted."
        ).format(label=label, share=pct(1 - shares.covered_fraction, 0))
        outside = _places_outside(run.layer, projects)
        if outside:
            warning += " " + _("Outside the layer: {names}.").format(names=", ".join(outside))
        run.warnings.append(warning)
    if shares.weighted:
        run.warnings += _weight_warnings(label, shares)
    weights = shares.dense(len(b.table))
    transit_shares = _transit_shares(run, projects, shares)
    if transit_shares is None:
        transit_weights = None
    elif transit_shares is shares:
        transit_weights = weights
    else:
        transit_weights = transit_shares.dense(len(b.table))
    ctx = SideContext(
        baseline=b,
        params=run.params,
        weights=weights,
        side=side,
        mixed=mixed,
        label=label,
        projects=projects,
        transit_weights=transit_weights,
        shares=shares,
        transit_shares=transit_shares,
    )
    return catchment, ctx


def _weight_warnings(label: str, shares: CatchmentShares) -> list[str]:
    """What the weights could not say about a catchment: neighbourhoods shared out by area,
    and weight lying in no neighbourhood."""
    out = []
    if shares.fallback_rows:
        out.append(
            _(
                "{label}: {count} neighbourhood(s) in the catchment have no weight (no block or "
                "point with a count), so their people are apportioned by area."
            ).format(label=label, count=shares.fallback_rows)
        )
    if shares.unassigned_points:
        out.append(
            _(
                "{label}: {count} weight point(s) inside the catchment ({weight} in all) lie in "
                "no neighbourhood; the people there are not counted."
            ).format(
                label=label, count=shares.unassigned_points, weight=num(shares.unassigned_weight)
            )
        )
    return out


def _transit_shares(
    run: _Run, projects: list[Project], shares: CatchmentShares
) -> CatchmentShares | None:
    """The catchment shares of the side's transit projects (Title VI concerns transit service)."""
    transit = [p for p in projects if isinstance(p, TransitProject)]
    if len(transit) == len(projects):
        return shares
    if not transit:
        return None
    return run.shares(transit)[1]


def _places_outside(layer: LayerIndex, projects: list[Project]) -> list[str]:
    """The stations and housing sites (quoted names) that no neighbourhood polygon holds."""
    places = [
        (station.name, station.geometry)
        for project in projects
        if isinstance(project, TransitProject)
        for station in project.stations
    ] + [(p.name, p.site) for p in projects if isinstance(p, HousingProject)]
    if not places:
        return []
    points = to_crs(np.array([geometry for _name, geometry in places]), _WGS84, layer.crs)
    inside = set(layer.query(points)[0].tolist())
    return [f"'{name}'" for k, (name, _geometry) in enumerate(places) if k not in inside]


def _describe(projects: list[Project]) -> str:
    """The side's projects by name, as warnings begin (``"project 'Route 14 cut'"``)."""
    names = ", ".join(f"'{p.name}'" for p in projects)
    return ngettext("project {names}", "projects {names}", len(projects)).format(names=names)


def _side_indicators(
    side: SideContext, warnings: list[str]
) -> tuple[list[Indicator], pd.DataFrame]:
    """Every family's indicators of one side, in the order of the outputs; the quintile table.

    Each group's share is followed by its Title VI test where the group has one (minority:
    disparate impact; low income: disproportionate burden) and the side has transit.
    """
    indicators = [served.population_indicator(side, warnings)]
    for totals in served.group_totals(side):
        indicators.append(served.group_share_indicator(side, totals))
        if totals.spec.title_vi_test and totals.transit_inside is not None:
            test = TitleViTest(totals.spec.title_vi_test)
            indicators.append(
                title_vi.catchment_test(side, test, totals.transit_inside, totals.reference)
            )
    by_quintile, quintiles = distribution.distribution_indicators(side)
    indicators += by_quintile
    if side.is_benefit:
        indicators.append(displacement.displacement_indicator(side))
    indicators.append(segregation.catchment_position_indicator(side))
    return indicators, quintiles


# --------------------------------------------------------------------------------------
# Service change between two GTFS feeds


def _assess_service_change(run: _Run, service: ServiceChangeInputs) -> ProposalResult:
    """Title VI tests on the neighbourhoods whose service is cut or improved (whole areas).

    Displacement and the per-quintile distribution are left out: a timetable change is
    measured on whole neighbourhoods, not on a catchment around new stations.
    """
    params = run.params
    table = compare_service(
        service.baseline,
        service.proposed,
        run.baseline.geometries,
        run.baseline.crs,
        run.local,
        date=service.date,
        walk_m=params.service_walk_m,
        peak=(_seconds(service.peak[0]), _seconds(service.peak[1])),
        major_change_threshold=params.major_change_threshold,
    )
    classes = table["classification"].to_numpy()
    present = [
        side
        for side, cls in ((Side.BENEFITS, "improvement"), (Side.BURDENS, "reduction"))
        if (classes == cls).any()
    ]
    mixed = len(present) > 1
    indicators: list[Indicator] = []
    frames = []
    for side in present:
        weights = (classes == ("improvement" if side.is_benefit else "reduction")).astype(float)
        label = (
            _("the stops whose service grows by {threshold} or more")
            if side.is_benefit
            else _("the stops whose service falls by {threshold} or more")
        ).format(threshold=pct(params.major_change_threshold, 0))
        ctx = SideContext(run.baseline, params, weights, side, mixed, label, [], weights)
        side_indicators, _table = _side_indicators(ctx, run.warnings)
        indicators += [
            i
            for i in side_indicators
            if i.key.family is not IndicatorFamily.DISPLACEMENT and i.key.quintile is None
        ]
        index = np.flatnonzero(weights)
        frames.append(neighbourhood_table(run.baseline, index, weights[index], ctx.id_suffix))
    if not present:
        run.warnings.append(
            _(
                "The proposed GTFS feed changes no neighbourhood's service by the major-change "
                "threshold."
            )
        )
    for notice in table.attrs.get("notices", []):
        run.notices.append(notice)
        run.warnings.append(f"{notice.message} {notice.remedy}.")
    service_table = table.copy()
    service_table.insert(0, "id", run.baseline.table["id"].to_numpy())
    return ProposalResult(
        id=SERVICE_CHANGE_ID,
        name=SERVICE_CHANGE_NAME,
        kind=ResultKind.SERVICE_CHANGE,
        project_ids=(),
        is_benefit=present[0].is_benefit if len(present) == 1 else None,
        indicators=indicators,
        neighbourhoods=merge_sides(frames) if frames else pd.DataFrame({"id": []}),
        quintiles=pd.DataFrame(),
        catchment=None,
        catchment_m={},
        access=service_table,
    )


def _seconds(text: str) -> int:
    hours, _colon, minutes = str(text).partition(":")
    return int(hours) * 3600 + int(minutes or 0) * 60


def _routing_record(routed: RoutedAccess) -> dict[str, Any]:
    """What produced the routed times, for the assessment's record (and its outputs)."""
    network = routed.network
    s = network.settings
    return {
        "engine": network.engine.name,
        "engine_version": network.engine.version,
        "osm": str(network.osm),
        "gtfs": [str(f.source) for f in network.feeds],
        "date": s.date,
        "window": list(s.window),
        "step_min": s.step_min,
        "departures": len(s.departures_s),
        "percentile": s.percentile,
        "max_walk_min": s.max_walk_min,
        "max_rides": s.max_rides,
        "cutoff_min": s.cutoff_min,
        "noise_floor": s.noise_floor,
        "destination_cell_m": routed.aggregation_m,
        "preparation": [f.report.describe() for f in network.feeds],
        "description": routed.description,
    }
