"""The table of a project file's keys: every object, its fields, rules and meaning.

:func:`read_document` reads a whole project document (after its schema version is upgraded)
with :data:`DOCUMENT_FIELDS` and collects one problem per fault, ``"<key>: <fault>"``; the
parameters are :data:`~equityplanner.model.parameter_schema.PARAMETER_FIELDS`. What the table
cannot know (that a path names a readable file next to the project file, that a scenario's
projects exist) is checked by :mod:`equityplanner.io.project_file`, which calls this first.
``equityplanner validate`` and ``equityplanner assess`` both load a project through it, so
that a file one accepts the other accepts. ``docs/project_file.md`` describes the same keys.

Examples
--------
>>> problems: list[str] = []
>>> values = read_document({"gtfs": {"baseline": "a.zip", "proposed": "b.zip",
...     "date": "2026-03-10", "peak": ["07:00:00", "09:00:00"]}}, problems)
>>> values["gtfs"].peak, problems
(('07:00', '09:00'), [])
>>> _ = read_document({"metadata": ["x"], "baseline": {"neighbourhoods": 5}}, problems)
>>> problems[0]
"metadata: ['x'] is not an object; give an object of title, author, organisation, date, description"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from equityplanner.catalog import load_resource
from equityplanner.model.equity_questions import AnswersRule
from equityplanner.model.network import NetworkBlock
from equityplanner.model.parameter_schema import PARAMETER_FIELDS, _shallow
from equityplanner.model.project import (
    SCREENING_KINDS,
    BaselineSource,
    FareChange,
    FareType,
    GtfsSource,
    Metadata,
    OpportunitySource,
    Parameters,
    Scenario,
    ScreeningLayer,
    ScreeningSource,
    WeightsSource,
)
from equityplanner.model.schema import (
    INVALID,
    AnyCrs,
    Choice,
    ClockWindow,
    ColumnMapping,
    ColumnName,
    Field,
    IsoDate,
    Keyed,
    Number,
    NumberMapping,
    Object,
    ObjectList,
    PathText,
    Rule,
    Text,
    TextList,
    read_object,
    show,
)

__all__ = [
    "BASELINE_FIELDS",
    "DOCUMENT_FIELDS",
    "FARE_CHANGE_FIELDS",
    "FARE_FIELDS",
    "GTFS_FIELDS",
    "METADATA_FIELDS",
    "OPPORTUNITY_FIELDS",
    "OPPORTUNITY_KINDS",
    "SCENARIO_FIELDS",
    "SCREENING_FIELDS",
    "SCREENING_LAYER_FIELDS",
    "WEIGHTS_FIELDS",
    "FeatureCollection",
    "read_document",
]

OPPORTUNITY_KINDS: Final[tuple[str, ...]] = ("jobs", "schools", "childcare", "clinics")
_TITLE_LENGTH: Final = 1_000

METADATA_FIELDS: tuple[Field, ...] = (
    Field("title", Text(max_length=_TITLE_LENGTH), "", "The assessment's title.", True),
    Field("author", Text(max_length=_TITLE_LENGTH), "", "Who made it.", True),
    Field("organisation", Text(max_length=_TITLE_LENGTH), "", "For whom.", True),
    Field("date", Text(max_length=100), "", "When (any text, e.g. 2026-11-25).", True),
    Field("description", Text(), "", "What is assessed, in a few sentences.", True),
    Field(
        "status",
        Choice(("draft", "final")),
        "draft",
        "draft or final: printed on every page of the workbook.",
        True,
    ),
    Field(
        "comment",
        Text(max_length=2_000),
        "",
        "How and where residents can comment, printed in the community summary.",
        True,
    ),
    Field("comment_until", IsoDate(), "", "The last day for comments, YYYY-MM-DD.", True),
)

BASELINE_FIELDS: tuple[Field, ...] = (
    Field("neighbourhoods", PathText(), None, "The polygon file (GeoPackage, Shapefile...)."),
    Field("table", PathText(), None, "The attribute table (CSV or XLSX) joined on GEOID.", True),
    Field("sheet", Text(max_length=200), None, "The sheet of an Excel table.", True),
    Field("layer", Text(max_length=1_000), None, "The layer of a GeoPackage.", True),
    Field("id_column", ColumnName(), None, "The polygons' id column.", True),
    Field("table_id_column", ColumnName(), None, "The table's id column.", True),
    Field("crs", AnyCrs(), None, "The CRS of a polygon file that declares none.", True),
    Field("mapping", ColumnMapping(), {}, "Canonical fields to columns.", True),
    Field("vintage", Text(max_length=_TITLE_LENGTH), "", "The data's vintage.", True),
)

GTFS_FIELDS: tuple[Field, ...] = (
    Field("baseline", PathText(), None, "The current service's GTFS feed (zip or folder)."),
    Field("proposed", PathText(), None, "The proposed service's GTFS feed."),
    Field("date", IsoDate(), None, "The service day compared in both feeds."),
    Field(
        "peak",
        ClockWindow(),
        ("07:00", "09:00"),
        'The peak window, ["HH:MM", "HH:MM"] (GTFS\'s HH:MM:SS with :00 too).',
        True,
    ),
)

OPPORTUNITY_FIELDS: tuple[Field, ...] = (
    Field("path", PathText(), None, "The layer: points, or a LODES WAC table for jobs."),
    Field("capacity_column", ColumnName(), None, "The capacity (seats, physicians).", True),
    Field("blocks", PathText(), None, "Block centroids a LODES table is placed on.", True),
)

WEIGHTS_FIELDS: tuple[Field, ...] = (
    Field("path", PathText(), None, "Points or areas with a count: census blocks, address points."),
    Field(
        "count_column",
        ColumnName(),
        None,
        "The count (default P1_001N, POP20, population...).",
        True,
    ),
    Field("id_column", ColumnName(), None, "The id (block GEOID) the table joins on.", True),
    Field(
        "layer",
        Text(max_length=1_000),
        None,
        "Layer of a GeoPackage, or the Shapefile in a .zip.",
        True,
    ),
    Field("table", PathText(), None, "A table of counts joined on the id (PL 94-171).", True),
    Field(
        "table_id_column", ColumnName(), None, "The table's id column (default GEO_ID...).", True
    ),
)
"""The keys of the ``weights`` object (a path alone may stand for it)."""

SCENARIO_FIELDS: tuple[Field, ...] = (
    Field("id", Text(max_length=_TITLE_LENGTH), None, "The scenario's id."),
    Field("name", Text(max_length=_TITLE_LENGTH), None, "Its name.", True),
    Field("projects", TextList(), (), "The ids of its projects.", True),
)


def _screening_layer(kind: str, values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(values, ("path",), where, problems, "the file as downloaded"):
        return INVALID
    if values.get("vintage") not in (None, 2010, 2020):
        problems.append(f"{where}.vintage: {values['vintage']}; use 2010 or 2020")
        return INVALID
    return ScreeningLayer(kind=kind, **values)


def _fare(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(values, ("name", "old_usd", "new_usd"), where, problems, "name and prices"):
        return INVALID
    return FareType(
        name=values["name"],
        old_usd=float(values["old_usd"]),
        new_usd=float(values["new_usd"]),
        usage=dict(values.get("usage", {})),
        share=values.get("share"),
        neighbourhoods=tuple(values.get("neighbourhoods", ())),
    )


_VINTAGE = Number(whole=True, strict=True, minimum=2010, maximum=2020, range_words="2010 or 2020")

SCREENING_LAYER_FIELDS: tuple[Field, ...] = (
    Field("path", PathText(), None, "The file as downloaded (CSV)."),
    Field(
        "vintage",
        _VINTAGE,
        None,
        "The census geography of its ids (default: CEJST 2010, EJScreen 2.x 2020, ETC 2020).",
        True,
    ),
    Field(
        "columns",
        ColumnMapping(),
        {},
        "Published column names by role (id, disadvantaged, population, percentile), "
        "when the file's differ from resources/screening.toml.",
        True,
    ),
    Field("release", Text(max_length=_TITLE_LENGTH), "", "The release (e.g. CEJST 2.0).", True),
)
"""The keys of one screening layer (a path alone may stand for it)."""

SCREENING_FIELDS: tuple[Field, ...] = (
    *(
        Field(
            kind,
            Object(
                SCREENING_LAYER_FIELDS,
                partial(_screening_layer, kind),
                unknown="unknown",
                fix='a path, or an object such as {"path": "layer.csv", "vintage": 2010}',
                shorthand="path",
            ),
            None,
            f"The {kind} file.",
            True,
        )
        for kind in SCREENING_KINDS
    ),
    Field(
        "neighbourhood_vintage",
        _VINTAGE,
        2020,
        "The census geography of the neighbourhood ids (2020 for ACS 2020 onwards).",
        True,
    ),
    Field(
        "relationship",
        PathText(),
        None,
        "The Census tract relationship file (tab20_tract20_tract10_natl.txt) for a layer "
        "of the other vintage.",
        True,
    ),
)
"""The keys of the ``screening`` object."""

FARE_USAGE_GROUPS: tuple[str, ...] = ("minority", "non_minority", "low_income", "non_low_income")

FARE_FIELDS: tuple[Field, ...] = (
    Field("name", Text(max_length=_TITLE_LENGTH), None, "The fare (medium or product)."),
    Field("old_usd", Number(allow_zero=True), None, "Its price now (USD a trip)."),
    Field("new_usd", Number(allow_zero=True), None, "Its proposed price (USD a trip)."),
    Field(
        "usage",
        NumberMapping(
            keys=FARE_USAGE_GROUPS,
            item=Number(allow_zero=True, maximum=1, above_fault="{value} is more than 1"),
            fix="an object of shares by minority, non_minority, low_income, non_low_income",
        ),
        {},
        "Survey: the share of each group's trips paid with this fare.",
        True,
    ),
    Field(
        "share",
        Number(allow_zero=True, maximum=1, above_fault="{value} is more than 1"),
        None,
        "ACS proxy: the share of all trips paid with this fare.",
        True,
    ),
    Field("neighbourhoods", TextList(), (), "ACS proxy: the ids where it applies.", True),
)
"""The keys of one fare of a fare change."""

FARE_CHANGE_FIELDS: tuple[Field, ...] = (
    Field("name", Text(max_length=_TITLE_LENGTH), "Fare change", "The fare change's name.", True),
    Field(
        "usage",
        Choice(("survey", "acs_proxy")),
        "survey",
        "survey (usage by group from a rider survey) or acs_proxy (ACS transit commuters).",
        True,
    ),
    Field("survey", Text(), "", "The survey behind the usage shares.", True),
    Field(
        "fares",
        ObjectList(
            Object(
                FARE_FIELDS,
                _fare,
                unknown="unknown",
                fix='an object such as {"name": "Cash", "old_usd": 1.75, "new_usd": 2.25}',
            )
        ),
        (),
        "The fares and their old and new prices.",
    ),
)
"""The keys of the ``fare_change`` object."""


def _screening(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    layers = {k: values[k] for k in SCREENING_KINDS if k in values}
    if not layers:
        problems.append(f"{where}: names no layer (give cejst, ejscreen or etc)")
        return INVALID
    own = values.get("neighbourhood_vintage", 2020)
    if own not in (2010, 2020):
        problems.append(f"{where}.neighbourhood_vintage: {own}; use 2010 or 2020")
        return INVALID
    defaults = load_resource("screening.toml")["layers"]
    for kind, layer in layers.items():
        vintage = layer.vintage or int(defaults[kind]["vintage"])
        if vintage != own and not values.get("relationship"):
            problems.append(
                f"{where}.{kind}: its ids are {vintage} census tracts and the neighbourhoods' "
                f"{own}; give screening.relationship (the Census tract relationship file "
                "tab20_tract20_tract10_natl.txt) to crosswalk them, or set its vintage"
            )
    return ScreeningSource(
        layers=layers, neighbourhood_vintage=own, relationship=values.get("relationship")
    )


def _fare_change(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    fares: tuple[FareType, ...] = values.get("fares", ())
    if not fares:
        problems.append(f"{where}.fares: missing or empty (the fares and their prices)")
        return INVALID
    usage = values.get("usage", "survey")
    if usage == "survey":
        for n, fare in enumerate(fares):
            missing = [g for g in FARE_USAGE_GROUPS if g not in fare.usage]
            if missing:
                problems.append(
                    f"{where}.fares[{n}].usage: no share for {', '.join(missing)}; give each "
                    'group\'s share of trips paid with this fare, or set "usage": "acs_proxy"'
                )
        for group in FARE_USAGE_GROUPS:
            total = sum(f.usage.get(group, 0.0) for f in fares)
            if fares and all(group in f.usage for f in fares) and abs(total - 1.0) > 0.01:
                problems.append(
                    f"{where}.fares: the {group} usage shares add up to {total:.3f}, not 1"
                )
    else:
        missing_share = [n for n, f in enumerate(fares) if f.share is None]
        for n in missing_share:
            problems.append(
                f"{where}.fares[{n}].share: missing (with acs_proxy, the share of all trips "
                "paid with this fare)"
            )
    return FareChange(
        name=values.get("name", "Fare change"),
        fares=fares,
        usage=usage,
        survey=values.get("survey", ""),
    )


def _metadata(values: dict[str, Any], where: str, problems: list[str]) -> Metadata:
    return Metadata(**{f.key: values.get(f.key, f.default) for f in METADATA_FIELDS})


def _required(
    values: dict[str, Any], keys: tuple[str, ...], where: str, problems: list[str], what: str
) -> bool:
    """Add a problem for each key of ``keys`` absent from ``values`` (read ones only)."""
    missing = [key for key in keys if key not in values]
    for key in missing:
        if not any(p.startswith(f"{where}.{key}:") for p in problems):
            problems.append(f"{where}.{key}: missing ({what})")
    return not missing


def _baseline(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(values, ("neighbourhoods",), where, problems, "the neighbourhood file"):
        return INVALID
    return BaselineSource(**values)


def _gtfs(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    needed = ("baseline", "proposed", "date")
    if not _required(values, needed, where, problems, "feed paths and a service date"):
        return INVALID
    return GtfsSource(**values)


def _opportunity(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(values, ("path",), where, problems, "the path of the layer"):
        return INVALID
    return OpportunitySource(**values)


def _weights(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(
        values, ("path",), where, problems, "the file of blocks or points with a count"
    ):
        return INVALID
    return WeightsSource(**values)


def _scenario(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    if not _required(values, ("id",), where, problems, "the scenario's id"):
        return INVALID
    sid = values["id"]
    if not sid.strip():
        problems.append(f"{where}.id: empty")
        return INVALID
    return Scenario(id=sid, name=values.get("name") or sid, project_ids=values.get("projects", ()))


def _parameters(values: dict[str, Any], where: str, problems: list[str]) -> Parameters:
    return Parameters(**{**_shallow(Parameters()), **values})


@dataclass(frozen=True)
class FeatureCollection(Rule):
    """A GeoJSON FeatureCollection: kept as its list of features (checked by io.projects)."""

    max_features: int = 100_000

    def describe(self) -> str:
        return 'a GeoJSON FeatureCollection, {"type": "FeatureCollection", "features": [...]}'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        features = value.get("features") if isinstance(value, Mapping) else None
        if not isinstance(features, list):
            problems.append(f"{where}: {show(value)} is not {self.describe()}")
            return INVALID
        if len(features) > self.max_features:
            problems.append(f"{where}: {len(features):,} features (at most {self.max_features:,})")
            return INVALID
        return features


DOCUMENT_FIELDS: tuple[Field, ...] = (
    Field(
        "metadata",
        Object(
            METADATA_FIELDS,
            _metadata,
            fix="an object of title, author, organisation, date, description",
        ),
        Metadata(),
        "Who made the assessment and what it is about.",
        True,
    ),
    Field(
        "baseline",
        Object(
            BASELINE_FIELDS,
            _baseline,
            unknown="unknown",
            fix='an object such as {"neighbourhoods": "tracts.gpkg"}',
        ),
        None,
        "Where the neighbourhood data come from.",
        True,
    ),
    Field(
        "parameters",
        Object(
            PARAMETER_FIELDS,
            _parameters,
            unknown="unknown parameter",
            fix='an object such as {"catchment_m": {"bus": 400}}',
        ),
        Parameters(),
        "Every number that affects results.",
        True,
    ),
    Field("projects", FeatureCollection(), [], "The proposed projects.", True),
    Field(
        "scenarios",
        ObjectList(
            Object(
                SCENARIO_FIELDS,
                _scenario,
                unknown="unknown",
                fix='an object such as {"id": "all", "projects": ["a", "b"]}',
            )
        ),
        (),
        "Named sets of projects assessed together.",
        True,
    ),
    Field(
        "opportunities",
        Keyed(
            OPPORTUNITY_KINDS,
            Object(
                OPPORTUNITY_FIELDS,
                _opportunity,
                unknown="unknown",
                fix='a path, or an object such as {"path": "jobs.csv"}',
                shorthand="path",
            ),
        ),
        {},
        "Opportunity layers for the access indicators.",
        True,
    ),
    Field(
        "gtfs",
        Object(
            GTFS_FIELDS,
            _gtfs,
            unknown="unknown",
            fix='an object such as {"baseline": "a.zip", "proposed": "b.zip", '
            '"date": "2026-03-10"}',
        ),
        None,
        "A baseline and a proposed GTFS feed, compared on a service date.",
        True,
    ),
    Field(
        "weights",
        Object(
            WEIGHTS_FIELDS,
            _weights,
            unknown="unknown",
            fix='a path, or an object such as {"path": "blocks.gpkg", "count_column": "P1_001N"}',
            shorthand="path",
        ),
        None,
        "Where people live inside neighbourhoods, for population-weighted catchments.",
        True,
    ),
    Field(
        "screening",
        Object(
            SCREENING_FIELDS,
            _screening,
            unknown="unknown",
            fix='an object such as {"cejst": "cejst.csv", "relationship": '
            '"tab20_tract20_tract10_natl.txt"}',
        ),
        None,
        "Federal screening layers: CEJST, EJScreen, the USDOT ETC Explorer.",
        True,
    ),
    Field(
        "fare_change",
        Object(
            FARE_CHANGE_FIELDS,
            _fare_change,
            unknown="unknown",
            fix='an object such as {"fares": [{"name": "Cash", "old_usd": 1.75, '
            '"new_usd": 2.25, "usage": {...}}]}',
        ),
        None,
        "A proposed change of fares, for the FTA C 4702.1B fare equity analysis.",
        True,
    ),
    Field(
        "network",
        NetworkBlock(),
        None,
        "The street network and GTFS feeds routed for access to opportunity (model/network.py).",
        True,
    ),
    Field(
        "equity_questions",
        AnswersRule(),
        {},
        "Answers to the racial-equity questions by question id (docs/equity_questions.md).",
        True,
    ),
)
"""Every key of a project document that is read (``format`` and ``schema_version`` apart).

Any other top-level key is a problem: a misspelt key would otherwise be ignored in silence.
"""


def read_document(raw: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """The document's valid values by key, read with :data:`DOCUMENT_FIELDS`.

    Each fault adds one problem ``"<key path>: <fault>"``; a value with a fault is left out
    (its default is used).
    """
    known = {f.key for f in DOCUMENT_FIELDS} | {"format", "schema_version"}
    for key in raw:
        if key not in known:
            problems.append(
                f"{show(key)}: not a key of a project file; the keys are "
                f"{', '.join(sorted(known))} (docs/project_file.md)"
            )
    return read_object(raw, DOCUMENT_FIELDS, "", problems, unknown=None)
