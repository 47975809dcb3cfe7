"""Class breaks, class assignment, palettes and legend entries for choropleth maps.

Qt-free and deterministic. A classification is described by its *edges*: an increasing array
``[e0, e1, ..., ek]`` of ``k + 1`` numbers for ``k`` classes. Class ``i`` holds the values
``v`` with ``e[i] < v <= e[i+1]`` (upper bound included); class 0 also holds ``e0`` itself.
When a variable has fewer distinct values than classes, each distinct value gets a class of
its own and the edges start with the smallest value twice (``[u0, u0, u1, ...]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from equityplanner.catalog import load_resource
from equityplanner.render.fields import MapField, legend_formatter, map_colour
from equityplanner.render.legend import LegendEntry

__all__ = [
    "METHOD_WORDS",
    "NATURAL_BREAKS_SAMPLE",
    "LegendEntry",
    "Method",
    "Shading",
    "assign_classes",
    "class_breaks",
    "classify_field",
    "legend_entries",
    "palette",
    "palette_names",
    "tone_colours",
]

Method = Literal["quantile", "equal", "natural"]

METHOD_WORDS = {
    "quantile": "quantiles (about as many neighbourhoods in each class)",
    "equal": "equal intervals",
    "natural": "natural breaks (Jenks)",
}
"""How a note under the legend names each method."""

NATURAL_BREAKS_SAMPLE = 2000
"""Natural breaks are computed on at most this many sorted values (evenly spaced order
statistics, always including the minimum and maximum)."""

_DASH = " \u2013 "  # an en dash between the bounds of a legend line
_BLOCK = 512  # columns of the dynamic programme's cost matrix computed at once


def class_breaks(values: npt.ArrayLike, method: Method = "quantile", k: int = 5) -> np.ndarray:
    """Class edges of ``values`` for a choropleth map.

    Parameters
    ----------
    values
        Numbers; NaN and infinities are ignored.
    method
        ``"quantile"`` (about the same number of values per class; linear interpolation
        between order statistics), ``"equal"`` (equal-width intervals from the minimum to
        the maximum) or ``"natural"`` (Jenks/Fisher natural breaks: the split that minimises
        the sum of squared deviations within classes, found exactly by dynamic programming
        on at most :data:`NATURAL_BREAKS_SAMPLE` sorted values).
    k
        Number of classes wanted (1 or more). Fewer come back when the values have fewer
        distinct numbers than ``k`` or when quantiles coincide.

    Returns
    -------
    numpy.ndarray
        The increasing edges ``[min, ..., max]`` (``k + 1`` numbers for ``k`` classes); empty
        when there is no finite value.

    Examples
    --------
    >>> class_breaks([0, 1, 2.5, 4, 6, 7, 10], "equal", 5).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    >>> class_breaks(range(1, 11), "quantile", 5).round(6).tolist()
    [1.0, 2.8, 4.6, 6.4, 8.2, 10.0]
    >>> class_breaks([1, 2, 3, 10, 11, 12, 20, 21, 22], "natural", 3).tolist()
    [1.0, 3.0, 12.0, 22.0]
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    x = np.asarray(values, dtype=np.float64).ravel()
    x = np.sort(x[np.isfinite(x)])
    if x.size == 0:
        return np.array([], dtype=np.float64)
    unique = np.unique(x)
    if unique.size < k:
        return np.concatenate([unique[:1], unique])
    if method == "quantile":
        edges = np.quantile(x, np.linspace(0.0, 1.0, k + 1))
    elif method == "equal":
        edges = np.linspace(x[0], x[-1], k + 1)
    elif method == "natural":
        edges = _natural_breaks(x, k)
    else:
        raise ValueError(
            f"unknown classification method {method!r}: use quantile, equal or natural"
        )
    edges[0], edges[-1] = x[0], x[-1]
    # Coinciding edges (ties) merge classes; e0 == e1 stays: a class of the minimum alone.
    return np.concatenate([edges[:1], np.unique(edges[1:])])


