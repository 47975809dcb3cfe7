"""Margins of error of ACS estimates and of estimates derived from them.

Formulas of the Census Bureau's *Understanding and Using American Community Survey Data:
What All Data Users Need to Know* (2018), chapter 8, "Calculating Measures of Error for
Derived Estimates"; the same formulas as tidycensus ``moe_sum``, ``moe_prop``,
``moe_ratio`` and ``moe_product``. Every margin here is a 90% margin (ACS convention).

All functions take scalars or numpy arrays and return the same kind: a ``float`` when every
input is a scalar, otherwise a float64 array. A NaN margin means "no margin available" and
gives a NaN result. The survey formulas describe sampling error only; the error of apportioning
counts to catchments is :func:`allocation_variance` / :func:`moe_allocation`, and
:func:`moe_apportioned` combines the two.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError

__all__ = [
    "Z90",
    "cv_percent",
    "moe_product",
    "moe_proportion",
    "moe_rate_ratio",
    "moe_ratio",
    "moe_scaled_sum",
    "moe_sum",
    "reliability_band",
    "se_from_moe",
    "z_difference",
]

Z90: Final[float] = 1.645
"""Critical value of the standard normal distribution for a two-sided 90% interval."""

FloatOrArray = float | npt.NDArray[np.float64]


_SCALARS = (float, int, np.floating, np.integer)


def _is_scalar(*values: npt.ArrayLike) -> bool:
    # Plain numbers first: an assessment asks this thousands of times, np.ndim is slow.
    return all(isinstance(v, _SCALARS) or np.ndim(v) == 0 for v in values)


def _float(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def _finish(result: npt.NDArray[np.float64], *, scalar: bool) -> FloatOrArray:
    return float(result) if scalar else result


def se_from_moe(moe: npt.ArrayLike) -> FloatOrArray:
    """Standard error from a 90% margin of error.

    Parameters
    ----------
    moe
        90% margin(s) of error.

    Returns
    -------
    float or numpy.ndarray
        ``moe / 1.645``.

    Examples
    --------
    >>> round(se_from_moe(350.0), 2)
    212.77
    """
    return _finish(_float(moe) / Z90, scalar=_is_scalar(moe))


def moe_sum(moes: npt.ArrayLike, estimates: npt.ArrayLike | None = None) -> FloatOrArray:
    """Margin of error of a sum or difference of estimates (root sum of squares).

    Parameters
    ----------
    moes
        Margins of the components along axis 0: a sequence of scalars gives a scalar, an
        array of shape ``(k, ...)`` gives an array of shape ``(...)``.
    estimates
        The component estimates, same shape as ``moes``. When given, the Census zero-estimate
        rule applies: among the components whose estimate is 0, only the largest margin is
        included.

    Returns
    -------
    float or numpy.ndarray
        ``sqrt(sum(moe_i ** 2))`` over the included components.

    Examples
    --------
    >>> round(moe_sum([3860.0, 2642.0, 1957.0]), 2)
    5070.46
    >>> moe_sum([10.0, 20.0, 5.0], estimates=[0.0, 0.0, 40.0]) == moe_sum([20.0, 5.0])
    True
    """
    m = _float(moes)
    if m.ndim == 0:
        m = m.reshape(1)
    squares = m**2
    if estimates is None:
        total = squares.sum(axis=0)
    else:
        e = _float(estimates)
        if e.shape != m.shape:
            raise ValueError(f"estimates have shape {e.shape}, margins {m.shape}")
        is_zero = e == 0.0
        nonzero_part = np.where(is_zero, 0.0, squares).sum(axis=0)
        # NaN margins of zero estimates must propagate, so no nanmax here.
        largest_zero = np.where(is_zero, m, -np.inf).max(axis=0)
        zero_part = np.where(np.isneginf(largest_zero), 0.0, largest_zero**2)
        total = nonzero_part + zero_part
    return _finish(np.sqrt(total), scalar=total.ndim == 0)


def _safe_divide(
    num: npt.NDArray[np.float64], den: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``num / den`` with NaN where ``den`` is 0 (no warning)."""
    num, den = np.broadcast_arrays(num, den)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0.0)
    return out


