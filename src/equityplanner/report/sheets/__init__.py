"""One builder per worksheet, and what they share.

Each module's ``build_*`` function takes the :class:`BookContext` and returns a
:class:`~equityplanner.report.layout.SheetSpec`. Builders only lay out: every number comes
from the assessment; the formulas they write reproduce the engine's values, which travel
with them (``Formula.expected``) for checking.

Cross-sheet references go through workbook-level defined names (``NB_*`` for the columns of
the Neighbourhoods table, ``HS_*`` for the Housing inputs) or through the row index of the
Indicators sheet, recorded in the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import ResultKind, Side
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject
from equityplanner.model.results import Assessment, Indicator, ProposalResult
from equityplanner.report.layout import NumberFormats, clean_number, defined_name

__all__ = [
    "BookContext",
    "ResultSide",
    "effect_words",
    "indicator_format",
    "method_name",
    "rating_tone",
    "result_sides",
    "unit_words",
]


@dataclass(frozen=True)
class ResultSide:
    """The benefit or the burden side of a project, scenario or service change.

    A result mixing new service and cuts has both (``mixed``); its burden indicators carry
    the id suffix ``.burdens``. A result with one side has plain ids, whichever side it is.
    """

    result: ProposalResult
    side: Side
    mixed: bool = False

    @property
    def suffix(self) -> str:
        """The side's id suffix: ``".burdens"`` for the burden side of a mixed result."""
        return self.side.id_suffix(mixed=self.mixed)

    @property
    def name_suffix(self) -> str:
        """The suffix of the side's workbook names: ``"_burdens"`` for the burden side of a
        mixed result."""
        return self.side.name_suffix(mixed=self.mixed)

    @property
    def is_benefit(self) -> bool:
        """True on the benefit side."""
        return self.side.is_benefit

    @property
    def effect(self) -> str:
        """``benefit`` or ``burden``."""
        return self.side.effect

    @property
    def label(self) -> str:
        """The result's name, with "(burdens)" for the burden side of a mixed result."""
        return f"{self.result.name} (burdens)" if self.suffix else self.result.name

    def indicator(self, base_id: str | IndicatorId) -> Indicator | None:
        """This side's indicator ``base_id`` (the suffix is added), or None."""
        try:
            return self.result.indicator(f"{base_id}{self.suffix}")
        except KeyError:
            return None

    def owns(self, indicator: Indicator) -> bool:
        """True when the indicator is one of this side's."""
        return indicator.key.burdens == bool(self.suffix)


def result_sides(result: ProposalResult) -> list[ResultSide]:
    """The sides of a result, benefit first."""
    mixed = len(result.sides) > 1
    return [ResultSide(result, side, mixed) for side in result.sides]


@dataclass
class HousingNames:
    """Workbook names of a housing project's inputs on the Housing sheet."""

    total: str
    affordable: str
    affordable_demolished: str
    net: str
    market_rent: str
    site: str
    ami: str


@dataclass
class BookContext:
    """What the builders share while one workbook is laid out."""

    assessment: Assessment
    header: str
    used_names: set[str] = field(default_factory=set)
    result_slugs: dict[str, str] = field(default_factory=dict)
    nb: Any = None  # NeighbourhoodRefs, set by the Neighbourhoods builder
    housing: dict[str, HousingNames] = field(default_factory=dict)  # by project id
    indicator_rows: dict[tuple[str, str], int] = field(
        default_factory=dict
    )  # (result id, indicator id)
    compare_results: list[ProposalResult] = field(default_factory=list)
    map_png: bytes | None = None
    map_description: str = ""
    map_note: str = ""

    def __post_init__(self) -> None:
        for result in self.assessment.results:
            self.result_slugs[result.id] = defined_name(result.id)[:40]
        for project in self.assessment.projects:
            if isinstance(project, HousingProject):
                slug = defined_name(project.id)[:40]
                names = {
                    k: self.name("HS", slug, k)
                    for k in (
                        "total_units",
                        "affordable_units",
                        "affordable_demolished",
                        "net_affordable",
                        "market_rent",
                        "site_id",
                        "ami",
                    )
                }
                self.housing[project.id] = HousingNames(
                    total=names["total_units"],
                    affordable=names["affordable_units"],
                    affordable_demolished=names["affordable_demolished"],
                    net=names["net_affordable"],
                    market_rent=names["market_rent"],
                    site=names["site_id"],
                    ami=names["ami"],
                )

    def name(self, *parts: str) -> str:
        """A new unique workbook name."""
        return defined_name(*parts, used=self.used_names)

    def housing_project(self, result: ProposalResult) -> HousingProject | None:
        """The housing project a project's result assesses, or None."""
        if result.kind is not ResultKind.PROJECT or len(result.project_ids) != 1:
            return None
        for project in self.assessment.projects:
            if project.id == result.project_ids[0] and isinstance(project, HousingProject):
                return project
        return None


def indicator_format(result: str) -> str:
    """Number format of an indicator's value by its unit of measurement."""
    return {
        "share": NumberFormats.PCT,
        "persons": NumberFormats.COUNT,
        "households": NumberFormats.COUNT,
        "units": NumberFormats.COUNT,
        "count": NumberFormats.INT,
        "index": NumberFormats.INDEX,
        "usd": NumberFormats.MONEY,
    }.get(result, NumberFormats.GENERAL)


def unit_words(result: str) -> str:
    """A unit of measurement in plain words (``"units"`` are homes)."""
    return {
        "share": "% of people",
        "persons": "people",
        "households": "households",
        "units": "homes",
        "count": "count",
        "index": "index, 0-100",
        "flag": "yes / no",
    }.get(result, result)


def effect_words(is_benefit: bool) -> str:
    """``Benefit`` or ``Burden``."""
    return "Benefit" if is_benefit else "Burden"


def method_name(method: str) -> str:
    """The short name of a method from ``methods.toml``."""
    entry = load_resource("methods.toml").get(method)
    return str(entry.get("name", method)) if entry else method


def rating_tone(family: str, key: str) -> str:
    """Tone of a rating of ``ratings.toml`` (``info`` when unknown)."""
    entry = load_resource("ratings.toml").get(family, {}).get(key)
    return str(entry["tone"]) if entry else "info"


def number_or_none(value: Any) -> float | int | None:
    """A finite number or None (text values such as "yes" give None)."""
    return clean_number(value)
