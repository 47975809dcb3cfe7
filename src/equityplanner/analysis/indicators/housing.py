"""HUD housing indicators of a housing project, measured at its site's neighbourhood.

Each test is one function: the affordable share against local need, market and
income-restricted rents against incomes, who the affordable homes can house (the homes by
income band against the area's households in each band), poverty and minority
concentration, R/ECAP, the net change in affordable homes, and direct displacement (homes
demolished, households who must move). The rules (30% of income, HUD's concentration
thresholds) are in :mod:`equityplanner.analysis.housing`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis import housing
from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.indicators.make import make_indicator, text
from equityplanner.analysis.words import comparison_in_sentence, money, num, pct, signed
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.i18n import _, ngettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject, Parameters
from equityplanner.model.results import Indicator

__all__ = ["housing_indicators"]

_RACE_FIELDS = ("hispanic", "nh_black", "nh_asian", "nh_aian", "nh_nhpi", "nh_other")
_AFFORDABLE_SHARE_OF_INCOME = 0.30  # HUD: housing costs above 30% of income are a burden
_WGS84 = CRS.from_epsg(4326)


def _id(test: str) -> IndicatorId:
    return IndicatorId(IndicatorFamily.HOUSING, test)


@dataclass(frozen=True)
class _Site:
    """A housing project at its site's neighbourhood, with what every test needs."""

    baseline: Baseline
    project: HousingProject
    params: Parameters
    row: pd.Series  # the site neighbourhood's row of the baseline table

    @property
    def comparison(self) -> np.ndarray:
        return np.asarray(self.baseline.comparison, dtype=float)

    @property
    def details(self) -> dict[str, Any]:
        return {"site_neighbourhood": self.row["id"], "site_name": self.row["name"]}


def housing_indicators(
    b: Baseline, project: HousingProject, params: Parameters, warnings: list[str]
) -> list[Indicator]:
    """Every HUD test that the data allows, in a fixed order.

    Raises
    ------
    InputError
        When the site lies in no neighbourhood.
    """
    site = _Site(b, project, params, b.table.iloc[_site_row(b, project)])
    out: list[Indicator] = []
    out += _affordable_share(site)
    out += _market_rent(site, warnings)
    out += _band_rents(site)
    out += _households_by_band(site)
    out += _poverty_concentration(site)
    out += _minority_concentration_and_recap(site)
    out.append(_net_affordable_units(project))
    out.append(_direct_displacement(project))
    return out


def _site_row(b: Baseline, project: HousingProject) -> int:
    """The row of the neighbourhood holding the site (the most overlapped, for a polygon)."""
    site = to_crs(np.array([project.site], dtype=object), _WGS84, b.crs)[0]
    hits = b.layer.query(site) if b.layer is not None else b.tree.query(site, "intersects")
    if hits.size == 0:
        raise InputError(
            "its site lies outside the study area (in no neighbourhood)",
            location=f"housing project '{project.name}'",
            remedy="Check the site's coordinates or load the neighbourhood layer that covers it",
        )
    if hits.size == 1:
        return int(hits[0])
    overlap = shapely.area(shapely.intersection(b.geometries[hits], site.buffer(1e-9)))
    return int(hits[int(np.argmax(overlap))])


def _affordable_share(site: _Site) -> list[Indicator]:
    """``housing.affordable_share``: homes at or below 80% AMI against rent-burdened renters."""
    project, row = site.project, site.row
    if not ("rent_burdened" in site.baseline.groups and row["rent_burdened_universe"] > 0):
        return []
    affordable_share = project.affordable_units / project.total_units
    need = float(row["rent_burdened_share"])
    rating = "meets" if affordable_share >= need else "falls_short"
    return [
        make_indicator(
            id=_id("affordable_share"),
            name=text("housing::affordable_share::name"),
            value=affordable_share,
            comparison=need,
            difference=(affordable_share - need) * 100,
            value_unit="share",
            rating_family="test",
            rating=rating,
            finding=text(f"housing::affordable_share::findings::{rating}").format(
                value=pct(affordable_share),
                total_units=project.total_units,
                comparison_value=pct(need),
            ),
            method="affordability",
            details={**site.details, "affordable_units": project.affordable_units},
        )
    ]