def _natural_breaks(x_sorted: np.ndarray, k: int) -> np.ndarray:
    """Fisher's exact optimal partition of sorted values into ``k`` classes, O(k n^2)."""
    x = x_sorted
    if x.size > NATURAL_BREAKS_SAMPLE:
        pick = np.unique(np.linspace(0, x.size - 1, NATURAL_BREAKS_SAMPLE).round().astype(np.int64))
        x = x[pick]
    n = x.size
    k = min(k, n)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    # ssd[i, j]: within-class sum of squares of x[i..j], inf below the diagonal (i > j).
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        total = s1[j + 1] - s1[i]
        ssd = (s2[j + 1] - s2[i]) - total * total / (j - i + 1)
    del total
    np.maximum(ssd, 0.0, out=ssd)
    ssd[np.tril_indices(n, -1)] = np.inf
    cost = ssd[0].copy()  # cost[j]: best cost of x[0..j] in c + 1 classes
    first = np.zeros((k, n), dtype=np.int64)  # first[c, j]: start of class c when it ends at j
    for c in range(1, k):
        previous = np.full(n, np.inf)
        previous[c:] = cost[c - 1 : n - 1]  # class c starts at i after classes ending at i - 1
        new_cost = np.full(n, np.inf)
        for lo in range(c, n, _BLOCK):
            hi = min(lo + _BLOCK, n)
            candidates = previous[c:hi, None] + ssd[c:hi, lo:hi]
            best = np.argmin(candidates, axis=0)  # the first minimum: deterministic
            new_cost[lo:hi] = candidates[best, np.arange(hi - lo)]
            first[c, lo:hi] = best + c
        cost = new_cost
    upper = np.empty(k, dtype=np.int64)
    end = n - 1
    for c in range(k - 1, -1, -1):
        upper[c] = end
        end = first[c, end] - 1
    return np.concatenate([[x[0]], x[upper]])


