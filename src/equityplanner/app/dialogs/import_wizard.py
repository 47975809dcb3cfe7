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

Reads run synchronously under a busy cursor: neighbourhood files are small.

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

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QStandardItem, QStandardItemModel
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
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from equityplanner.errors import InputError
from equityplanner.io.columns import (
    FieldSource,
    apply_user_mapping,
    detect_mapping,
    find_id_column,
)
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
from equityplanner.model.fields import field_specs
from equityplanner.model.project import BaselineSource

__all__ = ["ImportWizard"]

_NOT_MAPPED = "— not mapped —"
_NUMBER_FEATURES = "(none: number the features 1, 2, 3 …)"
_ORIGIN_TEXT = {"acs": "ACS variables", "name": "column name", "user": "your choice"}
_ERROR_COLOUR = "#b00020"
_ID_BACKGROUND = QColor("#fff3c4")


def _dialog_filter(title: str, formats: Mapping[str, FileFormat], *, all_files: bool) -> str:
    """A QFileDialog name filter: every format, then one entry per format name."""
    groups: dict[str, list[str]] = {}
    for suffix, file_format in formats.items():
        groups.setdefault(file_format.name, []).append(f"*{suffix}")
    entries = [f"{title} ({' '.join(f'*{suffix}' for suffix in formats)})"]
    entries += [f"{name} ({' '.join(patterns)})" for name, patterns in groups.items()]
    return ";;".join([*entries, "All files (*)"] if all_files else entries)


_POLYGON_FILTER = _dialog_filter("Neighbourhood polygons", POLYGON_FORMATS, all_files=True)
_TABLE_FILTER = _dialog_filter("Attribute tables", TABLE_FORMATS, all_files=False)


# --- Qt-free part: the state of the import (file peeking is in equityplanner.io.sources) ----


def _source_json(source: FieldSource) -> dict[str, list[str]]:
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
    result: Neighbourhoods | None = None
    # From a BaselineSource given to the wizard, consumed by the first pages that use them.
    given: BaselineSource | None = None
    initial_layer: str | None = None
    initial_id_column: str | None = None
    initial_table_id_column: str | None = None
    initial_mapping: dict[str, Any] | None = None

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
        self.initial_mapping = None
        if self.crs_text.strip() == (given.crs or ""):
            self.crs_text = ""
        return given

    def load_previews(self) -> None:
        """Read the first rows of the chosen files (raises InputError)."""
        shapes, crs = peek_polygons(Path(self.polygon_path), self.layer)
        table = peek_table(Path(self.table_path.strip())) if self.has_table else None
        self.shapes_preview, self.file_crs, self.table_preview = shapes, crs, table
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
        self.setTitle("Choose the neighbourhood files")
        self.setSubTitle(
            "Neighbourhood polygons (census tracts or block groups) and, if their ACS "
            "estimates are in a separate table, that table too. Download both from "
            "data.census.gov or the Census TIGER/Line files."
        )
        self.polygon_edit = QLineEdit()
        self.polygon_edit.setPlaceholderText(
            "GeoPackage, Shapefile (.shp or .zip), GeoJSON, FlatGeobuf"
        )
        self.polygon_button = QPushButton("Browse…")
        self.layer_combo = QComboBox()
        self.layer_combo.setEnabled(False)
        self.layer_combo.setToolTip(
            "A GeoPackage or .zip can hold several layers; pick the polygons."
        )
        self.table_edit = QLineEdit()
        self.table_edit.setPlaceholderText("Optional: CSV or Excel table joined on the GEOID")
        self.table_button = QPushButton("Browse…")
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
        form.addRow("Polygon file:", polygon_row)
        form.addRow("Layer:", self.layer_combo)
        form.addRow("Attribute table:", table_row)
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
        path, _ = QFileDialog.getOpenFileName(
            self, "Neighbourhood polygons", self.polygon_edit.text(), _POLYGON_FILTER
        )
        if path:
            self.polygon_edit.setText(path)

    def _on_table_button_clicked(self) -> None:
        start = self.table_edit.text() or str(Path(self.polygon_edit.text()).parent)
        path, _ = QFileDialog.getOpenFileName(self, "Attribute table", start, _TABLE_FILTER)
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
            message = f"{text.strip()}: file not found."
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
                f"The attribute table of {Path(given.neighbourhoods).name} "
                f"({Path(given.table).name}) was cleared: choose the table of "
                f"{Path(polygon_path.strip()).name}, if its estimates are in a separate one."
            )
            self.note_label.setVisible(True)

    def _on_layer_combo_changed(self, text: str) -> None:
        self._state.layer = text

    def _on_table_edit_changed(self, text: str) -> None:
        self._state.table_path = text
        self.note_label.setVisible(False)
        missing = text.strip() and not Path(text.strip()).is_file()
        self._table_message = f"{text.strip()}: file not found." if missing else ""
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
        self.setTitle("Check the data and the id columns")
        self.setSubTitle(
            f"The first {PREVIEW_ROWS} rows of each file. Neighbourhoods are matched to table "
            "rows on the id columns (usually the GEOID); the id column is highlighted."
        )
        self.shapes_view = QTableView()
        self.id_combo = QComboBox()
        self.id_combo.setToolTip("The column holding each neighbourhood's identifier (GEOID).")
        self.table_view = QTableView()
        self.table_id_combo = QComboBox()
        self.table_id_combo.setToolTip("The table column holding the same identifiers.")
        self.message_label = _message_label()
        for view in (self.shapes_view, self.table_view):
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.verticalHeader().setVisible(False)

        shapes_box = QGroupBox("Neighbourhood polygons")
        shapes_form = QFormLayout()
        shapes_form.addRow("Id column:", self.id_combo)
        shapes_layout = QVBoxLayout(shapes_box)
        shapes_layout.addLayout(shapes_form)
        shapes_layout.addWidget(self.shapes_view)
        self.table_box = QGroupBox("Attribute table")
        table_form = QFormLayout()
        table_form.addRow("Id column:", self.table_id_combo)
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
            choices.append((_NUMBER_FEATURES, None))
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
            combo.addItem("(choose the id column)", None)
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
            message = (
                "Choose the id column of both files: the table's rows are joined to the "
                "neighbourhoods on them."
            )
        elif state.id_column is None:
            message = (
                "No id column was found (looked for GEOID, GEOID20, GEO_ID, FIPS …); "
                "neighbourhoods will be numbered in file order."
            )
        _show_message(self.message_label, message)
        self.completeChanged.emit()