def moe_proportion(
    num: npt.ArrayLike, den: npt.ArrayLike, moe_num: npt.ArrayLike, moe_den: npt.ArrayLike
) -> FloatOrArray:
    """Margin of error of a proportion ``p = num / den`` where num is a subset of den.

    ``MOE_p = sqrt(moe_num**2 - p**2 * moe_den**2) / den``. Where the radicand is negative
    the ratio formula (``+`` instead of ``-``) is used instead, element by element, as the
    Census handbook instructs. A zero denominator gives NaN.

    Parameters
    ----------
    num, den
        Estimates of the subset and of the whole.
    moe_num, moe_den
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        The 90% margin of the proportion (a fraction).

    Examples
    --------
    >>> round(moe_proportion(203119.0, 630498.0, 5070.0, 831.0), 5)
    0.00803
    """
    if _is_scalar(num, den, moe_num, moe_den):  # one proportion: plain floats, same steps
        return _moe_proportion_scalar(float(num), float(den), float(moe_num), float(moe_den))  # type: ignore[arg-type]
    x, y, mx, my = (_float(v) for v in (num, den, moe_num, moe_den))
    p = _safe_divide(x, y)
    radicand = mx**2 - p**2 * my**2
    # NaN radicands (missing margins) stay NaN: comparison with NaN is False.
    radicand = np.where(radicand < 0.0, mx**2 + p**2 * my**2, radicand)
    result = _safe_divide(np.sqrt(radicand), y)
    return _finish(result, scalar=_is_scalar(num, den, moe_num, moe_den))


def _moe_proportion_scalar(x: float, y: float, mx: float, my: float) -> float:
    """:func:`moe_proportion` of one proportion, step for step in IEEE doubles (squares as
    products, as numpy squares), without numpy's per-call cost."""
    if y == 0.0 or math.isnan(y):
        return math.nan
    p = x / y
    radicand = mx * mx - (p * p) * (my * my)
    if radicand < 0.0:
        radicand = mx * mx + (p * p) * (my * my)
    return math.sqrt(radicand) / y if not math.isnan(radicand) else math.nan


def moe_ratio(
    num: npt.ArrayLike, den: npt.ArrayLike, moe_num: npt.ArrayLike, moe_den: npt.ArrayLike
) -> FloatOrArray:
    """Margin of error of a ratio ``R = num / den`` where num is not a subset of den.

    ``MOE_R = sqrt(moe_num**2 + R**2 * moe_den**2) / den``; a zero denominator gives NaN.
    For a percent change apply it to ``X2 / X1`` and multiply by 100.

    Parameters
    ----------
    num, den
        Estimates of numerator and denominator.
    moe_num, moe_den
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        The 90% margin of the ratio.

    Examples
    --------
    >>> round(moe_ratio(203119.0, 630498.0, 5070.0, 831.0), 6)
    0.008052
    """
    x, y, mx, my = (_float(v) for v in (num, den, moe_num, moe_den))
    r = _safe_divide(x, y)
    result = _safe_divide(np.sqrt(mx**2 + r**2 * my**2), y)
    return _finish(result, scalar=_is_scalar(num, den, moe_num, moe_den))


