"""Who is served: the people inside a side's catchment, and each group's share of them.

The counts are apportioned by area (:mod:`equityplanner.analysis.catchment`) or, with a
weights layer, by population (:mod:`equityplanner.analysis.weights`), and compared with the
comparison population; a difference within the margins of error is said to be so. Each
indicator says how its figures were apportioned (``details["apportionment"]``) and what the
error of allocating parts of neighbourhoods adds to the margin (``moe_allocation``); with
population weights that error is part of the margin used for the reliability rating.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from equityplanner.analysis.baseline import Totals
from equityplanner.analysis.catchment import CatchmentShares
from equityplanner.analysis.indicators.make import make_indicator, reliability, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.moe import z_difference
from equityplanner.analysis.words import num, pct, signed, translate_label
from equityplanner.catalog import load_resource
from equityplanner.i18n import _, pgettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.fields import GroupSpec
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator

__all__ = ["GroupTotals", "group_share_indicator", "group_totals", "population_indicator"]

POPULATION = IndicatorId(IndicatorFamily.SERVED, "population")


@dataclass(frozen=True)
class GroupTotals:
    """A group's weighted totals inside a side's catchment and in the comparison population.

    ``transit_inside`` is measured on the catchment of the side's transit projects (for the
    Title VI tests); None when the side has no transit.
    """

    group: str
    spec: GroupSpec
    inside: Totals
    reference: Totals
    transit_inside: Totals | None

    @property
    def assessable(self) -> bool:
        """False when nobody of the group's universe lives inside, or in the comparison."""
        return not (self.inside.universe <= 0 or self.reference.universe <= 0)


def population_indicator(side: SideContext, warnings: list[str]) -> Indicator:
    """``served.population``: people (and households) inside the catchment.

    With a weights layer its details also give the weight counted inside the catchment
    straight from the points (for census blocks: the 2020 Decennial population, exact) beside
    the apportioned ACS figure, and the figure area weighting would give.
    """
    b = side.baseline
    pop, pop_moe = side.population
    comp_pop, _moe = b.field_total("total_population", side.comparison)
    households, _households_moe = b.field_total("households", side.counted)
    _total, moe_sampling, moe_allocated = b.field_total_parts("total_population", side.counted)
    if side.nobody_inside:
        warnings.append(
            _("{label}: nobody lives inside the catchment, so no share can be computed.").format(
                label=side.label
            )
        )
    return make_indicator(
        id=side.indicator_id(POPULATION),
        name=text("served_population.name"),
        value=pop,
        comparison=comp_pop,
        difference=None,
        value_unit="persons",
        rating_family="served",
        rating="context" if not side.nobody_inside else "not_assessed",
        finding=text("served_population.finding").format(
            value=num(pop),
            share=pct(pop / comp_pop if comp_pop > 0 else 0.0),
            comparison=side.comparison_label,
            project=side.project_name,
            households_clause=_(", in {households} households").format(households=num(households))
            if math.isfinite(households)
            else "",
        ),
        method="catchment",
        reliability=reliability(pop, pop_moe, side.params.reliability_bands),
        details={
            "households": households,
            "catchment_m": {p.id: side.params.catchment_for(p) for p in side.projects},
            **_apportionment_details(side, pop, moe_sampling, moe_allocated),
        },
    )


def _apportionment_details(
    side: SideContext, pop: float, moe_sampling: float, moe_allocated: float
) -> dict[str, object]:
    """How ``served.population`` was apportioned, its margin's parts, and with weights the
    weight counted inside, the area-weighted figure and their differences."""
    details: dict[str, object] = {
        "apportionment": side.apportionment,
        "moe_sampling": moe_sampling,
        "moe_allocation": moe_allocated,
        "margin_includes_allocation": side.allocation,
    }
    shares = side.shares
    if shares is None or not shares.weighted:
        return details
    area = CatchmentShares(shares.index, shares.area_shares, 0.0, 0.0)
    by_area, _by_area_moe = side.baseline.field_total("total_population", area)
    inside = shares.weight_in_catchment
    details.update(
        {
            "weights_in_catchment": inside,
            "weights_difference": pop - inside,
            "weights_unassigned": shares.unassigned_weight,
            "population_area_weighted": by_area,
            "area_weighted_difference": pop - by_area,
            "neighbourhoods_by_area": shares.fallback_rows,
        }
    )
    return details


