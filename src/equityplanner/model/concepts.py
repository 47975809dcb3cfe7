"""The project's key concepts as types: result kinds, sides, indicator families, Title VI tests.

Each is a :class:`~enum.StrEnum` whose values are the strings used in the outputs and so far
in code, so that code comparing with strings (``result.kind == "scenario"``,
``indicator.category == "housing"``) keeps working. This module imports nothing heavy, so the
command line can use it before it loads the analysis.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BURDENS_SUFFIX", "IndicatorFamily", "ResultKind", "Side", "TitleViTest"]

BURDENS_SUFFIX = ".burdens"
"""Ends the ids (and neighbourhood columns) of the burden side of a result with both sides."""


class ResultKind(StrEnum):
    """What a result assesses; the value is the ``kind`` of the JSON output."""

    PROJECT = "project"
    """One proposed project alone."""
    SCENARIO = "scenario"
    """Several projects together (an alternative)."""
    SERVICE_CHANGE = "service_change"
    """The change of service between a baseline and a proposed GTFS feed."""
    FARE_CHANGE = "fare_change"
    """A change of fares (FTA C 4702.1B fare equity analysis)."""

    @property
    def label(self) -> str:
        """The kind in words, capitalised: ``"Project"``, ``"Scenario"``, ``"Service change"``."""
        return self.value.replace("_", " ").capitalize()


class IndicatorFamily(StrEnum):
    """What an indicator is about; also its ``category`` in outputs."""

    SERVED = "served"
    """Who lives inside the catchment: population and group shares."""
    TITLE_VI = "title_vi"
    """FTA Title VI disparate impact (minority) and disproportionate burden (low income)."""
    DISTRIBUTION = "distribution"
    """UK TAG distribution of the benefit or burden by income quintile."""
    DISPLACEMENT = "displacement"
    """People in neighbourhoods vulnerable to displacement."""
    SEGREGATION = "segregation"
    """Segregation context: dissimilarity, isolation, the catchment's minority share."""
    HOUSING = "housing"
    """HUD housing tests of a housing project (affordability, concentration, net units)."""
    ACCESS = "access"
    """Access to opportunity before and after a transit proposal."""
    AFFORDABILITY = "affordability"
    """Housing + transportation costs against income (CNT H+T), at a site or in a catchment."""
    SCREENING = "screening"
    """Federal screening layers: disadvantaged communities (CEJST, USDOT ETC) and EJScreen."""


class TitleViTest(StrEnum):
    """The two FTA Title VI tests (FTA C 4702.1B)."""

    DISPARATE_IMPACT = "disparate_impact"
    """Minority populations (race, colour, national origin)."""
    DISPROPORTIONATE_BURDEN = "disproportionate_burden"
    """Low-income populations."""

    @property
    def words(self) -> str:
        """``"disparate impact"`` or ``"disproportionate burden"``."""
        return self.value.replace("_", " ")


class Side(StrEnum):
    """The benefit or the burden side of a result.

    A project or a service change is a benefit (new or better service, new homes) or a burden
    (a cut); a scenario or a service change can have both. Only the burden side of a result
    with both sides marks its ids with :data:`BURDENS_SUFFIX`; a result with one side has
    plain ids, whichever side it is.
    """

    BENEFITS = "benefits"
    BURDENS = "burdens"

    @classmethod
    def of(cls, is_benefit: bool) -> Side:
        """The side of a benefit (True) or of a burden (False)."""
        return cls.BENEFITS if is_benefit else cls.BURDENS

    @property
    def is_benefit(self) -> bool:
        """True for the benefit side."""
        return self is Side.BENEFITS

    @property
    def effect(self) -> str:
        """``"benefit"`` or ``"burden"``: the word for one of its effects."""
        return "benefit" if self is Side.BENEFITS else "burden"

    def id_suffix(self, *, mixed: bool) -> str:
        """The id suffix of this side in a result that has both sides (``mixed``) or one."""
        return BURDENS_SUFFIX if mixed and self is Side.BURDENS else ""

    def name_suffix(self, *, mixed: bool) -> str:
        """The suffix for names that hold no dot (access columns, workbook names): ``_burdens``."""
        return self.id_suffix(mixed=mixed).replace(".", "_")
