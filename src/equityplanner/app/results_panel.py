"""Results of the assessment: the verdict overview, the indicators of one project or scenario
with rating and finding, and its charts.

Three tabs: **Overview** (every project, scenario and service change, adverse findings first,
full indicator names that wrap; :mod:`equityplanner.app.verdicts`), **Indicators** (the one
chosen in *Showing*, by category) and **Charts** (its charts, drawn as in the workbook;
:mod:`equityplanner.app.chart_view`). Every rating shows its words and its tone colour
together (never colour alone). Choosing an indicator that has a per-neighbourhood meaning lets
the window shade the map by it.
"""

from __future__ import annotations

import functools
import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QPainter,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from equityplanner import i18n
from equityplanner.app.chart_view import ChartsView
from equityplanner.app.presentation import (
    format_indicator,
    indicator_categories,
    indicator_html,
    indicator_parent,
    short_indicator_name,
    tone,
)
from equityplanner.app.state import AppState, Change, staleness_words
from equityplanner.app.translated import resource_label
from equityplanner.app.verdicts import kind_words, overview_html, parse_link
from equityplanner.i18n import _, ngettext
from equityplanner.model.results import Assessment, Indicator, ProposalResult

__all__ = ["ResultsPanel"]

_INDICATOR_ROLE = Qt.ItemDataRole.UserRole + 1
_NOTHING = object()  # no listing of indicators waits for the event loop
# A new run's indicators are listed this long after its overview: a zero timer could run in
# the same pass of the event loop as the overview's painting, one stall instead of two.
_LIST_AFTER_MS = 10