class _MappingPage(QWizardPage):
    """Page 3: which column(s) feed each canonical field."""

    FIELD, SOURCE, MARGINS, ORIGIN = range(4)

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._columns_shown: tuple[str, ...] | None = None
        self._combos: dict[str, QComboBox] = {}
        self._mapping: dict[str, FieldSource] = {}
        self._problem = ""
        self.setTitle("Match the columns to the fields")
        self.setSubTitle(
            "Fields marked * are required. ACS 5-year variables and common column names were "
            "recognised; choose another column, or “not mapped” to leave a field out."
        )
        note = QLabel(
            "Some fields add up several ACS variables (persons below the poverty level: "
            "C17002_002E + C17002_003E); their margins of error are combined too. A field "
            "without margins can be used, but its reliability cannot be rated."
        )
        note.setWordWrap(True)
        self.mapping_table = QTableWidget(0, 4)
        self.mapping_table.setHorizontalHeaderLabels(
            ["Field", "Column(s)", "Margin of error", "Found by"]
        )
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.mapping_table.horizontalHeader()
        header.setSectionResizeMode(self.FIELD, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.SOURCE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.MARGINS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.ORIGIN, QHeaderView.ResizeMode.ResizeToContents)
        self.reset_button = QPushButton("Reset to detected")
        self.message_label = _message_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.mapping_table)
        layout.addLayout(buttons)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)

    def field_combo(self, name: str) -> QComboBox:
        """The combo choosing the column(s) of canonical field ``name``."""
        return self._combos[name]

    def initializePage(self) -> None:
        state = self._state
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

    def _build_rows(self, given: Mapping[str, Any]) -> None:
        specs = field_specs()
        table = self.mapping_table
        table.setRowCount(len(specs))
        self._combos.clear()
        bold = QFont()
        bold.setBold(True)
        for row, (name, spec) in enumerate(specs.items()):
            label = QTableWidgetItem(f"{spec.label} *" if spec.required else spec.label)
            label.setToolTip(f"{name} ({spec.unit}){' — required' if spec.required else ''}")
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if spec.required:
                label.setFont(bold)
            table.setItem(row, self.FIELD, label)
            for col in (self.MARGINS, self.ORIGIN):
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, col, item)
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self._fill_combo(combo, name, given)
            combo.currentIndexChanged.connect(self._on_field_combo_changed)
            table.setCellWidget(row, self.SOURCE, combo)
            self._combos[name] = combo

    def _fill_combo(self, combo: QComboBox, name: str, given: Mapping[str, Any]) -> None:
        detected = self._state.detected.get(name)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_NOT_MAPPED, ("none",))
        if detected is not None:
            combo.addItem("Detected: " + " + ".join(detected.estimate_columns), ("detected",))
        for column in self._state.columns:
            combo.addItem(column, ("column", column))
        combo.setCurrentIndex(1 if detected is not None else 0)
        if name in given:
            value = given[name]
            if value is None:
                combo.setCurrentIndex(0)
            elif isinstance(value, str) and _find_data(combo, ("column", value)) >= 0:
                combo.setCurrentIndex(_find_data(combo, ("column", value)))
            else:
                combo.addItem(f"From the project: {_describe_given(value)}", ("given", value))
                combo.setCurrentIndex(combo.count() - 1)
        combo.blockSignals(False)

    def _on_field_combo_changed(self, _index: int) -> None:
        overrides: dict[str, Any] = {}
        for name, combo in self._combos.items():
            choice = combo.currentData()
            detected = self._state.detected.get(name)
            if choice[0] == "none" and detected is not None:
                overrides[name] = None
            elif choice[0] == "column":
                if detected is None or detected.estimate_columns != (choice[1],):
                    overrides[name] = choice[1]
            elif choice[0] == "given":
                overrides[name] = choice[1]
        self._state.overrides = overrides
        self._recompute()

    def _on_reset_button_clicked(self) -> None:
        self._build_rows({})
        self._state.overrides = {}
        self._recompute()

    def _recompute(self) -> None:
        try:
            self._mapping = self._state.field_mapping()
        except InputError as exc:
            self._mapping = {}
            self._problem = exc.message
        else:
            required = [
                spec.label
                for name, spec in field_specs().items()
                if spec.required and name not in self._mapping
            ]
            self._problem = (
                f"Required field(s) not mapped: {', '.join(required)}." if required else ""
            )
        for row, name in enumerate(field_specs()):
            source = self._mapping.get(name)
            margins = self.mapping_table.item(row, self.MARGINS)
            origin = self.mapping_table.item(row, self.ORIGIN)
            if margins is None or origin is None:  # rows are built with both cells
                continue
            if source is None:
                margins.setText("")
                origin.setText("")
                continue
            if source.has_moe:
                margins.setText(" + ".join(source.moe_columns))
                margins.setToolTip("Margins found: reliability can be rated for this field.")
            else:
                margins.setText("none found")
                margins.setToolTip(
                    "No margin-of-error column: this field's reliability cannot be rated."
                )
            origin.setText(_ORIGIN_TEXT[source.origin])
        _show_message(self.message_label, self._problem)
        self.completeChanged.emit()


