"""Wizard that imports neighbourhood polygons and their ACS (or other) attributes.

Five pages lead a planner from files to validated neighbourhoods:

1. **Files**: the polygon file (GeoPackage, Shapefile or a .zip holding one, GeoJSON,
   FlatGeobuf) with its layer when it has several, and an optional CSV / Excel attribute table.
2. **Preview**: the first rows of each file, and the id column(s) they are joined on
   (detected with :func:`~equityplanner.io.columns.find_id_column`).
3. **Columns**: one row per canonical field (``resources/fields.toml``; required ones marked
   with *), pre-filled by :func:`~equityplanner.io.columns.detect_mapping`, which the user
   can override or clear.
4. **Coordinates**: the CRS the file declares, and the CRS to assume when it declares none
   (then required).
5. **Check**: reads everything with :func:`~equityplanner.io.neighbourhoods.read_neighbourhoods`
   and lists the problem (:class:`~equityplanner.errors.InputError`) or the warnings by
   file, row and feature. Finish is enabled only once the import succeeds.
6. **Population weights** (optional, Next from the check): census blocks or any points with a
   count (:func:`~equityplanner.io.weights.peek_weights` previews them, the count column
   highlighted; :func:`~equityplanner.io.weights.read_weights` reads and sums them), for
   population-weighted catchments. :meth:`ImportWizard.result_weights` gives the choice.

Previews and small layers are read under a busy cursor; a layer of more than 20,000 features
is checked in a worker, the page reporting its progress.

Public API
----------
``ImportWizard(parent=None, *, source=None)``
    ``source`` is an optional :class:`~equityplanner.model.project.BaselineSource` to start
    from (for example to change the mapping of an existing import); its paths must be usable
    as they are, i.e. absolute (see :meth:`ProjectDocument.resolve`). Its choices belong to
    its polygon file: choosing another polygon file (another city) forgets them, and clears
    its attribute table.
``ImportWizard.result_source(*, full_mapping=False) -> BaselineSource``
    The choices, for the project file: paths as given; ``layer``, ``id_column`` and
    ``table_id_column`` only where automatic detection would not find them; ``crs`` as typed
    (or ``None``); ``mapping`` holding only the user's overrides (``{field: column}``, or
    ``{field: None}`` for a cleared field), or with ``full_mapping=True`` every canonical
    field pinned (``{"estimate": [...], "moe": [...]}`` or ``None``) so that later changes to
    the detection rules cannot change the import.
``ImportWizard.result_neighbourhoods() -> Neighbourhoods``
    The validated neighbourhoods; raises :class:`RuntimeError` before the check succeeded.

Example
-------
>>> wizard = ImportWizard(main_window)                    # doctest: +SKIP
>>> if wizard.exec() == QDialog.DialogCode.Accepted:      # doctest: +SKIP
...     baseline = wizard.result_source()
...     neighbourhoods = wizard.result_neighbourhoods()

The pages and their widgets are attributes (``files_page.polygon_edit``, ...) so that tests
and scripts can drive the wizard; they are not a stable API.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QFont,
    QPainter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from equityplanner.app.dialogs._buttons import translate_wizard_buttons
from equityplanner.errors import InputError
from equityplanner.i18n import _, format_number, format_percent, ngettext
from equityplanner.io.column_styles import carry_mapping, looks_like_rates, rate_field, style_note
from equityplanner.io.columns import (
    FieldSource,
    apply_user_mapping,
    detect_mapping,
    find_id_column,
)
from equityplanner.io.crs_checks import CrsProblem, check_file_crs, file_extent
from equityplanner.io.neighbourhoods import Neighbourhoods, read_neighbourhoods
from equityplanner.io.sources import (
    POLYGON_FORMATS,
    PREVIEW_ROWS,
    TABLE_FORMATS,
    FileFormat,
    crs_label,
    parse_crs,
    peek_polygons,
    peek_table,
    spatial_layers,
)
from equityplanner.model.fields import COUNT, field_specs
from equityplanner.model.project import BaselineSource, WeightsSource

__all__ = ["ImportWizard"]

_ERROR_COLOUR = "#b00020"
_ID_BACKGROUND = QColor("#fff3c4")
_SAMPLE_ROLE = Qt.ItemDataRole.UserRole + 7  # a combo item's first values, drawn beside it

# The texts below are functions, not constants: they are read in the language in force when
# the wizard is built (the app's choice), not in the one of the moment the module was imported.


def _not_mapped() -> str:
    return _("— not mapped —")


def _number_features() -> str:
    return _("(none: number the features 1, 2, 3 …)")


def _origin_text(origin: str) -> str:
    """How a field's column was found, when no column style names it."""
    texts = {"acs": _("ACS variables"), "name": _("column name"), "user": _("your choice")}
    return texts.get(origin, origin)


def _dialog_filter(title: str, formats: Mapping[str, FileFormat], *, all_files: bool) -> str:
    """A QFileDialog name filter: every format, then one entry per format name."""
    groups: dict[str, list[str]] = {}
    for suffix, file_format in formats.items():
        groups.setdefault(file_format.name, []).append(f"*{suffix}")
    entries = [f"{title} ({' '.join(f'*{suffix}' for suffix in formats)})"]
    entries += [f"{name} ({' '.join(patterns)})" for name, patterns in groups.items()]
    every_file = _("All files")
    return ";;".join([*entries, f"{every_file} (*)"] if all_files else entries)


def _polygon_filter() -> str:
    return _dialog_filter(_("Neighbourhood polygons"), POLYGON_FORMATS, all_files=True)


def _table_filter() -> str:
    return _dialog_filter(_("Attribute tables"), TABLE_FORMATS, all_files=False)


def _weights_filter() -> str:
    return (
        _dialog_filter(_("Blocks or points"), POLYGON_FORMATS, all_files=False)
        + ";;"
        + _dialog_filter(_("Tables of points"), TABLE_FORMATS, all_files=True)
    )


def _geometry_words() -> dict[str, str]:
    """How io.weights.peek_weights says a weights file is read, in the current language."""
    return {
        "points": _("points"),
        "internal points": _("internal points"),
        "polygons": _("polygons"),
        "longitude/latitude columns": _("longitude/latitude columns"),
        "none (join to a layer)": _("none (join to a layer)"),
    }


def _field_label(spec: Any) -> str:
    """A canonical field's label (resources/fields.toml), in the current language."""
    return _(str(spec.label))


# --- Qt-free part: the state of the import (file peeking is in equityplanner.io.sources) ----


def _source_json(source: FieldSource) -> dict[str, Any]:
    if source.rate_per is not None:
        return {"rate": source.estimate_columns[0], "per": source.rate_per}
    return {"estimate": list(source.estimate_columns), "moe": list(source.moe_columns)}


