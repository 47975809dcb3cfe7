"""Per-neighbourhood preparation shared by every project: groups, quintiles, flags.

Computed once per assessment: group counts and their margins, the comparison population,
population-weighted income quintiles, displacement vulnerability and R/ECAP flags, and a
spatial index of the layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis import displacement, distribution, housing
from equityplanner.analysis.moe import cv_percent, moe_proportion, reliability_band
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import Neighbourhoods
from equityplanner.model.fields import GroupSpec, group_specs
from equityplanner.model.project import Parameters

__all__ = ["Baseline", "Totals", "pooled_share", "prepare_baseline"]


@dataclass(frozen=True)
class Totals:
    """A group's count and universe over some weighting of neighbourhoods, with margins."""

    count: float
    count_moe: float
    universe: float
    universe_moe: float

    @property
    def share(self) -> float:
        """count / universe, NaN when the universe is empty."""
        return self.count / self.universe if self.universe > 0 else float("nan")

    @property
    def share_moe(self) -> float:
        """90% margin of the share (ACS proportion formula)."""
        if self.universe <= 0:
            return float("nan")
        return float(moe_proportion(self.count, self.universe, self.count_moe, self.universe_moe))


@dataclass
class Baseline:
    """The neighbourhood layer prepared for assessment.

    ``table`` has one row per neighbourhood (same order as the layer) with ``id``, ``name``,
    the canonical fields, ``<group>_count`` / ``<group>_universe`` (and ``_moe`` twins),
    ``<group>_share``, ``in_comparison``, ``quintile`` (1 = lowest income, 0 = unranked),
    ``vulnerability_score``, ``is_vulnerable`` and ``is_recap``.
    """

    table: pd.DataFrame
    geometries: np.ndarray
    crs: CRS
    tree: shapely.STRtree
    comparison: np.ndarray
    groups: dict[str, GroupSpec]
    recap_threshold: float
    warnings: list[str]

    def totals(self, group: str, weights: np.ndarray) -> Totals:
        """Weighted totals of a group (weights = share in catchment, or the comparison mask)."""
        t = self.table
        count = float(np.dot(weights, t[f"{group}_count"].to_numpy()))
        universe = float(np.dot(weights, t[f"{group}_universe"].to_numpy()))
        count_moe = float(np.sqrt(np.sum((weights * t[f"{group}_count_moe"].to_numpy()) ** 2)))
        universe_moe = float(
            np.sqrt(np.sum((weights * t[f"{group}_universe_moe"].to_numpy()) ** 2))
        )
        return Totals(count, count_moe, universe, universe_moe)

    def field_total(self, field: str, weights: np.ndarray) -> tuple[float, float]:
        """Weighted sum of a count field and its margin (NaN margin when absent)."""
        if field not in self.table:
            return float("nan"), float("nan")
        value = float(np.dot(weights, self.table[field].fillna(0).to_numpy()))
        moe_col = f"{field}_moe"
        if moe_col in self.table:
            moe = float(np.sqrt(np.sum((weights * self.table[moe_col].to_numpy()) ** 2)))
        else:
            moe = float("nan")
        return value, moe


def _comparison_mask(ids: pd.Series, params: Parameters) -> np.ndarray:
    comp = params.comparison
    mask: np.ndarray
    if comp.kind == "prefix":
        mask = ids.str.startswith(comp.prefix or "").to_numpy()
    elif comp.kind == "ids":
        wanted = set(comp.ids)
        mask = ids.isin(wanted).to_numpy()
        missing = wanted - set(ids)
        if missing:
            examples = ", ".join(sorted(missing)[:5])
            raise InputError(
                f"{len(missing)} comparison id(s) are not in the neighbourhood layer ({examples})",
                location="parameters.comparison.ids",
                remedy="Use ids from the layer's id column",
            )
    else:
        mask = np.ones(len(ids), dtype=bool)
    if not mask.any():
        raise InputError(
            f"the comparison population '{comp.label}' selects no neighbourhood",
            location="parameters.comparison",
            remedy="Check the prefix or the ids",
        )
    return mask


