"""Running the assessment in a worker: results, cancel, re-run, parameters, comparison."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QColor

from equityplanner.app import main_window as main_window_module
from equityplanner.app.dialogs import ParametersDialog
from equityplanner.app.main_window import MainWindow
from equityplanner.app.presentation import tone


def _rating_cells(w: MainWindow) -> list[tuple[str, str]]:
    out = []
    model = w.results.model
    for r in range(model.rowCount()):
        heading = model.item(r)
        for c in range(heading.rowCount()):
            cell = heading.child(c, 3)
            out.append((cell.text(), cell.background().color().name()))
    return out


def test_run_fills_results_map_table_and_comparison(assessed: MainWindow) -> None:
    w = assessed
    a = w.state.assessment
    assert a is not None and w.state.selection.result_id in {r.id for r in a.results}
    cells = _rating_cells(w)
    assert len(cells) >= 10
    # Every rating shows its words and its tone colour.
    result = a.result(w.state.selection.result_id)
    fills = {QColor(tone(i.tone).fill).name() for i in result.indicators}
    assert all(text for text, _ in cells)
    assert {colour for _, colour in cells} & fills
    assert w.results.finding.toPlainText(), "the headline finding is shown"
    assert w.canvas._catchment_items, "the selected result's catchment is drawn"
    assert w.neighbourhoods.model.column_of("share_in_catchment") == 2
    assert w.comparison.rows() >= 5
    assert w.commands.export.isEnabled() and w.commands.compare.isEnabled()
    assert not w.status.progress_bar.isVisible() and not w.results.banner.isVisible()
    assert "Assessment complete" in w.statusBar().currentMessage()


def test_choosing_a_unit_and_an_indicator_shades_the_map(assessed: MainWindow) -> None:
    w = assessed
    project = w.session.document.projects[0]
    w.explorer.select_item("project", project.id)
    assert w.state.selection.result_id == project.id and w.results.result_id == project.id
    assert w.results.select_indicator("served.low_income")
    assert w.state.map_field is not None and w.state.map_field.key == "low_income_share"
    assert w.results.select_indicator("served.population")
    assert w.state.map_field.key == "total_population_in_catchment"
    legend = [e.label for e in w.canvas.legend_entries]
    assert legend and w.canvas.legend_title == w.state.map_field.label


def test_cancel_a_run(qtbot, opened: MainWindow) -> None:
    w = opened
    with qtbot.waitSignal(w.assessment_cancelled, timeout=30_000):
        w.run_assessment()
        assert w.status.progress_bar.isVisible() and w.commands.cancel.isEnabled()
        w.commands.cancel.trigger()
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: not w.status.progress_bar.isVisible())
    assert w.state.assessment is None
    assert "cancelled" in w.statusBar().currentMessage().lower()


def test_rerunning_cancels_the_running_task(qtbot, opened: MainWindow) -> None:
    w = opened
    finished: list = []
    w.assessment_finished.connect(finished.append)
    first = w.run_assessment()
    with qtbot.waitSignal(w.assessment_finished, timeout=60_000):
        second = w.run_assessment()
    QThreadPool.globalInstance().waitForDone()
    qtbot.wait(50)
    assert first.is_cancelled and not second.is_cancelled
    assert len(finished) == 1


def test_change_a_parameter_then_rerun(qtbot, assessed: MainWindow) -> None:
    w = assessed
    doc = w.session.document
    result = next(p for p in doc.projects)
    before = w.state.assessment.result(result.id).indicator("served.population").value
    # Drive the parameters dialog (without exec) as the menu command does.
    dialog = ParametersDialog(doc.parameters, w)
    key = "housing" if getattr(result, "kind", "") == "housing" else result.mode.value
    dialog.catchment_spins[key].setValue(dialog.catchment_spins[key].value() / 2)
    params = dialog.parameters()
    dialog.deleteLater()
    assert params.catchment_m[key] < doc.parameters.catchment_m[key]
    w.set_parameters(params)
    assert w.session.is_modified and w.results.banner.isVisible(), "results are marked out of date"
    assert (
        w.status.stale_button.isVisible() and "project changed" in w.status.stale_button.toolTip()
    )
    with qtbot.waitSignal(w.assessment_finished, timeout=60_000):
        w.commands.run.trigger()
    after = w.state.assessment.result(result.id).indicator("served.population").value
    assert after < before
    assert not w.results.banner.isVisible() and not w.status.stale_button.isVisible()
    w.commands.undo.trigger()
    assert w.session.document.parameters == doc.parameters
    assert w.results.banner.isVisible()


def test_compare_two_units_side_by_side(assessed: MainWindow) -> None:
    w = assessed
    ids = [r.id for r in w.state.assessment.results]
    w.commands.compare.trigger()
    assert w.compare_dock.isVisible()
    w.comparison.set_units(ids[0], ids[-1])
    model = w.comparison.model
    assert model.headerData(1, Qt.Orientation.Horizontal).startswith("A: ")
    assert model.rowCount() >= 5
    names = [model.item(r, 0).text() for r in range(model.rowCount())]
    assert "People inside the catchment" in names
    w.comparison.all_check.setChecked(True)
    assert model.rowCount() >= len(names)


def test_a_failing_run_shows_an_internal_error_with_the_traceback(
    qtbot, opened: MainWindow, dialogs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(progress, document, neighbourhoods):
        raise RuntimeError("boom in the core")

    monkeypatch.setattr(main_window_module, "assess_task", broken)
    with qtbot.waitSignal(opened.assessment_failed, timeout=30_000):
        opened.run_assessment()
    report = dialogs["errors"][-1]
    assert report.kind == "internal" and "boom in the core" in report.text
    assert "Traceback" in report.details and "RuntimeError" in report.details


def test_running_without_projects_says_what_to_do(opened: MainWindow, dialogs: dict) -> None:
    w = opened
    from equityplanner.app import editing

    doc = w.session.document
    for p in doc.projects:
        doc = editing.delete_project(doc, p.id)
    w.session.apply(doc, "Delete everything")
    assert not w.commands.run.isEnabled()
    assert w.run_assessment() is None
    report = dialogs["errors"][-1]
    assert report.kind == "input" and "Place a housing site" in report.remedy