@dataclass
class _ImportState:
    """Everything chosen so far; the pages edit it, the result methods read it."""

    polygon_path: str = ""
    layers: tuple[str, ...] = ()
    layer: str = ""
    table_path: str = ""
    shapes_preview: pd.DataFrame | None = None
    table_preview: pd.DataFrame | None = None
    file_crs: str | None = None
    id_column: str | None = None
    auto_id_column: str | None = None
    table_id_column: str | None = None
    auto_table_id_column: str | None = None
    columns: tuple[str, ...] = ()
    detected: dict[str, FieldSource] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    crs_text: str = ""
    extent: tuple[tuple[float, float, float, float], int] | None = None  # bounds, features
    result: Neighbourhoods | None = None
    # From a BaselineSource given to the wizard, consumed by the first pages that use them.
    given: BaselineSource | None = None
    initial_layer: str | None = None
    initial_id_column: str | None = None
    initial_table_id_column: str | None = None
    initial_mapping: dict[str, Any] | None = None
    # The mapping of the given source once another file was chosen: offered for reuse.
    previous_mapping: dict[str, Any] | None = None
    # Population weights: the project's (given), the choice on the weights page, and the
    # points read there.
    weights: WeightsSource | None = None
    weights_choice: WeightsSource | None = None
    weights_points: Any = None

    @property
    def has_table(self) -> bool:
        return bool(self.table_path.strip())

    def leave_given(self, polygon_path: str) -> BaselineSource | None:
        """Forget the given source's choices when ``polygon_path`` is another file.

        The layer, id columns, mapping and CRS given were chosen for the given source's
        polygons; they would be wrong for another city's. Returns the source forgotten, or
        None (no source given, or the same polygon file).
        """
        given = self.given
        if given is None or _same_file(polygon_path, given.neighbourhoods):
            return None
        self.given = None
        self.initial_layer = self.initial_id_column = self.initial_table_id_column = None
        self.previous_mapping = self.initial_mapping or (
            dict(given.mapping) if given.mapping else None
        )
        self.initial_mapping = None
        if self.crs_text.strip() == (given.crs or ""):
            self.crs_text = ""
        return given

    def load_previews(self) -> None:
        """Read the first rows of the chosen files (raises InputError)."""
        shapes, crs = peek_polygons(Path(self.polygon_path), self.layer)
        table = peek_table(Path(self.table_path.strip())) if self.has_table else None
        self.shapes_preview, self.file_crs, self.table_preview = shapes, crs, table
        self.extent = file_extent(self.polygon_path, self.layer or None)
        shape_columns = list(shapes.columns)
        table_columns = list(table.columns) if table is not None else []
        # As read_neighbourhoods joins them: a table column hides a same-named polygon column.
        self.columns = tuple([c for c in shape_columns if c not in table_columns] + table_columns)
        self.auto_id_column = find_id_column(shape_columns)
        self.auto_table_id_column = find_id_column(table_columns) if table is not None else None

    def field_mapping(self) -> dict[str, FieldSource]:
        """Detected fields with the overrides applied (raises InputError)."""
        return apply_user_mapping(self.columns, self.detected, self.overrides)

    def read(self) -> Neighbourhoods:
        """Read and validate with the chosen options (raises InputError)."""
        source = self.source(full_mapping=False)
        return read_neighbourhoods(
            source.neighbourhoods,
            table=source.table,
            layer=source.layer,
            id_column=source.id_column,
            table_id_column=source.table_id_column,
            crs=source.crs,
            mapping=source.mapping or None,
        )

    def source(self, *, full_mapping: bool) -> BaselineSource:
        if full_mapping:
            mapped = self.field_mapping()
            mapping: dict[str, Any] = {
                name: _source_json(mapped[name]) if name in mapped else None
                for name in field_specs()
            }
        else:
            mapping = dict(self.overrides)
        return BaselineSource(
            neighbourhoods=self.polygon_path.strip(),
            table=self.table_path.strip() or None,
            layer=self.layer if len(self.layers) > 1 else None,
            id_column=self.id_column if self.id_column != self.auto_id_column else None,
            table_id_column=(
                self.table_id_column
                if self.has_table and self.table_id_column != self.auto_table_id_column
                else None
            ),
            crs=self.crs_text.strip() or None,
            mapping=mapping,
        )


@contextmanager
def _busy() -> Iterator[None]:
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(f"color: {_ERROR_COLOUR};")
    label.setVisible(False)
    return label


def _show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _same_file(a: str, b: str) -> bool:
    """True when two paths name the same file (compared resolved; a missing file by its path)."""
    try:
        return Path(a.strip()).resolve() == Path(b.strip()).resolve()
    except OSError:
        return a.strip() == b.strip()


# --- pages -----------------------------------------------------------------------------------


class _FilesPage(QWizardPage):
    """Page 1: the polygon file, its layer, and the optional attribute table."""

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._polygon_message = ""
        self._table_message = ""
        self.setTitle(_("Choose the neighbourhood files"))
        self.setSubTitle(
            _(
                "Neighbourhood polygons (census tracts or block groups) and, if their ACS "
                "estimates are in a separate table, that table too. Download both from "
                "data.census.gov or the Census TIGER/Line files."
            )
        )
        self.polygon_edit = QLineEdit()
        self.polygon_edit.setPlaceholderText(
            _("GeoPackage, Shapefile (.shp or .zip), GeoJSON, FlatGeobuf")
        )
        self.polygon_button = QPushButton(_("Browse…"))
        self.layer_combo = QComboBox()
        self.layer_combo.setEnabled(False)
        self.layer_combo.setToolTip(
            _("A GeoPackage or .zip can hold several layers; pick the polygons.")
        )
        self.table_edit = QLineEdit()
        self.table_edit.setPlaceholderText(_("Optional: CSV or Excel table joined on the GEOID"))
        self.table_button = QPushButton(_("Browse…"))
        self.message_label = _message_label()
        self.note_label = QLabel()  # what the page changed by itself, and why
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(False)

        polygon_row = QHBoxLayout()
        polygon_row.addWidget(self.polygon_edit)
        polygon_row.addWidget(self.polygon_button)
        table_row = QHBoxLayout()
        table_row.addWidget(self.table_edit)
        table_row.addWidget(self.table_button)
        form = QFormLayout()
        form.addRow(_("Polygon file:"), polygon_row)
        form.addRow(_("Layer:"), self.layer_combo)
        form.addRow(_("Attribute table:"), table_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.message_label)
        layout.addStretch()

        self.polygon_edit.textChanged.connect(self._on_polygon_edit_changed)
        self.table_edit.textChanged.connect(self._on_table_edit_changed)
        self.layer_combo.currentTextChanged.connect(self._on_layer_combo_changed)
        self.polygon_button.clicked.connect(self._on_polygon_button_clicked)
        self.table_button.clicked.connect(self._on_table_button_clicked)

    def isComplete(self) -> bool:
        table = self._state.table_path.strip()
        return bool(self._state.layers) and (not table or Path(table).is_file())

    def validatePage(self) -> bool:
        try:
            with _busy():
                self._state.load_previews()
        except InputError as exc:
            _show_message(self.message_label, exc.message)
            return False
        _show_message(self.message_label, "")
        return True

    def _on_polygon_button_clicked(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self, _("Neighbourhood polygons"), self.polygon_edit.text(), _polygon_filter()
        )
        if path:
            self.polygon_edit.setText(path)

    def _on_table_button_clicked(self) -> None:
        start = self.table_edit.text() or str(Path(self.polygon_edit.text()).parent)
        path, _chosen = QFileDialog.getOpenFileName(
            self, _("Attribute table"), start, _table_filter()
        )
        if path:
            self.table_edit.setText(path)

    def _on_polygon_edit_changed(self, text: str) -> None:
        state = self._state
        state.polygon_path = text
        state.layers = ()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.blockSignals(False)
        self.layer_combo.setEnabled(False)
        message = ""
        path = Path(text.strip())
        if text.strip() and path.is_file():
            try:
                with _busy():
                    state.layers = spatial_layers(path)
            except InputError as exc:
                message = exc.message
        elif text.strip():
            message = _("{path}: file not found.").format(path=text.strip())
        if state.layers:
            self._leave_given(text)
            wanted = state.initial_layer if state.initial_layer in state.layers else state.layers[0]
            state.initial_layer = None
            self.layer_combo.blockSignals(True)
            self.layer_combo.addItems(list(state.layers))
            self.layer_combo.setCurrentText(wanted)
            self.layer_combo.blockSignals(False)
            state.layer = wanted
            self.layer_combo.setEnabled(len(state.layers) > 1)
        self._polygon_message = message
        self._refresh_message()

    def _leave_given(self, polygon_path: str) -> None:
        """Another city's polygons were chosen: clear the table chosen for the given ones."""
        given = self._state.leave_given(polygon_path)
        if given is None or not given.table:
            return
        if _same_file(self.table_edit.text(), given.table):
            self.table_edit.setText("")
            self.note_label.setText(
                _(
                    "The attribute table of {old} ({table}) was cleared: choose the table of "
                    "{new}, if its estimates are in a separate one."
                ).format(
                    old=Path(given.neighbourhoods).name,
                    table=Path(given.table).name,
                    new=Path(polygon_path.strip()).name,
                )
            )
            self.note_label.setVisible(True)

    def _on_layer_combo_changed(self, text: str) -> None:
        self._state.layer = text

    def _on_table_edit_changed(self, text: str) -> None:
        self._state.table_path = text
        self.note_label.setVisible(False)
        missing = text.strip() and not Path(text.strip()).is_file()
        self._table_message = (
            _("{path}: file not found.").format(path=text.strip()) if missing else ""
        )
        self._refresh_message()

    def _refresh_message(self) -> None:
        text = " ".join(m for m in (self._polygon_message, self._table_message) if m)
        _show_message(self.message_label, text)
        self.completeChanged.emit()


