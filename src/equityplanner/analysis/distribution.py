"""Distribution of impacts across income quintiles, rated on the TAG A4.2 seven-point scale.

Source: UK Department for Transport, *TAG unit A4.2 Distributional Impact Appraisal*
(May 2020). For each income quintile the share of the impact is compared with the quintile's
share of the impact-area population (not with the national 20%). TAG gives no number for
"broadly in line"; the threshold in percentage points is a project parameter whose default
(``resources/thresholds.toml`` ``[distribution]``) is a practitioner convention.

Quintiles here are formed within the impact area from the units' income (population-weighted),
an approximation of TAG's national deprivation quintiles for places where no national index
is loaded.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equityplanner.errors import MethodError

__all__ = [
    "QUINTILES",
    "TAG_RATINGS",
    "income_quintiles",
    "quintile_columns",
    "quintile_table",
    "quintile_table_of_sums",
    "tag_rating",
]

QUINTILES: Final[tuple[int, ...]] = (1, 2, 3, 4, 5)
"""Quintile numbers; 1 is the lowest income. 0 marks an unranked unit."""

TAG_RATINGS: Final[tuple[str, ...]] = (
    "large_beneficial",
    "moderate_beneficial",
    "slight_beneficial",
    "neutral",
    "slight_adverse",
    "moderate_adverse",
    "large_adverse",
)
"""Keys of the ``[tag]`` table of ``resources/ratings.toml``."""

# A difference equal to the threshold up to rounding (0.25 - 0.20 = 0.05000000000000002)
# is "broadly in line", not "significantly greater".
_EPS: Final[float] = 1e-9


def income_quintiles(income: npt.ArrayLike, population: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Population-weighted income quintile of each unit.

    Units are sorted by income (ties keep their original order) and each goes to the
    quintile that contains the midpoint of its cumulative population: quintile ``k`` covers
    the cumulative population fractions ``[(k - 1) / 5, k / 5)``.

    Parameters
    ----------
    income
        Income per unit (e.g. median household income); higher is richer.
    population
        Population per unit.

    Returns
    -------
    numpy.ndarray
        Integer quintile 1..5 per unit (1 = lowest income); 0 for units with a NaN income or
        no population, which are left out of the ranking.

    Raises
    ------
    MethodError
        If a population is negative or the arrays differ in length.

    Examples
    --------
    >>> income_quintiles([30, 10, 20, 40, 50], [100, 100, 100, 100, 100]).tolist()
    [3, 1, 2, 4, 5]
    """
    inc = np.asarray(income, dtype=np.float64).ravel()
    pop = np.asarray(population, dtype=np.float64).ravel()
    if inc.shape != pop.shape:
        raise MethodError(f"{inc.size} incomes but {pop.size} populations")
    if np.any(pop < 0.0):
        raise MethodError("a unit has a negative population")
    quintile = np.zeros(inc.size, dtype=np.int64)
    is_ranked = np.isfinite(inc) & np.isfinite(pop) & (pop > 0.0)
    if not is_ranked.any():
        return quintile
    ranked = np.flatnonzero(is_ranked)
    order = ranked[np.argsort(inc[ranked], kind="stable")]
    cumulative = np.cumsum(pop[order])
    midpoint = cumulative - pop[order] / 2.0
    position = 5.0 * midpoint / cumulative[-1]
    quintile[order] = np.clip(np.floor(position).astype(np.int64) + 1, 1, 5)
    return quintile


def quintile_table(
    quintile: npt.ArrayLike, population: npt.ArrayLike, benefit: npt.ArrayLike
) -> pd.DataFrame:
    """Population and impact by quintile, with shares and their difference.

    Parameters
    ----------
    quintile
        Quintile 1..5 per unit (0 = unranked, left out), as from :func:`income_quintiles`.
    population
        Population per unit.
    benefit
        Impact per unit (user benefits, or people affected by a burden); all of one sign.

    Returns
    -------
    pandas.DataFrame
        Indexed by quintile 1..5 with columns ``population``, ``population_share``,
        ``benefit``, ``benefit_share`` (fractions of the totals over ranked units) and
        ``difference_pp`` = ``(benefit_share - population_share) * 100``. Shares are NaN
        when the corresponding total is 0.

    Examples
    --------
    >>> t = quintile_table([1, 2, 3, 4, 5], [30, 25, 20, 15, 10], [12, 18, 20, 25, 25])
    >>> t["difference_pp"].round(6).tolist()
    [-18.0, -7.0, 0.0, 10.0, 15.0]
    """
    q = np.asarray(quintile, dtype=np.int64).ravel()
    pop = np.asarray(population, dtype=np.float64).ravel()
    ben = np.asarray(benefit, dtype=np.float64).ravel()
    if not (q.shape == pop.shape == ben.shape):
        raise MethodError(
            f"{q.size} quintiles, {pop.size} populations and {ben.size} benefits differ"
        )
    if np.any((q < 0) | (q > 5)):
        raise MethodError("quintile numbers must be 0 (unranked) or 1..5")
    pop_by_q = np.bincount(q, weights=pop, minlength=6)[1:]
    ben_by_q = np.bincount(q, weights=ben, minlength=6)[1:]
    return quintile_table_of_sums(pop_by_q, ben_by_q)