def moe_rate_ratio(
    share_affected: npt.ArrayLike,
    share_reference: npt.ArrayLike,
    moe_affected: npt.ArrayLike,
    moe_reference: npt.ArrayLike,
) -> FloatOrArray:
    """Margin of error of the four-fifths rate ratio, from the two shares and their margins.

    The rate ratio of the four-fifths test (the share of a group that is affected over the
    share of everyone else that is affected) depends on the counts only through the group's
    share among the affected, ``a``, and in the comparison population, ``r`` (the affected
    being part of it)::

        RR = (g_a / g_r) / ((t_a - g_a) / (t_r - g_r)) = [a / (1 - a)] / [r / (1 - r)]

    that is, the odds ratio of the two shares. Its margin follows by the delta method on the
    logarithm, the shares taken as independent (as for the margin of their difference)::

        MOE(RR) = RR * sqrt((MOE_a / (a (1 - a)))**2 + (MOE_r / (r (1 - r)))**2)

    ``d ln(a / (1 - a)) = da / (a (1 - a))``; the margins are 90% margins, so the result is
    the 90% margin of the ratio (a first-order approximation, symmetric around RR). A share
    of 0 or 1 (a ratio of 0 or infinity) has no margin by this method: NaN.

    Parameters
    ----------
    share_affected, share_reference
        The group's share among the affected and in the comparison population (fractions).
    moe_affected, moe_reference
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        The 90% margin of the rate ratio.

    Examples
    --------
    A cut affecting people who are 62% minority, in a city 42% minority (methods.md §1):
    rate ratio 2.253; with margins of 5 and 1 points on the shares,

    >>> round(moe_rate_ratio(0.62, 0.42, 0.05, 0.01), 4)
    0.487
    """
    a, r, ma, mr = (
        _float(v) for v in (share_affected, share_reference, moe_affected, moe_reference)
    )
    inside = (a > 0.0) & (a < 1.0) & (r > 0.0) & (r < 1.0)
    a_safe = np.where(inside, a, 0.5)
    r_safe = np.where(inside, r, 0.5)
    ratio = (a_safe / (1.0 - a_safe)) / (r_safe / (1.0 - r_safe))
    spread = np.hypot(ma / (a_safe * (1.0 - a_safe)), mr / (r_safe * (1.0 - r_safe)))
    result = np.where(inside, ratio * spread, np.nan)
    return _finish(
        result, scalar=_is_scalar(share_affected, share_reference, moe_affected, moe_reference)
    )


def moe_product(
    a: npt.ArrayLike, b: npt.ArrayLike, moe_a: npt.ArrayLike, moe_b: npt.ArrayLike
) -> FloatOrArray:
    """Margin of error of a product ``a * b``.

    Parameters
    ----------
    a, b
        The two estimates.
    moe_a, moe_b
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        ``sqrt(a**2 * moe_b**2 + b**2 * moe_a**2)``.

    Examples
    --------
    >>> moe_product(10.0, 2.0, 3.0, 4.0)
    40.44749683231337
    """
    fa, fb, ma, mb = (_float(v) for v in (a, b, moe_a, moe_b))
    result = np.sqrt(fa**2 * mb**2 + fb**2 * ma**2)
    return _finish(result, scalar=_is_scalar(a, b, moe_a, moe_b))


def moe_scaled_sum(
    weights: npt.ArrayLike,
    moes: npt.ArrayLike,
    *,
    estimates: npt.ArrayLike | None = None,
) -> FloatOrArray:
    """Margin of error of a weighted sum of estimates, such as an apportioned catchment count.

    Scaling by a constant scales the margin (``MOE(w * X) = w * MOE(X)``) and the pieces are
    then summed with :func:`moe_sum`: ``sqrt(sum((w_i * moe_i) ** 2))``. The pieces are
    assumed independent and the apportioning itself is assumed exact, so the result is
    sampling error only.

    Parameters
    ----------
    weights
        Share of each source unit's count that goes into the sum, along axis 0.
    moes
        90% margins of the source units' counts, same shape as ``weights``.
    estimates
        Optional source estimates; when given, the zero-estimate rule of :func:`moe_sum` is
        applied to the scaled margins (as census-api PR #95 does).

    Returns
    -------
    float or numpy.ndarray
        The 90% margin of the weighted sum.

    Examples
    --------
    >>> round(moe_scaled_sum([0.25, 0.5], [120.0, 90.0]), 2)
    54.08
    """
    w, m = _float(weights), _float(moes)
    if w.shape != m.shape:
        raise ValueError(f"weights have shape {w.shape}, margins {m.shape}")
    return moe_sum(w * m, estimates=estimates)


