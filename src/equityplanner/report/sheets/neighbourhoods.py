"""The Neighbourhoods sheet: one row per neighbourhood, the base of every live formula.

A single Excel table holds the baseline (ids, flags, counts and universes of each group)
and, for every project or scenario side, the share of each neighbourhood's area inside its
catchment and the apportioned counts (live: share x count). Each column has a workbook name
(``NB_<column>``) that the other sheets' SUMPRODUCT formulas use, so a reviewer can trace
any served share back to the rows it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equityplanner.model.fields import group_specs
from equityplanner.report.layout import (
    ConditionalFormat,
    Formula,
    NumberFormats,
    PrintSpec,
    SheetSpec,
    TableSpec,
    a1,
    clean_number,
    text_width,
)
from equityplanner.report.sheets import BookContext, ResultSide, result_sides

__all__ = ["SHEET_NAME", "NeighbourhoodRefs", "build_neighbourhoods"]

SHEET_NAME = "Neighbourhoods"
HEADER_ROW = 4
_BASE_COLUMNS = (
    ("id", "ID", None),
    ("name", "Name", None),
    ("in_comparison", "In comparison population", NumberFormats.YES_NO),
    ("quintile", "Income quintile (1 = lowest, 0 = not ranked)", NumberFormats.INT),
    ("vulnerability_score", "Displacement risk factors (of 5)", NumberFormats.INT),
    ("is_vulnerable", "Vulnerable to displacement", NumberFormats.YES_NO),
    ("is_recap", "R/ECAP", NumberFormats.YES_NO),
    ("total_population", "Total population", NumberFormats.COUNT),
    ("households", "Households", NumberFormats.COUNT),
    ("median_household_income", "Median household income ($)", NumberFormats.MONEY),
)
_FLAGS = {"in_comparison", "is_vulnerable", "is_recap"}
_APPORTIONED_GROUPS = ("minority", "low_income")


def short_group_label(gid: str) -> str:
    """A group's label without its parenthesis ("Minority", "Low-income")."""
    spec = group_specs().get(gid)
    return spec.label.split(" (")[0] if spec else gid


