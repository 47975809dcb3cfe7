"""Displacement vulnerability index modelled on the Portland (Bates) typology.

Source: L. Bates, *Gentrification and Displacement Study* for the Portland Bureau of Planning
and Sustainability (2013). Bates flags a tract as vulnerable when at least 3 of 4 indicators
(renters, communities of color, adults without a bachelor's degree, households at or below
80% of median family income) exceed the citywide average. This module keeps the idea, a
count of indicators above the comparison share, but its indicators and the number of flags
needed come from ``resources/thresholds.toml`` ``[displacement]`` (by default 3 of 5:
renters, low-income, rent-burdened, minority, limited English). It is a screening index, not
Bates's typology.

The conservative option compares the lower end of each estimate's 90% interval with the
comparison share, as ECONorthwest did for the Portland three-county area.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from equityplanner.catalog import load_resource
from equityplanner.errors import MethodError

__all__ = ["default_indicators", "is_vulnerable", "vulnerability_flags", "vulnerability_score"]


def default_indicators() -> tuple[str, ...]:
    """Indicator names from ``resources/thresholds.toml`` ``[displacement]``."""
    return tuple(load_resource("thresholds.toml")["displacement"]["indicators"])


def _default_min_flags() -> int:
    return int(load_resource("thresholds.toml")["displacement"]["min_flags"])


def vulnerability_flags(
    shares: pd.DataFrame,
    reference: pd.Series,
    moes: pd.DataFrame | None = None,
    conservative: bool = False,
    *,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Flag each neighbourhood on each indicator whose share exceeds the comparison share.

    Parameters
    ----------
    shares
        One row per neighbourhood, one column per indicator: the group's share of it (fraction).
    reference
        Comparison share per indicator (e.g. citywide), indexed by indicator name.
    moes
        90% margins of ``shares``, same index and columns; needed when ``conservative``.
    conservative
        If True a neighbourhood is flagged only when ``share - moe`` exceeds the comparison share.
    indicators
        Which columns to use; by default those of ``resources/thresholds.toml``.

    Returns
    -------
    pandas.DataFrame
        Booleans, same index as ``shares``, one column per indicator. A NaN share (or, in
        conservative mode, a NaN margin) is not flagged.

    Raises
    ------
    MethodError
        If an indicator is missing from ``shares``, ``reference`` or ``moes``, or
        ``conservative`` is asked for without margins.

    Examples
    --------
    >>> shares = pd.DataFrame({"renters": [0.6, 0.3]}, index=["a", "b"])
    >>> vulnerability_flags(shares, pd.Series({"renters": 0.5}), indicators=["renters"])
       renters
    a     True
    b    False
    """
    names = list(default_indicators() if indicators is None else indicators)
    missing = [n for n in names if n not in shares.columns]
    if missing:
        raise MethodError("no shares for displacement indicator(s): " + ", ".join(missing))
    missing = [n for n in names if n not in reference.index]
    if missing:
        raise MethodError(
            "no comparison share for displacement indicator(s): " + ", ".join(missing)
        )
    values = shares[names].astype("float64")
    if conservative:
        if moes is None:
            raise MethodError("the conservative comparison needs margins of error")
        missing = [n for n in names if n not in moes.columns]
        if missing:
            raise MethodError("no margins for displacement indicator(s): " + ", ".join(missing))
        values = values - moes[names].astype("float64").reindex(values.index)
    comparison = reference[names].astype("float64")
    # NaN compares False, so missing data never raises a flag.
    return values.gt(comparison, axis="columns")


def vulnerability_score(flags: pd.DataFrame) -> pd.Series:
    """Number of indicators flagged per neighbourhood.

    Parameters
    ----------
    flags
        Booleans from :func:`vulnerability_flags`.

    Returns
    -------
    pandas.Series
        Integer count per neighbourhood, named ``vulnerability_score``.
    """
    return flags.sum(axis="columns").astype("int64").rename("vulnerability_score")


def is_vulnerable(flags: pd.DataFrame, min_flags: int | None = None) -> pd.Series:
    """Whether each neighbourhood has at least ``min_flags`` indicators flagged.

    Parameters
    ----------
    flags
        Booleans from :func:`vulnerability_flags`.
    min_flags
        Number of flags needed; by default from ``resources/thresholds.toml`` (3).

    Returns
    -------
    pandas.Series
        Booleans per neighbourhood, named ``is_vulnerable``.
    """
    needed = _default_min_flags() if min_flags is None else int(min_flags)
    return (vulnerability_score(flags) >= needed).rename("is_vulnerable")