def _preview_model(frame: pd.DataFrame, id_column: str | None) -> QStandardItemModel:
    model = QStandardItemModel(len(frame), len(frame.columns))
    model.setHorizontalHeaderLabels([str(column) for column in frame.columns])
    bold = QFont()
    bold.setBold(True)
    for col, column in enumerate(frame.columns):
        is_id = column == id_column
        values = frame[column].astype("string").fillna("")
        for row, value in enumerate(values):
            item = QStandardItem(str(value))
            item.setEditable(False)
            if is_id:
                item.setBackground(QBrush(_ID_BACKGROUND))
                item.setFont(bold)
            model.setItem(row, col, item)
    return model


def _first_of(candidates: list[str | None], columns: Any) -> str | None:
    """The first candidate that is a column (choices made for another file may not be)."""
    present = set(columns)
    return next((c for c in candidates if c is not None and c in present), None)


class _PreviewPage(QWizardPage):
    """Page 2: the first rows of each file and the id columns they are joined on."""

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.setTitle(_("Check the data and the id columns"))
        self.setSubTitle(
            _(
                "The first {count} rows of each file. Neighbourhoods are matched to table rows "
                "on the id columns (usually the GEOID); the id column is highlighted."
            ).format(count=format_number(PREVIEW_ROWS))
        )
        self.shapes_view = QTableView()
        self.id_combo = QComboBox()
        self.id_combo.setToolTip(_("The column holding each neighbourhood's identifier (GEOID)."))
        self.table_view = QTableView()
        self.table_id_combo = QComboBox()
        self.table_id_combo.setToolTip(_("The table column holding the same identifiers."))
        self.message_label = _message_label()
        for view in (self.shapes_view, self.table_view):
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.verticalHeader().setVisible(False)

        shapes_box = QGroupBox(_("Neighbourhood polygons"))
        shapes_form = QFormLayout()
        shapes_form.addRow(_("Id column:"), self.id_combo)
        shapes_layout = QVBoxLayout(shapes_box)
        shapes_layout.addLayout(shapes_form)
        shapes_layout.addWidget(self.shapes_view)
        self.table_box = QGroupBox(_("Attribute table"))
        table_form = QFormLayout()
        table_form.addRow(_("Id column:"), self.table_id_combo)
        table_layout = QVBoxLayout(self.table_box)
        table_layout.addLayout(table_form)
        table_layout.addWidget(self.table_view)
        layout = QVBoxLayout(self)
        layout.addWidget(shapes_box)
        layout.addWidget(self.table_box)
        layout.addWidget(self.message_label)

        self.id_combo.currentIndexChanged.connect(self._on_id_combo_changed)
        self.table_id_combo.currentIndexChanged.connect(self._on_table_id_combo_changed)

    def initializePage(self) -> None:
        state = self._state
        assert state.shapes_preview is not None
        auto = state.auto_id_column
        wanted = _first_of(
            [state.initial_id_column, state.id_column, auto], state.shapes_preview.columns
        )
        state.initial_id_column = None
        choices: list[tuple[str, str | None]] = []
        if auto is None and not state.has_table:
            choices.append((_number_features(), None))
        choices += [(column, column) for column in state.shapes_preview.columns]
        self._fill(self.id_combo, choices, wanted)
        state.id_column = self.id_combo.currentData()

        self.table_box.setVisible(state.table_preview is not None)
        if state.table_preview is not None:
            columns = list(state.table_preview.columns)
            wanted = _first_of(
                [state.initial_table_id_column, state.table_id_column, state.auto_table_id_column],
                columns,
            )
            state.initial_table_id_column = None
            self._fill(self.table_id_combo, [(c, c) for c in columns], wanted)
            state.table_id_column = self.table_id_combo.currentData()
        self._refresh()

    def isComplete(self) -> bool:
        state = self._state
        if not state.has_table:
            return True
        return state.id_column is not None and state.table_id_column is not None

    @staticmethod
    def _fill(combo: QComboBox, choices: list[tuple[str, str | None]], wanted: str | None) -> None:
        combo.blockSignals(True)
        combo.clear()
        if wanted is None and choices and choices[0][1] is not None:
            combo.addItem(_("(choose the id column)"), None)
        for text, data in choices:
            combo.addItem(text, data)
        index = combo.findData(wanted) if wanted is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _on_id_combo_changed(self, _index: int) -> None:
        self._state.id_column = self.id_combo.currentData()
        self._refresh()

    def _on_table_id_combo_changed(self, _index: int) -> None:
        self._state.table_id_column = self.table_id_combo.currentData()
        self._refresh()

    def _refresh(self) -> None:
        state = self._state
        assert state.shapes_preview is not None
        self.shapes_view.setModel(_preview_model(state.shapes_preview, state.id_column))
        if state.table_preview is not None:
            self.table_view.setModel(_preview_model(state.table_preview, state.table_id_column))
        message = ""
        if state.has_table and (state.id_column is None or state.table_id_column is None):
            message = _(
                "Choose the id column of both files: the table's rows are joined to the "
                "neighbourhoods on them."
            )
        elif state.id_column is None:
            message = _(
                "No id column was found (looked for GEOID, GEOID20, GEO_ID, FIPS …); "
                "neighbourhoods will be numbered in file order."
            )
        _show_message(self.message_label, message)
        self.completeChanged.emit()


