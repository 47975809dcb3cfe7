"""One builder per worksheet, and what they share.

Each module's ``build_*`` function takes the :class:`BookContext` and returns a
:class:`~equityplanner.report.layout.SheetSpec`. Builders only lay out: every number comes
from the assessment; the formulas they write reproduce the engine's values, which travel
with them (``Formula.expected``) for checking.

Cross-sheet references go through workbook-level defined names (``NB_*`` for the columns of
the Neighbourhoods table, ``HS_*`` for the Housing inputs, the adopted thresholds of
:class:`Thresholds` on the Decision sheet) or through the row index of the Indicators and
Title VI tests sheets, recorded in the context.

The council print set is the first sheets (Decision, Summary, Distribution, Housing, Map,
Methodology); the data sheets after them are appendices, marked so in their page header
(:func:`page_setup`). Every printed page carries the title, the date, the draft or final
status, the SYNTHETIC mark for synthetic data and its page number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from equityplanner.analysis.indicators.make import rating_words
from equityplanner.catalog import load_resource
from equityplanner.model.concepts import ResultKind, Side
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject
from equityplanner.model.results import Assessment, Indicator, ProposalResult
from equityplanner.report.layout import (
    ConditionalFormat,
    Formula,
    NumberFormats,
    PrintSpec,
    SheetSpec,
    clean_number,
    defined_name,
    excel_string,
    header_words,
)

__all__ = [
    "CHECK_NAME",
    "BookContext",
    "ResultSide",
    "Thresholds",
    "effect_words",
    "excel_round",
    "has_catchment",
    "indicator_format",
    "method_name",
    "page_setup",
    "put_banner",
    "rating_tone",
    "result_sides",
    "shown_difference",
    "shown_difference_formula",
    "tone_rules",
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


class Thresholds:
    """Workbook names of the adopted thresholds, input cells of the Decision sheet.

    Every Title VI verdict and TAG rating of the workbook is a formula of these cells, so a
    board can ask "and at 5 points?" by typing 5.
    """

    ADOPTED_POINTS = "Adopted_points_test"
    POINTS = "Threshold_points"
    ADOPTED_RELATIVE = "Adopted_relative_test"
    RELATIVE = "Threshold_relative"
    ADOPTED_FOUR_FIFTHS = "Adopted_four_fifths_test"
    FOUR_FIFTHS = "Four_fifths_ratio"
    TAG_BAND = "TAG_band_points"

    @classmethod
    def names(cls) -> list[str]:
        """Every name, in the Decision sheet's order."""
        return [
            cls.ADOPTED_POINTS,
            cls.POINTS,
            cls.ADOPTED_RELATIVE,
            cls.RELATIVE,
            cls.ADOPTED_FOUR_FIFTHS,
            cls.FOUR_FIFTHS,
            cls.TAG_BAND,
        ]


CHECK_NAME = "Inputs_as_assessed"
"""The Decision sheet's check cell: "Yes" while every input is as assessed, else "No"."""


