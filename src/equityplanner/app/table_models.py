"""Item models adapting Qt-free tables: the neighbourhood table and its sort/filter proxy."""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from equityplanner.app.presentation import TableColumn, format_number
from equityplanner.i18n import _

__all__ = ["SORT_ROLE", "NeighbourhoodFilterModel", "NeighbourhoodTableModel"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class NeighbourhoodTableModel(QAbstractTableModel):
    """One row per neighbourhood, in the layer's order (row n is polygon n on the map).

    Columns are :class:`~equityplanner.app.presentation.TableColumn` objects; cells are
    formatted on demand, so a layer of 100,000 rows costs nothing until it is scrolled.
    ``SORT_ROLE`` gives the raw number (missing values sort first).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: list[TableColumn] = []
        self._rows = 0

    def set_columns(self, columns: list[TableColumn]) -> None:
        """Replace the table's contents."""
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = len(columns[0].values) if columns else 0
        self.endResetModel()

    def columns(self) -> list[TableColumn]:
        """The current columns."""
        return list(self._columns)

    def column_of(self, key: str) -> int:
        """Column number of a key, or -1."""
        for n, c in enumerate(self._columns):
            if c.key == key:
                return n
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        value = column.values[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                str(value) if column.kind == "text" else format_number(_plain(value), column.kind)
            )
        if role == SORT_ROLE:
            if column.kind == "text":
                return str(value)
            number = _plain(value)
            return -math.inf if number is None or not math.isfinite(number) else float(number)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind == "text":
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].label
            if role == Qt.ItemDataRole.ToolTipRole:
                return _("{column} — click to sort").format(column=self._columns[section].label)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