class _SampleDelegate(QStyledItemDelegate):
    """A combo's list with each column's first values beside its name, in grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        sample = index.data(_SAMPLE_ROLE)
        if not sample:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = option.palette.highlightedText() if selected else option.palette.placeholderText()
        painter.setPen(colour.color())
        rect = option.rect.adjusted(0, 0, -8, 0)
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), sample
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        size = super().sizeHint(option, index)
        sample = index.data(_SAMPLE_ROLE)
        if sample:
            size.setWidth(size.width() + option.fontMetrics.horizontalAdvance(sample) + 24)
        return size


def _numbers(frame: pd.DataFrame | None, column: str) -> np.ndarray | None:
    if frame is None or column not in frame.columns:
        return None
    text = frame[column].astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").to_numpy("float64", na_value=np.nan)


def _sample_text(values: np.ndarray | None, count: int = 3) -> str:
    """The first few values of a column, as the wizard shows them beside a choice."""
    if values is None:
        return ""
    shown = [v for v in values if np.isfinite(v)][:count]
    return " · ".join(_short_number(float(v)) for v in shown)


def _short_number(value: float) -> str:
    """A sample value: whole, with grouping, from 100 up; else three significant digits."""
    if abs(value) >= 100 or value == round(value):
        return format_number(value)
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    text = format_number(value, digits)
    decimal = format_number(0.5, 1)[1]  # the language's decimal mark
    return text.rstrip("0").rstrip(decimal) if decimal in text else text


class _MappingPage(QWizardPage):
    """Page 3: which column(s) feed each canonical field, with their margins of error.

    Each choice shows the column's first values; a column holding a rate or percentage is
    converted with the field's universe (and said so), never taken as a count.
    """

    FIELD, SOURCE, MARGINS, ORIGIN, SAMPLE = range(5)

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._columns_shown: tuple[str, ...] | None = None
        self._combos: dict[str, QComboBox] = {}
        self._moe_combos: dict[str, QComboBox] = {}
        self._mapping: dict[str, FieldSource] = {}
        self._problem = ""
        self._notes: list[str] = []
        self.setTitle(_("Match the columns to the fields"))
        self.setSubTitle(
            _(
                "Fields marked * are required. ACS variables and the column names of GeoDa, "
                "LTDB and census files were recognised; choose another column, or “not mapped” "
                "to leave a field out. The first values of each column are shown beside it."
            )
        )
        note = QLabel(
            _(
                "Some fields add up several ACS variables (persons below the poverty level: "
                "C17002_002E + C17002_003E); their margins of error are combined too. A field "
                "without margins can be used, but its reliability cannot be rated. A column of "
                "percentages or rates (such as white_rt) is converted to counts with the "
                "field's total, never read as a count."
            )
        )
        note.setWordWrap(True)
        self.mapping_table = QTableWidget(0, 5)
        self.mapping_table.setHorizontalHeaderLabels(
            [_("Field"), _("Column(s)"), _("Margin of error"), _("Found by"), _("First values")]
        )
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.mapping_table.horizontalHeader()
        header.setSectionResizeMode(self.FIELD, QHeaderView.ResizeMode.Stretch)
        for column in (self.SOURCE, self.MARGINS, self.ORIGIN, self.SAMPLE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.reset_button = QPushButton(_("Reset to detected"))
        self.previous_button = QPushButton(_("Use the previous mapping"))
        self.previous_button.setToolTip(
            _(
                "Map the columns as the project's last import did (a column of another year, "
                "such as pop00 for pop10, is matched)."
            )
        )
        self.previous_button.setVisible(False)
        self.message_label = _message_label()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.mapping_table)
        layout.addWidget(self.note_label)
        layout.addLayout(buttons)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)

    def field_combo(self, name: str) -> QComboBox:
        """The combo choosing the column(s) of canonical field ``name``."""
        return self._combos[name]

    def margin_combo(self, name: str) -> QComboBox:
        """The combo choosing the margin-of-error column of canonical field ``name``."""
        return self._moe_combos[name]

    def initializePage(self) -> None:
        state = self._state
        self.previous_button.setVisible(bool(state.previous_mapping))
        if state.columns == self._columns_shown:
            self._recompute()
            return
        self._columns_shown = state.columns
        state.detected = detect_mapping(state.columns)
        given = state.initial_mapping
        state.initial_mapping = None
        state.overrides = dict(given) if given else {}
        self._build_rows(given or {})
        self._recompute()

    def isComplete(self) -> bool:
        return not self._problem

    # Samples -------------------------------------------------------------------------------

    def _values(self, column: str) -> np.ndarray | None:
        state = self._state
        found = _numbers(state.table_preview, column)
        return found if found is not None else _numbers(state.shapes_preview, column)

    def _raw_sample(self, column: str, count: int = 3) -> str:
        """The first few cells of a column as the file writes them."""
        state = self._state
        for frame in (state.table_preview, state.shapes_preview):
            if frame is not None and column in frame.columns:
                text = frame[column].astype("string").str.strip().dropna()
                return " · ".join(text[text.ne("")].iloc[:count].tolist())
        return ""

    def _source_values(self, source: FieldSource) -> np.ndarray | None:
        """The first rows' values of a field as it will be read (sums, converted rates)."""
        parts = [self._values(c) for c in source.estimate_columns]
        if any(p is None for p in parts) or not parts:
            return None
        values = np.sum(np.vstack([p for p in parts if p is not None]), axis=0)
        if source.rate_per is None:
            return values
        universe = field_specs()[source.field].universe
        total = self._mapping.get(universe) if universe else None
        base = self._source_values(total) if total is not None else None
        if base is None:
            return None
        per = source.rate_per or (100.0 if np.nanmax(values, initial=0.0) > 1 else 1.0)
        return values / per * base

    # Rows ----------------------------------------------------------------------------------

    def _build_rows(self, given: Mapping[str, Any]) -> None:
        specs = field_specs()
        table = self.mapping_table
        table.setRowCount(len(specs))
        self._combos.clear()
        self._moe_combos.clear()
        bold = QFont()
        bold.setBold(True)
        samples = {c: self._raw_sample(c) for c in self._state.columns}
        for row, (name, spec) in enumerate(specs.items()):
            text = _field_label(spec)
            label = QTableWidgetItem(f"{text} *" if spec.required else text)
            tip = _("{field} ({unit}) — required") if spec.required else _("{field} ({unit})")
            label.setToolTip(tip.format(field=name, unit=_(str(spec.unit))))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if spec.required:
                label.setFont(bold)
            table.setItem(row, self.FIELD, label)
            for col in (self.MARGINS, self.ORIGIN, self.SAMPLE):
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, col, item)
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setItemDelegate(_SampleDelegate(combo))
            self._fill_combo(combo, name, given, samples)
            combo.currentIndexChanged.connect(self._on_field_combo_changed)
            table.setCellWidget(row, self.SOURCE, combo)
            self._combos[name] = combo
            moe = QComboBox()
            moe.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            moe.setItemDelegate(_SampleDelegate(moe))
            moe.setToolTip(
                _(
                    "The 90% margin of error of the column (ACS …M columns, or names ending in "
                    "_moe or _error are found by themselves)."
                )
            )
            moe.addItem(_("automatic"), ("auto",))
            moe.addItem(_("none"), ("none",))
            for column in self._state.columns:
                moe.addItem(column, ("column", column))
                moe.setItemData(moe.count() - 1, samples[column], _SAMPLE_ROLE)
            self._select_given_margin(moe, given.get(name))
            moe.currentIndexChanged.connect(self._on_field_combo_changed)
            table.setCellWidget(row, self.MARGINS, moe)
            self._moe_combos[name] = moe

    @staticmethod
    def _select_given_margin(combo: QComboBox, value: Any) -> None:
        if isinstance(value, Mapping) and "moe" in value:
            margins = value.get("moe") or []
            margins = [margins] if isinstance(margins, str) else list(margins)
            if not margins:
                combo.setCurrentIndex(1)
            elif len(margins) == 1 and _find_data(combo, ("column", margins[0])) >= 0:
                combo.setCurrentIndex(_find_data(combo, ("column", margins[0])))

    def _fill_combo(
        self, combo: QComboBox, name: str, given: Mapping[str, Any], samples: Mapping[str, str]
    ) -> None:
        detected = self._state.detected.get(name)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_not_mapped(), ("none",))
        if detected is not None:
            combo.addItem(
                _("Detected: {columns}").format(columns=" + ".join(detected.estimate_columns)),
                ("detected",),
            )
            if len(detected.estimate_columns) == 1:
                combo.setItemData(1, samples.get(detected.estimate_columns[0], ""), _SAMPLE_ROLE)
        for column in self._state.columns:
            combo.addItem(column, ("column", column))
            combo.setItemData(combo.count() - 1, samples.get(column, ""), _SAMPLE_ROLE)
        metrics = combo.fontMetrics()
        widest = max(
            (
                metrics.horizontalAdvance(combo.itemText(i))
                + metrics.horizontalAdvance(str(combo.itemData(i, _SAMPLE_ROLE) or ""))
                for i in range(combo.count())
            ),
            default=0,
        )
        combo.view().setMinimumWidth(widest + 60)
        combo.setCurrentIndex(1 if detected is not None else 0)
        if name in given:
            value = given[name]
            if value is None:
                combo.setCurrentIndex(0)
            elif isinstance(value, str) and _find_data(combo, ("column", value)) >= 0:
                combo.setCurrentIndex(_find_data(combo, ("column", value)))
            else:
                combo.addItem(
                    _("From the project: {columns}").format(columns=_describe_given(value)),
                    ("given", value),
                )
                combo.setCurrentIndex(combo.count() - 1)
        combo.blockSignals(False)

    # Choices -------------------------------------------------------------------------------

    def _is_rate(self, name: str, column: str) -> bool:
        """Whether a column chosen for count field ``name`` holds a rate, by name or values."""
        spec = field_specs()[name]
        if spec.kind != COUNT:
            return False
        if rate_field(column) is not None:
            return True
        universe = self._mapping.get(spec.universe) if spec.universe else None
        base = self._source_values(universe) if universe is not None else None
        values = self._values(column)
        return values is not None and looks_like_rates(values, base)

    def _on_field_combo_changed(self, _index: int) -> None:
        overrides: dict[str, Any] = {}
        for name, combo in self._combos.items():
            choice = combo.currentData()
            detected = self._state.detected.get(name)
            moe: tuple[str, ...] = (
                self._moe_combos[name].currentData() if name in self._moe_combos else ("auto",)
            )
            value: Any = _KEEP
            if choice[0] == "none":
                value = None if detected is not None else _KEEP
            elif choice[0] == "column":
                column = choice[1]
                if self._is_rate(name, column) and field_specs()[name].universe is not None:
                    value = {"rate": column}
                elif detected is None or detected.estimate_columns != (column,):
                    value = column
            elif choice[0] == "given":
                value = choice[1]
            if moe[0] != "auto" and value is not None and not isinstance(value, Mapping):
                estimates = (
                    [value]
                    if isinstance(value, str)
                    else list(detected.estimate_columns)
                    if value is _KEEP and detected is not None
                    else list(value)
                    if isinstance(value, list)
                    else []
                )
                if estimates:
                    margins = [] if moe[0] == "none" else [moe[1]]
                    if len(margins) in (0, len(estimates)):
                        value = {"estimate": estimates, "moe": margins}
            if value is not _KEEP:
                overrides[name] = value
        self._state.overrides = overrides
        self._recompute()

    def _on_reset_button_clicked(self) -> None:
        self._build_rows({})
        self._state.overrides = {}
        self.note_label.setVisible(False)
        self._recompute()

    def _on_previous_button_clicked(self) -> None:
        previous = self._state.previous_mapping or {}
        carried, notes = carry_mapping(previous, self._state.columns)
        present = set(self._state.columns)
        usable = {
            field: value
            for field, value in carried.items()
            if field in field_specs() and all(c in present for c in _given_columns(value))
        }
        skipped = sorted(set(carried) - set(usable))
        self._build_rows(usable)
        self._state.overrides = dict(usable)
        text = []
        if notes:
            text.append(_("Read as the next vintage: {notes}.").format(notes="; ".join(notes)))
        if skipped:
            specs = field_specs()
            names = ", ".join(_field_label(specs[f]) if f in specs else f for f in skipped)
            text.append(_("Not in this file, left as detected: {fields}.").format(fields=names))
        self.note_label.setText(" ".join(text) or _("The previous mapping applies as it was."))
        self.note_label.setVisible(True)
        self._recompute()

    def _recompute(self) -> None:
        try:
            self._mapping = self._state.field_mapping()
        except InputError as exc:
            self._mapping = {}
            self._problem = exc.message
        else:
            specs = field_specs()
            required = [
                _field_label(spec)
                for name, spec in specs.items()
                if spec.required and name not in self._mapping
            ]
            self._problem = (
                ngettext(
                    "Required field not mapped: {fields}.",
                    "Required fields not mapped: {fields}.",
                    len(required),
                ).format(fields=", ".join(required))
                if required
                else ""
            )
            if not self._problem:
                self._problem = self._rate_problem()
        for row, name in enumerate(field_specs()):
            self._show_row(row, name)
        _show_message(self.message_label, self._problem)
        self.completeChanged.emit()

    def _rate_problem(self) -> str:
        """A rate mapped where it cannot be converted, or taken as a count: said, not read."""
        specs = field_specs()
        for name, source in self._mapping.items():
            spec = specs[name]
            column = source.estimate_columns[0]
            if source.rate_per is not None:
                universe = spec.universe
                if universe is None or universe not in self._mapping:
                    total = _field_label(specs[universe]) if universe else _("its total")
                    return _(
                        "{column} holds a rate or percentage of {total}, which is not mapped: "
                        "map {total} so that {field} can be converted to counts, or choose a "
                        "column of counts."
                    ).format(column=column, total=total, field=_field_label(spec))
            elif (
                spec.kind == COUNT
                and len(source.estimate_columns) == 1
                and self._is_rate(name, column)
            ):
                return _(
                    "{column} holds a rate or percentage, not a count of {unit}: choose a "
                    "column of counts for {field}."
                ).format(column=column, unit=_(str(spec.unit)), field=_field_label(spec))
        return ""

    def _show_row(self, row: int, name: str) -> None:
        table = self.mapping_table
        source = self._mapping.get(name)
        margins = table.item(row, self.MARGINS)
        origin = table.item(row, self.ORIGIN)
        sample = table.item(row, self.SAMPLE)
        moe = self._moe_combos.get(name)
        if margins is None or origin is None or sample is None:  # rows are built with them
            return
        if moe is not None:
            moe.setEnabled(
                source is not None and source.rate_per is None and len(source.estimate_columns) == 1
            )
        if source is None:
            for item in (margins, origin, sample):
                item.setText("")
            return
        if source.has_moe:
            margins.setText(" + ".join(source.moe_columns))
            margins.setToolTip(_("Margins found: reliability can be rated for this field."))
        else:
            margins.setText(_("none found"))
            margins.setToolTip(
                _("No margin-of-error column: this field's reliability cannot be rated.")
            )
        if moe is not None:
            moe.setItemText(0, _("automatic: {margins}").format(margins=margins.text()))
        if source.rate_per is not None:
            universe = field_specs()[source.field].universe
            total = _field_label(field_specs()[universe]).lower() if universe else _("its total")
            origin.setText(_("rate of {total}").format(total=total))
            origin.setToolTip(
                _(
                    "{column} holds a rate or percentage: it is converted to counts with {total}."
                ).format(column=source.estimate_columns[0], total=total)
            )
        else:
            # found_by is a column style's label (resources/column_styles.toml), or empty.
            found_by = _(source.found_by) if source.found_by else ""
            origin.setText(found_by or _origin_text(source.origin))
            note = style_note(source.found_by)
            origin.setToolTip(_(note) if note else "")
        values = self._source_values(source)
        prefix = "≈ " if source.rate_per is not None else ""
        sample.setText(prefix + _sample_text(values) if values is not None else "")