@dataclass
class BookContext:
    """What the builders share while one workbook is laid out.

    ``print_set`` hides the appendices (the data sheets), so that printing or exporting the
    workbook gives the council print set alone.
    """

    assessment: Assessment
    header: str
    print_set: bool = False
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
    # The maps beside the first (the low-income share beside the minority share): (PNG, alt text)
    extra_maps: list[tuple[bytes, str]] = field(default_factory=list)
    pending_maps: list[tuple[Any, str]] = field(default_factory=list)  # (future, alt text)
    title_vi_rows: dict[tuple[str, str], int] = field(
        default_factory=dict
    )  # (result id, indicator id) -> row of the Title VI tests sheet
    fare_rows: dict[tuple[str, str], int] = field(
        default_factory=dict
    )  # (result id, indicator id) -> row of the Fare equity sheet
    fare_blocks: list[Any] = field(default_factory=list)  # fare_equity.FareBlock, in order
    appendix: dict[str, str] = field(default_factory=dict)  # sheet name -> "Appendix A"
    check_refs: list[str] = field(default_factory=list)  # "Yes"/"No" check ranges
    # A layer of more neighbourhoods than this is paged on the Neighbourhoods sheet (None:
    # never); the file holding its full table, named on the sheet.
    neighbourhood_limit: int | None = None
    full_table_name: str | None = None

    def __post_init__(self) -> None:
        self.used_names.update(n.lower() for n in (*Thresholds.names(), CHECK_NAME))
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

    @property
    def status_words(self) -> str:
        """``DRAFT`` or ``FINAL``."""
        return "FINAL" if self.assessment.metadata.is_final else "DRAFT"

    @property
    def date(self) -> str:
        """The assessment's date (the metadata's, else the day it was run)."""
        return self.assessment.metadata.date or self.assessment.created[:10]

    @property
    def is_synthetic(self) -> bool:
        """True when the title, description or data vintage say the data are synthetic."""
        a = self.assessment
        words = " ".join((a.metadata.title, a.metadata.description, a.vintage or "")).lower()
        return "synthetic" in words

    def housing_project(self, result: ProposalResult) -> HousingProject | None:
        """The housing project a project's result assesses, or None."""
        if result.kind is not ResultKind.PROJECT or len(result.project_ids) != 1:
            return None
        for project in self.assessment.projects:
            if project.id == result.project_ids[0] and isinstance(project, HousingProject):
                return project
        return None


def has_catchment(result: ProposalResult) -> bool:
    """False for a fare change: it applies to riders, not to the people of a catchment, so it
    has no neighbourhood shares, quintiles or map (its tests are on the Fare equity sheet)."""
    return result.kind is not ResultKind.FARE_CHANGE


