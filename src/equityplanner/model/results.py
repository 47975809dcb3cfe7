"""Results of an assessment: indicators, tables and provenance.

Everything the app, the workbook and the JSON output show comes from these objects; they hold
values only, never presentation. Indicator ids are built and read with
:mod:`equityplanner.model.indicator_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from equityplanner.model.concepts import IndicatorFamily, ResultKind, Side
from equityplanner.model.equity_questions import Answer
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import Metadata, Parameters

if TYPE_CHECKING:  # pandas loads with the first results, not with the app's window
    import pandas as pd


def _empty_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


__all__ = [
    "NOTICE_SEVERITIES",
    "Assessment",
    "Indicator",
    "InputFile",
    "Notice",
    "ProposalResult",
    "Reliability",
    "ResultKind",
]


@dataclass(frozen=True)
class Reliability:
    """Sampling error of an estimate: 90% margin, coefficient of variation, band."""

    moe: float | None
    cv_percent: float | None
    band: str | None  # "high", "medium", "low" (resources/reliability.toml)


@dataclass(frozen=True)
class Indicator:
    """One equity indicator with its rating and plain-language finding.

    ``value`` and ``comparison`` are in ``value_unit`` (``"share"``, ``"persons"``, ``"units"``
    for dwellings, ...): shares are fractions (0..1), differences of shares are percentage
    points. ``id`` is the string form of an :class:`IndicatorId` (see :attr:`key`);
    ``category`` is its family.
    """

    id: str
    name: str
    category: IndicatorFamily
    value: float | str | None
    comparison: float | str | None
    difference: float | None
    value_unit: str
    rating: str
    rating_label: str
    tone: str
    finding: str
    method: str
    reference: str
    reliability: Reliability | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """The unit of the value (kept for code written before :attr:`value_unit`)."""
        return self.value_unit

    @property
    def key(self) -> IndicatorId:
        """The typed form of :attr:`id`."""
        return IndicatorId.parse(self.id)


@dataclass
class ProposalResult:
    """The assessment of one proposal: a project, a scenario or a GTFS service change.

    ``kind`` says which (a :class:`ResultKind`; a plain string is converted). ``is_benefit``
    is None when the proposal has both a benefit and a burden side (a scenario mixing new
    service and cuts, or a service change that improves some stops and cuts others).
    """

    id: str
    name: str
    kind: ResultKind
    project_ids: tuple[str, ...]
    is_benefit: bool | None
    indicators: list[Indicator]
    neighbourhoods: pd.DataFrame
    quintiles: pd.DataFrame
    catchment: BaseGeometry | None  # lon/lat (EPSG:4326); the primary side's
    catchment_m: dict[str, float] = field(default_factory=dict)
    catchments: dict[str, BaseGeometry] = field(default_factory=dict)  # "benefits", "burdens"
    # Access to opportunity per neighbourhood (every neighbourhood): <measure>_before/_after/
    # _change columns; empty when the unit changes no transit or no opportunities were given.
    access: pd.DataFrame = field(default_factory=lambda: _empty_frame())

    def __post_init__(self) -> None:
        self.kind = ResultKind(self.kind)

    @property
    def sides(self) -> list[Side]:
        """The proposal's sides, benefits first: one, or both when :attr:`is_benefit` is None."""
        if self.is_benefit is None:
            return [Side.BENEFITS, Side.BURDENS]
        return [Side.of(self.is_benefit)]

    def indicator(self, indicator_id: str | IndicatorId) -> Indicator:
        """The indicator with this id (KeyError if absent)."""
        wanted = str(indicator_id)
        for ind in self.indicators:
            if ind.id == wanted:
                return ind
        raise KeyError(wanted)


@dataclass(frozen=True)
class InputFile:
    """An input file and its SHA-256, for the audit trail.

    ``path`` is absolute; ``relative_path`` is the path relative to the project file's folder
    (or, without a project file, to the working folder), as a published report shows it;
    empty when there is none (another drive).
    """

    role: str
    path: str
    sha256: str
    relative_path: str = ""


NOTICE_SEVERITIES: tuple[str, ...] = ("blocking", "prominent")
"""Severities of a :class:`Notice`, gravest first."""


@dataclass(frozen=True)
class Notice:
    """A warning that must not sit in a list: it qualifies a verdict.

    Attributes
    ----------
    severity
        ``"blocking"``: the verdict of ``result_id`` holds only if what the notice says is
        intended (show it beside that verdict, in the Decision and the Methodology, never
        only in a list of warnings); ``"prominent"``: shown at the top of the Decision.
    code
        A stable key, e.g. ``"gtfs.proposed_service_drop"``.
    message
        One plain-language sentence.
    remedy
        What to check or do.
    result_id
        The result the notice qualifies (e.g. ``"gtfs-service-change"``), or ``""`` for all.
    """

    severity: str
    code: str
    message: str
    remedy: str = ""
    result_id: str = ""


@dataclass
class Assessment:
    """A complete assessment run."""

    metadata: Metadata
    parameters: Parameters
    results: list[ProposalResult]
    study_indicators: list[Indicator]
    baseline: pd.DataFrame  # per neighbourhood: id, name, canonical fields, quintile, flags
    warnings: list[str]
    inputs: list[InputFile]
    software_version: str
    created: str
    projected_crs: str
    comparison_label: str
    vintage: str = ""
    baseline_geometries: Any = None  # shapely array in baseline_crs (for maps)
    baseline_crs: Any = None
    projects: tuple[Any, ...] = ()  # the assessed projects (geometries in lon/lat)
    travel_model: str = ""  # which model produced travel times, when access was measured
    # Warnings that qualify a verdict (their message is also in ``warnings``).
    notices: list[Notice] = field(default_factory=list)
    # Routed access (the project's ``network``): engine, version, street network, feeds, date,
    # window, step, percentile, departures, noise floor and each feed's preparation; empty
    # when the straight-line sketch model gave the times.
    routing: dict[str, Any] = field(default_factory=dict)
    # The project's answers to the racial-equity questions (model/equity_questions.py), as
    # the workbook and the JSON output print them; not an input of any number.
    equity_questions: dict[str, Answer] = field(default_factory=dict)

    def result(self, result_id: str) -> ProposalResult:
        """The result of the project, scenario or service change with this id (KeyError if absent)."""
        for r in self.results:
            if r.id == result_id:
                return r
        raise KeyError(result_id)