_KEEP = object()  # a choice that leaves the detected source as it is


def _given_columns(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        out: list[str] = []
        for key in ("estimate", "moe", "rate"):
            items = value.get(key) or []
            out += [items] if isinstance(items, str) else [str(i) for i in items]
        return out
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(i) for i in value]


def _find_data(combo: QComboBox, data: object) -> int:
    """Index of the item holding ``data`` (Python equality; findData compares QVariants)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == data), -1)


def _describe_given(value: Any) -> str:
    if isinstance(value, Mapping) and "rate" in value:
        return _("{column} (a rate)").format(column=value["rate"])
    if isinstance(value, Mapping):
        estimates = value.get("estimate") or []
        estimates = [estimates] if isinstance(estimates, str) else estimates
        return " + ".join(map(str, estimates))
    if isinstance(value, list | tuple):
        return " + ".join(map(str, value))
    return str(value)


class _CrsPage(QWizardPage):
    """Page 4: the CRS the file declares, and the one to assume when it declares none."""

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.setTitle(_("Coordinate reference system"))
        self.setSubTitle(
            _(
                "Distances and areas depend on knowing where the polygons are. Census "
                "TIGER/Line files use NAD83 (EPSG:4269)."
            )
        )
        self.file_crs_label = QLabel()
        self.file_crs_label.setWordWrap(True)
        self.crs_edit = QLineEdit()
        self.crs_edit.setPlaceholderText(_("e.g. EPSG:4269"))
        self.crs_edit.setToolTip(
            _(
                "The CRS to assume when the file declares none: an EPSG code such as EPSG:4269 "
                "(NAD83, TIGER/Line) or EPSG:4326 (WGS 84), or a PROJ/WKT definition."
            )
        )
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.status_label = _message_label()
        form = QFormLayout()
        form.addRow(_("Declared by the file:"), self.file_crs_label)
        form.addRow(_("Assume:"), self.crs_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.status_label)
        layout.addStretch()
        self._refused = False
        self.crs_edit.textChanged.connect(self._on_crs_edit_changed)

    def initializePage(self) -> None:
        declared = self._state.file_crs
        if declared is None:
            self.file_crs_label.setText(_("<b>none</b>"))
            self.note_label.setText(
                _(
                    "This file does not say which CRS its coordinates are in: enter it above "
                    "(required)."
                )
            )
        else:
            try:
                text = crs_label(parse_crs(declared, location="CRS"))
            except InputError:
                text = declared
            self.file_crs_label.setText(text)
            self.note_label.setText(
                _(
                    "The file's own CRS is used. A different CRS entered above replaces it only "
                    "when the file's own is implausible for its coordinates (longitude/latitude "
                    "declared as metres, say); otherwise it is ignored, with a warning on the "
                    "next page."
                )
            )
        self.crs_edit.setText(self._state.crs_text)
        self._on_crs_edit_changed(self.crs_edit.text())

    def isComplete(self) -> bool:
        text = self._state.crs_text.strip()
        if not text:
            return self._state.file_crs is not None and not self._refused
        try:
            parse_crs(text, location="CRS")
        except InputError:
            return False
        return not self._refused

    def _on_crs_edit_changed(self, text: str) -> None:
        self._state.crs_text = text
        message = ""
        self._refused = False
        typed = None
        if text.strip():
            try:
                typed = parse_crs(text, location="CRS")
            except InputError as exc:
                message = exc.message
        elif self._state.file_crs is None:
            message = _("Required: the file declares no CRS.")
        if not message:
            message, self._refused = self._plausibility(typed)
            ok = not self._refused
            if ok and typed is not None and not message:
                message = _("Recognised: {crs}").format(crs=crs_label(typed))
            self.status_label.setStyleSheet("" if ok else f"color: {_ERROR_COLOUR};")
        else:
            self.status_label.setStyleSheet(f"color: {_ERROR_COLOUR};")
        _show_message(self.status_label, message)
        self.completeChanged.emit()

    def _plausibility(self, typed: Any) -> tuple[str, bool]:
        """What the file's extent says of the CRS in use (as the reader chooses it), and
        whether the import would be refused."""
        state = self._state
        extent = state.extent
        declared = None
        if state.file_crs is not None:
            try:
                declared = parse_crs(state.file_crs, location="CRS")
            except InputError:
                declared = None
        if extent is None or (declared is None and typed is None):
            return "", False
        bounds, count = extent
        name = Path(state.polygon_path.strip()).name
        if declared is not None:
            problems = check_file_crs(bounds, declared, count)
            fatal = [p for p in problems if p.fatal]
            if not fatal or typed is None or typed.equals(declared):
                declared_text = _("the CRS the file declares")
                return _problem_text(name, problems, declared_text), bool(fatal)
            others = check_file_crs(bounds, typed, count)
            if not any(p.fatal for p in others):
                text = _("{file}: {fault}; {crs}, entered above, is used instead.").format(
                    file=name, fault=fatal[0].fault, crs=crs_label(typed)
                )
                return text + ("" if not others else " " + _problem_text(name, others, "")), False
            return _problem_text(name, others, _("the CRS entered")), True
        problems = check_file_crs(bounds, typed, count)
        return _problem_text(name, problems, _("the CRS entered")), any(p.fatal for p in problems)


def _problem_text(name: str, problems: list[CrsProblem], which: str) -> str:
    """The findings of the CRS checks as the page shows them: file, fault, fix."""
    if not problems:
        return ""
    first = problems[0]
    if which:
        text = (
            _("Refused: {file} ({which}): {fault}. {remedy}.")
            if first.fatal
            else _("Warning: {file} ({which}): {fault}. {remedy}.")
        )
    else:
        text = (
            _("Refused: {file}: {fault}. {remedy}.")
            if first.fatal
            else _("Warning: {file}: {fault}. {remedy}.")
        )
    return text.format(file=name, which=which, fault=first.fault, remedy=first.remedy)


def _read_source(progress: Any, source: BaselineSource) -> Neighbourhoods:
    """Read and validate neighbourhoods as chosen (in a worker: Qt-free)."""
    return read_neighbourhoods(
        source.neighbourhoods,
        table=source.table,
        layer=source.layer,
        id_column=source.id_column,
        table_id_column=source.table_id_column,
        crs=source.crs,
        mapping=source.mapping or None,
        progress=progress,
    )


class _CheckPage(QWizardPage):
    """Page 5: read everything and list the problems; Finish only when the import succeeds."""

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.setTitle(_("Check the import"))
        self.setSubTitle(_("The files are read with your choices and every value is checked."))
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.problems_list = QListWidget()
        self.problems_list.setWordWrap(True)
        self.recheck_button = QPushButton(_("Check again"))
        self.recheck_button.setToolTip(_("Read the files again, e.g. after correcting them."))
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.recheck_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_list)
        layout.addLayout(buttons)
        self.recheck_button.clicked.connect(self._on_recheck_button_clicked)
        self._worker: Any = None

    READ_IN_WORKER_FEATURES = 20_000  # a larger layer is read in a worker (the window answers)

    def initializePage(self) -> None:
        self.run_check()

    def cleanupPage(self) -> None:
        self._drop_worker()
        self._state.result = None
        self.problems_list.clear()

    @property
    def reading(self) -> bool:
        """True while a large layer is read in a worker."""
        return self._worker is not None

    def _drop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
        self.recheck_button.setEnabled(True)

    def isComplete(self) -> bool:
        return self._state.result is not None

    def problems(self) -> list[str]:
        """The texts listed, one per line of the list."""
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def run_check(self) -> None:
        """Read the files with the chosen options and show the outcome.

        A layer of more than ``READ_IN_WORKER_FEATURES`` features is read in a worker; the
        page says how far it got and shows the outcome when it is done (``checked``).
        """
        state = self._state
        self._drop_worker()
        state.result = None
        self.problems_list.clear()
        extent = state.extent
        if extent is not None and extent[1] > self.READ_IN_WORKER_FEATURES:
            self._read_in_worker(extent[1])
            return
        try:
            with _busy():
                result = state.read()
        except InputError as exc:
            self._show_outcome(exc)
        else:
            self._show_outcome(result)

    def _read_in_worker(self, count: int) -> None:
        from equityplanner.app.workers import Worker

        self.summary_label.setText(
            ngettext(
                "Reading {count} neighbourhood…", "Reading {count} neighbourhoods…", count
            ).format(count=format_number(count))
        )
        self.recheck_button.setEnabled(False)
        worker = Worker(
            _read_source, self._state.source(full_mapping=False), description=_("Reading")
        )
        self._worker = worker

        def current() -> bool:
            return self._worker is worker

        def progressed(fraction: float, message: str) -> None:
            if current():
                self.summary_label.setText(
                    ngettext(
                        "{step}… ({share} of {count} neighbourhood)",
                        "{step}… ({share} of {count} neighbourhoods)",
                        count,
                    ).format(
                        step=message,
                        share=format_percent(fraction, 0),
                        count=format_number(count),
                    )
                )

        def succeeded(result: Neighbourhoods) -> None:
            if current():
                self._show_outcome(result)

        def failed(exc: BaseException) -> None:
            if current():
                if not isinstance(exc, InputError):
                    exc = InputError(
                        _("could not be read ({error})").format(error=exc),
                        path=self._state.polygon_path,
                    )
                self._show_outcome(exc)

        def finished() -> None:
            if current():
                self._worker = None
                self.recheck_button.setEnabled(True)
                self.checked.emit()

        worker.signals.progressed.connect(progressed)
        worker.signals.succeeded.connect(succeeded)
        worker.signals.failed.connect(failed)
        worker.signals.finished.connect(finished)
        worker.start()
        self.completeChanged.emit()

    def _show_outcome(self, outcome: Neighbourhoods | InputError) -> None:
        state = self._state
        if isinstance(outcome, InputError):
            self.summary_label.setText(
                _(
                    "<b>The import failed.</b> Correct the file or go back and change your "
                    "choices, then check again."
                )
            )
            self._add_error(outcome)
        else:
            result = outcome
            state.result = result
            rows, fields = len(result.frame), len(result.fields)
            imported = ngettext(
                "<b>{count} neighbourhood imported</b>",
                "<b>{count} neighbourhoods imported</b>",
                rows,
            ).format(count=format_number(rows))
            with_fields = ngettext(
                "{count} field ({moe} with margins of error)",
                "{count} fields ({moe} with margins of error)",
                fields,
            ).format(count=format_number(fields), moe=format_number(len(result.moe.columns)))
            text = _("{imported} with {fields}, in {crs}.").format(
                imported=imported, fields=with_fields, crs=crs_label(result.crs)
            )
            if result.warnings:
                count = len(result.warnings)
                text += " " + ngettext(
                    "{count} warning below.", "{count} warnings below.", count
                ).format(count=format_number(count))
            self.summary_label.setText(text)
            for warning in result.warnings:
                self._add(self._short(warning), QStyle.StandardPixmap.SP_MessageBoxWarning, warning)
        self.completeChanged.emit()

    def _on_recheck_button_clicked(self) -> None:
        self.run_check()

    checked = Signal()  # a check made in a worker is done (result or problem shown)

    def _short(self, text: str) -> str:
        """File names instead of full paths (the tooltip keeps them)."""
        for path in (self._state.polygon_path.strip(), self._state.table_path.strip()):
            if path:
                text = text.replace(str(Path(path)), Path(path).name)
        return text

    def _add_error(self, exc: InputError) -> None:
        where = Path(exc.path).name if exc.path is not None else _("Input")
        self._add(f"{where}: {exc.fault}", QStyle.StandardPixmap.SP_MessageBoxCritical, exc.message)
        for part in (exc.location or "").split("; "):
            if part:
                self._add("    " + _("at {location}").format(location=part), None, exc.message)
        if exc.remedy:
            what = _("What to do: {remedy}").format(remedy=exc.remedy)
            self._add("    " + what, None, exc.message)

    def _add(self, text: str, icon: QStyle.StandardPixmap | None, tooltip: str) -> None:
        item = QListWidgetItem(text)
        if icon is not None:
            item.setIcon(self.style().standardIcon(icon))
        item.setToolTip(tooltip)
        self.problems_list.addItem(item)


class _WeightsPage(QWizardPage):
    """Page 6 (optional, after the check): where people live inside the neighbourhoods.

    Census blocks with their population, or any point layer with a count, refine how a
    neighbourhood's people are shared out to a catchment (population-weighted instead of
    area-weighted). The file is previewed with its count column highlighted, then read and
    summed; Finish is open whether or not a file is given.
    """

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._preview: Any = None
        self._auto_count: str | None = None
        self._auto_id: str | None = None
        self.setTitle(_("Population weights (optional)"))
        # The header shows two lines of subtitle; what to choose is said on the page.
        self.setSubTitle(
            _(
                "Where people live inside each neighbourhood, so that catchments take people "
                "where they live, not in proportion to area."
            )
        )
        note = QLabel(
            _(
                "Census blocks with their 2020 population (TIGER/Line "
                "tl_2020_<state>_tabblock20.zip, which carries POP20), or any points with a "
                "count (address points, parcels with dwelling units)."
            )
        )
        note.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(_("Blocks or points (GeoPackage, Shapefile, .zip, CSV)"))
        self.path_button = QPushButton(_("Browse…"))
        self.count_combo = QComboBox()
        self.count_combo.setToolTip(_("The column with the people (or homes) at each point."))
        self.id_combo = QComboBox()
        self.id_combo.setToolTip(_("The points' ids (block GEOIDs), to join a table of counts."))
        self.table_edit = QLineEdit()
        self.table_edit.setPlaceholderText(
            _("Optional: the table of counts (data.census.gov P1, GEO_ID and P1_001N)")
        )
        self.preview_view = QTableView()
        self.preview_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_view.verticalHeader().setVisible(False)
        self.read_button = QPushButton(_("Read and sum"))
        self.read_button.setToolTip(_("Read the whole layer and check its counts."))
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.message_label = _message_label()
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit)
        path_row.addWidget(self.path_button)
        form = QFormLayout()
        form.addRow(_("Weights file:"), path_row)
        form.addRow(_("Count column:"), self.count_combo)
        form.addRow(_("Id column:"), self.id_combo)
        form.addRow(_("Counts table:"), self.table_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_label, 1)
        buttons.addWidget(self.read_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.preview_view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        self.path_edit.textChanged.connect(self._on_path_changed)
        self.path_button.clicked.connect(self._on_path_button_clicked)
        self.count_combo.currentIndexChanged.connect(self._on_column_changed)
        self.id_combo.currentIndexChanged.connect(self._on_column_changed)
        self.table_edit.textChanged.connect(self._on_column_changed)
        self.read_button.clicked.connect(self.read)
        self.read_button.setEnabled(False)
        self.setFinalPage(True)

    def nextId(self) -> int:
        return -1

    def initializePage(self) -> None:
        given = self._state.weights
        if given is not None and not self.path_edit.text():
            self.path_edit.setText(given.path)

    def _on_path_button_clicked(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self, _("Population weights"), self.path_edit.text(), _weights_filter()
        )
        if path:
            self.path_edit.setText(path)

    def _on_path_changed(self, text: str) -> None:
        from equityplanner.io.weights import peek_weights

        self._preview = None
        self._state.weights_points = None
        self.summary_label.setText("")
        for combo in (self.count_combo, self.id_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        self.preview_view.setModel(None)
        path = text.strip()
        message = ""
        if path:
            try:
                with _busy():
                    self._preview = peek_weights(path)
            except InputError as exc:
                message = exc.message
        _show_message(self.message_label, message)
        preview = self._preview
        if preview is not None:
            given = self._state.weights
            same = given is not None and _same_file(path, given.path)
            self._auto_count, self._auto_id = preview.count_column, preview.id_column
            count = (given.count_column if same and given is not None else None) or self._auto_count
            ident = (given.id_column if same and given is not None else None) or self._auto_id
            self._fill(self.count_combo, preview.columns, count, _("(choose the count column)"))
            self._fill(self.id_combo, preview.columns, ident, _("(none)"))
            if same and given is not None and given.table:
                self.table_edit.setText(given.table)
            geometry = _geometry_words().get(preview.geometry, preview.geometry)
            text = (
                _("Read as {geometry}, in {crs}.").format(geometry=geometry, crs=preview.crs)
                if preview.crs
                else _("Read as {geometry}.").format(geometry=geometry)
            )
            self.summary_label.setText(
                text + " " + _("First rows below; the count column is highlighted.")
            )
        self._on_column_changed()

    @staticmethod
    def _fill(combo: QComboBox, columns: tuple[str, ...], wanted: str | None, none: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(none, None)
        for column in columns:
            combo.addItem(column, column)
        index = combo.findData(wanted) if wanted is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _on_column_changed(self, *_args: Any) -> None:
        self._state.weights_points = None
        preview = self._preview
        if preview is not None:
            self.preview_view.setModel(_preview_model(preview.rows, self.count_combo.currentData()))
            self.preview_view.resizeColumnsToContents()  # twenty rows: cheap
        has_count = preview is not None and (
            self.count_combo.currentData() is not None or bool(self.table_edit.text().strip())
        )
        self.read_button.setEnabled(has_count)
        self._state.weights_choice = self.choice()

    def choice(self) -> WeightsSource | None:
        """The weights as chosen (None when no file is given)."""
        path = self.path_edit.text().strip()
        if not path or self._preview is None:
            return None
        count = self.count_combo.currentData()
        ident = self.id_combo.currentData()
        table = self.table_edit.text().strip() or None
        return WeightsSource(
            path=path,
            count_column=count if count != self._auto_count else None,
            id_column=ident if ident != self._auto_id else None,
            table=table,
        )

    def read(self) -> None:
        """Read the whole layer with the choices and show what it holds."""
        from equityplanner.io.weights import read_weights

        source = self.choice()
        if source is None:
            return
        try:
            with _busy():
                points = read_weights(
                    source.path,
                    count_column=self.count_combo.currentData(),
                    id_column=self.id_combo.currentData(),
                    table=source.table,
                )
        except InputError as exc:
            self._state.weights_points = None
            _show_message(self.message_label, exc.message)
            self.summary_label.setText(_("<b>The weights could not be read.</b>"))
            return
        self._state.weights_points = points
        _show_message(self.message_label, "")
        text = _("<b>{points}</b>, in {crs}.").format(
            points=points.description, crs=crs_label(points.crs)
        )
        if points.warnings:
            count = len(points.warnings)
            text += " " + ngettext(
                "{count} warning: {warnings}", "{count} warnings: {warnings}", count
            ).format(count=format_number(count), warnings=" ".join(points.warnings))
        self.summary_label.setText(text)


# --- the wizard ------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """Import neighbourhood polygons and attributes; see the module docstring.

    Parameters
    ----------
    parent
        The parent widget.
    source
        Choices to start from, e.g. the project's current baseline (absolute paths).
    """

    FILES_PAGE, PREVIEW_PAGE, MAPPING_PAGE, CRS_PAGE, CHECK_PAGE, WEIGHTS_PAGE = range(6)

    def __init__(self, parent: QWidget | None = None, *, source: BaselineSource | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Import neighbourhood data"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        translate_wizard_buttons(self)
        self._state = _ImportState()
        self.files_page = _FilesPage(self._state)
        self.preview_page = _PreviewPage(self._state)
        self.mapping_page = _MappingPage(self._state)
        self.crs_page = _CrsPage(self._state)
        self.check_page = _CheckPage(self._state)
        self.weights_page = _WeightsPage(self._state)
        self.setPage(self.FILES_PAGE, self.files_page)
        self.setPage(self.PREVIEW_PAGE, self.preview_page)
        self.setPage(self.MAPPING_PAGE, self.mapping_page)
        self.setPage(self.CRS_PAGE, self.crs_page)
        self.setPage(self.CHECK_PAGE, self.check_page)
        self.setPage(self.WEIGHTS_PAGE, self.weights_page)
        self.check_page.setFinalPage(True)  # Finish there; Next goes on to the weights
        self.resize(820, 620)
        if source is not None:
            self._start_from(source)

    def result_source(self, *, full_mapping: bool = False) -> BaselineSource:
        """The choices as a :class:`BaselineSource` for the project file.

        Parameters
        ----------
        full_mapping
            ``False``: ``mapping`` holds only the user's overrides of the detected columns.
            ``True``: every canonical field, ``{"estimate": [...], "moe": [...]}`` or
            ``None``.

        Raises
        ------
        InputError
            With ``full_mapping=True``, when the current mapping is invalid.
        """
        return self._state.source(full_mapping=full_mapping)

    def result_weights(self) -> WeightsSource | None:
        """The population weights chosen on the last page, or None (area weighting).

        Only when the weights page was opened: otherwise the project's weights are kept
        (see :attr:`weights_visited`).
        """
        return self._state.weights_choice

    @property
    def weights_visited(self) -> bool:
        """True when the user went to the weights page (its choice then replaces the
        project's weights)."""
        return self.WEIGHTS_PAGE in self.visitedIds()

    def result_weights_points(self) -> Any:
        """The weights read on the last page (:class:`~equityplanner.io.weights.WeightPoints`),
        or None when they were not read."""
        return self._state.weights_points

    def result_neighbourhoods(self) -> Neighbourhoods:
        """The neighbourhoods read on the last page.

        Raises
        ------
        RuntimeError
            When the import has not been checked successfully.
        """
        if self._state.result is None:
            raise RuntimeError("the import has not succeeded yet")
        return self._state.result

    def done(self, result: int) -> None:
        self.check_page._drop_worker()  # a read still running is not wanted any more
        super().done(result)

    def start_weights_from(self, weights: WeightsSource | None) -> None:
        """The project's weights, offered again on the weights page (absolute paths)."""
        self._state.weights = weights
        self._state.weights_choice = weights

    def _start_from(self, source: BaselineSource) -> None:
        state = self._state
        state.given = source
        state.initial_layer = source.layer
        state.initial_id_column = source.id_column
        state.initial_table_id_column = source.table_id_column
        state.initial_mapping = dict(source.mapping) if source.mapping else None
        state.crs_text = source.crs or ""
        self.files_page.table_edit.setText(source.table or "")
        self.files_page.polygon_edit.setText(source.neighbourhoods)
