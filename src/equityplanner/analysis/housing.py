"""Fair-housing and affordability tests for housing proposals.

Sources:

* R/ECAP: HUD AFFH data documentation and HUD's R/ECAP dataset description. A tract is an
  R/ECAP when its non-white share is at least 50% and its poverty rate is at least 40% or
  3 times the mean tract poverty rate of the region, whichever is lower.
* Area of minority concentration: the HUD site and neighbourhood standards (24 CFR 983.57,
  941.202, 880.206); the three-part definition is as commonly quoted from HUD notices.
* Cost burden and affordable rent: HUD (30% of gross income) and the LIHTC convention of
  1.5 persons per bedroom for the imputed household size.
* Households by income band (who the affordable homes can house), when the data has no
  household income distribution: each neighbourhood's household incomes taken as log-normal
  around its median household income (ACS B19013), with the dispersion of a stated Gini
  index (``G = 2 Phi(sigma / sqrt 2) - 1``; Aitchison and Brown, *The Lognormal
  Distribution*, 1957). An estimate, labelled so.

Thresholds come from ``resources/thresholds.toml``. Rates and shares are fractions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from equityplanner.catalog import load_resource
from equityplanner.errors import MethodError

__all__ = [
    "households_below_income",
    "imputed_household_size",
    "is_affordable",
    "is_recap",
    "max_affordable_rent",
    "minority_concentration",
    "poverty_concentration",
    "recap_threshold",
]

# Rates equal to a threshold up to floating-point rounding (3 * 0.10 = 0.30000000000000004)
# count as reaching it.
_EPS: Final[float] = 1e-9

FloatOrArray = float | npt.NDArray[np.float64]
BoolOrArray = bool | npt.NDArray[np.bool_]


def _thresholds(table: str) -> dict[str, Any]:
    return load_resource("thresholds.toml")[table]  # type: ignore[no-any-return]


def _is_scalar(*values: npt.ArrayLike) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _bool(result: npt.NDArray[np.bool_], *, scalar: bool) -> BoolOrArray:
    return bool(result) if scalar else result


def _at_least(value: npt.ArrayLike, bound: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """``value >= bound`` with a small tolerance; NaN gives False."""
    return np.asarray(value, dtype=np.float64) >= np.asarray(bound, dtype=np.float64) - _EPS


def recap_threshold(tract_poverty_rates: npt.ArrayLike) -> float:
    """Poverty-rate threshold of the R/ECAP test for a region.

    ``min(0.40, 3 * mean)``, where the mean is the unweighted mean of the tract poverty
    rates of the region (CBSA); tracts with a NaN rate are left out.

    Parameters
    ----------
    tract_poverty_rates
        Poverty rate (fraction) of every tract in the region.

    Returns
    -------
    float
        The threshold (fraction); NaN if no tract has a rate.

    Examples
    --------
    >>> round(recap_threshold([0.05, 0.11, 0.17]), 6)
    0.33
    """
    rates = np.asarray(tract_poverty_rates, dtype=np.float64).ravel()
    rates = rates[~np.isnan(rates)]
    if rates.size == 0:
        return float("nan")
    t = _thresholds("concentration")
    return float(min(t["poverty_rate"], t["poverty_multiple_of_mean"] * rates.mean()))


def is_recap(
    poverty_rate: npt.ArrayLike, nonwhite_share: npt.ArrayLike, threshold: float
) -> BoolOrArray:
    """Whether tracts are racially or ethnically concentrated areas of poverty.

    Parameters
    ----------
    poverty_rate
        Tract poverty rate(s) (fraction).
    nonwhite_share
        Share of the population that is not non-Hispanic White alone (fraction).
    threshold
        Poverty threshold from :func:`recap_threshold`.

    Returns
    -------
    bool or numpy.ndarray
        True where ``nonwhite_share >= 0.50`` and ``poverty_rate >= threshold``; NaN gives
        False.

    Examples
    --------
    >>> is_recap(0.35, 0.62, 0.33), is_recap(0.30, 0.62, 0.33), is_recap(0.35, 0.48, 0.33)
    (True, False, False)
    """
    t = _thresholds("concentration")
    result = _at_least(nonwhite_share, t["nonwhite_share"]) & _at_least(poverty_rate, threshold)
    return _bool(result, scalar=_is_scalar(poverty_rate, nonwhite_share, threshold))


def minority_concentration(
    group_shares_site: Mapping[str, float],
    group_shares_area: Mapping[str, float],
    minority_site: float,
    minority_area: float,
    *,
    is_metropolitan: bool = True,
) -> dict[str, Any]:
    """Whether a site's neighbourhood is an area of minority concentration.

    Any of three tests suffices (HUD site and neighbourhood standards, as commonly quoted):
    (i) the share of a particular minority group is at least 20 percentage points above
    that group's share in the housing market area; (ii) the total minority share is at least
    20 points above the area's; (iii) in a metropolitan area, the minority share exceeds 50%.

    Parameters
    ----------
    group_shares_site, group_shares_area
        Share of each minority group (e.g. ``nh_black``, ``hispanic``) in the neighbourhood
        and in the housing market area (fractions).
    minority_site, minority_area
        Total minority share of the neighbourhood and of the housing market area.
    is_metropolitan
        Whether the site is in a metropolitan area (test iii applies only there).

    Returns
    -------
    dict
        ``group_excess`` (test i), ``minority_excess`` (test ii), ``minority_majority``
        (test iii), ``is_concentrated`` (any of them) and ``groups_in_excess``, the names
        of the groups that meet test i.

    Raises
    ------
    MethodError
        If a group of the site has no share for the area.

    Examples
    --------
    >>> r = minority_concentration({"hispanic": 0.45}, {"hispanic": 0.20}, 0.48, 0.35)
    >>> r["group_excess"], r["minority_excess"], r["is_concentrated"]
    (True, False, True)
    """
    t = _thresholds("concentration")
    excess = t["minority_excess_pp"] / 100.0
    missing = [g for g in group_shares_site if g not in group_shares_area]
    if missing:
        raise MethodError("no housing-market-area share for group(s): " + ", ".join(missing))
    groups_in_excess = tuple(
        g
        for g, share in group_shares_site.items()
        if bool(_at_least(float(share) - float(group_shares_area[g]), excess))
    )
    group_excess = bool(groups_in_excess)
    minority_excess = bool(_at_least(float(minority_site) - float(minority_area), excess))
    minority_majority = is_metropolitan and float(minority_site) > t["minority_majority_share"]
    return {
        "group_excess": group_excess,
        "minority_excess": minority_excess,
        "minority_majority": bool(minority_majority),
        "is_concentrated": group_excess or minority_excess or bool(minority_majority),
        "groups_in_excess": groups_in_excess,
    }


def poverty_concentration(rate: npt.ArrayLike, area_rate: npt.ArrayLike) -> BoolOrArray:
    """Whether poverty is concentrated: a rate of at least 40% or 3 times the area's rate.

    This is the poverty part of the R/ECAP test. The multiple applies only to a positive
    rate, so a tract without poverty in an area without poverty is not concentrated.

    Parameters
    ----------
    rate
        Poverty rate(s) of the neighbourhood (fraction).
    area_rate
        Poverty rate of the surrounding area (fraction).

    Returns
    -------
    bool or numpy.ndarray
        True where poverty is concentrated; NaN gives False.

    Examples
    --------
    >>> poverty_concentration(0.40, 0.20), poverty_concentration(0.31, 0.10)
    (True, True)
    >>> poverty_concentration(0.25, 0.10)
    False
    """
    t = _thresholds("concentration")
    r = np.asarray(rate, dtype=np.float64)
    multiple = t["poverty_multiple_of_mean"] * np.asarray(area_rate, dtype=np.float64)
    result = _at_least(r, t["poverty_rate"]) | (_at_least(r, multiple) & (r > 0.0))
    return _bool(result, scalar=_is_scalar(rate, area_rate))


def imputed_household_size(bedrooms: npt.ArrayLike) -> FloatOrArray:
    """LIHTC imputed household size: 1.5 persons per bedroom, 1 person for a studio.

    Parameters
    ----------
    bedrooms
        Number of bedrooms (0 for a studio).

    Returns
    -------
    float or numpy.ndarray
        Persons.

    Examples
    --------
    >>> imputed_household_size(0), imputed_household_size(2)
    (1.0, 3.0)
    """
    per_bedroom = _thresholds("affordability")["persons_per_bedroom"]
    b = np.asarray(bedrooms, dtype=np.float64)
    if np.any(b < 0.0):
        raise MethodError("the number of bedrooms cannot be negative")
    size = np.where(b == 0.0, 1.0, per_bedroom * b)
    return float(size) if _is_scalar(bedrooms) else size


def max_affordable_rent(
    ami_fraction: npt.ArrayLike,
    ami_usd: npt.ArrayLike | Mapping[int, float],
    bedrooms: npt.ArrayLike | None = None,
) -> FloatOrArray:
    """Highest monthly gross rent affordable at a share of Area Median Income.

    ``0.30 * ami_fraction * income / 12``. Without ``bedrooms``, ``ami_usd`` is the annual
    income the rent is to be affordable to (the median income for the household size
    considered). With ``bedrooms``, ``ami_usd`` must be a table of median income by
    household size, such as HUD publishes, and the income used is that of the LIHTC imputed
    household size (:func:`imputed_household_size`), interpolated linearly between whole
    sizes (1.5 persons: the mean of the 1- and 2-person values).

    Parameters
    ----------
    ami_fraction
        Share of AMI (0.30, 0.50, 0.80 ...).
    ami_usd
        Annual income in USD, or a mapping household size -> annual income when
        ``bedrooms`` is given.
    bedrooms
        Number of bedrooms of the unit (0 = studio), optional.

    Returns
    -------
    float or numpy.ndarray
        USD per month.

    Raises
    ------
    MethodError
        If ``bedrooms`` is given without a table of incomes by household size, or the
        imputed size falls outside the table.

    Examples
    --------
    >>> max_affordable_rent(0.50, 100_000.0)
    1250.0
    >>> max_affordable_rent(0.50, {1: 70_000.0, 2: 80_000.0}, bedrooms=1)
    937.5
    """
    share = _thresholds("affordability")["rent_share_of_income"]
    fraction = np.asarray(ami_fraction, dtype=np.float64)
    if bedrooms is None:
        if isinstance(ami_usd, Mapping):
            raise MethodError("a table of incomes by household size needs the bedrooms")
        income = np.asarray(ami_usd, dtype=np.float64)
        scalar = _is_scalar(ami_fraction, ami_usd)
    else:
        if not isinstance(ami_usd, Mapping):
            raise MethodError(
                "rent by bedroom size needs the median income by household size (a table)"
            )
        sizes = np.array(sorted(ami_usd), dtype=np.float64)
        incomes = np.array([ami_usd[k] for k in sorted(ami_usd)], dtype=np.float64)
        persons = np.asarray(imputed_household_size(bedrooms), dtype=np.float64)
        if np.any((persons < sizes[0]) | (persons > sizes[-1])):
            raise MethodError(
                f"imputed household sizes {persons.min():g} to {persons.max():g} persons fall "
                f"outside the income table ({sizes[0]:g} to {sizes[-1]:g} persons)"
            )
        income = np.interp(persons, sizes, incomes)
        scalar = _is_scalar(ami_fraction, bedrooms)
    rent = share * fraction * income / 12.0
    return float(rent) if scalar else rent


def is_affordable(
    rent_month: npt.ArrayLike, income_year: npt.ArrayLike, share: float | None = None
) -> BoolOrArray:
    """Whether a monthly rent costs at most a share of an annual income (HUD cost burden).

    Parameters
    ----------
    rent_month
        Monthly gross rent (contract rent plus utilities), USD.
    income_year
        Annual gross household income, USD.
    share
        Largest affordable share of income; by default 0.30 from
        ``resources/thresholds.toml``.

    Returns
    -------
    bool or numpy.ndarray
        True where ``12 * rent_month <= share * income_year``; a zero income or NaN gives
        False.

    Examples
    --------
    >>> is_affordable(1250.0, 50_000.0), is_affordable(1251.0, 50_000.0)
    (True, False)
    """
    limit = _thresholds("affordability")["rent_share_of_income"] if share is None else share
    rent = np.asarray(rent_month, dtype=np.float64)
    income = np.asarray(income_year, dtype=np.float64)
    result = (12.0 * rent <= limit * income * (1.0 + _EPS)) & (income > 0.0)
    return _bool(result, scalar=_is_scalar(rent_month, income_year))


def households_below_income(
    households: npt.ArrayLike,
    median_income: npt.ArrayLike,
    limit_usd: float,
    *,
    gini: float,
) -> float:
    """Estimated households with an income at or below ``limit_usd``, summed over areas.

    Each area's household incomes are taken as log-normal around its median with the
    dispersion ``sigma = sqrt(2) * Phi^-1((gini + 1) / 2)`` of a log-normal with that Gini
    index; the share at or below the limit is ``Phi((ln limit - ln median) / sigma)``. Areas
    without a median income (NaN or 0) are left out.

    Parameters
    ----------
    households
        Households of each area.
    median_income
        Median household income of each area (dollars a year).
    limit_usd
        The income limit (dollars a year), e.g. 30% of the area median income.
    gini
        Gini index of household income assumed within each area (0..1).

    Returns
    -------
    float
        The estimated number of households.

    Examples
    --------
    Half of an area's households earn less than its median:

    >>> households_below_income([1000.0], [50000.0], 50000.0, gini=0.48)
    500.0
    """
    if not 0.0 < gini < 1.0:
        raise MethodError(f"a Gini index lies between 0 and 1, not {gini}")
    sigma = math.sqrt(2.0) * NormalDist().inv_cdf((gini + 1.0) / 2.0)
    h = np.asarray(households, dtype=np.float64)
    m = np.asarray(median_income, dtype=np.float64)
    ok = np.isfinite(h) & np.isfinite(m) & (m > 0) & (h > 0)
    if not ok.any() or limit_usd <= 0:
        return 0.0
    z = (math.log(limit_usd) - np.log(m[ok])) / sigma
    share = np.array([NormalDist().cdf(float(v)) for v in z])
    return float(np.dot(h[ok], share))