def prepare_baseline(nb: Neighbourhoods, params: Parameters) -> Baseline:
    """Derive everything the per-project assessment needs from the neighbourhood layer.

    Per neighbourhood: each group's count, universe, share and their margins; the income
    quintile; the displacement risk factors; whether it is an R/ECAP. Warnings say what the
    data lacks.
    """
    warnings: list[str] = []
    frame = nb.frame
    # Columns are gathered in a dict of arrays and framed once (no fragmented inserts).
    cols: dict[str, np.ndarray] = {
        "id": frame["id"].astype(str).to_numpy(),
        "name": frame["name"].astype(str).to_numpy(),
    }
    for field in nb.fields:
        cols[field] = frame[field].to_numpy(dtype=float)
        if field in nb.moe:
            cols[f"{field}_moe"] = nb.moe[field].to_numpy(dtype=float)
    comparison = _comparison_mask(pd.Series(cols["id"]), params)
    cols["in_comparison"] = comparison
    groups: dict[str, GroupSpec] = {}
    specs = group_specs(params.low_income_poverty_pct)  # the adopted low-income definition
    for gid, spec in specs.items():
        group_cols = _group_columns(cols, gid, spec, params, warnings)
        if group_cols is not None:
            cols.update(group_cols)
            groups[gid] = spec
    table = pd.DataFrame(cols)
    for required in ("minority", "low_income"):
        if required not in groups:
            warnings.append(
                f"The Title VI {('disparate-impact' if required == 'minority' else 'disproportionate-burden')} "
                f"test needs the {specs[required].label.lower()} group, which the data lacks."
            )
    table["quintile"] = _income_quintiles(table, comparison, warnings)
    score, vulnerable = _displacement_risk(table, groups, comparison, params, warnings)
    table["vulnerability_score"] = score
    table["is_vulnerable"] = vulnerable
    recap_threshold, is_recap = _recap(table, groups, comparison)
    table["is_recap"] = is_recap
    geometries = frame.geometry.to_numpy()
    return Baseline(
        table=table.copy(),
        geometries=geometries,
        crs=nb.crs,
        tree=shapely.STRtree(geometries),
        comparison=comparison,
        groups=groups,
        recap_threshold=recap_threshold,
        warnings=warnings,
    )