def cv_percent(estimate: npt.ArrayLike, moe: npt.ArrayLike) -> FloatOrArray:
    """Coefficient of variation in percent: ``SE / |estimate| * 100``.

    An estimate of 0 gets CV 100 (Census data release rule). A NaN margin (no margin
    available) or a NaN estimate gives NaN, also for a zero estimate.

    Parameters
    ----------
    estimate
        The estimate(s).
    moe
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        The CV in percent.

    Examples
    --------
    >>> round(cv_percent(2557.0, 350.0), 3)
    8.321
    >>> cv_percent(0.0, 12.0)
    100.0
    """
    e, m = np.broadcast_arrays(_float(estimate), _float(moe))
    cv = _safe_divide(m / Z90, np.abs(e)) * 100.0
    cv = np.where(e == 0.0, 100.0, cv)
    cv = np.where(np.isnan(m) | np.isnan(e), np.nan, cv)
    return _finish(cv, scalar=_is_scalar(estimate, moe))


def _bands(scheme: str) -> tuple[list[str], npt.NDArray[np.float64]]:
    schemes = load_resource("reliability.toml")["bands"]
    if scheme not in schemes:
        raise InputError(
            f"unknown reliability band scheme {scheme!r}",
            location="parameters.reliability_bands",
            remedy="Use one of: " + ", ".join(sorted(schemes)),
        )
    bands = schemes[scheme]["band"]
    return [b["name"] for b in bands], np.array([b["max_cv"] for b in bands], dtype=np.float64)


def reliability_band(
    cv_percent: npt.ArrayLike, scheme: str = "esri"
) -> str | npt.NDArray[np.object_] | None:
    """Reliability band of a CV, from ``resources/reliability.toml``.

    A CV falls in the first band whose ``max_cv`` it does not exceed (upper bound inclusive).

    Parameters
    ----------
    cv_percent
        Coefficient(s) of variation in percent.
    scheme
        Band table: ``esri`` (12/40, the default) or ``census`` (15/30).

    Returns
    -------
    str, None or numpy.ndarray
        ``"high"``, ``"medium"`` or ``"low"``; None for a NaN CV. An array input gives an
        object array.

    Raises
    ------
    InputError
        If the scheme is not in the resource; the message lists the valid ones.

    Examples
    --------
    >>> reliability_band(8.321)
    'high'
    >>> reliability_band(13.0, scheme="census")
    'high'
    """
    names, max_cv = _bands(scheme)
    cv = _float(cv_percent)
    index = np.searchsorted(max_cv, cv, side="left")
    lookup = np.array([*names, None], dtype=object)
    index = np.where(np.isnan(cv), len(names), np.minimum(index, len(names) - 1))
    if index.ndim == 0:
        return lookup[int(index)]  # type: ignore[no-any-return]
    return lookup[index]


def z_difference(
    e1: npt.ArrayLike, moe1: npt.ArrayLike, e2: npt.ArrayLike, moe2: npt.ArrayLike
) -> FloatOrArray:
    """Z statistic of the difference of two estimates.

    ``Z = (e1 - e2) / sqrt(SE1**2 + SE2**2)``; the difference is significant at the 90% level
    when ``|Z| > 1.645``. With both margins 0 the result is ``+-inf`` for different estimates
    and 0 for equal ones.

    Parameters
    ----------
    e1, e2
        The estimates.
    moe1, moe2
        Their 90% margins.

    Returns
    -------
    float or numpy.ndarray
        The Z statistic.

    Examples
    --------
    >>> round(z_difference(120.0, 16.45, 100.0, 0.0), 6)
    2.0
    """
    a, b, ma, mb = (_float(v) for v in (e1, e2, moe1, moe2))
    diff = a - b
    se = np.sqrt((ma / Z90) ** 2 + (mb / Z90) ** 2)
    diff, se = np.broadcast_arrays(diff, se)
    z = _safe_divide(diff, se)
    certain = (se == 0.0) & ~np.isnan(diff)
    z = np.where(certain & (diff != 0.0), np.copysign(np.inf, diff), z)
    z = np.where(certain & (diff == 0.0), 0.0, z)
    return _finish(z, scalar=_is_scalar(e1, moe1, e2, moe2))