def indicator_format(result: str) -> str:
    """Number format of an indicator's value by its unit of measurement."""
    return {
        "USD per year": NumberFormats.MONEY,
        "USD per trip": '+"$"0.00;-"$"0.00;"$"0.00',
        "percentile": NumberFormats.INT,
        "share": NumberFormats.PCT,
        "persons": NumberFormats.COUNT,
        "households": NumberFormats.COUNT,
        "units": NumberFormats.COUNT,
        "count": NumberFormats.INT,
        "index": NumberFormats.INDEX,
        "usd": NumberFormats.MONEY,
        "jobs": NumberFormats.COUNT,
        "minutes": "0.0",
        "physicians per 1,000": "0.00",
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
        "percentile": "national percentile, 0-100",
        "USD per trip": "USD a trip (change)",
        "USD per year": "USD a year",
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


# ------------------------------------------------------------------------------------
# Pages, checks and colours shared by the sheets


def page_setup(ctx: BookContext, sheet: SheetSpec, caption: str, **print_options: Any) -> None:
    """The sheet's page setup with the workbook's header and footer.

    Header: the title (left), the sheet's caption, "Appendix B: Indicators" for an appendix
    (centre), the status and date (right). Footer: the SYNTHETIC mark for synthetic data
    (left), the page number (centre), the software (right). An appendix is hidden in the
    council print set.
    """
    appendix = ctx.appendix.get(sheet.name)
    words = f"{appendix}: {caption}" if appendix else caption
    hidden = bool(appendix and ctx.print_set)
    if hidden:
        # LibreOffice prints a hidden sheet that has a print range: give it none.
        print_options.pop("area", None)
    synthetic = "SYNTHETIC DATA: describes no real people" if ctx.is_synthetic else ""
    sheet.print = PrintSpec(
        header=words,
        header_left=header_words(ctx.assessment.metadata.title, 60),
        header_right=header_words(f"{ctx.status_words} · {ctx.date}"),
        footer_left=header_words(synthetic),
        footer_right=header_words(f"equityplanner {ctx.assessment.software_version}"),
        **print_options,
    )
    sheet.hidden = hidden


BANNER = (
    "Inputs changed since the assessment: the verdicts, ratings and numbers recalculate, "
    "but the sentences written by the assessment do not; re-run the assessment before "
    "relying on them."
)


def put_banner(sheet: SheetSpec, row: int, col: int, last_col: int) -> None:
    """A banner, empty while every input is as assessed, that warns once one has changed.

    Driven by the Decision sheet's check cell (:data:`CHECK_NAME`).
    """
    sheet.put(
        row, col, Formula(f'=IF({CHECK_NAME}="Yes","",{excel_string(BANNER)})', None), "banner"
    )
    sheet.merge(row, col, row, last_col)
    sheet.row_heights[row] = 30
    cell = f"{_letters(col)}{row}"
    sheet.conditional_formats.append(
        ConditionalFormat(
            "formula",
            f"{cell}:{_letters(last_col)}{row}",
            ("9C0006", "FFC7CE"),
            formula=f"LEN(${_letters(col)}${row})>0",
        )
    )


def _letters(col: int) -> str:
    from equityplanner.report.layout import column_letter

    return column_letter(col)


def tone_rules(ref: str, first_cell: str, *, anywhere: bool = False) -> list[ConditionalFormat]:
    """Colour rules that follow the words of a verdict or rating cell whose words are a formula.

    A cell starting with a rating label of ``ratings.toml`` (Title VI, TAG, served) takes that
    rating's tone, whatever its static style says, so the colour follows a recalculated
    verdict; with ``anywhere`` the label may stand anywhere in the cell (the worst tone
    wins). ``first_cell`` is the top-left cell of ``ref`` (relative, e.g. ``H5``).
    """
    ratings = load_resource("ratings.toml")
    tones = load_resource("palettes.toml")["tones"]
    labels: dict[str, list[str]] = {}
    for family in ("title_vi", "tag", "served"):
        for key in ratings[family]:
            # The words in the language of the assessment, as the formulas write them.
            label, tone = rating_words(family, key)
            labels.setdefault(tone, []).append(label)
    labels.setdefault("caution", []).append("Cannot tell")
    rules = []
    for tone in ("adverse", "caution", "beneficial", "neutral", "info"):
        words = sorted(set(labels.get(tone, [])), key=len, reverse=True)
        if not words:
            continue
        tests = ",".join(
            f"ISNUMBER(SEARCH({excel_string(w)},{first_cell}))"
            if anywhere
            else f"LEFT({first_cell},{len(w)})={excel_string(w)}"
            for w in words
        )
        colours = tones[tone]
        rules.append(
            ConditionalFormat(
                "formula",
                ref,
                (colours["text"].lstrip("#"), colours["fill"].lstrip("#")),
                formula=f"OR({tests})",
            )
        )
    return rules


def excel_round(value: float, digits: int) -> float:
    """``ROUND(value, digits)`` as Excel and LibreOffice compute it (halves away from zero,
    on the number's 15 significant digits: an average fare of 0.36499999999999977, the
    binary remainder of 0.365, rounds to 0.37 as the spreadsheets do).

    >>> excel_round(0.1235, 3), excel_round(-2.5, 0), excel_round(0.36499999999999977, 2)
    (0.124, -3.0, 0.37)
    """
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(f"{float(value):.15g}").quantize(quantum, rounding=ROUND_HALF_UP))


def shown_difference(value: Any, comparison: Any) -> float | None:
    """The difference in points of two shares as printed (0.1% each): what the workbook's
    ``(ROUND(value,3)-ROUND(comparison,3))*100`` gives; None when either is not a number."""
    v, c = clean_number(value), clean_number(comparison)
    if v is None or c is None:
        return None
    return (excel_round(v, 3) - excel_round(c, 3)) * 100


def shown_difference_formula(value: str, comparison: str) -> str:
    """Formula body of :func:`shown_difference` over two cells ("" unless both are numbers)."""
    return (
        f"IF(AND(ISNUMBER({value}),ISNUMBER({comparison})),"
        f'(ROUND({value},3)-ROUND({comparison},3))*100,"")'
    )
