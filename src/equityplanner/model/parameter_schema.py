"""The table of the project's parameters: every key, its rule, default and meaning.

:func:`parameters_from_dict` reads the ``parameters`` object of a project file (and the
desktop app's form) with :data:`PARAMETER_FIELDS`; ``docs/project_file.md`` describes the
same keys. Adding a parameter is adding a row here and a field to
:class:`~equityplanner.model.project.Parameters`. The project file's ``network`` block (routed
access) is read with its own table, :data:`NETWORK_FIELDS` (``model/network.py``), re-exported
here with :func:`network_from_dict`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from equityplanner.errors import InputError
from equityplanner.model.network import NETWORK_FIELDS, network_from_dict, network_to_dict
from equityplanner.model.project import (
    ComparisonPopulation,
    Parameters,
    TitleViPolicy,
)
from equityplanner.model.schema import (
    Choice,
    Field,
    MetricCrs,
    Number,
    NumberList,
    NumberMapping,
    Object,
    Subset,
    Text,
    TextList,
    read_object,
)
from equityplanner.model.transport_cost import TRANSPORT_COST_FIELDS, TransportCostParameters
from equityplanner.model.travel_model import TRAVEL_MODEL_FIELDS, TravelModelParameters

__all__ = [
    "COMPARISON_FIELDS",
    "NETWORK_FIELDS",
    "PARAMETER_FIELDS",
    "TITLE_VI_FIELDS",
    "network_from_dict",
    "network_to_dict",
    "parameters_from_dict",
]

TITLE_VI_FORMS = ("absolute", "relative", "four_fifths")
COMPARISON_KINDS = ("all", "prefix", "ids")
_DEFAULTS = Parameters()
_POLICY = TitleViPolicy()
_COMPARISON = ComparisonPopulation()

TITLE_VI_FIELDS: tuple[Field, ...] = (
    Field(
        "forms",
        Subset(TITLE_VI_FORMS),
        _POLICY.forms,
        "Which tests apply: absolute (points), relative (fraction), four_fifths (rate ratio).",
    ),
    Field(
        "threshold_pp",
        Number(below=100, below_fault="must be below 100 percentage points"),
        _POLICY.threshold_pp,
        "Absolute test: a difference of more than this many percentage points is a finding.",
    ),
    Field(
        "threshold_relative",
        Number(),
        _POLICY.threshold_relative,
        "Relative test: a difference of more than this fraction of the comparison share.",
    ),
    Field(
        "four_fifths_ratio",
        Number(below=1, below_fault="must be below 1 (e.g. 0.8)"),
        _POLICY.four_fifths_ratio,
        "Four-fifths test: a rate ratio below this (above its inverse for burdens).",
    ),
)

COMPARISON_FIELDS: tuple[Field, ...] = (
    Field("kind", Choice(COMPARISON_KINDS), _COMPARISON.kind, "all, prefix or ids."),
    Field(
        "label",
        Text(),
        _COMPARISON.label,
        "The comparison population's name in findings.",
        blank_is_default=True,
    ),
    Field(
        "prefix",
        Text(),
        None,
        "With kind prefix: the neighbourhood ids' prefix (e.g. a county FIPS code).",
        blank_is_default=True,
    ),
    Field(
        "ids",
        TextList(),
        (),
        "With kind ids: the neighbourhood ids.",
        blank_is_default=True,
    ),
)


def _title_vi(values: dict[str, Any], where: str, problems: list[str]) -> TitleViPolicy:
    return TitleViPolicy(**{**_shallow(_POLICY), **values})


def _comparison(values: dict[str, Any], where: str, problems: list[str]) -> ComparisonPopulation:
    """The comparison population; a kind without its prefix or ids falls back to ``all``."""
    kind = values.get("kind", _COMPARISON.kind)
    if kind == "prefix" and not values.get("prefix"):
        problems.append(f"{where}.prefix: needed when kind is 'prefix' (e.g. a county FIPS code)")
        kind = "all"
    if kind == "ids" and not values.get("ids"):
        problems.append(f"{where}.ids: needed when kind is 'ids' (a list of neighbourhood ids)")
        kind = "all"
    return ComparisonPopulation(
        kind=kind,
        label=values.get("label", _COMPARISON.label),
        prefix=values.get("prefix"),
        ids=values.get("ids", ()),
    )


def _travel_model(values: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The travel model's parameters, kept as their differences from the defaults.

    Kept so, parameters compare equal however they were written; saving writes every value.
    """
    try:
        chosen = TravelModelParameters(**values).to_dict()
    except InputError as exc:  # not expected: the table checked every value
        problems.append(f"{where}: {exc.fault}")
        return {}
    model_defaults = TravelModelParameters().to_dict()
    return {k: v for k, v in chosen.items() if v != model_defaults[k]}