def _find_data(combo: QComboBox, data: object) -> int:
    """Index of the item holding ``data`` (Python equality; findData compares QVariants)."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == data), -1)


def _describe_given(value: Any) -> str:
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
        self.setTitle("Coordinate reference system")
        self.setSubTitle(
            "Distances and areas depend on knowing where the polygons are. Census TIGER/Line "
            "files use NAD83 (EPSG:4269)."
        )
        self.file_crs_label = QLabel()
        self.file_crs_label.setWordWrap(True)
        self.crs_edit = QLineEdit()
        self.crs_edit.setPlaceholderText("e.g. EPSG:4269")
        self.crs_edit.setToolTip(
            "The CRS to assume when the file declares none: an EPSG code such as EPSG:4269 "
            "(NAD83, TIGER/Line) or EPSG:4326 (WGS 84), or a PROJ/WKT definition."
        )
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.status_label = _message_label()
        form = QFormLayout()
        form.addRow("Declared by the file:", self.file_crs_label)
        form.addRow("Assume:", self.crs_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.status_label)
        layout.addStretch()
        self.crs_edit.textChanged.connect(self._on_crs_edit_changed)

    def initializePage(self) -> None:
        declared = self._state.file_crs
        if declared is None:
            self.file_crs_label.setText("<b>none</b>")
            self.note_label.setText(
                "This file does not say which CRS its coordinates are in: enter it above "
                "(required)."
            )
        else:
            try:
                text = crs_label(parse_crs(declared, location="CRS"))
            except InputError:
                text = declared
            self.file_crs_label.setText(text)
            self.note_label.setText(
                "The file's own CRS is always used. A different CRS entered above is ignored "
                "and reported as a warning on the next page; to change it, fix the file in "
                "your GIS."
            )
        self.crs_edit.setText(self._state.crs_text)
        self._on_crs_edit_changed(self.crs_edit.text())

    def isComplete(self) -> bool:
        text = self._state.crs_text.strip()
        if not text:
            return self._state.file_crs is not None
        try:
            parse_crs(text, location="CRS")
        except InputError:
            return False
        return True

    def _on_crs_edit_changed(self, text: str) -> None:
        self._state.crs_text = text
        message = ""
        if text.strip():
            try:
                crs = parse_crs(text, location="CRS")
            except InputError as exc:
                message = exc.message
            else:
                self.status_label.setStyleSheet("")
                _show_message(self.status_label, f"Recognised: {crs_label(crs)}")
                self.completeChanged.emit()
                return
        elif self._state.file_crs is None:
            message = "Required: the file declares no CRS."
        self.status_label.setStyleSheet(f"color: {_ERROR_COLOUR};")
        _show_message(self.status_label, message)
        self.completeChanged.emit()


class _CheckPage(QWizardPage):
    """Page 5: read everything and list the problems; Finish only when the import succeeds."""

    def __init__(self, state: _ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.setTitle("Check the import")
        self.setSubTitle("The files are read with your choices and every value is checked.")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.problems_list = QListWidget()
        self.problems_list.setWordWrap(True)
        self.recheck_button = QPushButton("Check again")
        self.recheck_button.setToolTip("Read the files again, e.g. after correcting them.")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.recheck_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_list)
        layout.addLayout(buttons)
        self.recheck_button.clicked.connect(self._on_recheck_button_clicked)

    def initializePage(self) -> None:
        self.run_check()

    def cleanupPage(self) -> None:
        self._state.result = None
        self.problems_list.clear()

    def isComplete(self) -> bool:
        return self._state.result is not None

    def problems(self) -> list[str]:
        """The texts listed, one per line of the list."""
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def run_check(self) -> None:
        """Read the files with the chosen options and show the outcome."""
        state = self._state
        state.result = None
        self.problems_list.clear()
        try:
            with _busy():
                result = state.read()
        except InputError as exc:
            self.summary_label.setText(
                "<b>The import failed.</b> Correct the file or go back and change your "
                "choices, then check again."
            )
            self._add_error(exc)
        else:
            state.result = result
            with_moe = len(result.moe.columns)
            self.summary_label.setText(
                f"<b>{len(result.frame)} neighbourhoods imported</b> with "
                f"{len(result.fields)} fields ({with_moe} with margins of error), "
                f"in {crs_label(result.crs)}."
                + (f" {len(result.warnings)} warning(s) below." if result.warnings else "")
            )
            for warning in result.warnings:
                self._add(self._short(warning), QStyle.StandardPixmap.SP_MessageBoxWarning, warning)
        self.completeChanged.emit()

    def _on_recheck_button_clicked(self) -> None:
        self.run_check()

    def _short(self, text: str) -> str:
        """File names instead of full paths (the tooltip keeps them)."""
        for path in (self._state.polygon_path.strip(), self._state.table_path.strip()):
            if path:
                text = text.replace(str(Path(path)), Path(path).name)
        return text

    def _add_error(self, exc: InputError) -> None:
        where = Path(exc.path).name if exc.path is not None else "Input"
        self._add(f"{where}: {exc.fault}", QStyle.StandardPixmap.SP_MessageBoxCritical, exc.message)
        for part in (exc.location or "").split("; "):
            if part:
                self._add(f"    at {part}", None, exc.message)
        if exc.remedy:
            self._add(f"    What to do: {exc.remedy}", None, exc.message)

    def _add(self, text: str, icon: QStyle.StandardPixmap | None, tooltip: str) -> None:
        item = QListWidgetItem(text)
        if icon is not None:
            item.setIcon(self.style().standardIcon(icon))
        item.setToolTip(tooltip)
        self.problems_list.addItem(item)


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

    FILES_PAGE, PREVIEW_PAGE, MAPPING_PAGE, CRS_PAGE, CHECK_PAGE = range(5)

    def __init__(self, parent: QWidget | None = None, *, source: BaselineSource | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import neighbourhood data")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self._state = _ImportState()
        self.files_page = _FilesPage(self._state)
        self.preview_page = _PreviewPage(self._state)
        self.mapping_page = _MappingPage(self._state)
        self.crs_page = _CrsPage(self._state)
        self.check_page = _CheckPage(self._state)
        self.setPage(self.FILES_PAGE, self.files_page)
        self.setPage(self.PREVIEW_PAGE, self.preview_page)
        self.setPage(self.MAPPING_PAGE, self.mapping_page)
        self.setPage(self.CRS_PAGE, self.crs_page)
        self.setPage(self.CHECK_PAGE, self.check_page)
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
