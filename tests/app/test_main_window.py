"""Opening a project: explorer, map, table, selection kept in step, hover, settings."""

from __future__ import annotations

from pathlib import Path

from app_helpers import inside_point, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolTip

from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import AppSettings
from equityplanner.app.table_models import NeighbourhoodTableModel


def test_open_shows_layer_projects_and_table(opened: MainWindow) -> None:
    w = opened
    count = w.canvas.layer.count
    assert count == len(w.state.baseline.table) > 0
    assert w.neighbourhoods.model.rowCount() == count
    assert w.neighbourhoods.proxy.rowCount() == count
    headings = [w.explorer.model().item(r).text() for r in range(w.explorer.model().rowCount())]
    assert headings[1] == f"Projects ({len(w.session.document.projects)})"
    assert w.map_panel.field_combo.count() > 5 and w.state.map_field is not None
    assert w.canvas.legend_entries, "the choropleth has a legend"
    assert w.windowTitle().startswith(w.session.document.metadata.title)
    assert not w.session.is_modified
    assert w.commands.run.isEnabled() and not w.commands.export.isEnabled()


def test_every_action_has_a_tooltip_and_the_standard_shortcuts(window: MainWindow) -> None:
    for action in window.findChildren(type(window.commands.run)):
        if (
            action.text()
            and not action.isSeparator()
            and action.menu() is None
            and action.parent() is window
        ):
            assert action.toolTip() and action.toolTip() != action.text().replace("&", ""), (
                action.text()
            )
    keys = {
        a: a.shortcut().toString()
        for a in (
            window.commands.new,
            window.commands.open,
            window.commands.save,
            window.commands.save_as,
            window.commands.export,
            window.commands.run,
            window.commands.undo,
            window.commands.redo,
        )
    }
    assert keys[window.commands.new] == "Ctrl+N"
    assert keys[window.commands.open] == "Ctrl+O"
    assert keys[window.commands.save] == "Ctrl+S"
    assert keys[window.commands.save_as] == "Ctrl+Shift+S"
    assert keys[window.commands.export] == "Ctrl+E"
    assert keys[window.commands.run] == "F5"
    assert keys[window.commands.undo] == "Ctrl+Z"
    assert keys[window.commands.redo] in ("Ctrl+Shift+Z", "Ctrl+Y")


def test_click_on_map_selects_the_table_row_and_back(qtbot, opened: MainWindow) -> None:
    w = opened
    row = w.canvas.layer.count // 2
    lon, lat = inside_point(w, row)
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, lon, lat))
    assert w.canvas.selected_row == row
    current = w.neighbourhoods.proxy.mapToSource(w.neighbourhoods.view.currentIndex()).row()
    assert current == row
    # The other way: choose a row in the (sorted) table, the map follows.
    w.neighbourhoods.view.sortByColumn(
        w.neighbourhoods.model.column_of("total_population"), Qt.SortOrder.DescendingOrder
    )
    first = w.neighbourhoods.proxy.index(0, 0)
    w.neighbourhoods.view.setCurrentIndex(first)
    assert w.canvas.selected_row == w.neighbourhoods.proxy.mapToSource(first).row()


def test_table_sorts_numbers_as_numbers_and_filters(opened: MainWindow) -> None:
    w = opened
    column = w.neighbourhoods.model.column_of("total_population")
    w.neighbourhoods.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    values = [
        w.neighbourhoods.proxy.index(r, column).data(Qt.ItemDataRole.UserRole + 1)
        for r in range(w.neighbourhoods.proxy.rowCount())
    ]
    assert values == sorted(values, reverse=True)
    name = w.neighbourhoods.model.index(0, 1).data()
    w.neighbourhoods.filter_edit.setText(name)
    assert 1 <= w.neighbourhoods.proxy.rowCount() < w.neighbourhoods.model.rowCount()
    w.neighbourhoods.filter_edit.clear()
    assert w.neighbourhoods.proxy.rowCount() == w.neighbourhoods.model.rowCount()


def test_neighbourhood_model_passes_the_model_tester(qtmodeltester, opened: MainWindow) -> None:
    model = NeighbourhoodTableModel()
    model.set_columns(opened.neighbourhoods.model.columns())
    qtmodeltester.check(model)


def test_hover_shows_key_figures(qtbot, opened: MainWindow) -> None:
    w = opened
    for candidate in range(4 * w.canvas.layer.count):  # a point away from project symbols
        pos = view_point(w, *inside_point(w, candidate))
        if w.canvas._feature_at(pos) is None:
            break
    row = candidate % w.canvas.layer.count
    qtbot.mouseMove(w.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: w.canvas._hover_row == row, timeout=2000)
    name = str(w.state.baseline.table.iloc[row]["name"])
    assert QToolTip.isVisible() and name.split(";")[0] in QToolTip.text()
    assert "Population" in QToolTip.text()


