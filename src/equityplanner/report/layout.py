"""A neutral model of a workbook: sheets of cells with semantic styles, tables, charts, images.

The sheet builders (:mod:`equityplanner.report.sheets`) produce these objects and
:mod:`equityplanner.report.writer` (the only module that imports openpyxl) renders them, as
pandas separates ``ExcelFormatter`` from its engines. Builders can be tested without Excel.

Rules the model enforces:

- a ``str`` value is always written as text, never as a formula, whatever it starts with;
  formulas exist only as :class:`Formula` objects, built by the builders from defined names
  and literals escaped with :func:`excel_string`;
- every :class:`Formula` carries the engine's value it must reproduce (``expected``), so
  tests can recalculate the workbook and compare every formula cell;
- NaN, infinities and ``None`` become empty cells, and text never reads "nan".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from equityplanner.catalog import load_resource

__all__ = [
    "FONT_NAME",
    "Cell",
    "ChartSpec",
    "ConditionalFormat",
    "DefinedNameSpec",
    "DocumentProperties",
    "Formula",
    "ImageSpec",
    "NumberFormats",
    "PrintSpec",
    "RangeRef",
    "SeriesSpec",
    "SheetSpec",
    "StyleSpec",
    "TableSpec",
    "WorkbookSpec",
    "a1",
    "autofit_rows",
    "build_styles",
    "clean_number",
    "clean_text",
    "column_letter",
    "defined_name",
    "excel_string",
    "header_words",
    "rating_style",
    "sheet_name",
]

FONT_NAME = "Calibri"  # named on every style: LibreOffice falls back to a serif font otherwise
_MAX_TEXT = 32_000  # Excel's limit is 32,767 characters per cell
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class NumberFormats:
    """Excel number formats used by the builders."""

    PCT = "0.0%"
    PCT0 = "0%"
    PCT_SIGNED = "+0.0%;-0.0%;0.0%"
    COUNT = "#,##0"
    INT = "0"
    POINTS = "+0.0;-0.0;0.0"
    POINTS_UNIT = '+0.0" pts";-0.0" pts";0.0" pts"'
    MOE_POINTS = '"±"0.0" pts"'
    MOE_COUNT = '"±"#,##0'
    MOE_RATIO = '"±"0.00'
    MOE_PCT = '"±"0.0%'
    MONEY_SIGNED = '+"$"#,##0;-"$"#,##0;"$"0'
    COUNT_SIGNED = "+#,##0;-#,##0;0"
    INDEX = "0.0"
    RATIO = "0.00"
    MONEY = '"$"#,##0'
    YES_NO = '"Yes";"Yes";"No"'
    DECIMAL = "#,##0.00"
    GENERAL = "General"
    TEXT = "@"


@dataclass(frozen=True, slots=True)
class Formula:
    """An Excel formula (``text`` starts with ``=``) and the engine value it must give.

    ``expected`` is a number, a text, or None for an empty result (``""``).
    """

    text: str
    expected: Any

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass(slots=True)
class Cell:
    """One cell: a value (text, number, bool, date or :class:`Formula`) and its look.

    Not frozen: a workbook lays out tens of thousands of cells, and a frozen dataclass's
    ``__init__`` costs several times a plain one's. Builders replace cells, they never edit
    them."""

    value: Any = None
    style: str | None = None
    number_format: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class StyleSpec:
    """A named cell style, independent of openpyxl (colours as ``rrggbb``)."""

    size: float = 11.0
    bold: bool = False
    italic: bool = False
    colour: str = "000000"
    fill: str | None = None
    number_format: str = NumberFormats.GENERAL
    wrap: bool = False
    horizontal: str | None = None
    vertical: str = "top"
    border_bottom: str | None = None  # colour of a thin bottom border
    border_left: str | None = None  # colour of a thick left border (key findings)
    indent: int = 0


@dataclass(frozen=True)
class RangeRef:
    """A block of cells of a sheet (1-based, inclusive)."""

    sheet: str
    min_col: int
    min_row: int
    max_col: int
    max_row: int

    @property
    def a1(self) -> str:
        """``$A$1:$B$9`` without the sheet."""
        first = a1(self.min_row, self.min_col, absolute=True)
        return f"{first}:{a1(self.max_row, self.max_col, absolute=True)}"

    @property
    def qualified(self) -> str:
        """``'Sheet'!$A$1:$B$9``."""
        return f"{quote_sheet(self.sheet)}!{self.a1}"


@dataclass(frozen=True)
class TableSpec:
    """An Excel table (ListObject) over ``ref`` whose first row holds unique text headers."""

    name: str
    ref: str
    style: str = "TableStyleMedium2"
    striped_rows: bool = True


@dataclass(frozen=True)
class ConditionalFormat:
    """A data bar or colour scale over ``ref`` (colours ``rrggbb``, low to high), or a
    ``formula`` rule: where ``formula`` (written for the range's top-left cell) is true, the
    cells take the text colour ``colours[0]`` on the fill ``colours[1]`` (bold). Formula
    rules colour verdicts that are themselves formulas, so the colour follows the words."""

    kind: str  # "data_bar", "color_scale" or "formula"
    ref: str
    colours: tuple[str, ...]
    min_value: float | None = None  # None: the range's minimum
    max_value: float | None = None
    formula: str | None = None


@dataclass(frozen=True)
class SeriesSpec:
    """One bar series: values, and the header cell (or text) naming it."""

    values: RangeRef
    title: str
    colour: str


@dataclass(frozen=True)
class ChartSpec:
    """A native clustered bar chart."""

    title: str
    anchor: str
    categories: RangeRef
    series: tuple[SeriesSpec, ...]
    y_title: str = ""
    x_title: str = ""
    y_number_format: str = NumberFormats.PCT0
    width_cm: float = 16.0
    height_cm: float = 7.5
    horizontal: bool = False
    description: str = ""
    y_max: float | None = None  # the value axis' end; None lets the spreadsheet choose


@dataclass(frozen=True)
class ImageSpec:
    """A PNG placed at ``anchor`` and shown at ``width_px`` x ``height_px``."""

    data: bytes
    anchor: str
    width_px: int
    height_px: int
    description: str
    name: str = "Map"


@dataclass(frozen=True)
class PrintSpec:
    """Page setup: landscape, fit to the page width, repeated title rows, header and footer.

    ``fit_height`` also fits the whole sheet on one page tall (maps); ``pages_tall`` fits
    it on that many pages tall instead; ``pages_wide`` spreads a wide table over several
    pages across; ``area`` restricts printing to a range such as ``"A1:L90"``. The header
    and footer have three parts each (left, centre, right), in Excel's header codes.
    """

    landscape: bool = True
    fit_width: bool = True
    fit_height: bool = False
    pages_wide: int = 1
    pages_tall: int = 0
    title_rows: str | None = None  # e.g. "4:4"
    title_cols: str | None = None  # e.g. "A:B", repeated on every page across
    area: str | None = None
    header: str = ""
    footer: str = "Page &P of &N"
    paper: str = "letter"
    header_left: str = ""
    header_right: str = "&A"
    footer_left: str = ""
    footer_right: str = ""


@dataclass(frozen=True)
class DefinedNameSpec:
    """A workbook-level name for a cell or range of a sheet (``ref`` like ``$A$2:$A$9``)."""

    name: str
    sheet: str
    ref: str


@dataclass
class SheetSpec:
    """One worksheet: cells, layout and the objects placed on it."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    column_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    freeze: str | None = None
    tables: list[TableSpec] = field(default_factory=list)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    images: list[ImageSpec] = field(default_factory=list)
    defined_names: list[DefinedNameSpec] = field(default_factory=list)
    grouped_columns: list[tuple[int, int, bool]] = field(
        default_factory=list
    )  # (first, last, hidden)
    row_breaks: list[int] = field(default_factory=list)  # a page break after each of these rows
    print: PrintSpec = field(default_factory=PrintSpec)
    show_gridlines: bool = True
    tab_colour: str | None = None
    hidden: bool = False  # not shown, and not printed (the council print set hides appendices)
    # (value, comparison, difference) cells whose printed difference is value less comparison
    # as printed; not written, kept for checking.
    differences: list[tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = field(
        default_factory=list
    )

    def put(
        self,
        row: int,
        col: int,
        value: Any,
        style: str | None = None,
        number_format: str | None = None,
        comment: str | None = None,
    ) -> None:
        """Set one cell (1-based)."""
        self.cells[(row, col)] = Cell(value, style, number_format, comment)

    def put_row(
        self,
        row: int,
        col: int,
        values: Iterable[Any],
        style: str | None = None,
        number_format: str | None = None,
    ) -> int:
        """Set consecutive cells of a row; returns the column after the last."""
        for value in values:
            if isinstance(value, Cell):
                self.cells[(row, col)] = value
            else:
                self.cells[(row, col)] = Cell(value, style, number_format)
            col += 1
        return col

    def merge(self, row: int, col: int, last_row: int, last_col: int) -> None:
        """Merge a block of cells (the value sits in its top-left cell)."""
        self.merges.append((row, col, last_row, last_col))

    def define_name(
        self,
        name: str,
        row: int,
        col: int,
        last_row: int | None = None,
        last_col: int | None = None,
    ) -> str:
        """Define a workbook name for a cell or block of this sheet; returns the name."""
        ref = a1(row, col, absolute=True)
        if last_row is not None:
            ref += ":" + a1(last_row, last_col if last_col is not None else col, absolute=True)
        self.defined_names.append(DefinedNameSpec(name, self.name, ref))
        return name

    def formula_cells(self) -> Iterator[tuple[tuple[int, int], Formula]]:
        """Every formula cell with its position."""
        for position, cell in self.cells.items():
            if isinstance(cell.value, Formula):
                yield position, cell.value

    @property
    def max_row(self) -> int:
        """The last row used."""
        return max((r for r, _ in self.cells), default=0)


@dataclass(frozen=True)
class DocumentProperties:
    """Core document properties."""

    title: str
    creator: str
    subject: str
    description: str = ""
    keywords: str = ""
    category: str = ""


@dataclass
class WorkbookSpec:
    """A whole workbook: sheets in order, named styles and properties."""

    sheets: list[SheetSpec]
    styles: dict[str, StyleSpec]
    properties: DocumentProperties

    def sheet(self, name: str) -> SheetSpec:
        """The sheet with this name (KeyError if absent)."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    @property
    def defined_names(self) -> list[DefinedNameSpec]:
        """The names defined by every sheet."""
        return [n for sheet in self.sheets for n in sheet.defined_names]


# ------------------------------------------------------------------------------------
# References and values


def column_letter(col: int) -> str:
    """Excel column letters of a 1-based column number.

    Examples
    --------
    >>> column_letter(1), column_letter(26), column_letter(27), column_letter(703)
    ('A', 'Z', 'AA', 'AAA')
    """
    if col < 1:
        raise ValueError(f"column numbers start at 1, not {col}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    """A1 reference of a cell (``$B$3`` when ``absolute``)."""
    dollar = "$" if absolute else ""
    return f"{dollar}{column_letter(col)}{dollar}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as used in a reference: always quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def header_words(text: str, limit: int = 100) -> str:
    """Text for a page header or footer: one line, "&" doubled (it starts a code), shortened.

    >>> header_words("Trains & buses")
    'Trains && buses'
    """
    return clean_text(text).replace("\n", " ").replace("&", "&&")[:limit]


_LITERAL_LIMIT = 250  # Excel refuses string literals longer than 255 characters in a formula


def excel_string(text: str) -> str:
    r'''A text as a string literal inside a formula (quotes doubled).

    A text longer than Excel's limit for a literal (255 characters) becomes a concatenation
    of shorter literals, in parentheses.

    Examples
    --------
    >>> print(excel_string('say "hi"'))
    "say ""hi"""
    >>> excel_string("x" * 300).count('"&"')
    1
    '''
    text = clean_text(text)
    pieces = [text[i : i + _LITERAL_LIMIT] for i in range(0, len(text), _LITERAL_LIMIT)] or [""]
    literals = ['"' + piece.replace('"', '""') + '"' for piece in pieces]
    return literals[0] if len(literals) == 1 else "(" + "&".join(literals) + ")"


def sheet_name(text: str, used: Iterable[str] = ()) -> str:
    """A valid, unused sheet name: no ``[]:*?/\\``, not blank, at most 31 characters.

    Examples
    --------
    >>> sheet_name("Scenario A/B: all?")
    'Scenario A-B- all-'
    >>> sheet_name("Summary", ["summary"])
    'Summary (2)'
    """
    name = _SHEET_FORBIDDEN.sub("-", clean_text(text)).strip().strip("'") or "Sheet"
    name = name[:31]
    taken = {u.lower() for u in used}
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = name[: 31 - len(suffix)] + suffix
        n += 1
    return candidate


def defined_name(*parts: str, used: set[str] | None = None) -> str:
    """A valid workbook name from parts (letters, digits and ``_``; unique in ``used``).

    Examples
    --------
    >>> defined_name("NB", "share", "route-14")
    'NB_share_route_14'
    """
    slug = "_".join(re.sub(r"[^0-9A-Za-z]+", "_", p).strip("_") for p in parts if p)
    slug = re.sub(r"_+", "_", slug) or "name"
    if not re.match(r"[A-Za-z_]", slug):
        slug = "_" + slug
    slug = slug[:200]
    if used is not None:
        base, n = slug, 2
        while slug.lower() in used:
            slug = f"{base}_{n}"
            n += 1
        used.add(slug.lower())
    return slug


def clean_text(value: Any) -> str:
    """Text for a cell: '' for None/NaN, control characters removed, within Excel's limit."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = str(value)
    if text.lower() in ("nan", "<na>", "none", "nat") and not isinstance(value, str):
        return ""
    text = _CONTROL.sub("", text)
    return text[:_MAX_TEXT]


def clean_number(value: Any) -> float | int | None:
    """A finite Python number, or None (NaN, infinities, None, pandas NA, text)."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        number = value.item() if hasattr(value, "item") else value
    except (ValueError, TypeError):
        return None
    if isinstance(number, bool):
        return int(number)
    if isinstance(number, int):
        return number
    try:
        number = float(number)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def text_width(values: Sequence[Any], *, minimum: float = 8.0, maximum: float = 60.0) -> float:
    """A column width (characters) that fits the longest value, within bounds."""
    longest = max((len(clean_text(v)) for v in values), default=0)
    return float(min(max(longest * 1.1 + 2, minimum), maximum))


def autofit_rows(
    sheet: SheetSpec, styles: dict[str, StyleSpec], *, line_factor: float = 1.12
) -> None:
    """Give rows holding wrapped text the height their text needs.

    Neither openpyxl nor LibreOffice sizes rows on opening, so wrapped text would overlap the
    next row. The estimate counts characters per line from the column widths (merged cells
    add up their columns) and keeps any larger height a builder set.
    """
    merged = {
        (r1, c1): sum(sheet.column_widths.get(c, 8.43) for c in range(c1, c2 + 1))
        for r1, c1, _r2, c2 in sheet.merges
        if _r2 == r1
    }
    needed: dict[int, float] = {}
    wrapped = {key for key, style in styles.items() if style.wrap}
    for (row, col), cell in sheet.cells.items():
        if cell.style not in wrapped:
            continue
        style = styles.get(cell.style or "")
        value = cell.value
        if isinstance(value, Formula):  # a formula's text: size the row for the text it gives
            value = value.expected
        if style is None or not style.wrap or not isinstance(value, str) or not value:
            continue
        width = merged.get((row, col), sheet.column_widths.get(col, 8.43))
        per_line = max(
            width * line_factor * (11.0 / style.size) * (0.92 if style.bold else 1.0), 4.0
        )
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n"))
        height = lines * style.size * 1.36 + 4
        needed[row] = max(needed.get(row, 0.0), height)
    for row, height in needed.items():
        if height > sheet.row_heights.get(row, 15.0):
            sheet.row_heights[row] = round(min(height, 409.0), 1)


# ------------------------------------------------------------------------------------
# Styles

TONES = ("beneficial", "adverse", "neutral", "caution", "info")


def rating_style(tone: str | None) -> str:
    """The style key of a rating cell of this tone (words and colour)."""
    return f"rating_{tone}" if tone in TONES else "rating_info"


def build_styles() -> dict[str, StyleSpec]:
    """The named styles of the workbook, with the tone colours of ``palettes.toml``."""
    tones = load_resource("palettes.toml")["tones"]
    dark, grey, rule = "1F3864", "595959", "8EA9C1"
    styles = {
        "title": StyleSpec(size=18, bold=True, colour=dark),
        "subtitle": StyleSpec(size=12, colour=grey, wrap=False),
        "heading": StyleSpec(size=13, bold=True, colour=dark, border_bottom=rule),
        "header": StyleSpec(
            bold=True, fill="DCE6F1", wrap=True, vertical="center", border_bottom=rule
        ),
        "label": StyleSpec(bold=True),
        "label_wrap": StyleSpec(bold=True, wrap=True),
        "row_label": StyleSpec(bold=True, wrap=True, vertical="center"),
        "text": StyleSpec(),
        "wrap": StyleSpec(wrap=True),
        "note": StyleSpec(size=10, italic=True, colour=grey, wrap=True),
        "small": StyleSpec(size=9, colour=grey),
        "number": StyleSpec(),
        "number_bold": StyleSpec(bold=True),
        "input": StyleSpec(colour="0B4F86", fill="EEF4FA"),
        "input_bold": StyleSpec(bold=True, colour="0B4F86", fill="EEF4FA"),
        "engine": StyleSpec(size=10, italic=True, colour="7F7F7F"),
        "banner": StyleSpec(bold=True, colour="9C0006", wrap=True, vertical="center"),
        "status": StyleSpec(size=12, bold=True, colour="9C0006"),
        "headline": StyleSpec(size=12, wrap=True, vertical="center"),
        "verdict": StyleSpec(bold=True, wrap=True, vertical="center"),
        "cell_wrap": StyleSpec(wrap=True, vertical="center"),
        "number_center": StyleSpec(vertical="center"),
        "check": StyleSpec(size=10, colour=grey, horizontal="center"),
        "finding": StyleSpec(wrap=True, border_left=tones["adverse"]["strong"].lstrip("#")),
        "finding_info": StyleSpec(wrap=True, border_left=tones["info"]["strong"].lstrip("#")),
    }
    for tone in TONES:
        colours = tones[tone]
        styles[rating_style(tone)] = StyleSpec(
            bold=True,
            colour=colours["text"].lstrip("#"),
            fill=colours["fill"].lstrip("#"),
            wrap=True,
            vertical="center",
        )
        styles[f"finding_{tone}"] = StyleSpec(wrap=True, border_left=colours["strong"].lstrip("#"))
    return styles
