"""Results a planner reads (issue 11 item 7): the verdict overview, wrapped indicator names,
the charts drawn as in the workbook; Help's guide and sample project."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor

from equityplanner.app.main_window import MainWindow
from equityplanner.app.verdicts import overview_html, verdicts
from equityplanner.render.charts import (
    COMPARISON_GREY,
    chart_height,
    draw_bar_chart,
    result_charts,
)
from equityplanner.render.raster import RasterSurface

REPO = Path(__file__).resolve().parents[2]
_ORDER = {"adverse": 0, "caution": 1, "beneficial": 2, "neutral": 3}


def test_the_overview_puts_adverse_findings_first_under_their_full_names(
    assessed: MainWindow,
) -> None:
    w = assessed
    results = w.results
    assert results.tabs.currentWidget() is results.overview, "a run opens on the verdicts"
    text = results.overview.toPlainText()
    assessment = w.state.assessment
    assert assessment is not None
    for verdict in verdicts(assessment):
        tones = [_ORDER[i.tone] for i in verdict.ordered]
        assert tones == sorted(tones), verdict.result.id
        assert verdict.result.name in text
        for ind in verdict.adverse:
            assert ind.name in text, "full names, never a prefix"
        if verdict.adverse:
            section = text.split(f": {verdict.result.name}\n", 1)[1]
            first_row = section.split("\n")[1]
            assert first_row.strip().startswith("■ " + verdict.adverse[0].rating_label)
    assert "Context" not in overview_html(assessment), "context indicators are no verdict"


def test_an_overview_link_opens_the_indicator_and_keeps_properties_in_step(
    assessed: MainWindow,
) -> None:
    w = assessed
    assessment = w.state.assessment
    project_ids = {p.id for p in w.session.document.projects}
    verdict = next(v for v in verdicts(assessment) if v.result.id in project_ids and v.adverse)
    target = verdict.adverse[0]
    w.results._on_overview_link(QUrl(f"indicator:{verdict.result.id}:{target.id}"))
    assert w.results.tabs.currentIndex() == 1
    assert w.results.current_indicator() == target
    assert w.state.selection.result_id == verdict.result.id
    assert w.state.selection.project_id == verdict.result.id
    assert w.properties.form is not None and w.properties.form.project().id == verdict.result.id


def test_long_indicator_names_wrap_onto_more_lines(assessed: MainWindow) -> None:
    w = assessed
    tree = w.results.tree
    w.results.tabs.setCurrentIndex(1)
    tree.header().resizeSection(3, 150)
    items = w.results._items()
    longest = max(items, key=lambda item: len(item.text()))
    one_line = tree.fontMetrics().height()
    assert tree.fontMetrics().horizontalAdvance(longest.text()) > tree.columnWidth(0)
    assert tree.sizeHintForIndex(longest.index()).height() >= 2 * one_line


def test_the_apps_charts_are_the_workbooks(assessed: MainWindow) -> None:
    from equityplanner.report.workbook import build_workbook

    assessment = assessed.state.assessment
    png = RasterSurface(2, 2, supersample=1).png()
    sheet = build_workbook(assessment, map_png=png).sheet("Distribution")
    charts = [c for r in assessment.results for c in result_charts(r, assessment.comparison_label)]
    ours = [c for c in charts if not c.horizontal]  # the workbook charts the quintiles
    assert [c.title for c in ours] == [spec.title for spec in sheet.charts]
    assert [c.x_title for c in ours] == [spec.x_title for spec in sheet.charts]
    for chart, spec in zip(ours, sheet.charts, strict=True):
        assert chart.horizontal == spec.horizontal
        assert [s.title for s in chart.series] == [s.title for s in spec.series]
        assert [s.colour.lstrip("#").lower() for s in chart.series] == [
            s.colour.lower() for s in spec.series
        ]


def _colour_count(image, colour: str) -> int:
    wanted = QColor(colour).rgb()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixel(x, y) == wanted
    )


def test_the_charts_tab_draws_the_result_shown(qtbot, assessed: MainWindow) -> None:
    w = assessed
    assessment = w.state.assessment
    result = next(r for r in assessment.results if result_charts(r, assessment.comparison_label))
    w.results.result_combo.setCurrentIndex(w.results.result_combo.findData(result.id))
    w.results.tabs.setCurrentWidget(w.results.charts)
    view = w.results.charts
    assert [c.chart for c in view.charts] == result_charts(result, assessment.comparison_label)
    first = view.charts[0]
    qtbot.waitUntil(first.isVisible)
    image = first.grab().toImage()
    strong = first.chart.series[-1].colour
    assert _colour_count(image, strong) > 50, "the side's bars in the workbook's colour"
    assert _colour_count(image, COMPARISON_GREY) > 50, "the population in the workbook's grey"


def test_charts_draw_headless_on_the_picture_surface(assessed: MainWindow) -> None:
    assessment = assessed.state.assessment
    chart = next(
        c for r in assessment.results for c in result_charts(r, assessment.comparison_label)
    )
    surface = RasterSurface(480, chart_height(chart, 480), supersample=1)
    draw_bar_chart(surface, chart)
    pixels = surface.image().convert("RGB")
    colours = {
        pixels.getpixel((x, y)) for x in range(0, 480, 2) for y in range(0, pixels.height, 2)
    }
    for series in chart.series:
        rgb = tuple(int(series.colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
        assert rgb in colours, series.title


def test_the_guide_is_shipped_and_shown(qtbot, window: MainWindow) -> None:
    docs = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    shipped = (REPO / "resources" / "guide.md").read_text(encoding="utf-8")
    assert docs == shipped, "resources/guide.md is a copy of docs/guide.md"
    window.commands.guide.trigger()
    from equityplanner.app.help import GuideDialog

    dialogs = window.findChildren(GuideDialog)
    assert dialogs and "Group them into scenarios" in dialogs[-1].browser.toPlainText()
    dialogs[-1].close()


@pytest.mark.skipif(
    not (REPO / "sample_projects" / "magnolia" / "sample.eqp.json").exists(),
    reason="the sample project is not in this checkout",
)
def test_help_opens_a_copy_of_the_sample_project(
    qtbot, window: MainWindow, _data_folder: Path
) -> None:
    with qtbot.waitSignal(window.baseline_loaded, timeout=30_000):
        window.commands.open_sample.trigger()
    path = window.session.path
    assert path is not None and path.is_relative_to(_data_folder.resolve())
    assert window.session.document.projects and not window.session.is_modified


def test_a_new_run_shows_its_overview_at_once_and_its_indicators_next(
    qtbot, assessed: MainWindow
) -> None:
    """The overview and the summary line are there when the run is adopted; the result's
    indicators follow on a later turn of the event loop (two short stalls, not one long)."""
    w = assessed
    a = w.state.assessment
    assert a is not None
    second = a.results[1]
    w.results.set_assessment(a, second.id)
    assert w.results.pending
    assert second.name in w.results.overview.toPlainText()
    assert second.name in w.results.summary.text()
    assert w.results.result_combo.currentData() == second.id
    qtbot.waitUntil(lambda: not w.results.pending, timeout=2_000)
    assert w.results.result_id == second.id
    listed = {item.data(Qt.ItemDataRole.UserRole + 1).id for item in w.results._items()}
    own = {i.id for i in second.indicators} | {i.id for i in a.study_indicators}
    assert len(listed) >= 5 and listed <= own, "the second result's indicators, not the first's"
    # Asking for the indicators before then lists them at once.
    w.results.set_assessment(a, a.results[0].id)
    assert w.results.pending and w.results.current_indicator() is not None
    assert not w.results.pending and w.results.result_id == a.results[0].id