def _group_columns(
    cols: dict[str, np.ndarray],
    gid: str,
    spec: GroupSpec,
    params: Parameters,
    warnings: list[str],
) -> dict[str, np.ndarray] | None:
    """A group's count, universe, share and margins; None (and a warning) when data lack it."""
    n = len(cols["id"])

    def zero_filled(name: str) -> np.ndarray:
        filled: np.ndarray = np.nan_to_num(cols[name], nan=0.0)
        return filled

    needed = [*spec.numerator, *spec.minus]
    missing = [f for f in needed if f not in cols]
    denominator = spec.denominator
    if denominator not in cols and spec.fallback_denominator in cols:
        warnings.append(
            f"{spec.label}: the data has no '{denominator}' column, so shares are taken of "
            f"'{spec.fallback_denominator}' instead (an approximation)."
        )
        denominator = spec.fallback_denominator
    if missing or denominator not in cols:
        absent = ", ".join(missing or [denominator])
        warnings.append(f"{spec.label}: not assessed, the data has no {absent}.")
        return None
    count = sum((zero_filled(f) for f in spec.numerator), start=np.zeros(n)) - sum(
        (zero_filled(f) for f in spec.minus), start=np.zeros(n)
    )
    count = np.clip(count, 0.0, None)
    universe = zero_filled(denominator)
    moe_cols = [f"{f}_moe" for f in needed]
    if all(c in cols for c in moe_cols):
        count_moe = np.sqrt(sum((zero_filled(c) ** 2 for c in moe_cols), start=np.zeros(n)))
    else:
        count_moe = np.full(n, np.nan)
    universe_moe = cols.get(f"{denominator}_moe", np.full(n, np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(universe > 0, count / universe, np.nan)
        # Every derived estimate gets its margin, coefficient of variation and band.
        share_moe = np.asarray(
            moe_proportion(count, universe, count_moe, universe_moe), dtype=float
        )
    cv = np.asarray(cv_percent(share, share_moe), dtype=float)
    return {
        f"{gid}_count": count,
        f"{gid}_universe": universe,
        f"{gid}_count_moe": count_moe,
        f"{gid}_universe_moe": universe_moe,
        f"{gid}_share": share,
        f"{gid}_share_moe": share_moe,
        f"{gid}_share_cv": cv,
        f"{gid}_share_reliability": np.asarray(
            reliability_band(cv, params.reliability_bands), dtype=object
        ),
    }


def _income_quintiles(
    table: pd.DataFrame, comparison: np.ndarray, warnings: list[str]
) -> np.ndarray:
    """Income quintiles over the comparison population; others placed by its breakpoints.

    0 where a neighbourhood is not ranked (no income, or no median income in the data).
    """
    population = table["total_population"].fillna(0).to_numpy()
    quintile = np.zeros(len(table), dtype=np.int64)
    if "median_household_income" not in table:
        warnings.append(
            "No median household income in the data: the income-quintile distribution is not assessed."
        )
        return quintile
    income = table["median_household_income"].to_numpy()
    quintile[comparison] = distribution.income_quintiles(income[comparison], population[comparison])
    ranked = comparison & (quintile > 0)
    outside = ~comparison & np.isfinite(income) & (population > 0)
    if outside.any() and ranked.any():
        upper = [
            income[ranked & (quintile == q)].max()
            for q in range(1, 5)
            if (ranked & (quintile == q)).any()
        ]
        quintile[outside] = 1 + np.searchsorted(np.array(upper), income[outside], side="left")
    unranked = int(((quintile == 0) & (population > 0)).sum())
    if unranked:
        warnings.append(
            f"{unranked} neighbourhood(s) with residents have no median household income and "
            "are left out of the income quintiles."
        )
    return quintile


def _displacement_risk(
    table: pd.DataFrame,
    groups: dict[str, GroupSpec],
    comparison: np.ndarray,
    params: Parameters,
    warnings: list[str],
) -> tuple[np.ndarray | int, np.ndarray | bool]:
    """(vulnerability score, is vulnerable): a Bates-style count of risk factors above the
    comparison population's, for the risk factors the data has."""
    risk_groups = [
        g for g in load_resource("thresholds.toml")["displacement"]["indicators"] if g in groups
    ]
    if not risk_groups:
        return 0, False
    shares = table[[f"{g}_share" for g in risk_groups]].copy()
    shares.columns = risk_groups
    reference = pd.Series({g: pooled_share(table, g, comparison) for g in risk_groups}, dtype=float)
    flags = displacement.vulnerability_flags(shares, reference, indicators=risk_groups)
    if len(risk_groups) < 5:
        warnings.append(
            f"Displacement vulnerability uses {len(risk_groups)} of 5 risk factors "
            f"({', '.join(risk_groups)}); the others are not in the data."
        )
    return (
        displacement.vulnerability_score(flags).to_numpy(),
        displacement.is_vulnerable(flags, params.displacement_min_flags).to_numpy(),
    )


def _recap(
    table: pd.DataFrame, groups: dict[str, GroupSpec], comparison: np.ndarray
) -> tuple[float, np.ndarray | bool]:
    """(HUD's R/ECAP poverty threshold, is R/ECAP); (NaN, False) without poverty and race."""
    if "poverty" not in groups or "minority" not in groups:
        return float("nan"), False
    rates = table["poverty_share"].to_numpy()
    universe = table["poverty_universe" if "poverty_universe" in table else "total_population"]
    usable = comparison & np.isfinite(rates) & (universe.to_numpy() > 0)
    threshold = float(housing.recap_threshold(rates[usable]))
    is_recap = housing.is_recap(
        np.nan_to_num(rates), np.nan_to_num(table["minority_share"].to_numpy()), threshold
    )
    return threshold, is_recap


def pooled_share(table: pd.DataFrame, group: str, mask: np.ndarray) -> float:
    """A group's pooled share over the masked neighbourhoods."""
    universe = table.loc[mask, f"{group}_universe"].sum()
    return (
        float(table.loc[mask, f"{group}_count"].sum() / universe) if universe > 0 else float("nan")
    )