# --------------------------------------------------------------------------------------
# Error of allocating a neighbourhood's estimate to the part of it inside a catchment
# (resources/methods.toml [allocation_error]).

__all__ += ["allocation_variance", "moe_allocation", "moe_apportioned"]


def allocation_variance(estimates: npt.ArrayLike, shares: npt.ArrayLike) -> FloatOrArray:
    """Variance of the part of each estimate allocated to a catchment: ``X * s * (1 - s)``.

    Each of the ``X`` people (or households) a neighbourhood's estimate counts is taken to live
    inside the catchment with probability ``s``, the neighbourhood's apportionment share, and
    independently of the others: the number inside is then binomial with mean ``s * X`` and
    this variance (the multinomial allocation of dasymetric modelling, Nagle et al. 2014,
    Annals of the AAG 104(1)). A share of 0 or 1 allocates exactly; the error is largest for
    a small part of a large neighbourhood. Negative or missing estimates count as 0.

    Parameters
    ----------
    estimates
        The neighbourhoods' estimates (counts).
    shares
        Their shares inside the catchment (0..1), same shape.

    Returns
    -------
    float or numpy.ndarray
        The variance of each allocated part (not a margin: see :func:`moe_allocation`).

    Examples
    --------
    >>> round(allocation_variance(6500.0, 0.014), 3)
    89.726
    >>> float(allocation_variance(1000.0, 1.0))
    0.0
    """
    x = np.clip(np.nan_to_num(_float(estimates), nan=0.0), 0.0, None)
    s = np.clip(_float(shares), 0.0, 1.0)
    result = x * s * (1.0 - s)
    return _finish(result, scalar=_is_scalar(estimates, shares))


def moe_allocation(estimates: npt.ArrayLike, shares: npt.ArrayLike) -> float:
    """90% margin of the allocation error of an apportioned sum ``sum(s_i * X_i)``.

    ``1.645 * sqrt(sum(X_i * s_i * (1 - s_i)))``: the pieces are allocated independently
    (:func:`allocation_variance`).

    Examples
    --------
    >>> round(moe_allocation([6500.0], [0.014]), 2)
    15.58
    """
    variance = np.sum(np.atleast_1d(allocation_variance(estimates, shares)))
    return float(Z90 * np.sqrt(variance))


def moe_apportioned(
    shares: npt.ArrayLike,
    estimates: npt.ArrayLike,
    moes: npt.ArrayLike,
    *,
    allocation: bool = True,
) -> float:
    """90% margin of an apportioned sum, sampling error and (optionally) allocation error.

    By the law of total variance, ``Var(sum s_i X_i) = sum(s_i**2 Var(X_i)) +
    sum(X_i s_i (1 - s_i))``: the ACS sampling variance of each neighbourhood's estimate scaled
    by its share (:func:`moe_scaled_sum`) plus the variance of allocating it
    (:func:`allocation_variance`). Without ``allocation`` it is :func:`moe_scaled_sum`.
    A NaN sampling margin gives NaN.

    Examples
    --------
    >>> round(moe_apportioned([0.014], [6500.0], [728.0]), 1)
    18.6
    >>> round(moe_apportioned([0.014], [6500.0], [728.0], allocation=False), 2)
    10.19
    """
    w, x, m = _float(shares), _float(estimates), _float(moes)
    sampling = float(np.sqrt(np.sum((w * m) ** 2)))
    if not allocation:
        return sampling
    return float(np.hypot(sampling, moe_allocation(x, w)))
