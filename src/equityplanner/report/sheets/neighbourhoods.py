"""The Neighbourhoods sheet: one row per neighbourhood, the base of every live formula.

A single Excel table holds the baseline (ids, flags, counts and universes of each group)
and, for every project or scenario side, the share of each neighbourhood's area inside its
catchment and the apportioned counts (live: share x count). Each column has a workbook name
(``NB_<column>``) that the other sheets' SUMPRODUCT formulas use, so a reviewer can trace
any served share back to the rows it comes from.

A layer of more than :data:`FULL_TABLE_LIMIT` neighbourhoods (a state's block groups, a
nation's) is paged (issue 12.3): the sheet lists the neighbourhoods that touch a catchment one
by one and sums the others in a few rows, one per combination of the flags the formulas weigh
by (comparison population, income quintile, displacement risk factors and R/ECAP, median income
known), so that every formula gives what it gives over the whole layer. The sheet says so, and
where the full table is (:func:`full_table`, a CSV beside the workbook).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from equityplanner.model.fields import group_specs
from equityplanner.model.results import Assessment, ProposalResult
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

__all__ = [
    "FULL_TABLE_LIMIT",
    "SHEET_NAME",
    "NeighbourhoodRefs",
    "build_neighbourhoods",
    "full_table",
    "is_paged",
]

SHEET_NAME = "Neighbourhoods"
HEADER_ROW = 4
FULL_TABLE_LIMIT = 50_000
"""The most neighbourhoods the sheet lists one by one; a larger layer is paged."""
_SUMMED_ID = "(others {})"  # the id of a row summing neighbourhoods outside every catchment
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
    paged: bool = False  # rows summing neighbourhoods outside every catchment (a huge layer)

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


def is_paged(ctx: BookContext) -> bool:
    """True when the layer has more neighbourhoods than the sheet lists one by one."""
    limit = ctx.neighbourhood_limit
    return limit is not None and len(ctx.assessment.baseline) > limit


def build_neighbourhoods(ctx: BookContext) -> SheetSpec:
    """Lay out the Neighbourhoods sheet and record its names in ``ctx.nb``."""
    table = ctx.assessment.baseline.reset_index(drop=True)
    sheet = SheetSpec(SHEET_NAME, freeze=f"C{HEADER_ROW + 1}", tab_colour="7F7F7F")
    sheet.put(1, 1, "Neighbourhoods", "title")
    note = (
        "One row per neighbourhood of the study layer. 'Share in catchment' is the share of the "
        "neighbourhood's area inside a project's or scenario's walk catchment (0 = outside); the "
        "apportioned counts are share x count. The Indicators and Distribution sheets compute "
        "their figures from these columns with SUMPRODUCT, so changing a value here updates them."
    )
    paged = is_paged(ctx)
    if paged:
        layer = len(table)
        table, summed = _paged_table(ctx, table)
        listed = len(table) - summed
        where = (
            f"in {ctx.full_table_name}, beside this workbook"
            if ctx.full_table_name
            else "not in this workbook (equityplanner assess --xlsx writes it as a CSV file "
            "beside the workbook)"
        )
        note = (
            f"The study layer has {layer:,} neighbourhoods, more than this sheet lists one by "
            f"one ({ctx.neighbourhood_limit:,}). The {listed:,} that touch a catchment are listed; "
            f"the other {layer - listed:,} lie outside every catchment and are summed in the "
            f"{summed} rows at the bottom (ids '(others 1)' ...), one per combination of the "
            "columns the formulas weigh by (comparison population, income quintile, displacement "
            "risk factors, R/ECAP, median income known; the income of a summed row is the mean "
            "weighted by households), so every figure of the other sheets is the whole layer's. "
            f"The full table, one row per neighbourhood, is {where}. 'Share in catchment' is the "
            "share of the neighbourhood's area inside a project's or scenario's walk catchment "
            "(0 = outside); the apportioned counts are share x count."
        )
    sheet.put(2, 1, note, "note")
    sheet.merge(2, 1, 2, 12)
    refs = NeighbourhoodRefs(
        first_row=HEADER_ROW + 1, last_row=HEADER_ROW + len(table), paged=paged
    )
    columns = _Columns(ctx, sheet, refs)
    _fill_columns(columns, table)
    ctx.nb = refs
    return sheet


def full_table(assessment: Assessment) -> pd.DataFrame:
    """Every neighbourhood with the sheet's columns (headers as on the sheet, the engine's
    values for the live formulas), for the CSV beside a paged workbook."""
    scratch = BookContext(assessment=assessment, header=assessment.metadata.title)
    table = assessment.baseline.reset_index(drop=True)
    columns = _Columns(
        scratch,
        SheetSpec(SHEET_NAME),
        NeighbourhoodRefs(first_row=HEADER_ROW + 1, last_row=HEADER_ROW + len(table)),
        collected={},
    )
    _fill_columns(columns, table)
    return pd.DataFrame(columns.collected)


def _fill_columns(columns: _Columns, table: pd.DataFrame) -> None:
    """Every column of the sheet, left to right."""
    ctx = columns.ctx
    _base_columns(columns, table)
    share_cols = _group_share_columns(columns, table)
    side_share_cols: list[tuple[int, bool]] = []
    row_of = pd.Index(table["id"].astype(str))  # ids are unique: looked up at once
    for result in ctx.assessment.results:
        if not has_catchment(result):
            continue  # a fare change: no catchment
        for side in result_sides(result):
            share_col = _side_columns(columns, table, result, side, row_of)
            side_share_cols.append((share_col, side.is_benefit))
    if columns.collected is None:
        _finish(ctx, columns.sheet, columns, share_cols, side_share_cols)


def _paged_table(ctx: BookContext, table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The neighbourhoods touching a catchment, then the others summed by the flags the
    formulas weigh by; and how many summed rows there are.

    Counts and universes are summed; the median income of a summed row is the mean weighted
    by households (so that the households-weighted city average is the layer's), and a group's
    share is its summed count over its summed universe.
    """
    touched: set[str] = set()
    for result in ctx.assessment.results:
        if "id" in result.neighbourhoods:
            touched.update(result.neighbourhoods["id"].astype(str))
    ids = table["id"].astype(str)
    inside = ids.isin(touched).to_numpy()
    others = table.loc[~inside]
    keys = [
        k
        for k in ("in_comparison", "quintile", "vulnerability_score", "is_vulnerable", "is_recap")
        if k in others
    ]
    frame = others[keys].copy()
    income = "median_household_income"
    has_households = "households" in others
    if income in others:
        frame["_income_known"] = others[income].notna().to_numpy()
        keys.append("_income_known")
    summed_columns = [
        c
        for c in others.columns
        if c in ("total_population", "households") or c.endswith(("_count", "_universe"))
    ]
    for column in summed_columns:
        frame[column] = pd.to_numeric(others[column], errors="coerce").fillna(0.0)
    if income in others and has_households:
        frame["_weighted_income"] = others[income].fillna(0.0).to_numpy(dtype=float) * frame[
            "households"
        ].to_numpy(dtype=float)
    frame["_members"] = 1
    groups = frame.groupby(keys, sort=True, dropna=False).sum(numeric_only=True).reset_index()
    rows: dict[str, Any] = {}
    count = len(groups)
    rows["id"] = [_SUMMED_ID.format(n) for n in range(1, count + 1)]
    rows["name"] = [
        f"{int(m):,} neighbourhoods outside every catchment" for m in groups["_members"]
    ]
    for key in keys:
        if not key.startswith("_"):
            rows[key] = groups[key].to_numpy()
    for column in summed_columns:
        rows[column] = groups[column].to_numpy(dtype=float)
    if income in others:
        known = groups["_income_known"].to_numpy(dtype=bool)
        if has_households:
            weight = groups["households"].to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = groups["_weighted_income"].to_numpy(dtype=float) / weight
            rows[income] = np.where(known & (weight > 0), mean, np.nan)
        else:
            rows[income] = np.full(count, np.nan)
    for gid in group_specs():
        c, u = f"{gid}_count", f"{gid}_universe"
        if c in rows and u in rows and f"{gid}_share" in table:
            with np.errstate(invalid="ignore", divide="ignore"):
                rows[f"{gid}_share"] = np.where(rows[u] > 0, rows[c] / rows[u], np.nan)
    summed = pd.DataFrame(rows)
    listed = table.loc[
        inside, [c for c in table.columns if c in summed.columns or c in ("id", "name")]
    ]
    return pd.concat([listed, summed], ignore_index=True), count


