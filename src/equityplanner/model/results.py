"""Results of an assessment: indicators, tables and provenance.

Everything the app, the workbook and the JSON output show comes from these objects; they hold
values only, never presentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from equityplanner.model.project import Metadata, Parameters

__all__ = ["Assessment", "Indicator", "InputFile", "Reliability", "UnitResult"]


@dataclass(frozen=True)
class Reliability:
    """Sampling error of an estimate: 90% margin, coefficient of variation, band."""

    moe: float | None
    cv_percent: float | None
    band: str | None  # "high", "medium", "low" (resources/reliability.toml)


@dataclass(frozen=True)
class Indicator:
    """One equity indicator with its rating and plain-language finding.

    ``value`` and ``comparison`` are in ``unit``: shares are fractions (0..1), differences
    of shares are percentage points.
    """

    id: str
    name: str
    category: str
    value: float | str | None
    comparison: float | str | None
    difference: float | None
    unit: str
    rating: str
    rating_label: str
    tone: str
    finding: str
    method: str
    reference: str
    reliability: Reliability | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnitResult:
    """The assessment of one project or of one scenario (several projects together)."""

    id: str
    name: str
    kind: str  # "project" or "scenario"
    project_ids: tuple[str, ...]
    is_benefit: bool | None  # None when a scenario mixes benefits and burdens
    indicators: list[Indicator]
    neighbourhoods: pd.DataFrame
    quintiles: pd.DataFrame
    catchment: BaseGeometry | None  # lon/lat (EPSG:4326); the primary side's
    catchment_m: dict[str, float] = field(default_factory=dict)
    catchments: dict[str, BaseGeometry] = field(default_factory=dict)  # "benefits", "burdens"
    # Access to opportunity per neighbourhood (every neighbourhood): <measure>_before/_after/
    # _change columns; empty when the unit changes no transit or no opportunities were given.
    access: pd.DataFrame = field(default_factory=pd.DataFrame)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (KeyError if absent)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)


@dataclass(frozen=True)
class InputFile:
    """An input file and its SHA-256, for the audit trail."""

    role: str
    path: str
    sha256: str


@dataclass
class Assessment:
    """A complete assessment run."""

    metadata: Metadata
    parameters: Parameters
    results: list[UnitResult]
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

    def result(self, unit_id: str) -> UnitResult:
        """The project or scenario result with this id (KeyError if absent)."""
        for r in self.results:
            if r.id == unit_id:
                return r
        raise KeyError(unit_id)
