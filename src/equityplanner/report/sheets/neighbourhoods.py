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
from typing import Any

import numpy as np
import pandas as pd

from equityplanner.model.fields import group_specs
from equityplanner.model.results import ProposalResult
from equityplanner.report.layout import (
    ConditionalFormat,
    Formula,
    NumberFormats,
    SheetSpec,
    TableSpec,
    a1,
    clean_number,
    text_width,
)
from equityplanner.report.sheets import (
    BookContext,
    ResultSide,
    has_catchment,
    page_setup,
    result_sides,
)

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
    )  # (result id, side suffix) -> name
    # (result id, side suffix) -> name of the transit-only share column of a side mixing housing and
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
    table = ctx.assessment.baseline.reset_index(drop=True)
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
    refs = NeighbourhoodRefs(first_row=HEADER_ROW + 1, last_row=HEADER_ROW + len(table))
    columns = _Columns(ctx, sheet, refs)
    _base_columns(columns, table)
    share_cols = _group_share_columns(columns, table)
    side_share_cols: list[tuple[int, bool]] = []
    row_of = {str(v): i for i, v in enumerate(table["id"].astype(str))}
    for result in ctx.assessment.results:
        if not has_catchment(result):
            continue  # a fare change: no catchment
        for side in result_sides(result):
            share_col = _side_columns(columns, table, result, side, row_of)
            side_share_cols.append((share_col, side.is_benefit))
    _finish(ctx, sheet, columns, share_cols, side_share_cols)
    ctx.nb = refs
    return sheet


@dataclass
class _Columns:
    """Adds the sheet's columns left to right, each with a workbook name ``NB_<key>``."""

    ctx: BookContext
    sheet: SheetSpec
    refs: NeighbourhoodRefs
    col: int = 1
    headers: list[str] = field(default_factory=list)

    def add(
        self,
        key: str,
        header: str,
        values: list[Any] | np.ndarray,
        fmt: str | None,
        *,
        style: str = "number",
        comment: str | None = None,
        width: float | None = None,
    ) -> int:
        """Add a column of ``values`` (one per neighbourhood); its number."""
        sheet, refs, col = self.sheet, self.refs, self.col
        first, last = refs.first_row, refs.last_row
        header = _unique(header, self.headers)
        self.headers.append(header)
        sheet.put(HEADER_ROW, col, header, "header", comment=comment)
        for i, value in enumerate(values):
            sheet.put(first + i, col, value, style, fmt)
        name = self.ctx.name("NB", key)
        sheet.define_name(name, first, col, last, col)
        refs.columns[key] = name
        refs.column_numbers[key] = col
        sheet.column_widths[col] = width or max(11.0, min(16.0, len(header) * 0.55 + 2))
        self.col += 1
        return col

    def add_formulas(
        self, key: str, header: str, share_letter: str, source: str, engine: np.ndarray
    ) -> None:
        """A column of share x count formulas (expected: the engine's apportioned counts)."""
        first = self.refs.first_row
        source_letter = a1(1, self.refs.column_numbers[source])[:-1]
        values = [
            Formula(f"={share_letter}{first + i}*{source_letter}{first + i}", float(engine[i]))
            for i in range(engine.size)
        ]
        self.add(
            key,
            header,
            values,
            NumberFormats.COUNT,
            comment="Apportioned count: share in catchment x count (live formula).",
        )


def _base_columns(columns: _Columns, table: pd.DataFrame) -> None:
    """Id, name and the canonical fields."""
    for key, header, fmt in _BASE_COLUMNS:
        if key not in table:
            continue
        series = table[key]
        if key in ("id", "name"):
            values = [str(v) for v in series]
            columns.add(
                key,
                header,
                values,
                None,
                style="text",
                width=text_width(values, minimum=10, maximum=32 if key == "name" else 18),
            )
        elif key in _FLAGS:
            columns.add(key, header, series.fillna(False).astype(bool).astype(int).tolist(), fmt)
        else:
            columns.add(key, header, _numbers(series), fmt)


def _group_share_columns(columns: _Columns, table: pd.DataFrame) -> list[int]:
    """Each group's count, universe and share; the share columns' numbers."""
    share_cols: list[int] = []
    for gid, spec in group_specs().items():
        if f"{gid}_count" not in table or f"{gid}_universe" not in table:
            continue
        columns.refs.groups.append(gid)
        short = short_group_label(gid)
        columns.add(
            f"{gid}_count",
            f"{short}: count",
            _numbers(table[f"{gid}_count"]),
            NumberFormats.COUNT,
            comment=f"{spec.label} ({spec.unit})",
        )
        columns.add(
            f"{gid}_universe",
            f"{short}: universe",
            _numbers(table[f"{gid}_universe"]),
            NumberFormats.COUNT,
            comment=f"The {spec.unit} the share of '{spec.label}' is taken of "
            f"({spec.denominator}).",
        )
        share_cols.append(
            columns.add(
                f"{gid}_share",
                f"{short}: share",
                _numbers(table[f"{gid}_share"]),
                NumberFormats.PCT,
                comment=f"{spec.label}: count / universe.",
            )
        )
    return share_cols