@dataclass
class _Columns:
    """Adds the sheet's columns left to right, each with a workbook name ``NB_<key>``."""

    ctx: BookContext
    sheet: SheetSpec
    refs: NeighbourhoodRefs
    col: int = 1
    headers: list[str] = field(default_factory=list)
    # When a dict: the columns are collected (header -> values), not laid out (full_table).
    collected: dict[str, Any] | None = None

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
        refs.column_numbers[key] = col
        self.col += 1
        if self.collected is not None:
            self.collected[header] = values
            refs.columns[key] = key
            return col
        sheet.put(HEADER_ROW, col, header, "header", comment=comment)
        for i, value in enumerate(values):
            sheet.put(first + i, col, value, style, fmt)
        name = self.ctx.name("NB", key)
        sheet.define_name(name, first, col, last, col)
        refs.columns[key] = name
        sheet.column_widths[col] = width or max(11.0, min(16.0, len(header) * 0.55 + 2))
        return col

    def numbers(self, series: pd.Series) -> list[float | int | None] | np.ndarray:
        """A column's numbers: cell values, or for the full table the array as it is."""
        if self.collected is not None:
            return series.to_numpy()
        return _numbers(series)

    def add_formulas(
        self, key: str, header: str, share_letter: str, source: str, engine: np.ndarray
    ) -> None:
        """A column of share x count formulas (expected: the engine's apportioned counts)."""
        if self.collected is not None:  # the full table holds the engine's values
            self.add(key, header, engine, NumberFormats.COUNT)
            return
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
        if key in ("id", "name") and columns.collected is not None:
            columns.add(key, header, series.astype(str).to_numpy(), None)
        elif key in ("id", "name"):
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
            columns.add(key, header, columns.numbers(series), fmt)


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
            columns.numbers(table[f"{gid}_count"]),
            NumberFormats.COUNT,
            comment=f"{spec.label} ({spec.unit})",
        )
        columns.add(
            f"{gid}_universe",
            f"{short}: universe",
            columns.numbers(table[f"{gid}_universe"]),
            NumberFormats.COUNT,
            comment=f"The {spec.unit} the share of '{spec.label}' is taken of "
            f"({spec.denominator}).",
        )
        share_cols.append(
            columns.add(
                f"{gid}_share",
                f"{short}: share",
                columns.numbers(table[f"{gid}_share"]),
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
    row_of: pd.Index,
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


def _aligned(frame: pd.DataFrame, column: str, row_of: pd.Index, n: int) -> np.ndarray:
    """A column of a result's neighbourhood table on the sheet's rows (0 where absent)."""
    out = np.zeros(n)
    if column in frame:
        _put(out, frame, column, row_of)
    return out


def _put(out: np.ndarray, frame: pd.DataFrame, column: str, row_of: pd.Index) -> None:
    """The finite values of a result table's column onto the sheet's rows of their ids."""
    rows = row_of.get_indexer(frame["id"].astype(str))
    values = frame[column].to_numpy(dtype=float)
    found = (rows >= 0) & np.isfinite(values)
    out[rows[found]] = values[found]


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
    row_of: pd.Index,
) -> np.ndarray:
    """The engine's apportioned counts where its table has them, else share x count."""
    out = share * np.nan_to_num(counts)
    column = f"{field}_in_catchment"
    if not side.suffix and column in frame:
        _put(out, frame, column, row_of)
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
