"""Per-neighbourhood preparation shared by every project: groups, quintiles, flags.

Group counts and their margins, the comparison population, population-weighted income
quintiles, displacement vulnerability and R/ECAP flags, and a spatial index of the layer.
Prepared once per neighbourhood layer and parameters that shape it (:func:`baseline_for`
remembers it, so re-running an assessment, scenarios and many projects do not repeat it); the
spatial index once per layer (:func:`layer_index`).

Sums over a catchment take sparse shares (:class:`~equityplanner.analysis.catchment.
CatchmentShares`: the rows touched and their shares), so their cost does not grow with the
layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis import displacement, distribution, housing
from equityplanner.analysis.caching import IdentityCache
from equityplanner.analysis.catchment import CatchmentShares, Reprojected
from equityplanner.analysis.moe import (
    cv_percent,
    moe_allocation,
    moe_proportion,
    reliability_band,
)
from equityplanner.analysis.words import translate_label
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.i18n import _, current_language, ngettext
from equityplanner.io.neighbourhoods import Neighbourhoods, PendingValidity
from equityplanner.model.fields import GroupSpec, group_specs, low_income_definitions
from equityplanner.model.project import Parameters

T = TypeVar("T")

__all__ = [
    "Baseline",
    "LayerIndex",
    "Totals",
    "Weights",
    "baseline_for",
    "layer_index",
    "pooled_share",
    "prepare_baseline",
]

Weights = np.ndarray | CatchmentShares
"""Per neighbourhood, the share counted: a full-length vector (a mask, say) or sparse shares."""


@dataclass(frozen=True)
class Totals:
    """A group's count and universe over some weighting of neighbourhoods, with margins.

    ``count_moe`` and ``universe_moe`` are the margins used: ACS sampling error, and with
    ``allocation_included`` also the error of allocating parts of neighbourhoods to a
    catchment (:func:`~equityplanner.analysis.moe.moe_allocation`). ``*_moe_sampling`` and
    ``*_moe_allocation`` are the two parts (the latter 0 for whole neighbourhoods).
    """

    count: float
    count_moe: float
    universe: float
    universe_moe: float
    count_moe_sampling: float = float("nan")
    universe_moe_sampling: float = float("nan")
    count_moe_allocation: float = 0.0
    universe_moe_allocation: float = 0.0
    allocation_included: bool = False

    @property
    def share(self) -> float:
        """count / universe, NaN when the universe is empty."""
        return self.count / self.universe if self.universe > 0 else float("nan")

    @property
    def share_moe(self) -> float:
        """90% margin of the share (ACS proportion formula), with the margins used."""
        if self.universe <= 0:
            return float("nan")
        return float(moe_proportion(self.count, self.universe, self.count_moe, self.universe_moe))

    @property
    def share_moe_sampling(self) -> float:
        """90% margin of the share from sampling error alone."""
        if self.universe <= 0:
            return float("nan")
        return float(
            moe_proportion(
                self.count, self.universe, self.count_moe_sampling, self.universe_moe_sampling
            )
        )

    @property
    def share_moe_with_allocation(self) -> float:
        """90% margin of the share with sampling and allocation error."""
        if self.universe <= 0:
            return float("nan")
        return float(
            moe_proportion(
                self.count,
                self.universe,
                np.hypot(self.count_moe_sampling, self.count_moe_allocation),
                np.hypot(self.universe_moe_sampling, self.universe_moe_allocation),
            )
        )


@dataclass(eq=False)
class LayerIndex:
    """A neighbourhood layer's polygons, their CRS and spatial index (built once per layer),
    and the polygons reprojected to local CRSs as catchments need them.

    ``validity`` is the layer's pending validity check when it was read with
    ``defer_validity`` (:class:`~equityplanner.io.neighbourhoods.PendingValidity`): then
    :meth:`query` checks (and repairs) the polygons it finds before testing them.
    """

    geometries: np.ndarray
    crs: CRS
    tree: shapely.STRtree
    validity: PendingValidity | None = None
    reprojected: Reprojected = dataclasses.field(init=False, repr=False)
    # Rows (and boxes of all their rings) whose rings reach beyond the box the tree holds
    _wide: tuple[np.ndarray, shapely.STRtree] | None = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.reprojected = Reprojected(self.geometries, self.crs)
        self._wide = _wide_rows(self.geometries) if self.validity is not None else None

    def query(self, geometry: Any) -> np.ndarray:
        """The rows whose polygons intersect ``geometry`` (one geometry: rows; an array of
        them: ``(2, n)`` pairs of input and row), as ``tree.query(..., "intersects")``.

        With a pending validity check, the polygons whose boxes the geometry meets are
        checked and repaired first, then tested as repaired. A repaired polygon lies within
        the box of all the rings it was read with: the tree's box (its shell's), or for a
        polygon with a hole outside its shell, a box of its own (``_wide``).
        """
        if self.validity is None:
            found: np.ndarray = self.tree.query(geometry, predicate="intersects")
            return found
        boxes: np.ndarray = self.tree.query(geometry)
        if self._wide is not None:
            wide_rows, wide_tree = self._wide
            extra: np.ndarray = wide_tree.query(geometry)
            if extra.size and boxes.ndim == 1:
                boxes = np.unique(np.concatenate([boxes, wide_rows[extra]]))
            elif extra.size:
                more = np.vstack([extra[0], wide_rows[extra[1]]])
                boxes = np.unique(np.hstack([boxes, more]), axis=1)
        rows = boxes if boxes.ndim == 1 else boxes[1]
        if rows.size == 0:
            return boxes
        self.validity.check(self.geometries, rows)
        given = np.asarray(geometry, dtype=object)
        shapely.prepare(given)
        if boxes.ndim == 1:
            keep = shapely.intersects(given[()], self.geometries[rows])
        else:
            keep = shapely.intersects(given[boxes[0]], self.geometries[rows])
        found = boxes[..., keep]
        return found


def _wide_rows(geometries: np.ndarray) -> tuple[np.ndarray, shapely.STRtree] | None:
    """The polygons whose rings reach beyond their box as GEOS gives it (the shell's: an
    invalid polygon may have a hole outside its shell), with boxes of all their rings."""
    holed = (shapely.get_type_id(geometries) == 6) | (
        shapely.get_num_interior_rings(geometries) > 0
    )
    maybe = np.flatnonzero(holed)
    if maybe.size == 0:
        return None
    rings = shapely.bounds(shapely.boundary(geometries[maybe]))
    own = shapely.bounds(geometries[maybe])
    wide = (rings[:, :2] < own[:, :2]).any(axis=1) | (rings[:, 2:] > own[:, 2:]).any(axis=1)
    if not wide.any():
        return None
    return maybe[wide], shapely.STRtree(shapely.box(*rings[wide].T))


def _layer_version(nb: Neighbourhoods) -> tuple[Any, ...]:
    """What identifies the state of a layer object: its tables and the files they came from
    (and how many polygons a deferred validity check has repaired in place)."""
    repairs = nb.validity.repairs if nb.validity is not None else 0
    return (id(nb.frame), len(nb.frame), id(nb.moe), tuple(nb.sources), tuple(nb.mapping), repairs)


_LAYER_INDEXES: IdentityCache[Neighbourhoods, LayerIndex] = IdentityCache(4)
_BASELINES: IdentityCache[Neighbourhoods, dict[tuple[Any, ...], Baseline]] = IdentityCache(4)


def layer_index(nb: Neighbourhoods) -> LayerIndex:
    """The polygons and spatial index of ``nb``, built once per layer (and kept while it lives)."""

    def build() -> LayerIndex:
        geometries = nb.frame.geometry.to_numpy()
        return LayerIndex(geometries, nb.crs, shapely.STRtree(geometries), nb.validity)

    return _LAYER_INDEXES.get(nb, build, _layer_version(nb))


def baseline_for(nb: Neighbourhoods, params: Parameters) -> Baseline:
    """:func:`prepare_baseline`, remembered per layer and the parameters that shape it.

    The parameters that shape a baseline are the comparison population, the reliability
    bands, the displacement flags and the adopted low-income definition (and the language of
    its warnings); others (catchments, thresholds) do not make it anew.
    The baseline returned is shared: do not change it.
    """
    # The language too: the baseline's warnings are sentences in the language it was made in.
    key = (
        params.comparison,
        params.reliability_bands,
        params.displacement_min_flags,
        params.low_income_poverty_pct,
        current_language(),
    )
    prepared = _BASELINES.get(nb, dict, _layer_version(nb))
    if key not in prepared:
        prepared[key] = prepare_baseline(nb, params)
    return prepared[key]


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
    layer: LayerIndex | None = None
    #: The displacement risk factors the data has (of the 5 in ``thresholds.toml``).
    displacement_factors: tuple[str, ...] = ()
    _memo: dict[Any, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per baseline and ``key`` (work that depends only on the layer and
        ``key``, such as the transport-cost model, is not repeated on every assessment)."""
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found

    def column(self, name: str) -> np.ndarray:
        """A column of :attr:`table` as a float array, NaN kept (read once, then remembered)."""
        key = ("column", name)
        if key not in self._memo:
            self._memo[key] = _read_only(self.table[name].to_numpy(dtype=float))
        values: np.ndarray = self._memo[key]
        return values

    def filled(self, name: str) -> np.ndarray:
        """A column of :attr:`table` as floats, missing values as 0 (``fillna(0)``), read once."""
        key = ("filled", name)
        if key not in self._memo:
            values = self.column(name)
            self._memo[key] = _read_only(np.where(np.isnan(values), 0.0, values))
        filled: np.ndarray = self._memo[key]
        return filled

    def values(self, name: str) -> np.ndarray:
        """A column of :attr:`table` as it is (ints, flags, ids), read once (read-only)."""
        key = ("values", name)
        if key not in self._memo:
            values = self.table[name].to_numpy(copy=True)
            values.flags.writeable = False
            self._memo[key] = values
        found: np.ndarray = self._memo[key]
        return found

    def sorted_comparison(self, name: str) -> np.ndarray:
        """The finite values of a column over the comparison population, sorted (remembered)."""
        key = ("sorted_comparison", name)
        if key not in self._memo:
            values = self.column(name)
            self._memo[key] = _read_only(np.sort(values[self.comparison & np.isfinite(values)]))
        ranked: np.ndarray = self._memo[key]
        return ranked

    @property
    def comparison_weights(self) -> np.ndarray:
        """1.0 for a neighbourhood of the comparison population, else 0.0 (one shared array)."""
        if "comparison" not in self._memo:
            self._memo["comparison"] = _read_only(self.comparison)
        weights: np.ndarray = self._memo["comparison"]
        return weights

    def totals(self, group: str, weights: Weights, *, allocation: bool = False) -> Totals:
        """Weighted totals of a group (weights = share in catchment, or the comparison mask).

        With sparse ``weights`` only the rows touched are read. The allocation error of the
        parts of neighbourhoods is always computed (``*_moe_allocation``) and is included in
        the margins used when ``allocation`` is true. The comparison population's totals are
        computed once.
        """
        if weights is self.comparison_weights:
            key = ("comparison_totals", group)
            if key not in self._memo:
                self._memo[key] = self._totals(group, weights, allocation=False)
            memo: Totals = self._memo[key]
            return memo
        return self._totals(group, weights, allocation=allocation)

    def _totals(self, group: str, weights: Weights, *, allocation: bool) -> Totals:
        rows, w = _rows_and_shares(weights)
        count_col = _take(self.column(f"{group}_count"), rows)
        universe_col = _take(self.column(f"{group}_universe"), rows)
        count = float(np.dot(w, count_col))
        universe = float(np.dot(w, universe_col))
        count_moe = float(
            np.sqrt(np.sum((w * _take(self.column(f"{group}_count_moe"), rows)) ** 2))
        )
        universe_moe = float(
            np.sqrt(np.sum((w * _take(self.column(f"{group}_universe_moe"), rows)) ** 2))
        )
        count_alloc = moe_allocation(count_col, w)
        universe_alloc = moe_allocation(universe_col, w)
        used_count, used_universe = count_moe, universe_moe
        if allocation:
            used_count = float(np.hypot(count_moe, count_alloc))
            used_universe = float(np.hypot(universe_moe, universe_alloc))
        return Totals(
            count,
            used_count,
            universe,
            used_universe,
            count_moe_sampling=count_moe,
            universe_moe_sampling=universe_moe,
            count_moe_allocation=count_alloc,
            universe_moe_allocation=universe_alloc,
            allocation_included=allocation,
        )

    def field_total(
        self, field: str, weights: Weights, *, allocation: bool = False
    ) -> tuple[float, float]:
        """Weighted sum of a count field and its margin (NaN margin when absent).

        With ``allocation`` the margin includes the error of allocating parts of
        neighbourhoods (see :meth:`field_total_parts`).
        """
        value, sampling, allocated = self.field_total_parts(field, weights)
        if allocation and np.isfinite(sampling):
            return value, float(np.hypot(sampling, allocated))
        return value, sampling

    def field_total_parts(self, field: str, weights: Weights) -> tuple[float, float, float]:
        """(weighted sum, its sampling margin, its allocation margin); NaN when absent.

        The comparison population's are computed once.
        """
        if weights is self.comparison_weights:
            key = ("comparison_field_total", field)
            if key not in self._memo:
                self._memo[key] = self._field_total_parts(field, weights)
            memo: tuple[float, float, float] = self._memo[key]
            return memo
        return self._field_total_parts(field, weights)

    def _field_total_parts(self, field: str, weights: Weights) -> tuple[float, float, float]:
        if field not in self.table:
            return float("nan"), float("nan"), float("nan")
        rows, w = _rows_and_shares(weights)
        values = np.nan_to_num(_take(self.column(field), rows), nan=0.0)
        value = float(np.dot(w, values))
        moe_col = f"{field}_moe"
        if moe_col in self.table:
            moe = float(np.sqrt(np.sum((w * _take(self.column(moe_col), rows)) ** 2)))
        else:
            moe = float("nan")
        return value, moe, moe_allocation(values, w)


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only copy: arrays remembered by a shared baseline must not change."""
    frozen = np.array(values, dtype=float)
    frozen.flags.writeable = False
    return frozen


def _rows_and_shares(weights: Weights) -> tuple[np.ndarray | None, np.ndarray]:
    """(rows, shares) of sparse weights; (None, the vector) of full-length ones."""
    if isinstance(weights, CatchmentShares):
        return weights.index, weights.share
    return None, np.asarray(weights, dtype=float)


def _take(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]


def _other_low_income_definitions(cols: dict[str, np.ndarray], params: Parameters) -> str:
    """The adoptable low-income definitions the data has the counts for, as a remedy."""
    adopted = int(params.low_income_poverty_pct)
    usable = [
        (pct, label)
        for pct, label in low_income_definitions().items()
        if pct != adopted
        and all(field in cols for field in group_specs(pct)["low_income"].numerator)
    ]
    return "".join(
        " "
        + _(
            "The data has {definition}: adopt that definition with "
            "parameters.low_income_poverty_pct = {pct}."
        ).format(definition=translate_label("groups.toml", label).lower(), pct=pct)
        for pct, label in usable
    )


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
            needs = (
                _(
                    "The Title VI disparate-impact test needs the {group} group, which the data lacks."
                )
                if required == "minority"
                else _(
                    "The Title VI disproportionate-burden test needs the {group} group, which the "
                    "data lacks."
                )
            )
            group = translate_label("groups.toml", specs[required].label).lower()
            warnings.append(
                needs.format(group=group)
                + (_other_low_income_definitions(cols, params) if required == "low_income" else "")
            )
    table["quintile"] = _income_quintiles(table, comparison, warnings)
    factors = _displacement_factors(groups)
    score, vulnerable = _displacement_risk(table, groups, comparison, params, warnings)
    table["vulnerability_score"] = score
    table["is_vulnerable"] = vulnerable
    recap_threshold, is_recap = _recap(table, groups, comparison)
    table["is_recap"] = is_recap
    layer = layer_index(nb)
    return Baseline(
        table=table.copy(),
        geometries=layer.geometries,
        crs=layer.crs,
        tree=layer.tree,
        comparison=comparison,
        groups=groups,
        recap_threshold=recap_threshold,
        warnings=warnings,
        layer=layer,
        displacement_factors=factors,
    )


def _displacement_factors(groups: dict[str, GroupSpec]) -> tuple[str, ...]:
    """The displacement risk factors (``thresholds.toml``) the data has."""
    return tuple(
        g for g in load_resource("thresholds.toml")["displacement"]["indicators"] if g in groups
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
    if not missing and denominator not in cols and spec.fallback_denominator in cols:
        # (Only for a group that is assessed: "taken of ... instead" then "not assessed"
        # contradicted each other.)
        warnings.append(
            _(
                "{group}: the data has no '{column}' column, so shares are taken of "
                "'{fallback}' instead (an approximation)."
            ).format(
                group=translate_label("groups.toml", spec.label),
                column=denominator,
                fallback=spec.fallback_denominator,
            )
        )
        denominator = spec.fallback_denominator
    if missing or denominator not in cols:
        absent = ", ".join(missing or [denominator])
        warnings.append(
            _("{group}: not assessed, the data has no {columns}.").format(
                group=translate_label("groups.toml", spec.label), columns=absent
            )
        )
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
            _(
                "No median household income in the data: the income-quintile distribution is "
                "not assessed."
            )
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
            ngettext(
                "{count} neighbourhood with residents has no median household income and is "
                "left out of the income quintiles.",
                "{count} neighbourhood(s) with residents have no median household income and "
                "are left out of the income quintiles.",
                unranked,
            ).format(count=unranked)
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
    risk_groups = list(_displacement_factors(groups))
    if not risk_groups:
        return 0, False
    shares = table[[f"{g}_share" for g in risk_groups]].copy()
    shares.columns = risk_groups
    reference = pd.Series({g: pooled_share(table, g, comparison) for g in risk_groups}, dtype=float)
    flags = displacement.vulnerability_flags(shares, reference, indicators=risk_groups)
    if len(risk_groups) < 5:
        warnings.append(
            _(
                "Displacement vulnerability uses {count} of 5 risk factors ({factors}); the "
                "others are not in the data."
            ).format(count=len(risk_groups), factors=", ".join(risk_groups))
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