@dataclass
class NeighbourhoodRefs:
    """Workbook names of the Neighbourhoods columns and the formulas built on them."""

    columns: dict[str, str] = field(default_factory=dict)  # baseline column -> name
    column_numbers: dict[str, int] = field(default_factory=dict)  # baseline column -> sheet column
    side_share: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (unit id, suffix) -> name
    # (unit id, suffix) -> name of the transit-only share column of a side mixing housing and
    # transit (its Title VI tests are measured there)
    transit_share: dict[tuple[str, str], str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    first_row: int = HEADER_ROW + 1
    last_row: int = HEADER_ROW + 1

    def col(self, column: str) -> str | None:
        """Name of a baseline column (None when the column is not in the data)."""
        return self.columns.get(column)

    def share(self, side: ResultSide) -> str:
        """Name of a side's share-in-catchment column."""
        return self.side_share[(side.result.id, side.suffix)]

    @property
    def comparison(self) -> str:
        """Name of the 1/0 comparison-population column."""
        return self.columns["in_comparison"]

    @property
    def population(self) -> str:
        """Name of the total population column."""
        return self.columns["total_population"]

    def has_group(self, gid: str) -> bool:
        """True when the group's count and universe are on the sheet."""
        return gid in self.groups

    def pooled_share(self, weights: str, gid: str) -> str:
        """Formula body: the group's share over weighted rows ("" when the universe is 0)."""
        c, u = self.columns[f"{gid}_count"], self.columns[f"{gid}_universe"]
        share = f"SUMPRODUCT({weights},{c})/SUMPRODUCT({weights},{u})"
        return f'IF(SUMPRODUCT({weights},{u})>0,{share},"")'

    def site_value(self, column: str, site_name: str) -> str:
        """Formula body: a column's value on the row of the site's id ("" when empty)."""
        value = f"INDEX({self.columns[column]},MATCH({site_name},{self.columns['id']},0))"
        return f'IF(ISNUMBER({value}),{value},"")'


def build_neighbourhoods(ctx: BookContext) -> SheetSpec:
    """Lay out the Neighbourhoods sheet and record its names in ``ctx.nb``."""
    a = ctx.assessment
    table = a.baseline.reset_index(drop=True)
    n = len(table)
    sheet = SheetSpec(SHEET_NAME, freeze=f"C{HEADER_ROW + 1}", tab_colour="7F7F7F")
    sheet.put(1, 1, "Neighbourhoods", "title")
    sheet.put(
        2,
        1,
        "One row per neighbourhood of the study layer. 'Share in catchment' is the share of the "
        "neighbourhood's area inside a project's or scenario's walk catchment (0 = outside); the "
        "apportioned counts are share x count. The Indicators and Distribution sheets compute "
        "their figures from these columns with SUMPRODUCT, so changing a value here updates them.",
        "note",
    )
    sheet.merge(2, 1, 2, 12)
    first, last = HEADER_ROW + 1, HEADER_ROW + n
    refs = NeighbourhoodRefs(first_row=first, last_row=last)
    col = 1
    headers: list[str] = []

    def add_column(
        key: str,
        header: str,
        values: list | np.ndarray,
        fmt: str | None,
        *,
        style: str = "number",
        comment: str | None = None,
        width: float | None = None,
    ) -> int:
        nonlocal col
        header = _unique(header, headers)
        headers.append(header)
        sheet.put(HEADER_ROW, col, header, "header", comment=comment)
        for i, value in enumerate(values):
            sheet.put(first + i, col, value, style, fmt)
        name = ctx.name("NB", key)
        sheet.define_name(name, first, col, last, col)
        refs.columns[key] = name
        refs.column_numbers[key] = col
        sheet.column_widths[col] = width or max(11.0, min(16.0, len(header) * 0.55 + 2))
        col += 1
        return col - 1

    for key, header, fmt in _BASE_COLUMNS:
        if key not in table:
            continue
        series = table[key]
        if key in ("id", "name"):
            values = [str(v) for v in series]
            add_column(
                key,
                header,
                values,
                None,
                style="text",
                width=text_width(values, minimum=10, maximum=32 if key == "name" else 18),
            )
        elif key in _FLAGS:
            add_column(key, header, series.fillna(False).astype(bool).astype(int).tolist(), fmt)
        else:
            add_column(key, header, _numbers(series), fmt)

    share_cols: list[int] = []
    for gid, spec in group_specs().items():
        if f"{gid}_count" not in table or f"{gid}_universe" not in table:
            continue
        refs.groups.append(gid)
        short = short_group_label(gid)
        add_column(
            f"{gid}_count",
            f"{short}: count",
            _numbers(table[f"{gid}_count"]),
            NumberFormats.COUNT,
            comment=f"{spec.label} ({spec.unit})",
        )
        add_column(
            f"{gid}_universe",
            f"{short}: universe",
            _numbers(table[f"{gid}_universe"]),
            NumberFormats.COUNT,
            comment=f"The {spec.unit} the share of '{spec.label}' is taken of "
            f"({spec.denominator}).",
        )
        share_cols.append(
            add_column(
                f"{gid}_share",
                f"{short}: share",
                _numbers(table[f"{gid}_share"]),
                NumberFormats.PCT,
                comment=f"{spec.label}: count / universe.",
            )
        )
    row_of = {str(v): i for i, v in enumerate(table["id"].astype(str))}
    population = table["total_population"].fillna(0).to_numpy(dtype=float)
    side_share_cols: list[tuple[int, bool]] = []
    for unit in a.results:
        frame = unit.neighbourhoods
        for side in result_sides(unit):
            share = np.zeros(n)
            column = "share_in_catchment" + side.suffix
            if column in frame:
                for ident, value in zip(
                    frame["id"].astype(str), frame[column].to_numpy(dtype=float), strict=True
                ):
                    if ident in row_of and np.isfinite(value):
                        share[row_of[ident]] = value
            share_col = add_column(
                f"share_{ctx.unit_slugs[unit.id]}{'_burdens' if side.suffix else ''}",
                f"Share in catchment: {side.label}",
                share.tolist(),
                NumberFormats.PCT,
                comment="Share of each neighbourhood's area inside the catchment of "
                f"{side.label} ({side.effect}).",
                width=14,
            )
            refs.side_share[(unit.id, side.suffix)] = refs.columns[
                f"share_{ctx.unit_slugs[unit.id]}{'_burdens' if side.suffix else ''}"
            ]
            side_share_cols.append((share_col, side.is_benefit))
            transit_column = "share_in_transit_catchment" + side.suffix
            if transit_column in frame:
                transit = np.zeros(n)
                for ident, value in zip(
                    frame["id"].astype(str),
                    frame[transit_column].to_numpy(dtype=float),
                    strict=True,
                ):
                    if ident in row_of and np.isfinite(value):
                        transit[row_of[ident]] = value
                key = f"transit_share_{ctx.unit_slugs[unit.id]}{'_burdens' if side.suffix else ''}"
                add_column(
                    key,
                    f"Share in transit catchment: {side.label}",
                    transit.tolist(),
                    NumberFormats.PCT,
                    comment="Share inside the catchment of the transit projects alone, on which "
                    "the Title VI tests are measured.",
                    width=14,
                )
                refs.transit_share[(unit.id, side.suffix)] = refs.columns[key]
            share_letter = a1(first, share_col).rstrip("0123456789")
            engine = _engine_apportioned(frame, side, "total_population", share, population, row_of)
            _formula_column(
                sheet,
                add_column,
                f"people_{ctx.unit_slugs[unit.id]}{side.suffix.replace('.', '_')}",
                f"People in catchment: {side.label}",
                share_letter,
                refs,
                "total_population",
                engine,
                first,
            )
            for gid in _APPORTIONED_GROUPS:
                if not refs.has_group(gid):
                    continue
                counts = table[f"{gid}_count"].fillna(0).to_numpy(dtype=float)
                engine = _engine_apportioned(frame, side, gid, share, counts, row_of)
                _formula_column(
                    sheet,
                    add_column,
                    f"{gid}_{ctx.unit_slugs[unit.id]}{side.suffix.replace('.', '_')}",
                    f"{short_group_label(gid)} in catchment: {side.label}",
                    share_letter,
                    refs,
                    f"{gid}_count",
                    engine,
                    first,
                )
    last_col = col - 1
    # A wide table: printed about 200 characters per page across, ID and name repeated.
    total_width = sum(sheet.column_widths.values())
    sheet.print = PrintSpec(
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        title_cols="A:B",
        header=ctx.header,
        pages_wide=max(1, math.ceil(total_width / 200)),
    )
    sheet.tables.append(
        TableSpec(
            "NeighbourhoodTable", f"A{HEADER_ROW}:{a1(last, last_col)}", style="TableStyleLight9"
        )
    )
    sheet.row_heights[HEADER_ROW] = 62
    for c in share_cols:
        letter = a1(1, c)[:-1]
        sheet.conditional_formats.append(
            ConditionalFormat(
                "color_scale", f"{letter}{first}:{letter}{last}", ("FFFFFF", "9ECAE1")
            )
        )
    for c, is_benefit in side_share_cols:
        letter = a1(1, c)[:-1]
        colour = "5B9BD5" if is_benefit else "ED7D31"
        sheet.conditional_formats.append(
            ConditionalFormat("data_bar", f"{letter}{first}:{letter}{last}", (colour,), 0.0, 1.0)
        )
    ctx.nb = refs
    return sheet


def _formula_column(
    sheet: SheetSpec,
    add_column,
    key: str,
    header: str,
    share_letter: str,
    refs: NeighbourhoodRefs,
    source: str,
    engine: np.ndarray,
    first: int,
) -> None:
    """A column of share x count formulas (expected: the engine's apportioned counts)."""
    source_letter = a1(1, refs.column_numbers[source])[:-1]
    values = [
        Formula(f"={share_letter}{first + i}*{source_letter}{first + i}", float(engine[i]))
        for i in range(engine.size)
    ]
    add_column(
        key,
        header,
        values,
        NumberFormats.COUNT,
        comment="Apportioned count: share in catchment x count (live formula).",
    )


def _engine_apportioned(
    frame: pd.DataFrame,
    side: ResultSide,
    field: str,
    share: np.ndarray,
    counts: np.ndarray,
    row_of: dict[str, int],
) -> np.ndarray:
    """The engine's apportioned counts where its table has them, else share x count."""
    out = share * np.nan_to_num(counts)
    column = f"{field}_in_catchment"
    if not side.suffix and column in frame:
        for ident, value in zip(
            frame["id"].astype(str), frame[column].to_numpy(dtype=float), strict=True
        ):
            if ident in row_of and np.isfinite(value):
                out[row_of[ident]] = value
    return out


def _numbers(series: pd.Series) -> list[float | int | None]:
    return [clean_number(v) for v in series.to_numpy()]


def _unique(header: str, used: list[str]) -> str:
    taken = {h.lower() for h in used}
    candidate, n = header, 2
    while candidate.lower() in taken:
        candidate = f"{header} ({n})"
        n += 1
    return candidate
