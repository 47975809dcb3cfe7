"""Make :class:`~equityplanner.model.results.Indicator` objects with words from resources.

Names, findings, rating words and method references are data (``resources/indicators.toml``,
``ratings.toml``, ``methods.toml``); this module only fills them in. Every indicator family
module of this package makes its indicators with :func:`make_indicator`.
"""

from __future__ import annotations

import math
from typing import Any

from equityplanner.analysis.moe import cv_percent, reliability_band
from equityplanner.analysis.words import localized
from equityplanner.catalog import load_resource
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator, Reliability

__all__ = ["make_indicator", "method_reference", "rating_words", "reliability", "text"]


def text(path: str) -> Any:
    """A value from ``indicators.toml`` by dotted path, e.g. ``"served.name"``, in the
    current language (``resources/locale/<language>/indicators.toml``; English where that
    file has no such leaf). Not cached here: the language may change between calls."""
    return localized("indicators.toml", _split(path))


def _split(path: str) -> list[str]:
    # Indicator ids contain dots ("title_vi.disparate_impact"), so allow a "::" separator.
    if "::" in path:
        return path.split("::")
    return path.split(".")


def rating_words(family: str, key: str) -> tuple[str, str]:
    """(label, tone) of a rating from ``ratings.toml``: the label in the current language,
    the tone (a stable key) always the English file's."""
    entry = load_resource("ratings.toml")[family][key]
    return str(localized("ratings.toml", [family, key, "label"])), entry["tone"]


def method_reference(method: str) -> str:
    """The citation of a method id from ``methods.toml`` (the id itself when missing)."""
    methods = load_resource("methods.toml")
    entry = methods.get(method) or methods.get("methods", {}).get(method)
    return str(entry.get("reference", method)) if entry else method


def reliability(
    estimate: float, moe: float | None, scheme: str, *, share_se_base: float | None = None
) -> Reliability | None:
    """Reliability of an estimate from its 90% margin; None when there is no margin.

    For a share, ``cv_percent`` is computed on the share itself (SE of the share over it).
    """
    if moe is None or not math.isfinite(moe):
        return None
    cv = float(cv_percent(estimate, moe))
    band = str(reliability_band(cv, scheme)) if math.isfinite(cv) else None
    return Reliability(moe=float(moe), cv_percent=cv if math.isfinite(cv) else None, band=band)


def make_indicator(
    *,
    id: IndicatorId,
    name: str,
    value: float | str | None,
    comparison: float | str | None,
    difference: float | None,
    value_unit: str,
    rating_family: str,
    rating: str,
    finding: str,
    method: str,
    reliability: Reliability | None = None,
    details: dict[str, Any] | None = None,
) -> Indicator:
    """An indicator with its rating words and method reference looked up.

    Its id is ``str(id)`` and its category the id's family.
    """
    label, tone = rating_words(rating_family, rating)
    return Indicator(
        id=str(id),
        name=name,
        category=id.family,
        value=_clean(value),
        comparison=_clean(comparison),
        difference=_clean(difference),
        value_unit=value_unit,
        rating=rating,
        rating_label=label,
        tone=tone,
        finding=finding,
        method=method,
        reference=method_reference(method),
        reliability=reliability,
        details={k: _clean(v) for k, v in (details or {}).items()},
    )


def _clean(value: Any) -> Any:
    """NaN and infinities become None so that outputs never show them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _clean(value.item())
    return value
