"""Numbers and data strings in the language of the findings.

Findings are templates with plain ``{placeholders}``: the numbers are formatted here before
they are filled in, so that a translator never sees a format spec and Spanish gets its own
marks (12,3% and 1.234 for 12.3% and 1,234). In English every helper gives exactly what the
format spec it replaces gave (``f"{x:.1%}"``, ``f"{x:,.0f}"``, ``f"{x:+.1f}"``), so that the
English findings are unchanged; in another language it uses the :mod:`equityplanner.i18n`
formatters (Babel, CLDR data).

Data strings (names, findings and rating words in ``resources/*.toml``) are translated by a
parallel file of the same keys in ``resources/locale/<language>/``: :func:`localized` reads a
dotted path from it, falling back to English where the file has no such leaf.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from equityplanner import i18n
from equityplanner.catalog import load_resource, resource_path
from equityplanner.model.project import ComparisonPopulation

__all__ = [
    "comparison_in_sentence",
    "localized",
    "localized_data",
    "money",
    "num",
    "pct",
    "ratio",
    "short",
    "signed",
    "signed_money",
    "signed_pct",
    "translate_label",
]


def comparison_in_sentence(label: str) -> str:
    """The comparison population's name inside a sentence.

    A name the user gave ("Magnolia City", "Hillsborough County") reads as given; the default
    label, a heading's "Study area", reads "the study area" ("4.1% of the study area").
    """
    return i18n._("the study area") if label == ComparisonPopulation.label else label


def _english() -> bool:
    return i18n.current_language() == i18n.SOURCE_LANGUAGE


def pct(share: float, digits: int = 1) -> str:
    """A share as a percentage: ``f"{share:.1%}"`` in English, ``12,3%`` in Spanish."""
    if _english() or not math.isfinite(share):
        return f"{share:.{digits}%}"
    return i18n.format_percent(share, digits)


def num(value: float, digits: int = 0) -> str:
    """A number with grouping: ``f"{value:,.0f}"`` in English, ``1.234`` in Spanish."""
    if _english() or not math.isfinite(value):
        return f"{value:,.{digits}f}"
    return i18n.format_number(value, digits)


def ratio(value: float, digits: int = 2) -> str:
    """A number without grouping (a ratio, an index): ``f"{value:.2f}"`` / ``0,78``."""
    if _english() or not math.isfinite(value):
        return f"{value:.{digits}f}"
    return i18n.format_number(value, digits)


def short(value: float) -> str:
    """A number as short as it can be: ``f"{value:g}"`` (10, 7.5) / ``7,5`` in Spanish."""
    text = f"{value:g}"
    if _english() or not math.isfinite(value):
        return text
    return text.replace(".", i18n.format_number(0.5, 1)[1])


def signed(value: float, digits: int = 1, *, grouping: bool = False) -> str:
    """A number with its sign always shown: ``f"{value:+.1f}"`` / ``+15,4``.

    The sign is the value's own (as the format spec gives it, so -0.04 reads ``-0.0``).
    """
    if _english() or not math.isfinite(value):
        return f"{value:+,.{digits}f}" if grouping else f"{value:+.{digits}f}"
    sign = "-" if math.copysign(1.0, value) < 0 else "+"
    body = i18n.format_number(abs(value), digits) if grouping else ratio(abs(value), digits)
    return sign + body


def signed_pct(share: float, digits: int = 1) -> str:
    """A signed share as a percentage: ``f"{share:+.1%}"`` / ``+12,3%``."""
    if _english() or not math.isfinite(share):
        return f"{share:+.{digits}%}"
    sign = "-" if math.copysign(1.0, share) < 0 else "+"
    return sign + i18n.format_percent(abs(share), digits)


def money(value: float, digits: int = 0) -> str:
    """Dollars: ``f"${value:,.0f}"`` in English, ``1.450 US$`` in Spanish."""
    if _english() or not math.isfinite(value):
        return f"${value:,.{digits}f}"
    return i18n.format_money(value, "USD", digits)


def signed_money(value: float, digits: int = 0) -> str:
    """Signed dollars: ``f"${value:+,.0f}"`` (``$+120``) in English, ``+120 US$`` in Spanish."""
    if _english() or not math.isfinite(value):
        return f"${value:+,.{digits}f}"
    sign = "-" if math.copysign(1.0, value) < 0 else "+"
    return sign + i18n.format_money(abs(value), "USD", digits)


def localized_data(name: str, code: str | None = None) -> dict[str, Any]:
    """The translated leaves of a resource file (``{}`` for English or when none exists)."""
    code = code or i18n.current_language()
    if code == i18n.SOURCE_LANGUAGE:
        return {}
    path = f"locale/{code}/{name}"
    if not resource_path(path).is_file():
        return {}
    return load_resource(path)  # cached per file, so per language: no language leaks


def localized(name: str, keys: list[str]) -> Any:
    """The leaf at ``keys`` of resource ``name`` in the current language (English fallback)."""
    node: Any = load_resource(name)
    for key in keys:
        node = node[key]
    translated: Any = localized_data(name)
    for key in keys:
        if not isinstance(translated, dict) or key not in translated:
            return node
        translated = translated[key]
    return translated


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    else:
        yield path, node


def translate_label(name: str, english: str) -> str:
    """An English string that occurs as a leaf of resource ``name`` (a group's label read
    elsewhere), in the current language; unchanged when it has no translation."""
    if _english():
        return english
    translated = localized_data(name)
    if not translated:
        return english
    for path, value in _leaves(load_resource(name)):
        if value != english:
            continue
        node: Any = translated
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            if isinstance(node, str):
                return node
    return english
