"""Item models adapting Qt-free tables: the neighbourhood table and its sort/filter proxy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from equityplanner.app.presentation import TableColumn, format_number

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
                return f"{self._columns[section].label} — click to sort"
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


class NeighbourhoodFilterModel(QSortFilterProxyModel):
    """Sorts on raw numbers and filters on id and name (case-insensitive)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self._text = ""

    def set_filter_text(self, text: str) -> None:
        """Show only rows whose id or name contains ``text``."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateFilter is deprecated
            self.beginFilterChange()
            self._text = text.strip().lower()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._text = text.strip().lower()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._text:
            return True
        model = self.sourceModel()
        for column in (0, 1):
            value = model.data(
                model.index(source_row, column, source_parent), Qt.ItemDataRole.DisplayRole
            )
            if value and self._text in str(value).lower():
                return True
        return False