def quintile_table_of_sums(pop_by_q: np.ndarray, ben_by_q: np.ndarray) -> pd.DataFrame:
    """:func:`quintile_table` from the population and impact summed by quintile (1..5).

    An assessment sums the comparison population once per layer and the impact over the
    neighbourhoods inside a catchment only.
    """
    return pd.DataFrame(
        quintile_columns(pop_by_q, ben_by_q),
        index=pd.Index(QUINTILES, name="quintile"),
    )


def quintile_columns(pop_by_q: np.ndarray, ben_by_q: np.ndarray) -> dict[str, np.ndarray]:
    """The columns of :func:`quintile_table` from the sums by quintile, as arrays."""
    pop_total, ben_total = pop_by_q.sum(), ben_by_q.sum()
    pop_share = pop_by_q / pop_total if pop_total != 0.0 else np.full(5, np.nan)
    ben_share = ben_by_q / ben_total if ben_total != 0.0 else np.full(5, np.nan)
    return {
        "population": pop_by_q,
        "population_share": pop_share,
        "benefit": ben_by_q,
        "benefit_share": ben_share,
        "difference_pp": (ben_share - pop_share) * 100.0,
    }


def tag_rating(
    population_share: npt.ArrayLike,
    benefit_share: npt.ArrayLike,
    *,
    is_benefit: bool,
    threshold_pp: float,
) -> str | npt.NDArray[np.object_]:
    """TAG A4.2 seven-point rating of a quintile (or group) from its two shares.

    A quintile with no share of the impact (0, or NaN when there is no impact at all) is
    ``neutral``. Otherwise, with ``diff = (benefit_share - population_share) * 100``:
    ``diff > threshold_pp`` is large, ``|diff| <= threshold_pp`` moderate and
    ``diff < -threshold_pp`` slight; beneficial for a benefit, adverse for a burden.

    Parameters
    ----------
    population_share
        The quintile's share of the impact-area population (fraction).
    benefit_share
        The quintile's share of the impact (fraction).
    is_benefit
        True for a benefit, False for a disbenefit or burden.
    threshold_pp
        Half-width of "broadly in line", in percentage points.

    Returns
    -------
    str or numpy.ndarray
        A key of ``[tag]`` in ``resources/ratings.toml``; an object array for array input.

    Examples
    --------
    >>> tag_rating(0.15, 0.25, is_benefit=True, threshold_pp=5.0)
    'large_beneficial'
    >>> tag_rating(0.20, 0.25, is_benefit=False, threshold_pp=5.0)
    'moderate_adverse'
    """
    suffix = "beneficial" if is_benefit else "adverse"
    if np.ndim(population_share) == 0 and np.ndim(benefit_share) == 0:  # one quintile
        one = (float(benefit_share) - float(population_share)) * 100.0  # type: ignore[arg-type]
        if math.isnan(one) or float(benefit_share) == 0.0:  # type: ignore[arg-type]
            return "neutral"
        if one > threshold_pp + _EPS:
            return f"large_{suffix}"
        if one < -threshold_pp - _EPS:
            return f"slight_{suffix}"
        return f"moderate_{suffix}"
    pop = np.asarray(population_share, dtype=np.float64)
    ben = np.asarray(benefit_share, dtype=np.float64)
    diff = (ben - pop) * 100.0
    is_neutral = np.isnan(diff) | (ben == 0.0)
    rating = np.select(
        [is_neutral, diff > threshold_pp + _EPS, diff < -threshold_pp - _EPS],
        ["neutral", f"large_{suffix}", f"slight_{suffix}"],
        default=f"moderate_{suffix}",
    ).astype(object)
    if rating.ndim == 0:
        return str(rating.item())
    return rating