def _side_columns(
    columns: _Columns,
    table: pd.DataFrame,
    result: ProposalResult,
    side: ResultSide,
    row_of: dict[str, int],
) -> int:
    """A side's share in the catchment (and in the transit catchment) and the people and
    groups apportioned to it; the share column's number."""
    ctx, refs, frame = columns.ctx, columns.refs, result.neighbourhoods
    slug = ctx.result_slugs[result.id] + side.name_suffix
    share = _aligned(frame, "share_in_catchment" + side.suffix, row_of, len(table))
    share_col = columns.add(
        f"share_{slug}",
        f"Share in catchment: {side.label}",
        share.tolist(),
        NumberFormats.PCT,
        comment="Share of each neighbourhood's area inside the catchment of "
        f"{side.label} ({side.effect}).",
        width=14,
    )
    refs.side_share[(result.id, side.suffix)] = refs.columns[f"share_{slug}"]
    transit_column = "share_in_transit_catchment" + side.suffix
    if transit_column in frame:
        columns.add(
            f"transit_share_{slug}",
            f"Share in transit catchment: {side.label}",
            _aligned(frame, transit_column, row_of, len(table)).tolist(),
            NumberFormats.PCT,
            comment="Share inside the catchment of the transit projects alone, on which "
            "the Title VI tests are measured.",
            width=14,
        )
        refs.transit_share[(result.id, side.suffix)] = refs.columns[f"transit_share_{slug}"]
    share_letter = a1(refs.first_row, share_col).rstrip("0123456789")
    population = table["total_population"].fillna(0).to_numpy(dtype=float)
    columns.add_formulas(
        f"people_{slug}",
        f"People in catchment: {side.label}",
        share_letter,
        "total_population",
        _engine_apportioned(frame, side, "total_population", share, population, row_of),
    )
    for gid in _APPORTIONED_GROUPS:
        if not refs.has_group(gid):
            continue
        counts = table[f"{gid}_count"].fillna(0).to_numpy(dtype=float)
        columns.add_formulas(
            f"{gid}_{slug}",
            f"{short_group_label(gid)} in catchment: {side.label}",
            share_letter,
            f"{gid}_count",
            _engine_apportioned(frame, side, gid, share, counts, row_of),
        )
    return share_col


def _aligned(frame: pd.DataFrame, column: str, row_of: dict[str, int], n: int) -> np.ndarray:
    """A column of a result's neighbourhood table on the sheet's rows (0 where absent)."""
    out = np.zeros(n)
    if column in frame:
        for ident, value in zip(
            frame["id"].astype(str), frame[column].to_numpy(dtype=float), strict=True
        ):
            if ident in row_of and np.isfinite(value):
                out[row_of[ident]] = value
    return out


def _finish(
    ctx: BookContext,
    sheet: SheetSpec,
    columns: _Columns,
    share_cols: list[int],
    side_share_cols: list[tuple[int, bool]],
) -> None:
    """Printing, the table style and the colour scales and data bars of the shares."""
    first, last, last_col = columns.refs.first_row, columns.refs.last_row, columns.col - 1
    # A wide table: printed about 200 characters per page across, ID and name repeated.
    total_width = sum(sheet.column_widths.values())
    page_setup(
        ctx,
        sheet,
        "Neighbourhoods (data)",
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        title_cols="A:B",
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
    """The column's finite numbers (None for NaN, infinities and text), vectorised."""
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return [clean_number(v) for v in series.to_numpy()]
    finite = np.isfinite(values)
    whole = pd.api.types.is_integer_dtype(series.dtype)
    numbers: list[float | int | None] = (
        values.astype(np.int64).tolist() if whole and finite.all() else values.tolist()
    )
    if not finite.all():
        for i in np.flatnonzero(~finite):
            numbers[i] = None
    return numbers


def _unique(header: str, used: list[str]) -> str:
    taken = {h.lower() for h in used}
    candidate, n = header, 2
    while candidate.lower() in taken:
        candidate = f"{header} ({n})"
        n += 1
    return candidate
