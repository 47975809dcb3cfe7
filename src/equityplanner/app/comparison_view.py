"""Two projects or scenarios side by side on the key indicators."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from equityplanner.app.presentation import (
    comparison_rows,
    format_indicator,
    short_indicator_name,
    tone,
)
from equityplanner.app.state import AppState, Change
from equityplanner.i18n import _
from equityplanner.model.results import Assessment, Indicator

__all__ = ["ComparisonView"]


class ComparisonView(QWidget):
    """Pick result A and result B; rows are indicators, with each side's value and rating."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonView")
        self.assessment: Assessment | None = None
        self.combo_a = QComboBox()
        self.combo_b = QComboBox()
        self.combo_a.setAccessibleName(_("First project or scenario"))
        self.combo_b.setAccessibleName(_("Second project or scenario"))
        self.combo_a.setToolTip(_("First project or scenario (A)"))
        self.combo_b.setToolTip(_("Second project or scenario (B)"))
        self.all_check = QCheckBox(_("&All indicators"))
        self.all_check.setToolTip(_("Show every indicator, not only the key ones"))
        for w in (self.combo_a, self.combo_b):
            w.currentIndexChanged.connect(self.refresh)
        self.all_check.toggled.connect(self.refresh)
        self.model = QStandardItemModel(0, 6, self)
        self.table = QTableView()
        self.table.setObjectName("comparisonTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)  # indicator names wrap, never cut to a shared prefix
        self.message = QLabel(_("Run the assessment (F5) to compare projects and scenarios."))
        self.message.setObjectName("comparisonMessage")
        a_label = QLabel("&A:")
        a_label.setBuddy(self.combo_a)
        b_label = QLabel("&B:")
        b_label.setBuddy(self.combo_b)
        top = QHBoxLayout()
        top.addWidget(a_label)
        top.addWidget(self.combo_a, 1)
        top.addSpacing(12)
        top.addWidget(b_label)
        top.addWidget(self.combo_b, 1)
        top.addSpacing(12)
        top.addWidget(self.all_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self._set_headers("A", "B")

    def _set_headers(self, a: str, b: str) -> None:
        self.model.setHorizontalHeaderLabels(
            [
                _("Indicator"),
                f"A: {a}",
                _("A rating"),
                f"B: {b}",
                _("B rating"),
                "B − A",  # noqa: RUF001
            ]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 6):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)

    def bind(self, state: AppState) -> None:
        """Offer the units of the run of ``state``."""

        def on_state_changed(change: Change) -> None:
            if change & Change.ASSESSMENT:
                self.set_assessment(state.assessment)

        state.changed.connect(on_state_changed)

    def chosen_results(self) -> tuple[str, str] | None:
        """The ids of units A and B, or None unless two different units are chosen."""
        a, b = self.combo_a.currentData(), self.combo_b.currentData()
        return (a, b) if a and b and a != b else None

    def set_assessment(self, assessment: Assessment | None) -> None:
        """Offer the units of ``assessment``; A and B default to the first two."""
        self.assessment = assessment
        keep_a, keep_b = self.combo_a.currentData(), self.combo_b.currentData()
        for combo in (self.combo_a, self.combo_b):
            combo.blockSignals(True)
            combo.clear()
            if assessment is not None:
                for r in assessment.results:
                    combo.addItem(r.name, r.id)
            combo.blockSignals(False)
        if assessment is not None and assessment.results:
            ids = [r.id for r in assessment.results]
            self.combo_a.setCurrentIndex(ids.index(keep_a) if keep_a in ids else 0)
            default_b = next((i for i in ids if i != self.combo_a.currentData()), ids[0])
            self.combo_b.setCurrentIndex(
                ids.index(keep_b)
                if keep_b in ids and keep_b != self.combo_a.currentData()
                else ids.index(default_b)
            )
        self.refresh()

    def set_units(self, result_a: str, result_b: str) -> None:
        """Compare these two units."""
        self.combo_a.setCurrentIndex(max(self.combo_a.findData(result_a), 0))
        self.combo_b.setCurrentIndex(max(self.combo_b.findData(result_b), 0))
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows."""
        self.model.removeRows(0, self.model.rowCount())
        a, b = self.combo_a.currentData(), self.combo_b.currentData()
        if self.assessment is None or a is None or b is None:
            self.message.setVisible(True)
            self.table.setVisible(False)
            return
        self.message.setVisible(False)
        self.table.setVisible(True)
        self._set_headers(self.combo_a.currentText(), self.combo_b.currentText())
        for row in comparison_rows(
            self.assessment, a, b, all_indicators=self.all_check.isChecked()
        ):
            ref = row.a or row.b
            assert ref is not None
            name = QStandardItem(short_indicator_name(ref))
            name.setToolTip(ref.name)
            cells = [name, *self._side(row.a), *self._side(row.b), _right(row.difference)]
            self.model.appendRow(cells)
        self.table.resizeRowsToContents()

    def rows(self) -> int:
        """Number of indicator rows shown (for tests)."""
        return self.model.rowCount()

    @staticmethod
    def _side(ind: Indicator | None) -> list[QStandardItem]:
        if ind is None:
            return [_right("–"), QStandardItem(_("Not applicable"))]  # noqa: RUF001
        t = tone(ind.tone)
        rating = QStandardItem(ind.rating_label)
        rating.setBackground(QBrush(QColor(t.fill)))
        rating.setForeground(QBrush(QColor(t.text)))
        rating.setToolTip(ind.finding)
        return [_right(format_indicator(ind, "value")), rating]


def _right(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