def assign_classes(values: npt.ArrayLike, breaks: npt.ArrayLike) -> np.ndarray:
    """Class number (0 = lowest) of each value for the edges from :func:`class_breaks`.

    NaN (and infinite) values get -1; values outside the edges go to the first or last class.

    Examples
    --------
    >>> assign_classes([1, 2.8, 3, 10, float("nan")], [1, 2.8, 4.6, 6.4, 8.2, 10]).tolist()
    [0, 0, 1, 4, -1]
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    edges = np.asarray(breaks, dtype=np.float64).ravel()
    out = np.full(v.shape, -1, dtype=np.int64)
    if edges.size < 2:
        return out
    ok = np.isfinite(v)
    out[ok] = np.searchsorted(edges[1:-1], v[ok], side="left")
    return out


def palette_names() -> dict[str, list[str]]:
    """Names of the palettes in ``resources/palettes.toml`` by kind."""
    data = load_resource("palettes.toml")
    return {kind: sorted(data[kind]) for kind in ("sequential", "diverging")}


def palette(name: str, k: int) -> list[str]:
    """``k`` colours (``#rrggbb``, lowest class first) of a palette from ``palettes.toml``.

    A name ending in ``_r`` reverses the palette. Palettes hold 3 to 7 classes; 1 or 2
    classes use the ends (and middle) of the 3-class palette.

    Examples
    --------
    >>> palette("YlGnBu", 3)
    ['#edf8b1', '#7fcdbb', '#2c7fb8']
    >>> palette("YlGnBu_r", 2)
    ['#2c7fb8', '#edf8b1']
    """
    data = load_resource("palettes.toml")
    reverse = name.endswith("_r")
    base = name[:-2] if reverse else name
    table = data["sequential"].get(base) or data["diverging"].get(base)
    if table is None:
        known = ", ".join(sorted([*data["sequential"], *data["diverging"]]))
        raise ValueError(f"unknown palette {name!r}; choose one of {known} (add _r to reverse)")
    if not 1 <= k <= 7:
        raise ValueError(f"palettes have 1 to 7 classes, not {k}")
    if k >= 3:
        colours = list(table[str(k)])
    else:
        three = table["3"]
        colours = [three[1]] if k == 1 else [three[0], three[2]]
    return colours[::-1] if reverse else colours


def tone_colours(tone: str) -> dict[str, str]:
    """``fill``, ``text``, ``strong`` and ``label`` of a rating tone (``info`` if unknown)."""
    tones = load_resource("palettes.toml")["tones"]
    return dict(tones.get(tone, tones["info"]))


def legend_entries(
    breaks: npt.ArrayLike,
    colours: Sequence[str],
    fmt: str | Callable[[float], str] = "{:,.3g}",
) -> list[LegendEntry]:
    """Legend lines for class edges and their colours.

    Parameters
    ----------
    breaks
        Edges from :func:`class_breaks` (``k + 1`` numbers).
    colours
        ``k`` colours, lowest class first.
    fmt
        A format string (``"{:.0%}"``) or a function turning a number into text.

    Examples
    --------
    >>> [e.label.split()[0] for e in legend_entries([0, 0.25, 0.5], ["#fff", "#000"], "{:.0%}")]
    ['0%', '25%']
    """
    edges = np.asarray(breaks, dtype=np.float64).ravel()
    k = max(edges.size - 1, 0)
    if len(colours) != k:
        raise ValueError(f"{k} classes but {len(colours)} colours")
    show = fmt if callable(fmt) else fmt.format
    entries = []
    for i in range(k):
        lo, hi = float(edges[i]), float(edges[i + 1])
        low_text, high_text = show(lo), show(hi)
        label = low_text if low_text == high_text else f"{low_text}{_DASH}{high_text}"
        entries.append(LegendEntry(label, colours[i], "box", lower=lo, upper=hi))
    return entries


# A field classified for the map --------------------------------------------------------

QUINTILE_WORDS = ("lowest income", "lower-middle", "middle", "upper-middle", "highest income")
_MISSING = "\u2013"


@dataclass(frozen=True)
class Shading:
    """A field classified for the map: a class per row (-1 = no data), colours, legend.

    ``entries`` are the legend lines of the classes, lowest first; ``legend`` gives them as
    ``(colour, label)`` pairs.
    """

    classes: np.ndarray
    colours: list[str]
    entries: tuple[LegendEntry, ...]
    no_data_count: int

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(colour, label) of each class, lowest first."""
        return [(e.fill, e.label) for e in self.entries]

    def counts(self) -> list[int]:
        """How many rows each class holds."""
        k = len(self.colours)
        valid = self.classes[(self.classes >= 0) & (self.classes < k)]
        return [int(c) for c in np.bincount(valid, minlength=k)[:k]]

    def no_data_entry(self, *, with_count: bool = True) -> LegendEntry | None:
        """The legend line of the rows without a value, or None when every row has one."""
        if not self.no_data_count:
            return None
        label = f"No data ({self.no_data_count})" if with_count else "No data"
        return LegendEntry(label, map_colour("no_data", "#d9d9d9"), "no_data")


def classify_field(
    values: np.ndarray,
    field: MapField,
    *,
    method: str = "quantile",
    k: int = 5,
    palette_name: str | None = None,
) -> Shading:
    """Classes, colours and legend for ``values`` of ``field``.

    Categorical fields get a class per category: income quintiles (1 to 5), risk scores
    (0 to the highest found, at least 2) and yes/no flags. The others are split by
    :func:`class_breaks` (``method``, ``k`` classes) and coloured with a palette of
    ``resources/palettes.toml`` (default: its ``default_sequential``).
    """
    name = palette_name or str(load_resource("palettes.toml").get("default_sequential", "YlGnBu"))
    values = np.asarray(values, dtype=float)
    missing = int((~np.isfinite(values)).sum())
    finite = np.isfinite(values)
    if field.kind == "quintile":
        colours = palette(name, 5)
        classes = np.where(finite, np.clip(np.nan_to_num(values), 1, 5) - 1, -1).astype(np.int64)
        entries = tuple(
            LegendEntry(f"{q + 1} {_MISSING} {QUINTILE_WORDS[q]}", c, lower=q + 1.0, upper=q + 1.0)
            for q, c in enumerate(colours)
        )
        return Shading(classes, colours, entries, missing)
    if field.kind == "score":
        top = int(np.nanmax(values)) if finite.any() else 0
        top = min(max(top, 2), 6)
        colours = palette(name, top + 1)
        classes = np.where(finite, np.clip(np.nan_to_num(values), 0, top), -1).astype(np.int64)
        entries = tuple(
            LegendEntry(f"{n} of 5", c, lower=float(n), upper=float(n))
            for n, c in enumerate(colours)
        )
        return Shading(classes, colours, entries, missing)
    if field.kind == "flag":
        colours = palette(name, 2)
        classes = np.where(finite, values > 0, -1).astype(np.int64)
        entries = (
            LegendEntry("No", colours[0], lower=0.0, upper=0.0),
            LegendEntry("Yes", colours[1], lower=1.0, upper=1.0),
        )
        return Shading(classes, colours, entries, missing)
    edges = class_breaks(values, cast(Method, method), k)
    if edges.size < 2:
        return Shading(np.full(len(values), -1, dtype=np.int64), [], (), missing)
    colours = palette(name, edges.size - 1)
    classes = assign_classes(values, edges)
    fmt = legend_formatter(field.kind, edges)
    if edges[0] == edges[1] and np.unique(values[finite]).size == len(colours):
        # Fewer distinct values than classes: a class per value, labelled by its value.
        entries = tuple(
            LegendEntry(fmt(float(v)), c, lower=float(v), upper=float(v))
            for c, v in zip(colours, edges[1:], strict=True)
        )
    else:
        entries = tuple(legend_entries(edges, colours, fmt))
    return Shading(classes, colours, entries, missing)