def _market_rent(site: _Site, warnings: list[str]) -> list[Indicator]:
    """``housing.market_rent_burden_site`` and ``_city``: the market rent against incomes."""
    b, project = site.baseline, site.project
    market_rent = project.proposed_rents_usd.get("market")
    if market_rent is None or "median_household_income" not in b.table:
        return []
    comparison = site.comparison
    site_income = float(site.row["median_household_income"])
    weights = (
        comparison * b.table["households"].fillna(0).to_numpy()
        if "households" in b.table
        else comparison
    )
    incomes = b.table["median_household_income"].to_numpy()
    ok = np.isfinite(incomes) & (weights > 0)
    published = site.params.comparison_median_household_income_usd
    if published:
        city_income = float(published)
        income_words = _("the median household income of {comparison}").format(
            comparison=comparison_in_sentence(site.params.comparison.label)
        )
        income_source = "published figure (parameter comparison_median_household_income_usd)"
    else:
        city_income = (
            float(np.average(incomes[ok], weights=weights[ok])) if ok.any() else float("nan")
        )
        income_words = _(
            "the household-weighted average of {comparison}'s neighbourhood median household "
            "incomes (the data has no city-level median)"
        ).format(
            comparison=comparison_in_sentence(site.params.comparison.label)
        )  # what the figure is, not "the city's median"
        income_source = "household-weighted mean of neighbourhood medians"
    out = []
    for key, income, where in (
        ("market_rent_burden_site", site_income, "site"),
        ("market_rent_burden_city", city_income, "comparison"),
    ):
        if not (math.isfinite(income) and income > 0):
            warnings.append(
                (
                    _(
                        "housing project '{name}': no median household income for the site; "
                        "rent affordability not assessed there."
                    )
                    if where == "site"
                    else _(
                        "housing project '{name}': no median household income for the "
                        "comparison; rent affordability not assessed there."
                    )
                ).format(name=project.name)
            )
            continue
        share = market_rent * 12 / income
        rating = "affordable" if housing.is_affordable(market_rent, income) else "not_affordable"
        out.append(
            make_indicator(
                id=_id(key),
                name=text(f"housing::{key}::name"),
                value=share,
                comparison=_AFFORDABLE_SHARE_OF_INCOME,
                difference=(share - _AFFORDABLE_SHARE_OF_INCOME) * 100,
                value_unit="share",
                rating_family="test",
                rating=rating,
                finding=text(f"housing::{key}::findings::{rating}").format(
                    rent=money(market_rent),
                    value=pct(share),
                    income=money(income),
                    comparison=comparison_in_sentence(site.params.comparison.label),
                    income_words=income_words,
                ),
                method="affordability",
                details={
                    **site.details,
                    "income_usd": income,
                    "rent_usd": market_rent,
                    **({"income_source": income_source} if where == "comparison" else {}),
                },
            )
        )
    return out


def _band_rents(site: _Site) -> list[Indicator]:
    """``housing.band_rents``: each income-restricted rent against its band's limit."""
    project, ami = site.project, site.params.area_median_income_usd
    checked = {band: rent for band, rent in project.proposed_rents_usd.items() if band != "market"}
    if not checked:
        return []
    if ami is None:
        return [
            make_indicator(
                id=_id("band_rents"),
                name=text("housing::band_rents::name"),
                value=None,
                comparison=None,
                difference=None,
                value_unit="count",
                rating_family="test",
                rating="not_assessed",
                finding=text("housing::band_rents::findings::not_assessed").format(
                    reason=_("set the area median income (AMI) in the parameters")
                ),
                method="affordability",
            )
        ]
    fractions = load_resource("thresholds.toml")["affordability"]["band_ami_fraction"]
    limits = {band: float(housing.max_affordable_rent(fractions[band], ami)) for band in checked}
    failing = [band for band, rent in checked.items() if rent > limits[band] + 0.5]
    details = "; ".join(
        _("{band}% AMI {rent} vs {limit}").format(
            band=band.replace("ami_", ""), rent=money(checked[band]), limit=money(limits[band])
        )
        for band in checked
    )
    rating = "not_affordable" if failing else "affordable"
    return [
        make_indicator(
            id=_id("band_rents"),
            name=text("housing::band_rents::name"),
            value=len(checked) - len(failing),
            comparison=len(checked),
            difference=None,
            value_unit="count",
            rating_family="test",
            rating=rating,
            finding=text(f"housing::band_rents::findings::{rating}").format(
                checked=len(checked), failing=len(failing), details=details
            ),
            method="affordability",
            details={"limits_usd": limits, "rents_usd": checked, "ami_usd": ami},
        )
    ]


