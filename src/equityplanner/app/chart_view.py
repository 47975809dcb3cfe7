"""Charts of a result in the app, drawn as the workbook draws them.

:class:`ChartWidget` paints one :class:`~equityplanner.render.charts.BarChart` through the
app's :class:`~equityplanner.app.qt_surface.QtSurface`, with the renderer's
:func:`~equityplanner.render.charts.draw_bar_chart`: the same code that can draw it on the
headless picture surface, so the screen and print share one look (titles, series, order and
the palette's colours of the workbook's Distribution sheet). :class:`ChartsView` lists the
charts of the project or scenario shown, in a scroll area.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from equityplanner.app.qt_surface import QtSurface
from equityplanner.i18n import _
from equityplanner.model.results import Assessment
from equityplanner.render.charts import BarChart, chart_height, draw_bar_chart, result_charts

__all__ = ["ChartWidget", "ChartsView"]


class ChartWidget(QWidget):
    """One bar chart, as tall as it needs at its width."""

    def __init__(self, chart: BarChart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(chart.description)
        self.setToolTip(chart.description)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(280)
        self._fit(400)

    def _fit(self, width: int) -> None:
        self.setFixedHeight(chart_height(self.chart, max(width, 280), QtSurface(None)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit(event.size().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), QColor("#ffffff"))
            draw_bar_chart(QtSurface(painter, self.width(), self.height()), self.chart)
        finally:
            painter.end()


class ChartsView(QScrollArea):
    """The workbook's charts of one project, scenario or service change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartsView")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.charts: list[ChartWidget] = []
        self._holder = QWidget()
        self._holder.setObjectName("chartsHolder")
        self._holder.setStyleSheet("QWidget#chartsHolder { background: white; }")
        self._layout = QVBoxLayout(self._holder)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(12)
        self.message = QLabel(_("Run the assessment (F5) to see the charts."))
        self.message.setWordWrap(True)
        self._layout.addWidget(self.message)
        self._layout.addStretch(1)
        self.setWidget(self._holder)

    def show_result(self, assessment: Assessment | None, result_id: str | None) -> None:
        """Show the charts of ``result_id`` (nothing when there is no such result)."""
        for widget in self.charts:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.charts = []
        result = None
        if assessment is not None and result_id is not None:
            result = next((r for r in assessment.results if r.id == result_id), None)
        charts = result_charts(result, assessment.comparison_label) if result and assessment else []
        if result is None:
            self.message.setText(_("Run the assessment (F5) to see the charts."))
        elif not charts:
            self.message.setText(
                _("{name} has no chart: no group or income data to show.").format(name=result.name)
            )
        self.message.setVisible(not charts)
        for n, chart in enumerate(charts):
            widget = ChartWidget(chart)
            self.charts.append(widget)
            self._layout.insertWidget(n + 1, widget)