@functools.lru_cache(maxsize=64)
def _dot(colour: str, size: int = 12) -> QIcon:
    """A rating's coloured dot (made once per colour: painting one per row stalled the window
    for ~30 ms when results of the sample arrived)."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(0, 0, 0, 60))
    p.setBrush(QColor(colour))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pixmap)


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text at the column's width (QTreeView does not wrap)."""

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        text = str(index.data() or "")
        if not text:
            return size
        width = self._tree.columnWidth(index.column()) - 12
        if index.column() == 0:
            depth, parent = 0, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= self._tree.indentation() * (depth + 1)
        if index.data(Qt.ItemDataRole.DecorationRole) is not None:
            width -= option.decorationSize.width() + 4
        bounds = option.fontMetrics.boundingRect(
            QRect(0, 0, max(width, 20), 10_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(size.width(), max(size.height(), bounds.height() + 6))


class ResultsPanel(QWidget):
    """Indicators of the chosen result, grouped by category, and the finding of the chosen one.

    Signals
    -------
    result_changed(result_id)
        The user chose another project or scenario in the combo.
    indicator_selected(indicator)
        The user chose an indicator (``None`` when the selection is cleared).
    """

    result_changed = Signal(str)
    indicator_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self.assessment: Assessment | None = None
        self.result_id: str | None = None
        self._pending: object = _NOTHING  # a result whose indicators are listed next turn

        self.result_combo = QComboBox()
        self.result_combo.setAccessibleName(_("Project or scenario shown"))
        self.result_combo.setToolTip(_("The project or scenario whose results are shown"))
        self.result_combo.currentIndexChanged.connect(self._on_result_combo_changed)
        label = QLabel(_("&Showing:"))
        label.setBuddy(self.result_combo)

        self.banner = QLabel()
        self.banner.setObjectName("staleBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)

        self.summary = QLabel(_("Run the assessment (F5) to see who gains and who bears the cost."))
        self.summary.setObjectName("resultsSummary")
        self.summary.setWordWrap(True)

        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(
            [_("Indicator"), _("Value"), _("Comparison"), _("Rating")]
        )
        self.tree = QTreeView()
        self.tree.setObjectName("indicatorTree")
        self.tree.setAccessibleName(_("Indicators"))
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        # Names wrap, never cut to a shared prefix: rows grow to the lines they need.
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 150)  # the rating's words wrap too
        header.setMinimumSectionSize(40)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        header.sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

        self.finding = QTextBrowser()
        self.finding.setObjectName("findingText")
        self.finding.setAccessibleName(_("Finding"))
        self.finding.setOpenLinks(False)
        self.finding.setPlaceholderText(_("Choose an indicator to read its finding."))

        self.overview = QTextBrowser()
        self.overview.setObjectName("verdictOverview")
        self.overview.setAccessibleName(_("Verdict overview"))
        self.overview.setOpenLinks(False)
        self.overview.setPlaceholderText(
            _("Run the assessment (F5) to see who gains and who bears the cost.")
        )
        self.overview.anchorClicked.connect(self._on_overview_link)
        self.charts = ChartsView()

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.result_combo, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.finding)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("resultsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.overview, _("&Overview"))
        self.tabs.addTab(splitter, _("&Indicators"))
        self.tabs.addTab(self.charts, _("C&harts"))
        self.tabs.setTabToolTip(0, _("Every project and scenario, adverse findings first"))
        self.tabs.setTabToolTip(1, _("The indicators of the project or scenario shown"))
        self.tabs.setTabToolTip(2, _("Its charts, as in the workbook"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

    def bind(self, state: AppState) -> None:
        """Show the run, the result and the staleness of ``state``; the result chosen here goes there."""

        def on_state_changed(change: Change) -> None:
            if change & Change.ASSESSMENT:
                self.set_assessment(state.assessment, state.selection.result_id)
            elif change & Change.UNIT:
                self.show_result(state.selection.result_id)
            if change & (Change.ASSESSMENT | Change.STALENESS):
                self.set_stale(state.staleness is not None, state.staleness or "")

        def on_result_chosen(result_id: str) -> None:
            # Properties follow: a project chosen here is the one edited; a scenario or a
            # service change is no project, so none is edited.
            with state.batch():
                if any(p.id == result_id for p in state.document.projects):
                    state.select_project(result_id)
                else:
                    state.select_project(None)
                state.select_result(result_id)

        state.changed.connect(on_state_changed)
        self.result_changed.connect(on_result_chosen)

    # Content -----------------------------------------------------------------------------

    def set_assessment(self, assessment: Assessment | None, result_id: str | None = None) -> None:
        """Show a new assessment (None clears), on ``result_id`` or the current result."""
        self.assessment = assessment
        self.result_combo.blockSignals(True)
        self.result_combo.clear()
        if assessment is not None:
            for r in assessment.results:
                self.result_combo.addItem(f"{r.name}  ({_kind_words(r.kind).lower()})", r.id)
        self.result_combo.blockSignals(False)
        label = assessment.comparison_label if assessment is not None else ""
        self.model.horizontalHeaderItem(2).setToolTip(
            _(
                "What the value is compared with: the comparison population ({population}), "
                "or the situation before the project"
            ).format(population=label)
            if label
            else _(
                "What the value is compared with: the comparison population, or the situation "
                "before the project"
            )
        )
        self._stale_reason = ""
        self._fill_overview()
        if assessment is not None:
            self.tabs.setCurrentWidget(self.overview)  # a new run opens on its verdicts
        ids = [r.id for r in assessment.results] if assessment else []
        wanted = (
            result_id
            if result_id in ids
            else (self.result_id if self.result_id in ids else (ids[0] if ids else None))
        )
        self.result_id = None
        if assessment is None or wanted is None:
            self.show_result(wanted)
        else:
            # The verdict overview is what a new run opens on; the indicators and charts of
            # the result are listed on the next turn of the event loop, so that the window
            # never stops answering for both at once (it did for ~120 ms on the sample).
            self._select_in_combo(wanted)
            self.summary.setText(self._summary_text(assessment.result(wanted)))
            self._pending = wanted
            QTimer.singleShot(_LIST_AFTER_MS, self._show_pending)
        self.set_stale(False)

    @property
    def pending(self) -> bool:
        """True while a new run's indicators are not listed yet (until the event loop turns)."""
        return self._pending is not _NOTHING

    def _show_pending(self) -> None:
        if self._pending is _NOTHING:
            return
        wanted, self._pending = self._pending, _NOTHING
        self.show_result(wanted if isinstance(wanted, str) else None)

    def _select_in_combo(self, result_id: str | None) -> None:
        index = self.result_combo.findData(result_id)
        if index >= 0 and index != self.result_combo.currentIndex():
            self.result_combo.blockSignals(True)
            self.result_combo.setCurrentIndex(index)
            self.result_combo.blockSignals(False)

    def show_result(self, result_id: str | None) -> None:
        """Show the indicators of one project or scenario."""
        self._pending = _NOTHING  # asked for now: a listing still to come is superseded
        if result_id == self.result_id and self.model.rowCount():
            return
        self.result_id = result_id
        self._select_in_combo(result_id)
        self.model.removeRows(0, self.model.rowCount())
        self.finding.clear()
        self.charts.show_result(self.assessment, result_id)
        if (
            self.assessment is None
            or result_id is None
            or all(r.id != result_id for r in self.assessment.results)
        ):
            self.summary.setText(
                _("Run the assessment (F5) to see who gains and who bears the cost.")
            )
            return
        result = self.assessment.result(result_id)
        self.summary.setText(self._summary_text(result))
        bold = self.tree.font()
        bold.setBold(True)
        for category, indicators in indicator_categories(result, self.assessment.study_indicators):
            heading = QStandardItem(category)
            heading.setFont(bold)
            heading.setSelectable(False)
            row = [heading] + [_blank() for _ in range(3)]
            rows: dict[str, QStandardItem] = {}
            for ind in indicators:
                cells = self._indicator_row(ind)
                parent = rows.get(indicator_parent(ind) or "")
                (parent or heading).appendRow(cells)  # group breakdowns nest under their measure
                rows[ind.id] = cells[0]
            self.model.appendRow(row)
            self.tree.setFirstColumnSpanned(
                self.model.rowCount() - 1, self.model.invisibleRootItem().index(), True
            )
        self.tree.expandToDepth(0)  # categories open; group breakdowns of a measure folded
        # Open on the headline finding: the Title VI test, else the first indicator.
        if not self.select_indicator("title_vi.disparate_impact") and self.model.rowCount():
            first = self.model.item(0).child(0)
            if first is not None:
                self.tree.setCurrentIndex(first.index())

    def _summary_text(self, result: ProposalResult) -> str:
        people = next((i for i in result.indicators if i.id == "served.population"), None)
        adverse = sum(1 for i in result.indicators if i.tone == "adverse")
        kind = _kind_words(result.kind)
        text = f"<b>{html.escape(kind)}: {html.escape(result.name)}</b>"
        if people is not None and isinstance(people.value, int | float):
            count = round(people.value)
            inside = ngettext(
                "{count} person inside the catchment", "{count} people inside the catchment", count
            ).format(count=i18n.format_number(count))
            text += f"<br>{html.escape(inside)}"
        findings = (
            ngettext("{count} adverse finding", "{count} adverse findings", adverse).format(
                count=i18n.format_number(adverse)
            )
            if adverse
            else _("no adverse finding")
        )
        return text + " · " + html.escape(findings)

    def _indicator_row(self, ind: Indicator) -> list[QStandardItem]:
        t = tone(ind.tone)
        name = QStandardItem(short_indicator_name(ind))
        name.setToolTip(f"{ind.name}\n\n{ind.finding}")
        name.setData(ind, _INDICATOR_ROLE)
        value = QStandardItem(format_indicator(ind, "value"))
        comparison = QStandardItem(format_indicator(ind, "comparison"))
        for item in (value, comparison):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        comparison.setToolTip(_("The same figure for the comparison population"))
        rating = QStandardItem(_dot(t.strong), ind.rating_label)
        rating.setBackground(QBrush(QColor(t.fill)))
        rating.setForeground(QBrush(QColor(t.text)))
        rating.setToolTip(f"{ind.rating_label} ({resource_label(t.label).lower()})")
        for item in (value, comparison, rating):
            item.setData(ind, _INDICATOR_ROLE)
        return [name, value, comparison, rating]

    def _fill_overview(self) -> None:
        if self.assessment is None:
            self.overview.clear()
            return
        bar = self.overview.verticalScrollBar()
        position = bar.value()
        self.overview.setHtml(overview_html(self.assessment))
        bar.setValue(position)

    def _on_overview_link(self, url: object) -> None:
        link = url.toString() if hasattr(url, "toString") else str(url)
        if link.startswith("#"):
            self.overview.scrollToAnchor(link[1:])
            return
        kind, result_id, indicator_id = parse_link(link)
        if kind not in ("indicator", "result") or self.assessment is None:
            return
        if result_id != self.result_id:
            self.show_result(result_id)
            self.result_changed.emit(result_id)
        if kind == "indicator":
            self.tabs.setCurrentIndex(1)
            self.select_indicator(indicator_id)
        else:
            self.tabs.setCurrentIndex(2 if self.charts.charts else 1)

    def set_stale(self, stale: bool, reason: str = "") -> None:
        """Show or hide the 'results are out of date' banner."""
        if stale and self.assessment is not None:
            self.banner.setText(
                "⚠ "
                + (
                    _(
                        "These results are out of date: {reason}. Press F5 to run the "
                        "assessment again."
                    ).format(reason=staleness_words(reason))
                    if reason
                    else _("These results are out of date. Press F5 to run the assessment again.")
                )
            )
            self.banner.setVisible(True)
        else:
            self.banner.setVisible(False)

    def _items(self) -> list[QStandardItem]:
        """Every indicator's first cell, depth first."""
        self._show_pending()
        out: list[QStandardItem] = []
        stack = [self.model.item(r) for r in range(self.model.rowCount())]
        while stack:
            item = stack.pop(0)
            children = [item.child(c) for c in range(item.rowCount())]
            if item.data(_INDICATOR_ROLE) is not None:
                out.append(item)
            stack[:0] = children
        return out

    def select_indicator(self, indicator_id: str) -> bool:
        """Select an indicator by id (for scripts and tests)."""
        for item in self._items():
            if item.data(_INDICATOR_ROLE).id == indicator_id:
                index = item.index()
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                return True
        return False

    def current_indicator(self) -> Indicator | None:
        """The indicator selected, if any."""
        self._show_pending()
        index = self.tree.currentIndex()
        return index.data(_INDICATOR_ROLE) if index.isValid() else None

    # Slots -------------------------------------------------------------------------------

    def _on_result_combo_changed(self, index: int) -> None:
        result_id = self.result_combo.itemData(index)
        if result_id and result_id != self.result_id:
            self.show_result(result_id)
            self.result_changed.emit(result_id)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ind = current.siblingAtColumn(0).data(_INDICATOR_ROLE) if current.isValid() else None
        if ind is None:
            self.finding.clear()
            self.indicator_selected.emit(None)
            return
        label = self.assessment.comparison_label if self.assessment is not None else ""
        self.finding.setHtml(indicator_html(ind, label))
        self.indicator_selected.emit(ind)


def _kind_words(kind: str) -> str:
    """``Project``, ``Scenario`` or ``Service change``, in the current language."""
    return kind_words(kind or "project")


def _blank() -> QStandardItem:
    item = QStandardItem("")
    item.setSelectable(False)
    return item
