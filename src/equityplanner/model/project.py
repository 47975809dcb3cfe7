"""Proposed projects, scenarios, parameters and the project document.

Plain frozen dataclasses: no I/O and no computation. Geometries are shapely objects in
longitude/latitude (EPSG:4326, as in GeoJSON); the analysis projects them to a local CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from shapely.geometry.base import BaseGeometry

from equityplanner.model.equity_questions import Answer
from equityplanner.model.network import NetworkSource

__all__ = [
    "AMI_BANDS",
    "SCREENING_KINDS",
    "BaselineSource",
    "ComparisonPopulation",
    "FareChange",
    "FareType",
    "GtfsSource",
    "HousingProject",
    "Metadata",
    "Mode",
    "OpportunitySource",
    "Parameters",
    "Project",
    "ProjectDocument",
    "Scenario",
    "ScreeningLayer",
    "ScreeningSource",
    "ServiceChange",
    "Station",
    "Tenure",
    "TitleViPolicy",
    "TransitProject",
    "WeightsSource",
]

# The federal screening layers a project can load (docs/project_file.md, "screening").
SCREENING_KINDS: tuple[str, ...] = ("cejst", "ejscreen", "etc")

# Affordability bands of proposed units, by share of Area Median Income (HUD HAMFI bands).
AMI_BANDS: tuple[str, ...] = ("ami_30", "ami_50", "ami_80", "market")


class _TolerantEnum(StrEnum):
    @classmethod
    def create(cls, value: object) -> Self:
        """Parse case-insensitively; the error lists the valid choices."""
        text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        for member in cls:
            if member.value == text or member.name.lower() == text:
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"{value!r} is not one of: {choices}")


class Mode(_TolerantEnum):
    """Transit mode; it sets the default walk catchment of stations or stops."""

    RAIL = "rail"
    BRT = "brt"
    BUS = "bus"


class ServiceChange(_TolerantEnum):
    """Kind of change a transit project makes to service."""

    NEW = "new"
    IMPROVEMENT = "improvement"
    REDUCTION = "reduction"
    REMOVAL = "removal"

    @property
    def is_benefit(self) -> bool:
        """New or improved service is a benefit; reductions and removals are burdens."""
        return self in (ServiceChange.NEW, ServiceChange.IMPROVEMENT)


class Tenure(_TolerantEnum):
    """Tenure of proposed housing units."""

    RENTAL = "rental"
    OWNERSHIP = "ownership"


@dataclass(frozen=True)
class Station:
    """A named station or stop (point, lon/lat)."""

    name: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class HousingProject:
    """A proposed housing development.

    ``units_by_band`` gives units per AMI band (``ami_30`` = up to 30% AMI, ``ami_50`` = 31-50%,
    ``ami_80`` = 51-80%, ``market`` = market rate); ``proposed_rents_usd`` the monthly gross
    rent per band where known.
    """

    id: str
    name: str
    site: BaseGeometry
    total_units: int
    units_by_band: dict[str, int]
    tenure: Tenure = Tenure.RENTAL
    proposed_rents_usd: dict[str, float] = field(default_factory=dict)
    units_demolished: int = 0
    affordable_units_demolished: int = 0
    households_displaced: int = 0
    kind: str = "housing"

    @property
    def affordable_units(self) -> int:
        """Units at or below 80% AMI."""
        return sum(self.units_by_band.get(b, 0) for b in AMI_BANDS if b != "market")

    @property
    def adds_amenity(self) -> bool:
        """New market-rate units are the amenity that can raise local rents."""
        return self.units_by_band.get("market", 0) > 0


@dataclass(frozen=True)
class TransitProject:
    """A proposed transit line or service change.

    With a routed network (the project file's ``network`` block), ``gtfs_routes`` names the
    routes of the baseline GTFS that an improvement, reduction or removal changes (route_id or
    short name), and ``run_time_min`` the end-to-end run time of a new line (otherwise its
    length at the mode's scheduled speed).
    """

    id: str
    name: str
    mode: Mode
    change: ServiceChange
    stations: tuple[Station, ...]
    alignment: BaseGeometry | None = None
    peak_headway_min: float | None = None
    baseline_peak_headway_min: float | None = None
    span_hours: float | None = None
    fare_usd: float | None = None
    kind: str = "transit"
    gtfs_routes: tuple[str, ...] = ()
    run_time_min: float | None = None

    @property
    def adds_amenity(self) -> bool:
        """A new line or an improvement makes station areas more attractive."""
        return self.change.is_benefit


Project = HousingProject | TransitProject


@dataclass(frozen=True)
class Scenario:
    """A named set of projects assessed together (an alternative)."""

    id: str
    name: str
    project_ids: tuple[str, ...]


@dataclass(frozen=True)
class TitleViPolicy:
    """The agency's adopted disparate-impact / disproportionate-burden thresholds.

    ``forms`` chooses which tests apply: ``absolute`` (percentage points),
    ``relative`` (fraction of the comparison share) and ``four_fifths`` (rate ratio).
    """

    forms: tuple[str, ...] = ("absolute", "four_fifths")
    threshold_pp: float = 10.0
    threshold_relative: float = 0.20
    four_fifths_ratio: float = 0.80


@dataclass(frozen=True)
class ComparisonPopulation:
    """Which neighbourhoods form the comparison population.

    ``kind`` is ``all`` (the whole layer, e.g. the city), ``prefix`` (ids starting with
    ``value``, e.g. a county FIPS code) or ``ids`` (a custom list).
    """

    kind: str = "all"
    label: str = "Study area"
    prefix: str | None = None
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parameters:
    """Every number that affects results; saved in the project file."""

    catchment_m: dict[str, float] = field(
        default_factory=lambda: {"rail": 800.0, "brt": 800.0, "bus": 400.0, "housing": 800.0}
    )
    title_vi: TitleViPolicy = field(default_factory=TitleViPolicy)
    distribution_threshold_pp: float = 5.0
    comparison: ComparisonPopulation = field(default_factory=ComparisonPopulation)
    projected_crs: str | None = None
    area_median_income_usd: float | None = None
    reliability_bands: str = "esri"
    displacement_min_flags: int = 3
    significance_z: float = 1.645
    # Access to opportunity (methods.md §6): the travel model's parameters as saved
    # (model.travel_model.TravelModelParameters), job thresholds and facility catchment.
    travel_model: dict[str, Any] = field(default_factory=dict)
    job_thresholds_min: tuple[float, ...] = (30.0, 45.0)
    facility_catchment_min: float = 30.0
    # Service change from GTFS: the agency's major-change threshold and the walk distance.
    major_change_threshold: float = 0.25
    service_walk_m: float = 400.0
    # The adopted low-income definition, in percent of the poverty level (FTA C 4702.1B:
    # the HHS poverty guidelines, 100, unless the agency adopts a higher threshold; 200 is a
    # common adoption).
    low_income_poverty_pct: int = 200
    # A published median household income of the comparison population (e.g. ACS B19013 for
    # the city); without it the city's income is the neighbourhoods' household-weighted mean
    # of median incomes, and is labelled so.
    comparison_median_household_income_usd: float | None = None
    # The household transport-cost model (H+T) as saved: the values that differ from the
    # defaults of model.transport_cost.TransportCostParameters (resources/transport_cost.toml).
    transport_cost: dict[str, Any] = field(default_factory=dict)

    def catchment_for(self, project: Project) -> float:
        """Catchment radius in metres for a project."""
        key = "housing" if isinstance(project, HousingProject) else project.mode.value
        return float(self.catchment_m[key])


@dataclass(frozen=True)
class Metadata:
    """Who made the assessment and what it is about."""

    title: str = "Untitled assessment"
    author: str = ""
    organisation: str = ""
    date: str = ""
    description: str = ""
    status: str = "draft"
    """``draft`` or ``final``: printed on every page of the workbook."""
    comment: str = ""
    """How and where residents can comment (free text), printed in the community summary."""
    comment_until: str = ""
    """The last day for comments, ``YYYY-MM-DD`` (empty: not set yet)."""

    def __post_init__(self) -> None:
        status = str(self.status or "").strip().lower()
        object.__setattr__(self, "status", "final" if status == "final" else "draft")

    @property
    def is_final(self) -> bool:
        """True for a final assessment (anything else prints as a draft)."""
        return self.status == "final"


@dataclass(frozen=True)
class BaselineSource:
    """Where the neighbourhood data comes from (paths relative to the project file).

    ``sheet`` names the sheet of an Excel ``table``; without it the first visible sheet is
    read.
    """

    neighbourhoods: str
    table: str | None = None
    layer: str | None = None
    id_column: str | None = None
    table_id_column: str | None = None
    crs: str | None = None
    mapping: dict[str, Any] = field(default_factory=dict)
    vintage: str = ""
    sheet: str | None = None


@dataclass(frozen=True)
class OpportunitySource:
    """A layer of opportunities (jobs, schools, childcare, clinics) for the access indicators.

    ``path`` is relative to the project file; ``blocks`` is the block-centroid file a LODES
    jobs table is placed on; ``capacity_column`` names the capacity (seats, physicians).
    """

    path: str
    capacity_column: str | None = None
    blocks: str | None = None


@dataclass(frozen=True)
class GtfsSource:
    """A baseline and a proposed GTFS feed, compared on a service date."""

    baseline: str
    proposed: str
    date: str
    peak: tuple[str, str] = ("07:00", "09:00")


@dataclass(frozen=True)
class WeightsSource:
    """Where people live inside neighbourhoods: points or areas with a count (census blocks,
    address points), for population-weighted apportionment (docs/project_file.md).

    ``path`` and ``table`` are relative to the project file; ``table`` is a table of counts
    joined on ``id_column`` (the PL 94-171 download); ``count_column`` names the count.
    """

    path: str
    count_column: str | None = None
    id_column: str | None = None
    layer: str | None = None
    table: str | None = None
    table_id_column: str | None = None


@dataclass(frozen=True)
class ScreeningLayer:
    """One published screening file (docs/project_file.md, "screening").

    ``kind`` is ``cejst`` (CEQ's CEJST communities list, tracts), ``ejscreen`` (EPA EJScreen,
    block groups) or ``etc`` (USDOT ETC Explorer, tracts); ``vintage`` the census geography
    of its ids (2010 or 2020; the default of each kind is in ``resources/screening.toml``);
    ``columns`` overrides the published column names by role; ``release`` names the release.
    """

    kind: str
    path: str
    vintage: int | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    release: str = ""


@dataclass(frozen=True)
class ScreeningSource:
    """The screening layers of a project and how their ids meet the neighbourhoods'.

    ``neighbourhood_vintage`` is the census geography of the neighbourhood ids (2020 for ACS
    2020 onwards); ``relationship`` the Census tract relationship file
    (``tab20_tract20_tract10_natl.txt``) that crosswalks a layer of the other vintage.
    """

    layers: dict[str, ScreeningLayer] = field(default_factory=dict)
    neighbourhood_vintage: int = 2020
    relationship: str | None = None


@dataclass(frozen=True)
class FareType:
    """A fare (a fare medium or product) and its change.

    ``usage`` gives, by group (``minority``, ``non_minority``, ``low_income``,
    ``non_low_income``), the share of that group's trips paid with this fare (from a rider
    survey). Without a survey, ``share`` is the share of all trips paid with it and
    ``neighbourhoods`` the ids where it applies (empty: everywhere): the riders of each group
    are then taken from ACS transit commuters (the proxy, said so in the outputs).
    """

    name: str
    old_usd: float
    new_usd: float
    usage: dict[str, float] = field(default_factory=dict)
    share: float | None = None
    neighbourhoods: tuple[str, ...] = ()

    @property
    def change_usd(self) -> float:
        """New price minus old price."""
        return self.new_usd - self.old_usd


@dataclass(frozen=True)
class FareChange:
    """A proposed change of fares, for the FTA C 4702.1B fare equity analysis.

    ``usage`` is ``survey`` (each fare's ``usage`` by group) or ``acs_proxy`` (ACS transit
    commuters by race and poverty stand in for riders); ``survey`` describes the survey.
    """

    name: str
    fares: tuple[FareType, ...]
    usage: str = "survey"
    survey: str = ""

    @property
    def uses_proxy(self) -> bool:
        """True when ACS-based rider proxies stand in for a survey."""
        return self.usage == "acs_proxy"


@dataclass(frozen=True)
class ProjectDocument:
    """Everything saved in a project file."""

    metadata: Metadata
    baseline: BaselineSource | None
    projects: tuple[Project, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    parameters: Parameters = field(default_factory=Parameters)
    path: Path | None = None
    opportunities: dict[str, OpportunitySource] = field(default_factory=dict)
    gtfs: GtfsSource | None = None
    weights: WeightsSource | None = None
    screening: ScreeningSource | None = None
    fare_change: FareChange | None = None
    network: NetworkSource | None = None  # routed access (model/network.py)
    # Answers to the racial-equity questions by question id (model/equity_questions.py)
    equity_questions: dict[str, Answer] = field(default_factory=dict)

    def resolve(self, relative: str) -> Path:
        """A path from the project file made absolute against the file's folder."""
        p = Path(relative)
        if p.is_absolute() or self.path is None:
            return p
        return (self.path.parent / p).resolve()