def group_totals(side: SideContext) -> Iterator[GroupTotals]:
    """Every group of the baseline with its totals, in the order of ``groups.toml``."""
    b = side.baseline
    transit = side.transit_counted
    for gid, spec in b.groups.items():
        inside = b.totals(gid, side.counted, allocation=side.allocation)
        if transit is None:
            transit_inside = None
        elif transit is side.counted:
            transit_inside = inside
        else:
            transit_inside = b.totals(gid, transit, allocation=side.allocation)
        yield GroupTotals(gid, spec, inside, b.totals(gid, side.comparison), transit_inside)


def group_share_indicator(side: SideContext, totals: GroupTotals) -> Indicator:
    """``served.<group>``: the group's share inside the catchment against the comparison."""
    spec, inside, reference = totals.spec, totals.inside, totals.reference
    ind_id = side.indicator_id(IndicatorId(IndicatorFamily.SERVED, group=totals.group))
    label = translate_label("groups.toml", spec.label)
    name = text("served.name").format(group=label)
    if not totals.assessable:
        return make_indicator(
            id=ind_id,
            name=name,
            value=None,
            comparison=reference.share,
            difference=None,
            value_unit="share",
            rating_family="served",
            rating="not_assessed",
            finding=text("served.findings.not_assessed").format(
                group=label,
                reason=_("nobody in this group's universe lives inside the catchment"),
            ),
            method=_method(side),
        )
    similar_pp = float(load_resource("thresholds.toml")["served"]["similar_pp"])
    diff_pp = (inside.share - reference.share) * 100
    z = float(z_difference(inside.share, inside.share_moe, reference.share, reference.share_moe))
    if abs(diff_pp) < similar_pp:
        rating = "similar"
    elif side.is_benefit:
        rating = "progressive" if diff_pp > 0 else "regressive"
    else:
        rating = "burden_more" if diff_pp > 0 else "burden_less"
    finding = text(f"served.findings.{rating}").format(
        group=label,
        value=pct(inside.share),
        comparison_value=pct(reference.share),
        comparison=side.comparison_label,
        difference_pp=signed(diff_pp),
        # Household groups (renters, no vehicle...) are shares of households, not people.
        who=(
            pgettext("a group's share of whom", "households")
            if spec.unit == "households"
            else pgettext("a group's share of whom", "people")
        ),
    )
    if math.isfinite(z) and abs(z) < side.params.significance_z and rating != "similar":
        finding += " " + _(
            "The difference is within the margins of error (not significant at 90%)."
        )
        rating = "not_significant"  # words, not the colour of a harm or a gain
    return make_indicator(
        id=ind_id,
        name=name,
        value=inside.share,
        comparison=reference.share,
        difference=diff_pp,
        value_unit="share",
        rating_family="served",
        rating=rating,
        finding=finding,
        method=_method(side),
        reliability=reliability(inside.share, inside.share_moe, side.params.reliability_bands),
        details={
            "count_inside": inside.count,
            "count_inside_moe": inside.count_moe,
            "universe_inside": inside.universe,
            "count_comparison": reference.count,
            "universe_comparison": reference.universe,
            "comparison_share_moe": reference.share_moe,
            "z": z,
            "group": totals.group,
            "apportionment": side.apportionment,
            "share_moe_sampling": inside.share_moe_sampling,
            "share_moe_with_allocation": inside.share_moe_with_allocation,
            "margin_includes_allocation": inside.allocation_included,
        },
    )


def _method(side: SideContext) -> str:
    """The method id of a group's share: area or population-weighted apportionment."""
    weighted = side.shares is not None and side.shares.weighted
    return "apportionment_population" if weighted else "apportionment"
