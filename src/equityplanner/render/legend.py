"""The legend as data: one entry class for class swatches and map symbols alike."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SYMBOLS", "Legend", "LegendEntry"]

SYMBOLS = frozenset(
    {
        "box",  # a class of the choropleth
        "no_data",  # neighbourhoods without a value (grey, hatched)
        "catchment",  # walk catchment of new or improved service, or of a housing site
        "burden_catchment",  # catchment of reduced or removed service
        "line",  # new or improved transit line
        "burden_line",  # reduced or removed service (dashed)
        "station",  # a station or stop
        "network_line",  # a route of the routing feeds: existing service (thin grey)
        "site",  # a housing site
    }
)
"""The swatches a legend entry can show."""


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a swatch and its label.

    ``fill`` is the swatch's colour (``#rrggbb``) and ``symbol`` its kind (one of
    :data:`SYMBOLS`). Class entries also carry their class's bounds (``lower`` and
    ``upper``; equal for a class of one value).
    """

    label: str
    fill: str = ""
    symbol: str = "box"
    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        if self.symbol not in SYMBOLS:
            known = ", ".join(sorted(SYMBOLS))
            raise ValueError(f"unknown legend symbol {self.symbol!r}; use one of {known}")


@dataclass(frozen=True)
class Legend:
    """What the legend says: a title, the classes, the map symbols and a note.

    ``symbols_title`` heads the symbols (the printed map says "Map symbols"); without it a
    thin rule separates them from the classes.
    """

    title: str = ""
    entries: tuple[LegendEntry, ...] = ()
    symbols: tuple[LegendEntry, ...] = ()
    symbols_title: str = ""
    note: str = ""

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to show."""
        return not (self.title or self.entries or self.symbols or self.note)