def test_shading_methods_and_palettes_change_the_legend(opened: MainWindow) -> None:
    w = opened
    assert w.state.shade_by("median_household_income")
    quantile = [e.label for e in w.canvas.legend_entries]
    w.map_panel.method_combo.setCurrentIndex(w.map_panel.method_combo.findData("equal"))
    equal = [e.label for e in w.canvas.legend_entries]
    assert all(label.startswith("$") for label in equal if not label.startswith("No data"))
    if w.canvas.layer.count > 20:  # with four values (the grid) both methods agree
        assert quantile != equal
    w.map_panel.k_spin.setValue(3)
    assert len([e for e in w.canvas.legend_entries if not e.label.startswith("No data")]) <= 3
    before = [e.fill for e in w.canvas.legend_entries]
    w.map_panel.palette_combo.setCurrentIndex(w.map_panel.palette_combo.findData("viridis"))
    assert [e.fill for e in w.canvas.legend_entries] != before
    w.map_panel.method_combo.setCurrentIndex(w.map_panel.method_combo.findData("natural"))
    assert w.canvas.legend_entries


def test_zoom_and_pan_keep_the_map_drawable(qtbot, opened: MainWindow) -> None:
    w = opened
    scale = w.canvas.pixels_per_metre()
    w.commands.zoom_in.trigger()
    assert w.canvas.pixels_per_metre() > scale
    h = w.canvas.horizontalScrollBar().value()
    qtbot.mousePress(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=w.canvas.viewport().rect().center()
    )
    qtbot.mouseMove(
        w.canvas.viewport(),
        w.canvas.viewport().rect().center() + type(w.canvas.viewport().rect().center())(80, 0),
    )
    qtbot.mouseRelease(
        w.canvas.viewport(),
        Qt.MouseButton.LeftButton,
        pos=w.canvas.viewport().rect().center() + type(w.canvas.viewport().rect().center())(80, 0),
    )
    assert w.canvas.horizontalScrollBar().value() != h, "dragging pans"
    w.commands.zoom_layer.trigger()
    assert not w.grab().isNull()


def test_window_layout_and_recent_files_are_restored(
    qtbot, tmp_path: Path, project_file: Path, dialogs: dict
) -> None:
    settings = AppSettings.from_file(tmp_path / "layout.ini")
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(733, 555)  # the offscreen screen is 800 x 600
    first.open_project(project_file)
    first.results_dock.hide()
    qtbot.wait(10)
    size = first.size()
    first.close()
    first.cancel_tasks()
    second = MainWindow(AppSettings.from_file(tmp_path / "layout.ini"))
    qtbot.addWidget(second)
    second.show()
    assert second.height() == size.height() == 555  # the offscreen screen clamps widths
    assert not second.results_dock.isVisible()
    assert second.settings.recent_files()[0] == project_file.resolve()
    second.close()


def test_grid_project_open_edit_and_run(qtbot, window: MainWindow, grid_project: Path) -> None:
    with qtbot.waitSignal(window.baseline_loaded, timeout=30_000):
        assert window.open_project(grid_project)
    assert window.canvas.layer.count == 4
    lon, lat = inside_point(window, 3)
    window.canvas.set_tool("housing")
    qtbot.mouseClick(
        window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, lon, lat)
    )
    assert len(window.session.document.projects) == 3
    with qtbot.waitSignal(window.assessment_finished, timeout=60_000):
        window.run_assessment()
    assert {r.id for r in window.state.assessment.results} >= {"homes", "line", "both"}


def test_table_sorted_by_a_column_that_goes_returns_to_layer_order(opened: MainWindow) -> None:
    from dataclasses import replace

    w = opened
    table = w.neighbourhoods
    column = table.model.column_of("median_household_income")
    table.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    assert table.view.horizontalHeader().sortIndicatorSection() == column
    # A layer without that column (another city's, say).
    baseline = w.state.baseline
    w.state.set_baseline(
        replace(baseline, table=baseline.table.drop(columns=["median_household_income"]))
    )
    assert table.view.horizontalHeader().sortIndicatorSection() == -1
    rows = [table.proxy.mapToSource(table.proxy.index(r, 0)).row() for r in range(4)]
    assert rows == [0, 1, 2, 3], "the sort does not move to whatever column took its place"
    # No layer for a while (an undo), then the first one again: its sort comes back.
    w.state.set_baseline(None)
    w.state.set_baseline(baseline)
    header = table.view.horizontalHeader()
    assert header.sortIndicatorSection() == table.model.column_of("median_household_income")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
