"""The neighbourhood table: one row per neighbourhood of the layer shown, filtered and sorted.

:class:`NeighbourhoodPanel` observes the application state: its rows are those of
:meth:`~equityplanner.app.state.AppState.neighbourhood_table` (so always the layer's), its
columns follow the selected result and the map field, and its current row is the selected
neighbourhood. Choosing a row selects that neighbourhood in the state (and so on the map).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from equityplanner import i18n
from equityplanner.app.presentation import neighbourhood_columns
from equityplanner.app.state import AppState, Change
from equityplanner.app.table_models import NeighbourhoodFilterModel, NeighbourhoodTableModel
from equityplanner.i18n import _

__all__ = ["NeighbourhoodPanel"]

_MAX_COLUMN_WIDTH = 260
_SAMPLE_ROWS = 60  # rows measured for the column widths (with the longest texts)
# The column a fresh run sorts by (largest first): the neighbourhoods the run is about.
_RUN_SORT_KEY = "total_population_in_catchment"


class NeighbourhoodPanel(QWidget):
    """Filter box, row count and the table of neighbourhoods of ``state``."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model = NeighbourhoodTableModel(self)
        self.proxy = NeighbourhoodFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setObjectName("neighbourhoodTable")
        self.view.setAccessibleName(_("Neighbourhood table"))
        self.view.setModel(self.proxy)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)  # starts in layer order; a header click sorts
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setHighlightSections(False)
        # Rows of one height, known in advance: no row is measured (240,000 rows scroll).
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(_("Filter by id or name…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(_("Filter neighbourhoods"))
        self.filter_edit.setToolTip(
            _("Show only neighbourhoods whose id or name contains this text")
        )
        self.count_label = QLabel()
        # The column sorted by, as a key: kept while another table lacks it, so that the sort
        # comes back with the column (after an undo) and never moves to another column.
        self._sort_key: str | None = None
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.proxy.filtered.connect(self._show_count)
        self.view.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_changed)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        state.changed.connect(self._on_state_changed)

    def _on_state_changed(self, change: Change) -> None:
        if change & (Change.BASELINE | Change.ASSESSMENT | Change.UNIT | Change.MAP_FIELD):
            self._fill()
        if change & Change.ASSESSMENT and self.state.assessment is not None:
            column = self.model.column_of(_RUN_SORT_KEY)
            if self._sort_key is None and column >= 0:
                # Open on the neighbourhoods the run is about; a header click sorts otherwise.
                self.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        if change & Change.ROW:
            self._show_row(self.state.selection.row)

    def _fill(self) -> None:
        """Columns of the table shown, keeping the sort column and the selected row."""
        state = self.state
        table, baseline = state.neighbourhood_table(), state.baseline
        self._filling = True
        try:
            if table is None or baseline is None:
                self.model.set_columns([])
            else:
                self.model.set_columns(
                    neighbourhood_columns(
                        table,
                        areas_km2=baseline.layer.areas_km2,
                        result=state.layer_result(),
                        map_field=state.map_field,
                    )
                )
            column = self.model.column_of(self._sort_key) if self._sort_key else -1
            if column >= 0:
                self.view.sortByColumn(column, self._sort_order)
            else:  # not sorted, or its column is gone (another layer): the layer's order
                self.view.horizontalHeader().setSortIndicator(-1, self._sort_order)
                self.proxy.sort(-1)
        finally:
            self._filling = False
        if table is None:
            self.count_label.setText("")
            return
        self._fit_columns()
        self._show_count()
        self._show_row(state.selection.row)

    def _fit_columns(self) -> None:
        """Column widths from the header and a sample of rows, not every cell.

        ``resizeColumnsToContents`` formats every cell of every column (0.8 s for the
        sample's 13 x 180 table, minutes for 240,000 rows); a header and a spread of rows,
        the longest values included, give the same widths for a fraction of that.
        """
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader().fontMetrics()
        rows = self.model.rowCount()
        sample = np.unique(
            np.linspace(0, max(rows - 1, 0), num=min(rows, _SAMPLE_ROWS)).astype(int)
        )
        for c, column in enumerate(self.model.columns()):
            picks = sample
            if column.kind == "text" and rows:
                # The longest of a few thousand rows (all of a small table).
                spread = np.unique(np.linspace(0, rows - 1, num=min(rows, 4000)).astype(int))
                lengths = np.char.str_len(np.asarray(column.values[spread], dtype=str))
                picks = np.union1d(sample, spread[np.argsort(lengths)[-5:]])
            width = header.horizontalAdvance(column.label) + 28  # the sort arrow
            for row in picks:
                text = self.model.data(self.model.index(int(row), c))
                width = max(width, metrics.horizontalAdvance(str(text or "")) + 14)
            self.view.setColumnWidth(c, min(width, _MAX_COLUMN_WIDTH))

    def _show_count(self) -> None:
        self.count_label.setText(
            _("{shown} of {total}").format(
                shown=i18n.format_number(self.proxy.rowCount()),
                total=i18n.format_number(self.model.rowCount()),
            )
        )

    def _show_row(self, row: int) -> None:
        """Make layer row ``row`` current (-1 clears), without telling the state again."""
        if row < 0:
            self.view.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            selection = self.view.selectionModel()
            selection.blockSignals(True)
            self.view.setCurrentIndex(index)
            self.view.selectRow(index.row())
            selection.blockSignals(False)
            self.view.scrollTo(index)

    def _on_sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        if self._filling:  # the table re-sorting itself, not the user choosing
            return
        columns = self.model.columns()
        self._sort_key = columns[section].key if 0 <= section < len(columns) else None
        self._sort_order = order

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._show_count()

    def _on_current_row_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: object
    ) -> None:
        if current.isValid():
            self.state.select_row(self.proxy.mapToSource(current).row())