def _households_by_band(site: _Site) -> list[Indicator]:
    """``housing.households_by_band``: who the affordable homes can house.

    The homes of each AMI band against the comparison population's households whose income
    falls in that band, estimated from each neighbourhood's median household income
    (:func:`equityplanner.analysis.housing.households_below_income`). Reported for the
    households the homes are for, separately from the neighbours within the walk catchment.
    """
    b, project, ami = site.baseline, site.project, site.params.area_median_income_usd
    if ami is None or project.affordable_units <= 0:
        return []
    if "households" not in b.table or "median_household_income" not in b.table:
        return []
    affordability = load_resource("thresholds.toml")["affordability"]
    fractions = affordability["band_ami_fraction"]
    gini = float(affordability["household_income_gini"])
    households = b.table["households"].to_numpy(dtype=float) * site.comparison
    incomes = b.table["median_household_income"].to_numpy(dtype=float)
    bands = [band for band in ("ami_30", "ami_50", "ami_80") if band in fractions]
    below = {
        band: housing.households_below_income(households, incomes, fractions[band] * ami, gini=gini)
        for band in bands
    }
    all_households = float(np.nansum(households))
    eligible = below[bands[-1]]
    rows, lower = {}, 0.0
    for band in bands:
        in_band = below[band] - lower
        lower = below[band]
        homes = int(project.units_by_band.get(band, 0))
        rows[band] = {
            "income_limit_usd": fractions[band] * ami,
            "homes": homes,
            "share_of_affordable_homes": homes / project.affordable_units,
            "households": in_band,
            "share_of_eligible_households": in_band / eligible if eligible > 0 else None,
            "homes_per_1000_households": 1000 * homes / in_band if in_band > 0 else None,
        }
    parts, low = [], 0.0
    for band, r in rows.items():
        top = fractions[band]
        span = (
            _("up to {top}").format(top=pct(top, 0))
            if low == 0.0
            else _("{low} to {top}").format(low=pct(low, 0), top=pct(top, 0))
        )
        low = top
        share = r["share_of_eligible_households"]
        parts.append(
            ngettext(
                "{span} of AMI ({limit}): {homes} home ({share} of the affordable homes) for "
                "about {households} households",
                "{span} of AMI ({limit}): {homes} homes ({share} of the affordable homes) for "
                "about {households} households",
                r["homes"],
            ).format(
                span=span,
                limit=money(r["income_limit_usd"]),
                homes=num(r["homes"]),
                share=pct(r["share_of_affordable_homes"], 0),
                households=num(r["households"]),
            )
            + (
                " " + _("({share} of those eligible)").format(share=pct(share, 0))
                if share is not None
                else ""
            )
        )
    finding = (
        _(
            "The {homes} affordable homes are for households earning up to {limit} of AMI: "
            "about {eligible} households in {comparison} ({share} of its households; estimated "
            "from neighbourhood median incomes). By band, {bands}."
        ).format(
            homes=num(project.affordable_units),
            limit=pct(fractions[bands[-1]], 0),
            eligible=num(eligible),
            comparison=comparison_in_sentence(site.params.comparison.label),
            share=pct(eligible / all_households, 0),
            bands="; ".join(parts),
        )
        if all_households > 0
        else _("The area has no households to compare with.")
    )
    return [
        make_indicator(
            id=_id("households_by_band"),
            name=text("housing::households_by_band::name"),
            value=float(project.affordable_units),
            comparison=eligible,
            difference=None,
            value_unit="units",
            rating_family="served",
            rating="context",
            finding=finding,
            method="affordability",
            details={
                **site.details,
                "bands": rows,
                "eligible_households": eligible,
                "all_households": all_households,
                "estimate": f"log-normal incomes around each neighbourhood's median, Gini {gini:g}",
            },
        )
    ]


def _poverty_concentration(site: _Site) -> list[Indicator]:
    """``housing.poverty_concentration``: the site's poverty rate against HUD's threshold."""
    b = site.baseline
    if "poverty" not in b.groups:
        return []
    rate = float(site.row["poverty_share"])
    area_rate = b.totals("poverty", site.comparison).share
    threshold = min(0.40, 3 * area_rate)
    concentrated = bool(housing.poverty_concentration(rate, area_rate))
    rating = "concentrated" if concentrated else "not_concentrated"
    return [
        make_indicator(
            id=_id("poverty_concentration"),
            name=text("housing::poverty_concentration::name"),
            value=rate,
            comparison=area_rate,
            difference=(rate - area_rate) * 100,
            value_unit="share",
            rating_family="test",
            rating=rating,
            finding=text(f"housing::poverty_concentration::findings::{rating}").format(
                value=pct(rate),
                threshold=pct(threshold),
                comparison_value=pct(area_rate),
                comparison=comparison_in_sentence(site.params.comparison.label),
            ),
            method="poverty_concentration",
            details={**site.details, "threshold": threshold},
        )
    ]


