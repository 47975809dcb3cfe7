"""Housing + transportation affordability indicators (``affordability.*``, methods: h_plus_t).

At a housing site: the typical household's H+T share with and without transport costs, and
the transport cost of the site's neighbourhood. For a new or improved transit line: the
household transport cost in its catchment with the line against without. A scenario joining
a housing site and a transit line gives the site's H+T with the line.
"""

from __future__ import annotations

import numpy as np

from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.indicators.make import make_indicator, text
from equityplanner.analysis.transport_cost import TransportCosts, transit_change
from equityplanner.analysis.words import comparison_in_sentence, money, pct, signed, signed_money
from equityplanner.i18n import _
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject, Parameters, TransitProject
from equityplanner.model.results import Indicator
from equityplanner.model.transport_cost import benchmarks

__all__ = ["site_indicators", "transit_indicator", "typical_income"]


def _id(topic: str) -> IndicatorId:
    return IndicatorId(IndicatorFamily.AFFORDABILITY, topic)


def typical_income(b: Baseline, params: Parameters) -> tuple[float, str]:
    """CNT's regional typical household income: the published comparison median, else the
    household-weighted mean of the neighbourhoods' medians (labelled so)."""
    if params.comparison_median_household_income_usd:
        return float(params.comparison_median_household_income_usd), "the published median"
    if "median_household_income" not in b.table or "households" not in b.table:
        return float("nan"), "no income data"
    income = b.table["median_household_income"].to_numpy(dtype=float)
    households = b.table["households"].fillna(0).to_numpy(dtype=float) * b.comparison
    ok = np.isfinite(income) & (households > 0)
    if not ok.any():
        return float("nan"), "no income data"
    value = float(np.average(income[ok], weights=households[ok]))
    return value, "the household-weighted mean of the neighbourhoods' medians"


def _weighted(values: np.ndarray, b: Baseline, weights: np.ndarray, rows: np.ndarray) -> float:
    """The household-weighted mean of ``values`` over ``rows`` of the baseline (``values`` and
    ``weights`` given for those rows only, so a line's catchment reads only what it touches)."""
    households = b.filled("households")[rows] if "households" in b.table else 1.0
    w = weights * households
    ok = np.isfinite(values) & (w > 0)
    return float(np.average(values[ok], weights=w[ok])) if ok.any() else float("nan")


