"""Render a :class:`~equityplanner.report.layout.WorkbookSpec` with openpyxl and save it.

The only module of equityplanner that imports openpyxl. Text is always written as text
(``data_type "s"``, with the quote prefix when it starts like a formula), styles are
registered once as NamedStyles, and saving is atomic: a temporary file in the target folder
is renamed over the target, so a failure leaves the old workbook intact.

Saving streams the cells (issue 14.5): openpyxl builds and writes everything of a sheet but
its cells (styles, column widths, merged cells, tables, conditional formats, charts, pictures,
comments, print settings, names), and the rows of each sheet are written straight into the
file as the XML openpyxl itself would write for them (inline strings, ``%.16g`` numbers,
formulas without cached values), a block of rows at a time. No openpyxl cell object is made,
so writing costs little more than the XML, and memory does not grow with the rows written.
:func:`to_openpyxl` still builds a whole in-memory openpyxl workbook, cells included.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator
from copy import copy
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.cell.cell import TIME_FORMATS
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.comments import Comment
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.drawing.fill import Blip
from openpyxl.drawing.geometry import PresetGeometry2D
from openpyxl.drawing.image import Image
from openpyxl.drawing.picture import PictureFrame
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor, SpreadsheetDrawing
from openpyxl.drawing.text import CharacterProperties, ParagraphProperties
from openpyxl.drawing.text import Font as Font_
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule, FormulaRule
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.units import pixels_to_EMU
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import RowDimension, SheetDimension
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import tostring

from equityplanner.errors import InputError, MethodError
from equityplanner.io.atomic import atomic_write
from equityplanner.report.layout import (
    FONT_NAME,
    Cell,
    ChartSpec,
    ConditionalFormat,
    Formula,
    ImageSpec,
    RangeRef,
    SheetSpec,
    StyleSpec,
    WorkbookSpec,
    a1,
    clean_number,
    clean_text,
    column_letter,
    header_words,
    quote_sheet,
)

__all__ = ["save_workbook", "to_openpyxl"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def save_workbook(spec: WorkbookSpec, path: str | Path) -> Path:
    """Write ``spec`` to ``path`` atomically, streaming each sheet's rows into the file.

    Raises
    ------
    InputError
        When the target is a folder, is open in Excel or LibreOffice (their lock file is
        present), is read-only or locked, or the folder cannot be written. The old file is
        left as it was.
    """
    target = Path(path)
    _check_target(target)
    book = _build(spec, with_cells=False)
    # openpyxl writes charts numbered in sheet order; their alt text is added to the drawings.
    chart_texts = [c.description or c.title for sheet in spec.sheets for c in sheet.charts]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            book.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            _StreamingWriter(book, archive, spec, chart_texts).write_data()

    try:
        return atomic_write(target, write)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(
            f"the workbook could not be written ({exc.strerror or exc})",
            path=target,
            remedy="Check that the file is not open and the disk is not full, then try again",
        ) from exc


_FRAME = re.compile(r"<graphicFrame>.*?</graphicFrame>", re.S)
_CHART_REF = re.compile(r'<c:chart r:id="(rId\d+)"')
_REL = re.compile(r'<Relationship [^>]*?Target="[^"]*?chart(\d+)\.xml"[^>]*?Id="(rId\d+)"')
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData></sheetData>")
_ROWS_PER_BLOCK = 2000  # rows joined into one string before being compressed into the file


def _described_drawing(xml: str, rels: str, texts: list[str]) -> str:
    """A drawing's XML with every chart frame's alt text (openpyxl cannot set a chart frame's
    description).

    Chart ``k`` (``xl/charts/chart<k>.xml``, named in the drawing's relationships) is the k-th
    chart in sheet order; its frame gets ``descr`` on its ``cNvPr``.
    """
    charts = {rid: int(k) for k, rid in _REL.findall(rels)}

    def describe(match: re.Match[str]) -> str:
        frame = match.group(0)
        found = _CHART_REF.search(frame)
        k = charts.get(found.group(1)) if found else None
        if k is None or not 1 <= k <= len(texts) or "descr=" in frame:
            return frame
        alt = xml_escape(texts[k - 1], {'"': "&quot;"})
        return re.sub(r"(<cNvPr [^>]*?)\s*/>", rf'\1 descr="{alt}" />', frame, count=1)

    return _FRAME.sub(describe, xml)


class _StreamingWriter(ExcelWriter):
    """openpyxl's own writer, but each worksheet's rows come from the spec, streamed.

    It overrides two methods of openpyxl 3.1's ``ExcelWriter`` and uses its private state
    (hence the ``Any`` views of it).
    """

    def __init__(
        self, book: Workbook, archive: zipfile.ZipFile, spec: WorkbookSpec, texts: list[str]
    ) -> None:
        super().__init__(book, archive)
        self._specs = {sheet.name: sheet for sheet in spec.sheets}
        self._texts = texts

    def write_worksheet(self, ws: Worksheet) -> None:
        sheet = self._specs[ws.title]
        state: Any = ws
        state._drawing = SpreadsheetDrawing()
        state._drawing.charts = state._charts
        state._drawing.images = state._images
        rows = _SheetRows(ws, sheet)
        writer: Any = _FrameWriter(ws, rows)
        writer.write()
        state._rels = writer._rels
        parts = _SHEET_DATA.split(writer.read(), maxsplit=1)
        if len(parts) != 2:
            raise MethodError(f"openpyxl wrote no sheetData for the sheet {sheet.name!r}")
        archive: zipfile.ZipFile = getattr(self, "_archive")  # noqa: B009 - private, not in stubs
        with archive.open(ws.path[1:], "w", force_zip64=True) as out:
            out.write(parts[0])
            out.write(b"<sheetData>")
            for block in rows.xml():
                out.write(block.encode("utf-8"))
            out.write(b"</sheetData>")
            out.write(parts[1])
        self.manifest.append(ws)

    def _write_drawing(self, drawing: Any) -> None:
        """openpyxl's, with the charts' alt text in the drawing."""
        state: Any = self
        state._drawings.append(drawing)
        drawing._id = len(state._drawings)
        for chart in drawing.charts:
            state._charts.append(chart)
            chart._id = len(state._charts)
        for img in drawing.images:
            state._images.append(img)
            img._id = len(state._images)
        xml: bytes = tostring(drawing._write())  # first: it makes the relationships
        rels: bytes = tostring(drawing._write_rels())
        if drawing.charts and self._texts:
            described = _described_drawing(xml.decode("utf-8"), rels.decode("utf-8"), self._texts)
            xml = described.encode("utf-8")
        state._archive.writestr(drawing.path[1:], xml)
        state._archive.writestr(get_rels_path(drawing.path)[1:], rels)
        self.manifest.append(drawing)


class _FrameWriter(WorksheetWriter):
    """openpyxl's worksheet writer with an empty ``sheetData``, the rows being streamed in
    its place; in memory, as the frame of a sheet is small."""

    def __init__(self, ws: Worksheet, rows: _SheetRows) -> None:
        self._rows = rows
        super().__init__(ws, out=io.BytesIO())

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(self._rows.dimension).to_tree())

    def write_rows(self) -> None:
        xf: Any = self.xf.send(True)
        with xf.element("sheetData"):
            pass
        self.xf.send(None)
        state: Any = self.ws
        state._comments = self._rows.comments()

    def cleanup(self) -> None:
        pass


class _SheetRows:
    """The rows of a sheet spec as worksheet XML, as openpyxl writes cells (openpyxl 3.1)."""

    def __init__(self, ws: Worksheet, sheet: SheetSpec) -> None:
        self.ws = ws
        self.sheet = sheet
        self._styles: dict[tuple[str | None, str | None, bool], str] = {}
        self._scratch: Any = OpenpyxlCell(ws, row=1, column=1)
        cells = sheet.cells
        if cells:
            rows = [r for r, _ in cells]
            cols = [c for _, c in cells]
            first, last = a1(min(rows), min(cols)), a1(max(rows), max(cols))
            self.dimension = first if first == last else f"{first}:{last}"
        else:
            self.dimension = "A1:A1"

    def style_id(self, style: str | None, number_format: str | None, quote: bool) -> str:
        """openpyxl's style id (index of its style array) of a named style and number format."""
        key = (style, number_format, quote)
        found = self._styles.get(key)
        if found is None:
            cell = self._scratch
            cell._style = None
            if style:
                cell.style = style
            if number_format:
                cell.number_format = number_format
            if quote:
                cell.quotePrefix = True
            found = self._styles[key] = str(cell.style_id) if cell.has_style else ""
        return found

    def comments(self) -> list[CommentRecord]:
        """The cells' comments, as openpyxl collects them while writing rows."""
        noted = sorted(position for position, cell in self.sheet.cells.items() if cell.comment)
        records = []
        for row, col in noted:
            record = CommentRecord(ref=a1(row, col), author="equityplanner")
            record.text.t = clean_text(self.sheet.cells[(row, col)].comment)
            record.width, record.height = 320, 140
            records.append(record)
        return records

    def xml(self) -> Iterator[str]:
        """The ``<row>`` elements, in blocks of rows."""
        cells = self.sheet.cells
        by_row: dict[int, list[int]] = {}
        for row, col in cells:
            found = by_row.get(row)
            if found is None:
                by_row[row] = [col]
            else:
                found.append(col)
        heights = self.sheet.row_heights
        letters: list[str] = [""]
        parts: list[str] = []
        append = parts.append
        for number, row in enumerate(sorted(by_row.keys() | heights.keys()), 1):
            if row in heights:
                attrs = dict(RowDimension(self.ws, index=row, ht=heights[row]))
                extra = "".join(f' {k}="{v}"' for k, v in attrs.items() if k != "r")
                append(f'<row r="{row}"{extra}>')
            else:
                append(f'<row r="{row}">')
            columns = by_row.get(row)
            if columns:
                columns.sort()
                while len(letters) <= columns[-1]:
                    letters.append(column_letter(len(letters)))
                for col in columns:
                    append(self._cell(f"{letters[col]}{row}", cells[(row, col)]))
            append("</row>")
            if number % _ROWS_PER_BLOCK == 0:
                yield "".join(parts)
                parts.clear()
        yield "".join(parts)

    def _cell(self, ref: str, cell: Cell) -> str:
        value = cell.value
        kind = type(value)
        if kind is float:
            if value != value or value in _INFINITE:
                return self._empty(ref, cell)
            s = self.style_id(cell.style, cell.number_format, False)
            return f'<c r="{ref}"{_s(s)} t="n"><v>{value:.16g}</v></c>'
        if kind is str:
            text = clean_text(value)
            s = self.style_id(cell.style, cell.number_format, text.startswith(_FORMULA_START))
            if not text:
                return f'<c r="{ref}"{_s(s)} t="inlineStr" />'
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            return f'<c r="{ref}"{_s(s)} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'
        if kind is Formula:
            s = self.style_id(cell.style, cell.number_format, False)
            return f'<c r="{ref}"{_s(s)}><f>{_escape(value.text[1:])}</f><v /></c>'
        if kind is bool:
            s = self.style_id(cell.style, cell.number_format, False)
            return f'<c r="{ref}"{_s(s)} t="b"><v>{int(value)}</v></c>'
        if value is None:
            return self._empty(ref, cell)
        if isinstance(value, dt.datetime | dt.date | dt.time):
            fmt = cell.number_format
            if not fmt or not is_date_format(fmt):
                fmt = TIME_FORMATS[type(value)]
            s = self.style_id(cell.style, fmt, False)
            return f'<c r="{ref}"{_s(s)} t="n"><v>{to_excel(value):.16g}</v></c>'
        number = clean_number(value)
        if number is None:
            return self._empty(ref, cell)
        s = self.style_id(cell.style, cell.number_format, False)
        return f'<c r="{ref}"{_s(s)} t="n"><v>{number:.16g}</v></c>'

    def _empty(self, ref: str, cell: Cell) -> str:
        """A cell without a value: written when it has a style or a comment (as openpyxl)."""
        s = self.style_id(cell.style, cell.number_format, False)
        return f'<c r="{ref}"{_s(s)} />' if s or cell.comment else ""


_INFINITE = (math.inf, -math.inf)


def _s(style_id: str) -> str:
    return f' s="{style_id}"' if style_id else ""


def _escape(text: str) -> str:
    """Text of an XML element, escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise InputError(
            "is a folder, not a workbook file",
            path=target,
            remedy="Give a file name ending in .xlsx",
        )
    folder = target.parent
    name = target.name
    locks = [folder / f".~lock.{name}#", folder / f"~${name}"]
    if len(name) > 2:
        locks.append(folder / f"~${name[2:]}")  # Excel shortens long names in its owner file
    if target.exists() and any(lock.exists() for lock in locks):
        raise InputError(
            "the workbook is open in Excel or LibreOffice (its lock file is present), "
            "so it was not replaced",
            path=target,
            remedy="Close it there, or choose another file name, then try again",
        )


def to_openpyxl(spec: WorkbookSpec) -> Workbook:
    """The openpyxl workbook of a spec, cells included (not saved)."""
    return _build(spec, with_cells=True)


def _build(spec: WorkbookSpec, *, with_cells: bool) -> Workbook:
    """The openpyxl workbook of a spec; without its cells' values and row heights (which
    :func:`save_workbook` streams) unless ``with_cells``."""
    book = Workbook()
    first = book.active  # a new workbook has one empty sheet; the spec brings its own
    if first is not None:
        book.remove(first)
    for key, style in spec.styles.items():
        book.add_named_style(_named_style(key, style))
    sheets: dict[str, Worksheet] = {}
    for sheet in spec.sheets:
        sheets[sheet.name] = book.create_sheet(sheet.name)
    for sheet in spec.sheets:
        _fill_sheet(sheets[sheet.name], sheet, sheets, with_cells=with_cells)
    for name in spec.defined_names:
        book.defined_names[name.name] = DefinedName(
            name.name, attr_text=f"{quote_sheet(name.sheet)}!{name.ref}"
        )
    props = spec.properties
    book.properties.title = clean_text(props.title)[:250]
    book.properties.creator = clean_text(props.creator)[:250]
    book.properties.subject = clean_text(props.subject)[:250]
    book.properties.description = clean_text(props.description)[:2000]
    book.properties.keywords = clean_text(props.keywords)[:250]
    book.properties.category = clean_text(props.category)[:250]
    book.properties.lastModifiedBy = clean_text(props.creator)[:250]
    book.calculation.fullCalcOnLoad = True  # openpyxl stores no results: compute on opening
    book.active = 0
    return book


def _named_style(key: str, s: StyleSpec) -> NamedStyle:
    style = NamedStyle(name=key)
    style.font = Font(
        name=FONT_NAME, size=s.size, bold=s.bold, italic=s.italic, color=s.colour.upper()
    )
    if s.fill:
        style.fill = PatternFill("solid", start_color=s.fill.upper(), end_color=s.fill.upper())
    style.number_format = s.number_format
    style.alignment = Alignment(
        wrap_text=s.wrap, horizontal=s.horizontal, vertical=s.vertical, indent=s.indent
    )
    if s.border_bottom or s.border_left:
        style.border = Border(
            bottom=Side(style="thin", color=s.border_bottom.upper()) if s.border_bottom else Side(),
            left=Side(style="thick", color=s.border_left.upper()) if s.border_left else Side(),
        )
    return style


def _fill_sheet(
    ws: Worksheet, sheet: SheetSpec, sheets: dict[str, Worksheet], *, with_cells: bool
) -> None:
    """Everything of a sheet spec onto its openpyxl worksheet (the cells when ``with_cells``)."""
    if with_cells:
        _fill_cells(ws, sheet)
        for row, height in sheet.row_heights.items():
            ws.row_dimensions[row].height = height
    _fill_layout(ws, sheet)
    for table in sheet.tables:
        item = Table(displayName=table.name, ref=table.ref)
        # The columns are named from the spec's header cells (openpyxl would read them from
        # the worksheet's cells, which a streamed sheet does not have).
        bounds = CellRange(table.ref)
        item.tableColumns = [
            TableColumn(id=n, name=clean_text(_header(sheet, bounds.min_row, col)))
            for n, col in enumerate(range(bounds.min_col, bounds.max_col + 1), 1)
        ]
        item.autoFilter = AutoFilter(ref=table.ref)
        item.tableStyleInfo = TableStyleInfo(
            name=table.style,
            showFirstColumn=False,
            showLastColumn=False,
            showRowStripes=table.striped_rows,
            showColumnStripes=False,
        )
        ws.add_table(item)
    for rule in sheet.conditional_formats:
        ws.conditional_formatting.add(rule.ref, _conditional_rule(rule))
    for chart in sheet.charts:
        ws.add_chart(_chart(chart, sheets), chart.anchor)
    for number, image in enumerate(sheet.images, 1):
        ws.add_image(_image(image, number))
    _page_setup(ws, sheet)


def _fill_cells(ws: Worksheet, sheet: SheetSpec) -> None:
    """Values, styles, number formats and comments."""
    # Resolving a NamedStyle by name is slow in openpyxl (it lists every style each time), so
    # the first cell of each (style, number format) is styled normally and the others copy
    # its style array, as openpyxl's own worksheet copier does.
    resolved: dict[tuple[str | None, str | None], Any] = {}
    cells = ws._cells  # openpyxl's own store: creating cells there skips ws.cell()'s lookups
    for (row, col), cell in sheet.cells.items():
        target = cells.get((row, col))
        if target is None:
            target = cells[(row, col)] = OpenpyxlCell(ws, row=row, column=col)
        if cell.style or cell.number_format:
            key = (cell.style, cell.number_format)
            template = resolved.get(key)
            if template is None:
                if cell.style:
                    target.style = cell.style
                if cell.number_format:
                    target.number_format = cell.number_format
                # openpyxl's private StyleArray (not in its stubs): copying it styles a cell
                # without re-resolving the named style, which is what keeps writing fast.
                resolved[key] = copy(target._style)  # type: ignore[union-attr]
            else:
                target._style = copy(template)  # type: ignore[union-attr]
        _set_value(target, cell.value)  # after the style: it may set the quote prefix
        if cell.comment:
            note = Comment(clean_text(cell.comment), "equityplanner")
            note.width, note.height = 320, 140
            target.comment = note


def _header(sheet: SheetSpec, row: int, col: int) -> str:
    cell = sheet.cells.get((row, col))
    return "" if cell is None or cell.value is None else str(cell.value)


def _fill_layout(ws: Worksheet, sheet: SheetSpec) -> None:
    """Column widths, grouped columns, merged cells and frozen panes."""
    for col, width in sheet.column_widths.items():
        ws.column_dimensions[column_letter(col)].width = width
    for first, last, hidden in sheet.grouped_columns:
        ws.column_dimensions.group(
            column_letter(first), column_letter(last), hidden=hidden, outline_level=1
        )
    # Ranges added as such: openpyxl's merge_cells also makes an object for every cell a
    # merge covers, which a file does not need.
    for r1, c1, r2, c2 in sheet.merges:
        ws.merged_cells.ranges.add(CellRange(min_row=r1, min_col=c1, max_row=r2, max_col=c2))
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze


def _conditional_rule(rule: ConditionalFormat) -> Any:
    """A data bar, or a colour scale between the rule's first and last colours."""
    if rule.kind == "formula":
        text, fill = (*rule.colours, "FFFFFF")[:2]
        return FormulaRule(
            formula=[rule.formula or "FALSE"],
            font=Font(color=text.upper(), bold=True),
            fill=PatternFill("solid", start_color=fill.upper(), end_color=fill.upper()),
            stopIfTrue=True,
        )
    if rule.kind == "data_bar":
        lo, hi = rule.min_value, rule.max_value
        return DataBarRule(
            start_type="num" if lo is not None else "min",
            start_value=lo,
            end_type="num" if hi is not None else "max",
            end_value=hi,
            color=rule.colours[0],
            showValue=True,
        )
    return ColorScaleRule(
        start_type="num" if rule.min_value is not None else "min",
        start_value=rule.min_value,
        start_color=rule.colours[0],
        end_type="num" if rule.max_value is not None else "max",
        end_value=rule.max_value,
        end_color=rule.colours[-1],
    )


