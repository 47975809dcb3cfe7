"""Segregation indices of the HUD AFFH data documentation.

Source: HUD PD&R, *AFFH Data Documentation* (July 2015; AFFH-T versions 2017-2019), section
"Indices". Counts are per unit (tract or block group). Units whose total is 0 are skipped,
so no index divides by zero; a group that is absent from every unit gives NaN.

Dissimilarity is on the 0..100 scale HUD reports; isolation, exposure and the correlation
ratio are fractions (0..1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from equityplanner.catalog import load_resource

__all__ = [
    "correlation_ratio",
    "dissimilarity",
    "dissimilarity_band",
    "exposure",
    "isolation",
]


def _counts(*arrays: npt.ArrayLike) -> list[npt.NDArray[np.float64]]:
    out = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    if len({a.shape for a in out}) > 1:
        shapes = ", ".join(str(a.shape[0]) for a in out)
        raise ValueError(f"count arrays differ in length: {shapes}")
    return out


def dissimilarity(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Index of dissimilarity between groups a and b, 0..100.

    ``D = 100 * 1/2 * sum_i |a_i / A - b_i / B|``: the share of either group that would have
    to move for the two distributions over units to match.

    Parameters
    ----------
    a, b
        Counts of the two groups per unit.

    Returns
    -------
    float
        D on the 0..100 scale; NaN if either group has a zero total.

    Examples
    --------
    >>> round(dissimilarity([800, 600, 200, 100], [200, 400, 800, 900]), 2)
    56.27
    """
    fa, fb = _counts(a, b)
    total_a, total_b = fa.sum(), fb.sum()
    if total_a == 0.0 or total_b == 0.0:
        return float("nan")
    return float(50.0 * np.abs(fa / total_a - fb / total_b).sum())


def _weighted_exposure(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], total: npt.NDArray[np.float64]
) -> float:
    """``sum_i (a_i / A)(b_i / t_i)`` over units with ``t_i > 0``."""
    populated = total > 0.0
    total_a = a[populated].sum()
    if total_a == 0.0:
        return float("nan")
    return float((a[populated] / total_a * b[populated] / total[populated]).sum())


def isolation(a: npt.ArrayLike, total: npt.ArrayLike) -> float:
    """Isolation index of group a: ``xPx = sum_i (a_i / A)(a_i / t_i)``.

    The share of group a in the unit of the average member of group a.

    Parameters
    ----------
    a
        Counts of the group per unit.
    total
        Total population per unit.

    Returns
    -------
    float
        xPx as a fraction; NaN if the group has a zero total.

    Examples
    --------
    >>> round(isolation([800, 600, 200, 100], [1000, 1000, 1000, 1000]), 4)
    0.6176
    """
    fa, ft = _counts(a, total)
    return _weighted_exposure(fa, fa, ft)


def exposure(a: npt.ArrayLike, b: npt.ArrayLike, total: npt.ArrayLike) -> float:
    """Exposure of group a to group b: ``xPy = sum_i (a_i / A)(b_i / t_i)``.

    The share of group b in the unit of the average member of group a. With only two groups
    ``isolation(a) + exposure(a, b) = 1``.

    Parameters
    ----------
    a, b
        Counts of the two groups per unit.
    total
        Total population per unit.

    Returns
    -------
    float
        xPy as a fraction; NaN if group a has a zero total.

    Examples
    --------
    >>> round(exposure([800, 600, 200, 100], [200, 400, 800, 900], [1000] * 4), 4)
    0.3824
    """
    fa, fb, ft = _counts(a, b, total)
    return _weighted_exposure(fa, fb, ft)


def correlation_ratio(a: npt.ArrayLike, b: npt.ArrayLike, total: npt.ArrayLike) -> float:
    """Correlation ratio (eta squared): isolation corrected for group size.

    ``eta2 = (xPx - P) / (1 - P)`` with ``P = A / (A + B)`` (HUD AFFH documentation).

    Parameters
    ----------
    a, b
        Counts of the two groups per unit.
    total
        Total population per unit (for the isolation index).

    Returns
    -------
    float
        eta squared; NaN if a group has a zero total.

    Examples
    --------
    >>> round(correlation_ratio([800, 600, 200, 100], [200, 400, 800, 900], [1000] * 4), 4)
    0.335
    """
    fa, fb, ft = _counts(a, b, total)
    populated = ft > 0.0
    total_a, total_b = fa[populated].sum(), fb[populated].sum()
    if total_a == 0.0 or total_b == 0.0:
        return float("nan")
    p = total_a / (total_a + total_b)
    return float((_weighted_exposure(fa, fa, ft) - p) / (1.0 - p))


def dissimilarity_band(d: npt.ArrayLike) -> str | npt.NDArray[np.object_] | None:
    """HUD reading of a dissimilarity index: ``low``, ``moderate`` or ``high``.

    Cut points from ``resources/thresholds.toml`` ``[segregation.dissimilarity]``: below 40
    low, 40 to below 55 moderate, 55 and above high (as commonly quoted from the AFFH
    documentation).

    Parameters
    ----------
    d
        Dissimilarity index or indices on the 0..100 scale.

    Returns
    -------
    str, None or numpy.ndarray
        The band name; None for NaN. An array input gives an object array.

    Examples
    --------
    >>> dissimilarity_band(56.27)
    'high'
    >>> dissimilarity_band([39.9, 40.0, 54.9])
    array(['low', 'moderate', 'moderate'], dtype=object)
    """
    cuts = load_resource("thresholds.toml")["segregation"]["dissimilarity"]
    values = np.asarray(d, dtype=np.float64)
    index = np.searchsorted([cuts["low_below"], cuts["high_from"]], values, side="right")
    lookup = np.array(["low", "moderate", "high", None], dtype=object)
    index = np.where(np.isnan(values), 3, index)
    if index.ndim == 0:
        return lookup[int(index)]  # type: ignore[no-any-return]
    return lookup[index]