def site_indicators(
    b: Baseline,
    project: HousingProject,
    row: int,
    params: Parameters,
    costs: TransportCosts,
    *,
    with_transit: list[TransitProject] | None = None,
    transit_weights: np.ndarray | None = None,
) -> list[Indicator]:
    """``affordability.h_plus_t`` and ``affordability.transport_cost`` at the site's row.

    With ``with_transit`` (a scenario's new or improved lines whose catchment holds the
    site), the H+T is measured with them, and the details give it without them too.
    """
    bench = benchmarks()
    income, income_words = typical_income(b, params)
    rent = project.proposed_rents_usd.get("market")
    housing_words = "the proposed market rent"  # the details' words (English, stable)
    housing_text = _("the proposed market rent")
    if rent is None and "median_gross_rent" in b.table:
        rent = float(b.table["median_gross_rent"].iloc[row])
        housing_words = "the neighbourhood's median gross rent"
        housing_text = _("the neighbourhood's median gross rent")
    site = {"site_neighbourhood": b.table["id"].iloc[row], "site_name": b.table["name"].iloc[row]}
    transport = float(costs.total[row])
    comparison_rows = np.flatnonzero(b.comparison)
    comparison_cost = _weighted(
        costs.total[comparison_rows], b, np.ones(len(comparison_rows)), comparison_rows
    )
    out = [
        make_indicator(
            id=_id("transport_cost"),
            name=text("affordability::transport_cost::name"),
            value=transport,
            comparison=comparison_cost,
            difference=transport - comparison_cost,
            value_unit="USD per year",
            rating_family="affordability",
            rating="context",
            finding=_(
                "A household at the site's neighbourhood spends about {total} a year on transport "
                "(vehicles {vehicles}, driving {driving}, transit {transit}), against {comparison_cost} "
                "across {comparison}."
            ).format(
                total=money(transport),
                vehicles=money(costs.ownership[row]),
                driving=money(costs.driving[row]),
                transit=money(costs.transit[row]),
                comparison_cost=money(comparison_cost),
                comparison=comparison_in_sentence(params.comparison.label),
            ),
            method="h_plus_t",
            details={
                **site,
                "assumptions": list(costs.assumptions),
                "fare_usd": costs.fare,
                "fare_source": costs.fare_source,
                "model": costs.params.describe(),
            },
        )
    ]
    if rent is None or not np.isfinite(rent) or not np.isfinite(income):
        return out
    without = transport
    change = 0.0
    if with_transit:
        fares = [p.fare_usd for p in with_transit if p.fare_usd is not None]
        change = float(transit_change(costs, np.array([row]), fares[0] if fares else None)[0])
    transport_now = without + change
    housing_share = 12.0 * rent / income
    share = housing_share + transport_now / income
    if share <= bench["h_plus_t"]:
        rating = "affordable"
    elif housing_share <= bench["housing"]:
        rating = "affordable_on_rent_only"
    else:
        rating = "unaffordable"
    moderate = income * bench["moderate_income_share"]
    finding = text(f"affordability::h_plus_t::findings::{rating}").format(
        comparison_label=comparison_in_sentence(params.comparison.label),
        income=money(income),
        housing_words=housing_text,
        housing_share=pct(housing_share),
        transport_share=pct(transport_now / income),
        transport_usd=money(transport_now),
        value=pct(share),
        benchmark=pct(bench["h_plus_t"], 0),
    )
    if with_transit:
        names = (" " + _("and") + " ").join(p.name for p in with_transit)
        finding += " " + _(
            "With {names}, transport changes by {change} a year (without: {without})."
        ).format(
            names=names,
            change=signed_money(change),
            without=pct(housing_share + without / income),
        )
    out.insert(
        0,
        make_indicator(
            id=_id("h_plus_t"),
            name=text("affordability::h_plus_t::name"),
            value=share,
            comparison=bench["h_plus_t"],
            difference=(share - bench["h_plus_t"]) * 100,
            value_unit="share",
            rating_family="affordability",
            rating=rating,
            finding=finding,
            method="h_plus_t",
            details={
                **site,
                "rent_usd_per_month": rent,
                "housing_cost_source": housing_words,
                "income_usd": income,
                "income_source": income_words,
                "housing_share": housing_share,
                "housing_benchmark": bench["housing"],
                "transport_usd_per_year": transport_now,
                "transport_share": transport_now / income,
                "transport_benchmark": bench["transportation"],
                "h_plus_t_without_transport": housing_share,
                "h_plus_t_without_transit_project": housing_share + without / income,
                "transit_change_usd_per_year": change,
                "with_transit_projects": [p.id for p in with_transit or []],
                "moderate_income_usd": moderate,
                "moderate_h_plus_t": 12.0 * rent / moderate + transport_now / moderate,
            },
        ),
    )
    return out


def transit_indicator(
    b: Baseline,
    projects: list[TransitProject],
    weights: np.ndarray,
    costs: TransportCosts,
    suffix_id: IndicatorId,
) -> Indicator:
    """``affordability.transport_cost_change``: the catchment's household transport cost a
    year with the line(s) against without (``suffix_id``: the id on the caller's side)."""
    rows = np.flatnonzero(weights > 0)
    fares = [p.fare_usd for p in projects if p.fare_usd is not None]
    change = transit_change(costs, rows, fares[0] if fares else None)
    total = costs.total[rows]
    before = _weighted(total, b, weights[rows], rows)
    after = _weighted(total + change, b, weights[rows], rows)
    diff = after - before
    rating = "lower" if diff < -0.5 else "higher" if diff > 0.5 else "unchanged"
    why = (
        _("{share} of drive commuters switching").format(
            share=pct(costs.params.mode_shift_share, 0)
        )
        if costs.params.mode_shift_share > 0
        else _(
            "no switch from driving assumed (set parameters.transport_cost.mode_shift_share "
            "from the ridership forecast)"
        )
    )
    return make_indicator(
        id=suffix_id,
        name=text("affordability::transport_cost_change::name"),
        value=after,
        comparison=before,
        difference=diff,
        value_unit="USD per year",
        rating_family="affordability",
        rating=rating,
        finding=_(
            "A household in the catchment spends about {after} a year on transport with the "
            "project against {before} without ({difference}): {why}; fare {fare}."
        ).format(
            after=money(after),
            before=money(before),
            difference=signed(diff, 0, grouping=True),
            why=why,
            fare=money(fares[0] if fares else costs.fare, 2),
        ),
        method="h_plus_t",
        details={
            "assumptions": list(costs.assumptions),
            "model": costs.params.describe(),
            "fare_usd": fares[0] if fares else costs.fare,
        },
    )