def _set_value(target: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        target.value = value.text
    elif isinstance(value, str):
        text = clean_text(value)
        target.value = text
        target.data_type = "s"  # never a formula, whatever the text starts with
        if text.startswith(_FORMULA_START):
            target.quotePrefix = True
    elif isinstance(value, bool):
        target.value = value
    elif isinstance(value, dt.datetime | dt.date):
        target.value = value
    else:
        number = clean_number(value)
        if number is not None:
            target.value = number


def _chart(spec: ChartSpec, sheets: dict[str, Worksheet]) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if spec.horizontal else "col"
    chart.grouping = "clustered"
    chart.title = clean_text(spec.title)
    chart.y_axis.title = spec.y_title or None
    chart.x_axis.title = spec.x_title or None
    chart.y_axis.number_format = spec.y_number_format
    if spec.y_max is not None:
        chart.y_axis.scaling.min = 0.0
        chart.y_axis.scaling.max = spec.y_max
    chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    chart.x_axis.delete = False
    # The stubs say int; openpyxl takes centimetres as float.
    chart.width, chart.height = spec.width_cm, spec.height_cm  # type: ignore[assignment]
    chart.legend.position = "b"
    chart.gapWidth = 60
    _title_font(chart, 1200)
    if spec.horizontal:  # first category at the top, values along the bottom
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"
    for series_spec in spec.series:
        ref = series_spec.values
        series = Series(_reference(ref, sheets), title=clean_text(series_spec.title))
        series.graphicalProperties.solidFill = series_spec.colour
        series.graphicalProperties.line.solidFill = series_spec.colour
        chart.series.append(series)
    chart.set_categories(_reference(spec.categories, sheets))
    return chart


def _reference(ref: RangeRef, sheets: dict[str, Worksheet]) -> Reference:
    return Reference(
        sheets[ref.sheet],
        min_col=ref.min_col,
        min_row=ref.min_row,
        max_col=ref.max_col,
        max_row=ref.max_row,
    )


def _title_font(chart: BarChart, size: int) -> None:
    """Set the chart title's font (size in 1/100 pt) and name."""
    title = chart.title
    if title is None or title.tx is None or title.tx.rich is None:
        return
    for paragraph in title.tx.rich.p:
        properties = paragraph.pPr or ParagraphProperties()
        properties.defRPr = CharacterProperties(sz=size, b=True, latin=Font_(typeface=FONT_NAME))
        paragraph.pPr = properties
        for run in paragraph.r or []:
            run.rPr = CharacterProperties(sz=size, b=True, latin=Font_(typeface=FONT_NAME))


def _image(spec: ImageSpec, number: int) -> Image:
    image = Image(io.BytesIO(spec.data))
    image.width, image.height = spec.width_px, spec.height_px
    column = "".join(ch for ch in spec.anchor if ch.isalpha())
    row = int("".join(ch for ch in spec.anchor if ch.isdigit()))
    col_index = 0
    for ch in column.upper():
        col_index = col_index * 26 + (ord(ch) - 64)
    marker = AnchorMarker(col=col_index - 1, colOff=0, row=row - 1, rowOff=0)
    size = XDRPositiveSize2D(pixels_to_EMU(spec.width_px), pixels_to_EMU(spec.height_px))
    anchor = OneCellAnchor(_from=marker, ext=size)
    picture = PictureFrame()
    picture.nvPicPr.cNvPr.id = 1000 + number
    picture.nvPicPr.cNvPr.name = clean_text(spec.name) or f"Picture {number}"
    picture.nvPicPr.cNvPr.descr = clean_text(spec.description)  # alt text
    picture.blipFill.blip = Blip()
    picture.blipFill.blip.cstate = "print"
    picture.spPr.prstGeom = PresetGeometry2D(prst="rect")
    picture.spPr.ln = None
    anchor.pic = picture
    image.anchor = anchor
    return image


def _page_setup(ws: Worksheet, sheet: SheetSpec) -> None:
    spec = sheet.print
    ws.page_setup.orientation = "landscape" if spec.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER if spec.paper == "letter" else ws.PAPERSIZE_A4
    if spec.fit_width:
        ws.page_setup.fitToWidth = max(1, spec.pages_wide)
        ws.page_setup.fitToHeight = 1 if spec.fit_height else max(0, spec.pages_tall)
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if spec.title_rows:
        ws.print_title_rows = spec.title_rows
    if spec.title_cols:
        ws.print_title_cols = spec.title_cols
    if spec.area:
        ws.print_area = spec.area
    for row in sheet.row_breaks:
        ws.row_breaks.append(Break(id=row))
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    header, footer = _present(ws.oddHeader), _present(ws.oddFooter)
    parts = (
        (header.left, spec.header_left),
        (header.center, _header_text(spec.header)),
        (header.right, spec.header_right),
        (footer.left, spec.footer_left),
        (footer.center, spec.footer),
        (footer.right, spec.footer_right),
    )
    for part, text in parts:
        if text:
            part.text = text
            part.font = f"{FONT_NAME},Regular"
            part.size = 9
    ws.print_options.gridLines = False
    ws.sheet_view.showGridLines = sheet.show_gridlines
    if sheet.tab_colour:
        ws.sheet_properties.tabColor = sheet.tab_colour
    if sheet.hidden:
        ws.sheet_state = "hidden"


def _header_text(text: str) -> str:
    # "&" starts a header code in Excel: double it; the whole header holds 255 characters.
    return header_words(text)


def _present(item: HeaderFooterItem | None) -> HeaderFooterItem:
    """A worksheet's header or footer (openpyxl always makes them; its stubs allow None)."""
    if item is None:
        raise MethodError("the worksheet has no header or footer to fill in")
    return item