def _transport_cost(values: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The transport-cost model's parameters, kept as their differences from the defaults."""
    try:
        chosen = TransportCostParameters(**values).to_dict()
    except InputError as exc:  # not expected: the table checked every value
        problems.append(f"{where}: {exc.fault}")
        return {}
    model_defaults = TransportCostParameters().to_dict()
    return {k: v for k, v in chosen.items() if v != model_defaults[k]}


PARAMETER_FIELDS: tuple[Field, ...] = (
    Field(
        "catchment_m",
        NumberMapping(
            keys=tuple(_DEFAULTS.catchment_m),
            item=Number(maximum=10_000, above_fault="{value} m is more than 10 km"),
            fix='must be an object such as {"bus": 400}',
        ),
        _DEFAULTS.catchment_m,
        "Walk catchment radius in metres by mode (rail, brt, bus) and for housing sites.",
    ),
    Field(
        "title_vi",
        Object(TITLE_VI_FIELDS, _title_vi, fix="an object of the Title VI policy"),
        _DEFAULTS.title_vi,
        "The agency's adopted disparate impact / disproportionate burden thresholds.",
        blank_is_default=True,
    ),
    Field(
        "distribution_threshold_pp",
        Number(),
        _DEFAULTS.distribution_threshold_pp,
        "A quintile's share of the benefit within this many points of its population is neutral.",
    ),
    Field(
        "comparison",
        Object(COMPARISON_FIELDS, _comparison, fix='an object such as {"kind": "all"}'),
        _DEFAULTS.comparison,
        "Which neighbourhoods form the comparison population.",
        blank_is_default=True,
    ),
    Field(
        "projected_crs",
        MetricCrs(),
        _DEFAULTS.projected_crs,
        "The CRS of distances and areas; empty: the UTM zone of the projects.",
        blank_is_default=True,
    ),
    Field(
        "area_median_income_usd",
        Number(),
        _DEFAULTS.area_median_income_usd,
        "HUD area median income, for the income-restricted rent limits.",
        blank_is_default=True,
    ),
    Field(
        "reliability_bands",
        Choice(("esri", "census")),
        _DEFAULTS.reliability_bands,
        "Which coefficient-of-variation bands rate the reliability of estimates.",
    ),
    Field(
        "displacement_min_flags",
        Number(whole=True, strict=True, minimum=1, maximum=5),
        _DEFAULTS.displacement_min_flags,
        "A neighbourhood meeting this many of the 5 risk factors is vulnerable to displacement.",
    ),
    Field(
        "significance_z",
        Number(),
        _DEFAULTS.significance_z,
        "z-score above which a difference is significant (1.645: 90%).",
    ),
    Field(
        "travel_model",
        Object(
            TRAVEL_MODEL_FIELDS,
            _travel_model,
            unknown="unknown",
            fix='an object such as {"walk_speed_kmh": 4.8}',
        ),
        _DEFAULTS.travel_model,
        "The straight-line travel model's parameters (docs/methods.md §6).",
        blank_is_default=True,
    ),
    Field(
        "job_thresholds_min",
        NumberList(fix="a list of minutes such as [30, 45]"),
        _DEFAULTS.job_thresholds_min,
        "Minutes within which jobs are counted, one access measure each.",
    ),
    Field(
        "facility_catchment_min",
        Number(),
        _DEFAULTS.facility_catchment_min,
        "Minutes of the clinic catchment (enhanced two-step floating catchment).",
    ),
    Field(
        "major_change_threshold",
        Number(below=1, below_fault="a fraction below 1, e.g. 0.25 for 25%"),
        _DEFAULTS.major_change_threshold,
        "A change of service by this fraction or more is a major service change.",
    ),
    Field(
        "service_walk_m",
        Number(),
        _DEFAULTS.service_walk_m,
        "Walk distance in metres from a neighbourhood to the stops that serve it.",
    ),
    Field(
        "low_income_poverty_pct",
        Number(whole=True, strict=True, minimum=100, maximum=200),
        _DEFAULTS.low_income_poverty_pct,
        "Low-income: below this percent of the poverty level (100: the HHS poverty "
        "guidelines of FTA C 4702.1B; 200: a common adoption).",
    ),
    Field(
        "comparison_median_household_income_usd",
        Number(),
        _DEFAULTS.comparison_median_household_income_usd,
        "A published median household income of the comparison population (e.g. ACS "
        "B19013 for the city); empty: the neighbourhoods' household-weighted mean of medians.",
        blank_is_default=True,
    ),
    Field(
        "transport_cost",
        Object(
            TRANSPORT_COST_FIELDS,
            _transport_cost,
            unknown="unknown",
            fix='an object such as {"vehicle_operating_cost_usd_per_mile": 0.25}',
        ),
        _DEFAULTS.transport_cost,
        "The household transport-cost model of H+T (resources/transport_cost.toml).",
        blank_is_default=True,
    ),
)
"""Every key of the ``parameters`` object, in the order of :class:`Parameters`."""


def parameters_from_dict(raw: dict[str, Any], problems: list[str] | None = None) -> Parameters:
    """Parameters from their JSON form; unknown or bad values are added to ``problems``.

    Each problem is one line, ``"parameters.<key>: <fault>"``; the values with a fault keep
    their defaults.

    Raises
    ------
    InputError
        When ``problems`` is not given and a value is bad.
    """
    collect = problems if problems is not None else []
    values = read_object(raw, PARAMETER_FIELDS, "parameters", collect, unknown="unknown parameter")
    if problems is None and collect:
        raise InputError(fault="; ".join(collect), location="parameters")
    return Parameters(**{**_shallow(_DEFAULTS), **values})


def _shallow(instance: Any) -> dict[str, Any]:
    """A dataclass instance's fields as a dict, nested dataclasses kept as objects."""
    return {f.name: getattr(instance, f.name) for f in fields(instance)}
