"""One side (benefits or burdens) of a proposal, as the indicator families see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from equityplanner.analysis.baseline import Baseline, Weights
from equityplanner.analysis.catchment import CatchmentShares
from equityplanner.analysis.words import comparison_in_sentence
from equityplanner.i18n import _, pgettext
from equityplanner.model.concepts import Side
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import Parameters, Project

__all__ = ["SideContext"]

_NOBODY_BELOW = 0.5  # fewer people than this inside a catchment: nobody lives there


@dataclass
class SideContext:
    """The benefit or the burden side of a proposal: where it acts and how to word it.

    Attributes
    ----------
    baseline
        The prepared neighbourhoods.
    params
        The assessment's parameters.
    weights
        Per neighbourhood, the share of it inside the side's catchment (0..1).
    side
        Benefits or burdens.
    mixed
        True when the proposal has both sides: the burden side's ids then end in ``.burdens``.
    label
        The side's projects in words, for warnings (``"project 'Route 14 cut'"``).
    projects
        The side's projects (none for a GTFS service change).
    transit_weights
        The catchment of the side's transit projects, on which the Title VI tests are measured
        (the same array as ``weights`` when every project is transit); None when the side has
        no transit.
    shares, transit_shares
        The same catchments as sparse shares (the rows touched), when they were measured on a
        catchment: sums over them read only those rows, and say how they were apportioned
        (by area or by population).
    """

    baseline: Baseline
    params: Parameters
    weights: np.ndarray
    side: Side
    mixed: bool
    label: str
    projects: list[Project] = field(default_factory=list)
    transit_weights: np.ndarray | None = None
    shares: CatchmentShares | None = None
    transit_shares: CatchmentShares | None = None

    @property
    def counted(self) -> Weights:
        """What sums over the catchment use: the sparse shares when known, else ``weights``."""
        return self.shares if self.shares is not None else self.weights

    @property
    def transit_counted(self) -> Weights | None:
        """:attr:`counted` of the transit catchment (the same object when it is the same)."""
        if self.transit_weights is None:
            return None
        if self.transit_weights is self.weights:
            return self.counted
        return self.transit_shares if self.transit_shares is not None else self.transit_weights

    @property
    def allocation(self) -> bool:
        """True when the margins include the allocation error (issue 13).

        Whether shares are by population or by area, a part of a tract is an allocation, not
        a measurement: the margin and the reliability band say so, so that a stop holding a
        sliver of one tract is not rated as reliable as the whole tract.
        """
        return self.shares is not None

    @property
    def apportionment(self) -> str:
        """How the side's counts were apportioned: ``area``, ``population`` or both."""
        return self.shares.method if self.shares is not None else "area"

    @property
    def is_benefit(self) -> bool:
        """True on the benefit side."""
        return self.side.is_benefit

    @property
    def effect(self) -> str:
        """``"benefit"`` or ``"burden"``: the word for the side's effect in findings."""
        return self.side.effect

    @property
    def id_suffix(self) -> str:
        """``".burdens"`` on the burden side of a proposal with both sides, else ``""``."""
        return self.side.id_suffix(mixed=self.mixed)

    @property
    def name_suffix(self) -> str:
        """``"_burdens"`` on the burden side of a proposal with both sides, else ``""``."""
        return self.side.name_suffix(mixed=self.mixed)

    def indicator_id(self, base: IndicatorId) -> IndicatorId:
        """``base`` on this side."""
        return base.on_side(self.side, mixed=self.mixed)

    @property
    def comparison(self) -> np.ndarray:
        """Per neighbourhood, 1.0 inside the comparison population, else 0.0 (shared array)."""
        return self.baseline.comparison_weights

    @property
    def comparison_label(self) -> str:
        """The comparison population's name in a sentence, e.g. ``"Magnolia City"``."""
        return comparison_in_sentence(self.params.comparison.label)

    @property
    def project_name(self) -> str:
        """The side's projects by name (``"A and B"``), or its label without projects."""
        return (" " + _("and") + " ").join(p.name for p in self.projects) or self.label

    @property
    def verb(self) -> str:
        """Who the Title VI findings speak of, as the start of a sentence without capital."""
        if not self.is_benefit:
            return _("the people the cut affects are")
        if self.transit_weights is not None and self.transit_weights is not self.weights:
            # A housing site joins the side: its Title VI tests count the lines' catchment only.
            return _(
                "the people the transit projects serve (the housing site's catchment aside) are"
            )
        return _("the people the project serves are")

    @property
    def effect_words(self) -> str:
        """:attr:`effect` as the findings' templates take it, in the current language."""
        if self.is_benefit:
            return pgettext("the effect of a side, in a finding", "benefit")
        return pgettext("the effect of a side, in a finding", "burden")

    @cached_property
    def sparse(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, shares) of the neighbourhoods with a share inside, rows ascending: what
        :attr:`weights` holds, without the zeros of the rest of the layer."""
        if self.shares is not None:
            keep = self.shares.share != 0
            return self.shares.index[keep], self.shares.share[keep]
        rows = np.flatnonzero(self.weights)
        return rows, self.weights[rows]

    @cached_property
    def population(self) -> tuple[float, float]:
        """(people inside the catchment, its 90% margin)."""
        pop, moe = self.baseline.field_total(
            "total_population", self.counted, allocation=self.allocation
        )
        return float(pop), float(moe)

    @property
    def nobody_inside(self) -> bool:
        """True when (practically) nobody lives inside the catchment."""
        return not self.population[0] > _NOBODY_BELOW