def _minority_concentration_and_recap(site: _Site) -> list[Indicator]:
    """``housing.minority_concentration`` and, with poverty data, ``housing.recap``."""
    b, row = site.baseline, site.row
    if "minority" not in b.groups:
        return []
    comparison = site.comparison
    total_site = float(row["total_population"])
    comp_total = float(np.dot(comparison, b.table["total_population"].fillna(0)))
    race = [f for f in _RACE_FIELDS if f in b.table]
    site_shares = {f: float(row[f]) / total_site if total_site > 0 else 0.0 for f in race}
    area_shares = {f: float(np.dot(comparison, b.table[f].fillna(0))) / comp_total for f in race}
    minority_site = float(row["minority_share"]) if total_site > 0 else 0.0
    minority_area = b.totals("minority", comparison).share
    result = housing.minority_concentration(site_shares, area_shares, minority_site, minority_area)
    tests = [
        name
        for key, name in (
            ("group_excess", _("a group 20+ points above its city share")),
            ("minority_excess", _("minority share 20+ points above the city's")),
            ("minority_majority", _("more than 50% minority")),
        )
        if result[key]
    ]
    rating = "concentrated" if result["is_concentrated"] else "not_concentrated"
    out = [
        make_indicator(
            id=_id("minority_concentration"),
            name=text("housing::minority_concentration::name"),
            value=minority_site,
            comparison=minority_area,
            difference=(minority_site - minority_area) * 100,
            value_unit="share",
            rating_family="test",
            rating=rating,
            finding=text(f"housing::minority_concentration::findings::{rating}").format(
                value=pct(minority_site),
                comparison_value=pct(minority_area),
                comparison=comparison_in_sentence(site.params.comparison.label),
                tests="; ".join(tests),
            ),
            method="minority_concentration",
            details={
                **site.details,
                **{k: v for k, v in result.items() if k != "groups_in_excess"},
                "groups_in_excess": list(result["groups_in_excess"]),
            },
        )
    ]
    if "poverty" in b.groups and math.isfinite(b.recap_threshold):
        out.append(_recap(site, minority_site))
    return out


def _recap(site: _Site, minority_site: float) -> Indicator:
    """``housing.recap``: whether the site's neighbourhood is an R/ECAP."""
    b, row = site.baseline, site.row
    is_recap = bool(row["is_recap"])
    rating = "concentrated" if is_recap else "not_concentrated"
    return make_indicator(
        id=_id("recap"),
        name=text("housing::recap::name"),
        value="yes" if is_recap else "no",
        comparison=None,
        difference=None,
        value_unit="flag",
        rating_family="test",
        rating=rating,
        finding=text(f"housing::recap::findings::{rating}").format(
            nonwhite=pct(minority_site),
            poverty=pct(float(row["poverty_share"])),
            threshold=pct(b.recap_threshold),
        ),
        method="recap",
        details={
            **site.details,
            "poverty_rate": float(row["poverty_share"]),
            "nonwhite_share": minority_site,
            "threshold": b.recap_threshold,
        },
    )


def _direct_displacement(project: HousingProject) -> Indicator:
    """``housing.direct_displacement``: the households who must move and the homes demolished."""
    moving, demolished = project.households_displaced, project.units_demolished
    rating = "displaces" if moving > 0 or demolished > 0 else "no_displacement"
    return make_indicator(
        id=_id("direct_displacement"),
        name=text("housing::direct_displacement::name"),
        value=float(moving),
        comparison=float(demolished),
        difference=None,
        value_unit="households",
        rating_family="test",
        rating=rating,
        finding=text(f"housing::direct_displacement::findings::{rating}").format(
            households=num(moving),
            demolished=num(demolished),
            affordable=num(project.affordable_units_demolished),
        ),
        method="net_affordable_units",
        details={
            "households_displaced": moving,
            "units_demolished": demolished,
            "affordable_units_demolished": project.affordable_units_demolished,
        },
    )


def _net_affordable_units(project: HousingProject) -> Indicator:
    """``housing.net_affordable_units``: affordable homes added less those demolished."""
    net = project.affordable_units - project.affordable_units_demolished
    rating = "gain" if net > 0 else ("loss" if net < 0 else "no_change")
    return make_indicator(
        id=_id("net_affordable_units"),
        name=text("housing::net_affordable_units::name"),
        value=float(net),
        comparison=float(project.affordable_units_demolished),
        difference=None,
        value_unit="units",
        rating_family="test",
        rating=rating,
        finding=text(f"housing::net_affordable_units::findings::{rating}").format(
            affordable=project.affordable_units,
            demolished=project.affordable_units_demolished,
            value=signed(net, 0, grouping=True),
            displaced=project.households_displaced,
        ),
        method="net_affordable_units",
        details={
            "units_by_band": dict(project.units_by_band),
            "total_units": project.total_units,
            "units_demolished": project.units_demolished,
            "households_displaced": project.households_displaced,
        },
    )
