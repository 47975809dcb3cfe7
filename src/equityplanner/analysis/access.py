"""Accessibility: cumulative opportunities, gravity decay, 2SFCA / E2SFCA, and equity by group.

Sources (methods.md §6): PySAL ``access`` (``access/weights.py`` for the decay functions, whose
doctest values the tests reproduce; ``access/fca/fca2.py`` for the two-step floating catchment
area); Luo & Wang (2003) for 2SFCA; Luo & Qi (2009) for the enhanced 2SFCA with distance-band
weights (1.00 / 0.68 / 0.22 for 0-10 / 10-20 / 20-30 minutes).

Conventions
-----------
* Travel-time matrices are (origins, destinations): row ``i`` is where people live, column
  ``j`` the opportunity or facility, and ``times[i, j]`` the time *from* ``i`` *to* ``j``.
  2SFCA uses this one direction in both steps (demand travels from residence to facility), so
  asymmetric matrices are handled correctly (the pitfall of ``access`` issue #18).
* A time equal to a threshold is within it (``t <= T``, with a tolerance of
  :data:`~equityplanner.analysis.travel_time.TIME_TOLERANCE_MIN` for rounding). ``inf`` and
  NaN times mean unreachable.
* Equity outputs are population-weighted means per group, ``Σ_i p_gi A_i / Σ_i p_gi``, with
  their ratio to the whole population and to each other group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.distribution import QUINTILES, income_quintiles
from equityplanner.analysis.travel_time import (
    TIME_TOLERANCE_MIN,
    StraightLineModel,
    TransitLine,
    count_opportunities,
)
from equityplanner.errors import MethodError
from equityplanner.io.neighbourhoods import Neighbourhoods
from equityplanner.io.opportunities import OpportunityLayer
from equityplanner.progress import NullProgress, Progress

__all__ = [
    "LUO_QI_WEIGHTS",
    "AccessComparison",
    "CatchmentCosts",
    "DecayFunction",
    "TwoStepResult",
    "access_by_group",
    "catchment_costs",
    "compare_access",
    "cumulative_opportunities",
    "gaussian",
    "gravity",
    "gravity_access",
    "jobs_within",
    "nearest_time",
    "negative_exponential",
    "step_fn",
    "two_step_fca",
    "two_step_fca_sparse",
]

LUO_QI_WEIGHTS: Final[dict[float, float]] = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}
"""E2SFCA zone weights of Luo & Qi (2009): 0-10, 10-20 and 20-30 minutes."""

_CELL_BUDGET = 4_000_000  # matrix cells per chunk of rows


# --- decay functions -------------------------------------------------------------------------


@dataclass(frozen=True)
class DecayFunction:
    """A distance-decay weight ``f(t)``, vectorised; unreachable times (inf, NaN) weigh 0.

    Call it on a number or an array of minutes (or metres: the units are the caller's).
    ``description`` names the function and its parameters for outputs.
    """

    description: str
    function: Callable[[np.ndarray], np.ndarray]

    def __call__(self, t: npt.ArrayLike) -> Any:
        times = np.asarray(t, dtype=np.float64)
        if (times < 0).any():
            raise MethodError("travel times and distances must be zero or more")
        reachable = np.isfinite(times)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            values = np.where(reachable, self.function(np.where(reachable, times, 0.0)), 0.0)
        values = np.asarray(values, dtype=np.float64)
        return float(values) if values.ndim == 0 else values


def gaussian(sigma: float) -> DecayFunction:
    """Un-normalised Gaussian ``exp(-t² / (2 sigma²))``, so ``f(0) = 1`` (as PySAL ``access``).

    Examples
    --------
    >>> fn = gaussian(sigma=20)
    >>> [round(fn(t), 5) for t in (0, 20, 40, 60)]
    [1.0, 0.60653, 0.13534, 0.01111]
    """
    if not np.isfinite(sigma) or sigma <= 0:
        raise MethodError(f"sigma {sigma!r} must be a number greater than zero")
    return DecayFunction(
        f"Gaussian decay exp(-t²/(2 sigma²)), sigma = {sigma:g}",
        lambda t: np.exp(-t * t / (2.0 * sigma**2)),
    )


def gravity(scale: float, alpha: float, min_dist: float = 0.0) -> DecayFunction:
    """Power (gravity) decay ``(max(t, min_dist) / scale) ** alpha`` (alpha < 0 decays).

    ``min_dist`` caps the weight near zero, where ``t ** alpha`` is infinite.

    Examples
    --------
    >>> fn = gravity(scale=20, alpha=-2, min_dist=1)
    >>> [round(fn(t), 2) for t in (0, 1, 2, 20, 40, 60)]
    [400.0, 400.0, 100.0, 1.0, 0.25, 0.11]
    """
    if not np.isfinite(scale) or scale <= 0:
        raise MethodError(f"scale {scale!r} must be a number greater than zero")
    if not np.isfinite(alpha) or not np.isfinite(min_dist) or min_dist < 0:
        raise MethodError("alpha must be a number and min_dist zero or more")
    return DecayFunction(
        f"gravity decay (max(t, {min_dist:g}) / {scale:g})^{alpha:g}",
        lambda t: np.power(np.maximum(t, min_dist) / scale, alpha),
    )


def step_fn(steps: Mapping[float, float]) -> DecayFunction:
    """Step weights: ``steps[k]`` for the smallest cut-off ``k >= t``; 0 beyond the last.

    Examples
    --------
    >>> fn = step_fn({20: 1, 40: 0.68, 60: 0.22})
    >>> [fn(t) for t in range(0, 71, 10)]
    [1.0, 1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0]
    """
    if not steps or not isinstance(steps, Mapping):
        raise MethodError("steps must be a non-empty mapping of cut-off to weight")
    cutoffs = np.array(sorted(float(k) for k in steps), dtype=np.float64)
    by_cutoff = {float(k): float(v) for k, v in steps.items()}
    weights = np.array([by_cutoff[k] for k in cutoffs] + [0.0], dtype=np.float64)
    if not np.isfinite(cutoffs).all() or not np.isfinite(weights).all() or (weights < 0).any():
        raise MethodError("step cut-offs and weights must be numbers, weights zero or more")
    text = ", ".join(f"≤ {k:g}: {by_cutoff[k]:g}" for k in cutoffs)
    return DecayFunction(
        f"step weights ({text}; 0 beyond)",
        lambda t: weights[np.searchsorted(cutoffs, t, side="left")],
    )


def negative_exponential(beta: float) -> DecayFunction:
    """Negative exponential decay ``exp(-β t)``.

    Examples
    --------
    >>> round(negative_exponential(0.1)(10), 5)
    0.36788
    """
    if not np.isfinite(beta) or beta <= 0:
        raise MethodError(f"beta {beta!r} must be a number greater than zero")
    return DecayFunction(
        f"negative exponential decay exp(-{beta:g} t)", lambda t: np.exp(-beta * t)
    )


# --- measures on a travel-time matrix --------------------------------------------------------


def cumulative_opportunities(
    times: npt.ArrayLike,
    opportunities: npt.ArrayLike,
    threshold_min: float | Sequence[float],
) -> npt.NDArray[np.float64]:
    """Opportunities reachable within a threshold: ``A_i = Σ_j O_j · 1[t_ij <= T]``.

    Parameters
    ----------
    times
        (n, m) minutes from origins (rows) to destinations (columns); inf if unreachable.
    opportunities
        (m,) jobs, seats... at each destination.
    threshold_min
        A threshold, or several.

    Returns
    -------
    numpy.ndarray
        (n,) for one threshold, (n, k) for a sequence of k.

    Examples
    --------
    >>> cumulative_opportunities([[10, 40], [50, 20]], [100, 7], 30).tolist()
    [100.0, 7.0]
    """
    t, o = _matrix_and_columns(times, opportunities, "opportunities")
    thresholds = np.atleast_1d(np.asarray(threshold_min, dtype=np.float64))
    out = np.zeros((len(t), len(thresholds)))
    for rows in _row_chunks(t.shape):
        block = t[rows]
        for j, threshold in enumerate(thresholds):
            out[rows, j] = (block <= threshold + TIME_TOLERANCE_MIN).astype(np.float64) @ o
    return out[:, 0] if np.ndim(threshold_min) == 0 else out


def gravity_access(
    times: npt.ArrayLike, opportunities: npt.ArrayLike, decay: DecayFunction
) -> npt.NDArray[np.float64]:
    """Gravity accessibility ``A_i = Σ_j O_j f(t_ij)``."""
    t, o = _matrix_and_columns(times, opportunities, "opportunities")
    out = np.zeros(len(t))
    for rows in _row_chunks(t.shape):
        weights = decay(t[rows])
        if not np.isfinite(weights).all():
            raise MethodError(
                f"{decay.description} is infinite at some times (zero?); give gravity a min_dist"
            )
        out[rows] = weights @ o
    return out


def nearest_time(
    times: npt.ArrayLike, opportunities: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """Minutes to the nearest destination (with a positive opportunity, if given); inf if none.

    Examples
    --------
    >>> nearest_time([[12, 5], [8, 30]], [1, 0]).tolist()
    [12.0, 8.0]
    """
    t = _matrix(times)
    if opportunities is not None:
        _, o = _matrix_and_columns(t, opportunities, "opportunities")
        t = t[:, o > 0]
    if t.shape[1] == 0:
        return np.full(len(t), np.inf)
    return np.asarray(np.where(np.isnan(t), np.inf, t).min(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class TwoStepResult:
    """Result of a two-step floating catchment area computation.

    Attributes
    ----------
    access
        ``A_i`` per demand location (supply per person within reach).
    supply_ratio
        ``R_j = S_j / D_j`` per supply location (0 where no demand is in its catchment).
    catchment_demand
        ``D_j``, the (weighted) demand within each supply location's catchment.
    unserved_supply
        Supply at locations with no demand in their catchment (it reaches nobody); with
        symmetric binary catchments ``Σ P_i A_i = Σ S_j - unserved_supply``.
    method
        Which variant and parameters, for outputs.
    """

    access: npt.NDArray[np.float64]
    supply_ratio: npt.NDArray[np.float64]
    catchment_demand: npt.NDArray[np.float64]
    unserved_supply: float
    method: str


def _catchment_weight(
    threshold: float | None, decay: DecayFunction | None
) -> Callable[[np.ndarray], np.ndarray]:
    """W(t) of 2SFCA for a block of times: 0 beyond the threshold, else 1 or the decay."""
    limit = np.inf if threshold is None else float(threshold) + TIME_TOLERANCE_MIN

    def weight(block: np.ndarray) -> np.ndarray:
        inside = block <= limit  # NaN and inf are outside
        if decay is None:
            return inside.astype(np.float64)
        values = np.where(inside, decay(np.where(inside, block, np.inf)), 0.0)
        if not np.isfinite(values).all():
            raise MethodError(
                f"{decay.description} is infinite at some times (zero?); give gravity a min_dist"
            )
        return values

    return weight


def two_step_fca(
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    times: npt.ArrayLike,
    threshold: float | None,
    weights: Mapping[float, float] | DecayFunction | None = None,
    *,
    normalize: bool = False,
) -> TwoStepResult:
    """Two-step floating catchment area (2SFCA), binary or enhanced (E2SFCA).

    Step 1, at each supply location j: ``R_j = S_j / Σ_k P_k W(t_kj)``.
    Step 2, at each demand location i: ``A_i = Σ_j R_j W(t_ij)``.
    ``W(t)`` is 1 within the catchment (binary 2SFCA) or the zone weight (E2SFCA), and 0 for
    ``t > threshold``.

    Parameters
    ----------
    demand
        (n,) population (or patients) at each demand location.
    supply
        (m,) supply (physicians, seats) at each supply location.
    times
        (n, m) travel cost *from* demand location i *to* supply location j. Both steps use
        this direction, so an asymmetric matrix is used the way people travel.
    threshold
        The catchment: ``t <= threshold``. None for no cut-off (then ``weights`` decide).
    weights
        None for binary 2SFCA; a mapping of band cut-offs to weights for E2SFCA (e.g.
        :data:`LUO_QI_WEIGHTS`), or any :class:`DecayFunction` (e.g. ``gravity(1, -1)``,
        the 1/cost of PySAL's hospital example).
    normalize
        Divide by the population-weighted mean access (PySAL's ``normalize=True``).

    Returns
    -------
    TwoStepResult

    Examples
    --------
    The hospital example of PySAL ``access`` (scenario 0):

    >>> times = [[1, 80, 40], [80, 1, 40], [40, 40, 1]]
    >>> result = two_step_fca([100, 50, 10], [15, 20, 100], times, threshold=60)
    >>> result.access.round(5).tolist()
    [0.76136, 0.95833, 1.0947]
    """
    t, s = _matrix_and_columns(times, supply, "supply")
    p = np.asarray(demand, dtype=np.float64).ravel()
    if p.shape != (len(t),):
        raise MethodError(f"{p.size} demand values for {len(t)} rows of travel times")
    for name, values in (("demand", p), ("supply", s)):
        if not np.isfinite(values).all() or (values < 0).any():
            raise MethodError(f"{name} values must be finite and zero or more")
    if threshold is None and weights is None:
        raise MethodError("2SFCA needs a catchment threshold, weights, or both")
    decay: DecayFunction | None
    if weights is None or isinstance(weights, DecayFunction):
        decay = weights
    else:
        decay = step_fn(weights)
    weight = _catchment_weight(threshold, decay)
    catchment_demand = np.zeros(t.shape[1])
    for rows in _row_chunks(t.shape):
        catchment_demand += p[rows] @ weight(t[rows])
    served = catchment_demand > 0
    ratio = np.divide(s, catchment_demand, out=np.zeros_like(s), where=served)
    access = np.zeros(len(t))
    for rows in _row_chunks(t.shape):
        access[rows] = weight(t[rows]) @ ratio
    if normalize:
        total = p.sum()
        mean = float(p @ access / total) if total > 0 else 0.0
        if mean <= 0:
            raise MethodError("cannot normalise: the population-weighted mean access is zero")
        access = access / mean
    kind = "binary 2SFCA" if decay is None else f"E2SFCA with {decay.description}"
    catchment = "no cut-off" if threshold is None else f"catchment t ≤ {float(threshold):g}"
    return TwoStepResult(
        access=access,
        supply_ratio=ratio,
        catchment_demand=catchment_demand,
        unserved_supply=float(s[~served].sum()),
        method=f"{kind}, {catchment}" + (", normalised to the mean" if normalize else ""),
    )


# --- sparse costs within the catchment --------------------------------------------------------


@dataclass(frozen=True)
class CatchmentCosts:
    """Origin-destination pairs within a catchment, and every origin's nearest destination.

    A sparse form of an (n, m) travel-time matrix for 2SFCA and nearest-facility times: only
    the pairs with ``t <= threshold`` are kept, with their catchment weight ``W(t)`` (1, a zone
    weight or a decay); memory is 16 bytes per pair kept instead of 8 n m.

    Attributes
    ----------
    shape
        (origins, destinations).
    rows, columns
        int32 indices of the pairs kept (sorted by row).
    weights
        float64 ``W(t)`` of each pair (greater than zero).
    nearest
        (n,) minutes to the nearest destination with positive capacity over *all* pairs, not
        only those in the catchment (inf if none is reachable).
    """

    shape: tuple[int, int]
    rows: npt.NDArray[np.int32]
    columns: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float64]
    nearest: npt.NDArray[np.float64]

    @property
    def nbytes(self) -> int:
        """Bytes held by the pairs."""
        return int(
            self.rows.nbytes + self.columns.nbytes + self.weights.nbytes + self.nearest.nbytes
        )


def catchment_costs(
    times: Callable[[slice], np.ndarray] | npt.ArrayLike,
    shape: tuple[int, int] | None = None,
    *,
    threshold: float | None,
    weights: Mapping[float, float] | DecayFunction | None = None,
    capacity: npt.ArrayLike | None = None,
    chunk: int | None = None,
    progress: Progress | None = None,
) -> CatchmentCosts:
    """The pairs within a catchment, from a dense matrix or computed chunk by chunk of origins.

    Parameters
    ----------
    times
        An (n, m) matrix of minutes, or a function returning the rows of a slice of origins
        (e.g. ``lambda rows: provider.times_minutes(origins[rows], destinations)``), so the
        whole matrix never exists.
    shape
        (n, m), needed with a function.
    threshold, weights
        The catchment, as for :func:`two_step_fca`.
    capacity
        (m,) supply; the nearest time is to a destination with capacity > 0 (all if None).
    chunk
        Origins per chunk (default: about 4 million cells).
    progress
        Reported between chunks; cancellation is checked there.

    Examples
    --------
    >>> costs = catchment_costs([[5, 40], [25, 12]], threshold=30)
    >>> costs.rows.tolist(), costs.columns.tolist(), costs.nearest.tolist()
    ([0, 1, 1], [0, 0, 1], [5.0, 12.0])
    """
    progress = progress if progress is not None else NullProgress()
    if callable(times):
        if shape is None:
            raise MethodError(
                "catchment_costs needs the shape (origins, destinations) of a function"
            )
        get = times
        n, m = shape
    else:
        matrix = _matrix(times)
        n, m = matrix.shape

        def get(rows: slice) -> np.ndarray:
            return matrix[rows]

    if threshold is None and weights is None:
        raise MethodError("a catchment needs a threshold, weights, or both")
    decay = weights if (weights is None or isinstance(weights, DecayFunction)) else step_fn(weights)
    weight = _catchment_weight(threshold, decay)
    limit = np.inf if threshold is None else float(threshold) + TIME_TOLERANCE_MIN
    useful = np.ones(m, dtype=bool) if capacity is None else np.asarray(capacity, float).ravel() > 0
    step = max(1, chunk or _CELL_BUDGET // max(m, 1))
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    weights_out: list[np.ndarray] = []
    nearest = np.full(n, np.inf)
    for first in range(0, n, step):
        part = slice(first, min(first + step, n))
        block = np.asarray(get(part), dtype=np.float64)
        if block.shape != (part.stop - part.start, m):
            raise MethodError(f"travel times of shape {block.shape} for {part} of {shape}")
        if (block < 0).any():
            raise MethodError("travel times must be zero or more")
        if useful.any():
            columns = block if useful.all() else block[:, useful]
            low = np.fmin.reduce(columns, axis=1)  # fmin skips NaN (unreachable)
            nearest[part] = np.where(np.isnan(low), np.inf, low)
        if threshold is not None:
            r, c = np.nonzero(block <= limit)  # only the pairs inside get a weight
            w = weight(block[r, c])
            if decay is not None:
                keep = w > 0
                r, c, w = r[keep], c[keep], w[keep]
        else:
            full = weight(block)
            r, c = np.nonzero(full)
            w = full[r, c]
        rows_out.append((r + first).astype(np.int32))
        cols_out.append(c.astype(np.int32))
        weights_out.append(w)
        progress.report(part.stop / max(n, 1), "Catchment travel times")
    empty_i, empty_f = np.empty(0, np.int32), np.empty(0, np.float64)
    return CatchmentCosts(
        (n, m),
        np.concatenate(rows_out) if rows_out else empty_i,
        np.concatenate(cols_out) if cols_out else empty_i,
        np.concatenate(weights_out) if weights_out else empty_f,
        nearest,
    )


def two_step_fca_sparse(
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    costs: CatchmentCosts,
    *,
    normalize: bool = False,
    method: str = "",
) -> TwoStepResult:
    """:func:`two_step_fca` on the pairs within the catchment (:func:`catchment_costs`).

    The same sums in another order: equal to the dense result to about 1e-12 (relative), in
    memory proportional to the pairs within the catchment.

    Examples
    --------
    >>> times = [[1, 80, 40], [80, 1, 40], [40, 40, 1]]
    >>> costs = catchment_costs(times, threshold=60)
    >>> two_step_fca_sparse([100, 50, 10], [15, 20, 100], costs).access.round(5).tolist()
    [0.76136, 0.95833, 1.0947]
    """
    n, m = costs.shape
    p = np.asarray(demand, dtype=np.float64).ravel()
    s = np.asarray(supply, dtype=np.float64).ravel()
    if p.shape != (n,) or s.shape != (m,):
        raise MethodError(
            f"{p.size} demand and {s.size} supply values for costs of shape {costs.shape}"
        )
    for name, values in (("demand", p), ("supply", s)):
        if not np.isfinite(values).all() or (values < 0).any():
            raise MethodError(f"{name} values must be finite and zero or more")
    catchment_demand: npt.NDArray[np.float64] = np.bincount(
        costs.columns, weights=p[costs.rows] * costs.weights, minlength=m
    ).astype(np.float64)
    served = catchment_demand > 0
    ratio = np.divide(s, catchment_demand, out=np.zeros_like(s), where=served)
    access: npt.NDArray[np.float64] = np.bincount(
        costs.rows, weights=costs.weights * ratio[costs.columns], minlength=n
    ).astype(np.float64)
    if normalize:
        total = p.sum()
        mean = float(p @ access / total) if total > 0 else 0.0
        if mean <= 0:
            raise MethodError("cannot normalise: the population-weighted mean access is zero")
        access = access / mean
    return TwoStepResult(
        access=access,
        supply_ratio=ratio,
        catchment_demand=catchment_demand,
        unserved_supply=float(s[~served].sum()),
        method=method or "2SFCA on the pairs within the catchment",
    )


# --- equity by group -------------------------------------------------------------------------


def access_by_group(
    access_values: npt.ArrayLike,
    group_counts: Mapping[str, npt.ArrayLike],
    *,
    population: npt.ArrayLike | None = None,
    income: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Population-weighted mean access per group, with ratios to the whole and between groups.

    Parameters
    ----------
    access_values
        (n,) access per neighbourhood (jobs within 45 min, 2SFCA ratio...). Non-finite values
        (an unreachable nearest facility) are left out of the means and counted in
        ``unreached_share``.
    group_counts
        Group name to (n,) people of the group per neighbourhood (e.g. ``minority``,
        ``low_income``, ``no_car_households``). A ``total`` entry is taken as ``population``
        when that is not given.
    population
        (n,) whole population per neighbourhood.
    income
        (n,) median household income: adds rows ``income_q1`` ... ``income_q5``, the
        population-weighted income quintiles of the neighbourhoods (1 = lowest income; see
        :func:`~equityplanner.analysis.distribution.income_quintiles`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``total``, the group names, then the quintiles; columns ``kind``
        (``total`` / ``group`` / ``income_quintile``), ``population``, ``mean_access``,
        ``unreached_share``, ``ratio_to_total`` and ``ratio_to_<row>`` for every group and
        quintile row (the row's mean over that row's mean).

    Examples
    --------
    >>> table = access_by_group([100.0, 300.0], {"a": [10, 30], "b": [30, 10]},
    ...                         population=[40, 40])
    >>> table["mean_access"].tolist(), round(float(table.loc["a", "ratio_to_b"]), 4)
    ([200.0, 250.0, 150.0], 1.6667)
    """
    a = np.asarray(access_values, dtype=np.float64).ravel()
    rows = _group_rows(len(a), group_counts, population, income)
    finite = np.isfinite(a)
    values = np.where(finite, a, 0.0)
    records = []
    for name, (kind, counts) in rows.items():
        people = float(counts.sum())
        measured = float(counts[finite].sum())
        mean = float(counts @ values / measured) if measured > 0 else np.nan
        unreached = (people - measured) / people if people > 0 else np.nan
        records.append((name, kind, people, mean, unreached))
    table = pd.DataFrame.from_records(
        records, columns=["label", "kind", "population", "mean_access", "unreached_share"]
    ).set_index("label")
    table.index.name = None
    means = table["mean_access"].to_numpy()
    names = list(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Every row's mean over every other row's mean, built at once (no column inserts).
        ratios = means[:, None] / means[None, :]
    ratios[~np.isfinite(ratios)] = np.nan
    columns = ["ratio_to_total", *(f"ratio_to_{name}" for name in names[1:])]
    return pd.concat([table, pd.DataFrame(ratios, index=table.index, columns=columns)], axis=1)


@dataclass(frozen=True)
class AccessComparison:
    """Access before and after a proposal.

    Attributes
    ----------
    by_neighbourhood
        One row per neighbourhood: ``before``, ``after``, ``change`` and ``change_share``
        (change over before; NaN where before is 0).
    by_group
        One row per group (as :func:`access_by_group`): ``population``, ``before_mean``,
        ``after_mean``, ``change``, ``change_share``, ``population_share`` (of the whole
        population) and ``gain_share`` (the group's share of the person-weighted total
        change, ``Σ p_gi ΔA_i / Σ p_i ΔA_i``; compare it with ``population_share`` as TAG
        A4.2 does).
    """

    by_neighbourhood: pd.DataFrame
    by_group: pd.DataFrame


def compare_access(
    before: npt.ArrayLike,
    after: npt.ArrayLike,
    *,
    ids: Sequence[str] | pd.Index | None = None,
    group_counts: Mapping[str, npt.ArrayLike] | None = None,
    population: npt.ArrayLike | None = None,
    income: npt.ArrayLike | None = None,
    group_universes: Mapping[str, npt.ArrayLike] | None = None,
) -> AccessComparison:
    """Change in access per neighbourhood and per group.

    Parameters
    ----------
    before, after
        (n,) access per neighbourhood in the two situations.
    ids
        Neighbourhood ids for the index of ``by_neighbourhood``.
    group_counts, population, income
        As for :func:`access_by_group`; without them ``by_group`` is empty.
    group_universes
        (n,) the universe of a group's count where it is not the whole population (people
        whose poverty status is known, for low-income): its ``population_share`` and
        ``gain_share`` are then taken of that universe, as the Title VI tests take the group's
        share, so the two agree.

    Examples
    --------
    >>> result = compare_access([100, 200], [150, 200], group_counts={"a": [10, 0]},
    ...                         population=[10, 30])
    >>> result.by_group.loc["a", ["change", "gain_share"]].tolist()
    [50.0, 1.0]
    """
    b = np.asarray(before, dtype=np.float64).ravel()
    a = np.asarray(after, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise MethodError(f"{b.size} values before but {a.size} after")
    index = pd.Index(ids if ids is not None else range(len(b)))
    with np.errstate(divide="ignore", invalid="ignore"):  # inf - inf (unreachable twice): NaN
        change = a - b
        share = np.where(b != 0, change / b, np.nan)
    by_neighbourhood = pd.DataFrame(
        {"before": b, "after": a, "change": change, "change_share": share}, index=index
    )
    if not group_counts and population is None:
        return AccessComparison(by_neighbourhood, pd.DataFrame())
    counts = dict(group_counts or {})
    table_before = access_by_group(b, counts, population=population, income=income)
    table_after = access_by_group(a, counts, population=population, income=income)
    rows = _group_rows(len(b), counts, population, income)
    delta = np.where(np.isfinite(change), change, 0.0)
    by_group = pd.DataFrame(
        {
            "kind": table_before["kind"],
            "population": table_before["population"],
            "before_mean": table_before["mean_access"],
            "after_mean": table_after["mean_access"],
        }
    )
    by_group["change"] = by_group["after_mean"] - by_group["before_mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        by_group["change_share"] = np.where(
            by_group["before_mean"] != 0, by_group["change"] / by_group["before_mean"], np.nan
        )
    universes = {str(k): _counts(v, len(b), str(k)) for k, v in (group_universes or {}).items()}
    population_share, gain_share = [], []
    for name in by_group.index:
        base = universes.get(name, rows["total"][1])
        people = float(base.sum())
        population_share.append(float(rows[name][1].sum()) / people if people > 0 else np.nan)
        gain_share.append(_share_of_change(rows[name][1], base, delta))
    by_group["population_share"] = population_share
    by_group["gain_share"] = gain_share
    return AccessComparison(by_neighbourhood, by_group)


def _share_of_change(part: np.ndarray, base: np.ndarray, delta: np.ndarray) -> float:
    """``part``'s share of the person-weighted change over ``base``; NaN when the gains and
    losses largely offset each other (losses over a third of the gains, or the reverse): a
    share of a small net change reads as 999% or -10^15 %, which says nothing about who gains.
    """
    net = float(base @ delta)
    gross = float(base @ np.abs(delta))
    if gross == 0 or abs(net) < 0.5 * gross:
        return float("nan")
    return float(part @ delta) / net


# --- before / after helper -------------------------------------------------------------------


def jobs_within(
    origins: Neighbourhoods | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    jobs_layer: OpportunityLayer,
    model: StraightLineModel,
    lines: Sequence[TransitLine],
    thresholds: Sequence[float] = (30, 45),
    progress: Progress | None = None,
    *,
    removed_line_ids: Sequence[str] = (),
    method: str = "aggregated",
) -> pd.DataFrame:
    """Opportunities (jobs) within each threshold from every origin, before and after.

    "Before" is ``model``'s network; "after" is that network with ``lines`` added (a line
    whose id is already in the network replaces it, e.g. a new headway) and
    ``removed_line_ids`` taken out. Both are counted in one pass
    (:func:`~equityplanner.analysis.travel_time.count_opportunities`).

    Parameters
    ----------
    origins
        Neighbourhoods (polygons: their centroids, computed in the model's CRS; points as
        they are), or an (n, 2) array already in the model's CRS.
    jobs_layer
        Opportunity points with their capacity (e.g. from
        :func:`~equityplanner.io.opportunities.read_lodes_wac`).
    model
        The travel-time model with the baseline network and its projected ``crs``.
    lines
        Lines of the proposal (in the model's CRS).
    thresholds
        Minutes.
    progress
        Reported between chunks.
    removed_line_ids
        Lines of the baseline network that the proposal removes.
    method
        ``aggregated`` (default) or ``exact``, see
        :meth:`~equityplanner.analysis.travel_time.StraightLineModel.opportunities_within`.

    Returns
    -------
    pandas.DataFrame
        One row per origin (indexed by neighbourhood id when known), columns
        ``<kind>_<T>min_before``, ``<kind>_<T>min_after`` and ``<kind>_<T>min_change`` per
        threshold. ``attrs`` holds ``travel_model`` (the after model's description),
        ``travel_model_parameters`` and ``method``.
    """
    progress = progress if progress is not None else NullProgress()
    if model.crs is None:
        raise MethodError(
            "the travel model has no CRS; build it with StraightLineModel(..., crs=local_crs)"
        )
    crs = CRS.from_user_input(model.crs)
    progress.report(0.0, "Placing origins and opportunities")
    origin_xy, index = _origin_points(origins, crs)
    dest = to_crs(jobs_layer.frame.geometry.to_numpy(), jobs_layer.crs, crs)
    dest_xy = shapely.get_coordinates(dest) if len(dest) else np.empty((0, 2))
    replaced = {line.id for line in lines} | set(removed_line_ids)
    after = model.with_lines(
        [line for line in model.lines if line.id not in replaced] + list(lines)
    )
    before_counts, after_counts = count_opportunities(
        [model, after],
        origin_xy,
        dest_xy,
        jobs_layer.capacity,
        list(thresholds),
        method=method,
        progress=progress.subrange(0.05, 1.0),
    )
    prefix = jobs_layer.kind.value
    columns: dict[str, np.ndarray] = {}
    for j, threshold in enumerate(thresholds):
        name = f"{prefix}_{threshold:g}min"
        columns[f"{name}_before"] = before_counts[:, j]
        columns[f"{name}_after"] = after_counts[:, j]
        columns[f"{name}_change"] = after_counts[:, j] - before_counts[:, j]
    table = pd.DataFrame(columns, index=index)
    table.attrs.update(
        travel_model=after.description,
        travel_model_parameters=model.parameters.to_dict(),
        method=method,
        opportunities=f"{jobs_layer.kind.value}: {jobs_layer.total_capacity:,.0f} "
        f"({jobs_layer.capacity_field or 'locations'})",
    )
    return table


# --- helpers ---------------------------------------------------------------------------------


def _origin_points(
    origins: Neighbourhoods | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike, crs: CRS
) -> tuple[np.ndarray, pd.Index]:
    if isinstance(origins, Neighbourhoods):
        frame: gpd.GeoDataFrame | gpd.GeoSeries = origins.frame
        index = pd.Index(origins.frame["id"].to_numpy(object), name="id")
    elif isinstance(origins, gpd.GeoDataFrame | gpd.GeoSeries):
        frame = origins
        if isinstance(origins, gpd.GeoDataFrame) and "id" in origins.columns:
            index = pd.Index(origins["id"].to_numpy(object), name="id")
        else:
            index = origins.index
    else:
        xy = np.asarray(origins, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise MethodError("origins must be a layer or an (n, 2) array in the model's CRS")
        return xy, pd.RangeIndex(len(xy))
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if geometry.crs is None:
        raise MethodError("the origin layer has no CRS")
    local = to_crs(geometry.to_numpy(), CRS.from_user_input(geometry.crs), crs)
    points = shapely.centroid(local)
    return shapely.get_coordinates(points), index


_TOTAL_KEYS = ("total", "population", "total_population")


def _group_rows(
    n: int,
    group_counts: Mapping[str, npt.ArrayLike],
    population: npt.ArrayLike | None,
    income: npt.ArrayLike | None,
) -> dict[str, tuple[str, np.ndarray]]:
    """Label to (kind, people per neighbourhood): the total, each group, each quintile."""
    groups = {str(k): _counts(v, n, str(k)) for k, v in group_counts.items()}
    if population is None:
        total_key = next((k for k in _TOTAL_KEYS if k in groups), None)
        if total_key is None:
            raise MethodError(
                "access by group needs the whole population: pass population=... or a "
                "'total' entry in group_counts"
            )
        pop = groups.pop(total_key)
    else:
        pop = _counts(population, n, "population")
    rows: dict[str, tuple[str, np.ndarray]] = {"total": ("total", pop)}
    for name, counts in groups.items():
        rows[name] = ("group", counts)
    if income is not None:
        quintile = income_quintiles(income, pop)
        for q in QUINTILES:
            rows[f"income_q{q}"] = ("income_quintile", np.where(quintile == q, pop, 0.0))
    return rows


def _matrix(times: npt.ArrayLike) -> np.ndarray:
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 2:
        raise MethodError(f"travel times must be an (origins, destinations) matrix, not {t.shape}")
    if (t < 0).any():
        raise MethodError("travel times must be zero or more")
    return t


def _matrix_and_columns(
    times: npt.ArrayLike, values: npt.ArrayLike, what: str
) -> tuple[np.ndarray, np.ndarray]:
    t = _matrix(times)
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.shape != (t.shape[1],):
        raise MethodError(f"{v.size} {what} values for {t.shape[1]} columns of travel times")
    if not np.isfinite(v).all():
        raise MethodError(f"{what} values must be finite numbers")
    return t, v


def _counts(values: npt.ArrayLike, n: int, name: str) -> np.ndarray:
    counts = np.asarray(values, dtype=np.float64).ravel()
    if counts.shape != (n,):
        raise MethodError(f"{name}: {counts.size} values for {n} neighbourhoods")
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise MethodError(f"{name}: counts must be finite and zero or more")
    return counts


def _row_chunks(shape: tuple[int, ...]) -> list[slice]:
    step = max(1, _CELL_BUDGET // max(shape[1], 1))
    return [slice(first, first + step) for first in range(0, shape[0], step)] or [slice(0, 0)]