def _plain(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class NeighbourhoodFilterModel(QAbstractProxyModel):
    """Sorts on raw numbers and filters on id and name (case-insensitive), with numpy.

    A ``QSortFilterProxyModel`` asks Python for every comparison and every row, which froze
    the window for seconds on a layer of 240,000 neighbourhoods; here sorting is one
    ``argsort`` of the column's values and filtering one vectorised search of the ids and
    names. Proxy row ``r`` shows source (layer) row ``rows()[r]``.
    """

    ASYNC_ROWS = 50_000  # a longer table is searched on a thread (a keystroke never waits)

    filtered = Signal()  # the rows shown changed after a search made on a thread
    _found = Signal(object)  # (generation, text, rows kept), from the searching thread

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._searching: tuple[int, str] | None = None  # generation and text searched
        self._generation = 0
        self._found.connect(self._on_found)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._rows = np.empty(0, dtype=np.int64)  # proxy row -> source row
        self._position = np.empty(0, dtype=np.int64)  # source row -> proxy row, -1 hidden
        self._search: np.ndarray | None = None  # "id\x00name" per source row, lower case
        self._source: NeighbourhoodTableModel | None = None

    # Source ----------------------------------------------------------------------------

    def setSourceModel(self, model: Any) -> None:
        if self._source is not None:
            self._source.modelAboutToBeReset.disconnect(self.beginResetModel)
            self._source.modelReset.disconnect(self._on_source_reset)
        self.beginResetModel()
        super().setSourceModel(model)
        self._source = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._on_source_reset)
        self._rebuild()
        self.endResetModel()

    def _on_source_reset(self) -> None:
        self._search = None
        self._generation += 1
        self._rebuild()
        self.endResetModel()

    def _texts(self) -> np.ndarray:
        model = self._source
        n = model.rowCount() if model is not None else 0
        if self._search is None or self._search.size != n:  # none yet, or another table's
            columns = model.columns() if model is not None else []
            parts = [
                np.char.lower(np.asarray(c.values[:n], dtype=str))
                for c in columns[:2]
                if c.kind == "text"
            ]
            if not parts:
                self._search = np.full(n, "", dtype=str)
            else:
                joined = parts[0]
                for part in parts[1:]:
                    joined = np.char.add(np.char.add(joined, "\x00"), part)
                self._search = joined
        return self._search

    def _rebuild(self, keep: np.ndarray | None = None) -> None:
        """Rows shown, in order: the sort's order of the rows the filter keeps."""
        model = self._source
        n = model.rowCount() if model is not None else 0
        order = self._sorted_rows(n)
        if self._text:
            if keep is None or keep.size != n:
                keep = np.char.find(self._texts(), self._text) >= 0
            order = order[keep[order]]
        self._rows = order
        self._position = np.full(n, -1, dtype=np.int64)
        self._position[order] = np.arange(order.size)

    def _sorted_rows(self, n: int) -> np.ndarray:
        model = self._source
        column = self._sort_column
        if model is None or column < 0 or column >= model.columnCount():
            return np.arange(n, dtype=np.int64)
        col = model.columns()[column]
        if col.kind == "text":
            keys = np.asarray(col.values[:n], dtype=str)
        else:
            keys = np.asarray(
                [_plain(v) for v in col.values[:n]]
                if col.values.dtype == object
                else col.values[:n],
                dtype=float,
            )
            keys = np.where(np.isfinite(keys), keys, -np.inf)  # missing values sort first
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            # Stable and descending: equal keys keep their order, as Qt's sort does.
            order = np.argsort(keys[::-1], kind="stable")[::-1]
            return (n - 1 - order).astype(np.int64)
        return np.argsort(keys, kind="stable").astype(np.int64)

    # Sorting and filtering -------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order rows by ``column``'s raw values (-1: the layer's order)."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        sources = [self.mapToSource(i) for i in old]
        self._sort_column, self._sort_order = column, order
        self._rebuild()
        self.changePersistentIndexList(old, [self.mapFromSource(i) for i in sources])
        self.layoutChanged.emit()

    def set_filter_text(self, text: str) -> None:
        """Show only rows whose id or name contains ``text``.

        Past ``ASYNC_ROWS`` rows the search runs on a thread and the rows change when it
        is done (``filtered``); the last text typed wins.
        """
        wanted = text.strip().lower()
        if wanted == self._text and self._searching is None:
            return
        model = self._source
        rows = model.rowCount() if model is not None else 0
        if rows <= self.ASYNC_ROWS or not wanted:
            self._searching = None
            self._apply_filter(wanted, None)
            return
        self._generation += 1
        self._searching = (self._generation, wanted)
        threading.Thread(
            target=self._search_rows,
            args=(self._generation, wanted),
            name="equityplanner-table-filter",
            daemon=True,
        ).start()

    @property
    def searching(self) -> bool:
        """True while a search of a long table runs on a thread."""
        return self._searching is not None

    def _search_rows(self, generation: int, text: str) -> None:
        try:
            keep = np.char.find(self._texts(), text) >= 0
        except Exception:  # the table changed under the search: the next one will do
            return
        self._found.emit((generation, text, keep))

    def _on_found(self, found: tuple[int, str, np.ndarray]) -> None:
        generation, text, keep = found
        if self._searching != (generation, text) or generation != self._generation:
            return  # superseded by another keystroke or another table
        self._searching = None
        self._apply_filter(text, keep)
        self.filtered.emit()

    def _apply_filter(self, text: str, keep: np.ndarray | None) -> None:
        self.beginResetModel()
        self._text = text
        self._rebuild(keep)
        self.endResetModel()

    def rows(self) -> np.ndarray:
        """The source (layer) row of each row shown, in order."""
        return self._rows

    # QAbstractProxyModel -----------------------------------------------------------------

    def mapToSource(self, proxy: _Index) -> QModelIndex:
        model = self._source
        if model is None or not proxy.isValid() or not 0 <= proxy.row() < self._rows.size:
            return QModelIndex()
        return model.index(int(self._rows[proxy.row()]), proxy.column())

    def mapFromSource(self, source: _Index) -> QModelIndex:
        if not source.isValid() or not 0 <= source.row() < self._position.size:
            return QModelIndex()
        row = int(self._position[source.row()])
        return self.index(row, source.column()) if row >= 0 else QModelIndex()

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (
            0 <= row < self._rows.size and 0 <= column < self.columnCount()
        ):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._rows.size)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        model = self._source
        return 0 if parent.isValid() or model is None else model.columnCount()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        model = self._source
        if model is None:
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return model.headerData(section, orientation, role)
