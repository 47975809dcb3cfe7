"""Importing another city's neighbourhoods into an assessed project (issue 11).

Regression: open the sample, run, import Sacramento through the wizard: the neighbourhood
table and the map classes kept the sample's 180 rows for a 403-polygon layer, every paint
raised ``IndexError`` and the process crashed; the wizard pre-filled the sample's table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import inside_point, view_point
from helpers import shared_data
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from equityplanner.app import editing
from equityplanner.app.dialogs import ImportWizard
from equityplanner.app.main_window import MainWindow
from equityplanner.app.state import LAYER_CHANGED

SACRAMENTO_TRACTS = 403
# The 2000 census columns of the GeoDa Sacramento tracts, for the fields the wizard does not
# recognise by name. POV_POP is the population whose poverty status is known, POV_TOT those
# below the poverty level.
SACRAMENTO_COLUMNS = {
    "total_population": "TOT_POP",
    "nh_white": "WHITE",
    "hispanic": "HISP",
    "below_poverty": "POV_TOT",
    "poverty_universe": "POV_POP",
    "median_household_income": "HH_INC",
    "age_65_plus": "POP_65",
}


def _import_through_the_wizard(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, polygons: Path
) -> list[str]:
    """Import ``polygons`` with the real wizard, driven page by page; returns what it showed."""
    shown: list[str] = []

    def drive(wizard: ImportWizard) -> int:
        files = wizard.files_page
        shown.append(files.table_edit.text())
        files.polygon_edit.setText(str(polygons))
        shown.append(files.table_edit.text())
        wizard.show()
        for _ in range(2):
            wizard.button(QWizard.WizardButton.NextButton).click()
        assert wizard.currentId() == ImportWizard.MAPPING_PAGE
        for field, column in SACRAMENTO_COLUMNS.items():
            combo = wizard.mapping_page.field_combo(field)
            combo.setCurrentIndex(combo.findText(column))
        for _ in range(2):
            wizard.button(QWizard.WizardButton.NextButton).click()
        assert wizard.currentId() == ImportWizard.CHECK_PAGE, wizard.check_page.problems()
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    monkeypatch.setattr(ImportWizard, "exec", drive)
    window.commands.import_neighbourhoods.trigger()
    return shown


def _assert_everything_shows(window: MainWindow, count: int) -> None:
    """The layer, the table, the map classes and the selection all have ``count`` rows."""
    w = window
    assert w.canvas.layer is not None and w.canvas.layer.count == count
    assert w.state.baseline is not None and w.state.baseline.layer is w.canvas.layer
    table = w.state.neighbourhood_table()
    assert table is not None and len(table) == count
    assert w.neighbourhoods.model.rowCount() == count
    assert w.state.map_field in w.state.fields and w.canvas.legend_entries
    combo = w.map_panel.field_combo
    keys = [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i)]
    assert keys == [f.key for f in w.state.fields]
    assert -1 <= w.state.selection.row < count and w.canvas.selected_row == w.state.selection.row
    assert w.map_panel.row_tooltip(count - 1), "the last neighbourhood has its tooltip"
    assert not w.grab().isNull(), "painting raises nothing (pytest-qt fails on it)"


def test_open_run_import_another_city_run(
    qtbot, assessed: MainWindow, dialogs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    sacramento = shared_data("geoda-tracts", "sacramento1.gpkg")
    w = assessed
    first_count = w.canvas.layer.count
    first_table = w.session.document.baseline.table
    w.state.select_row(first_count - 1)
    assert w.state.shade_by("share_in_catchment")

    shown = _import_through_the_wizard(w, monkeypatch, sacramento)

    assert shown[0] == (first_table or ""), "the wizard opens on the project's files"
    assert shown[1] == "", "another city's polygons do not keep the first city's table"
    assert w.session.document.baseline.neighbourhoods == str(sacramento)
    _assert_everything_shows(w, SACRAMENTO_TRACTS)
    assert w.state.selection.row == -1 and not w.neighbourhoods.view.selectedIndexes()
    assert w.state.map_field.source != "result", "the first city's catchments are not shaded"
    assert w.state.staleness == LAYER_CHANGED and w.results.banner.isVisible()
    assert w.status.stale_button.isVisible()

    # The first city's projects lie outside: the run says so, and the window stays whole.
    with qtbot.waitSignal(w.assessment_failed, timeout=60_000):
        w.commands.run.trigger()
    assert dialogs["errors"][-1].kind == "input"
    assert "outside the study area" in dialogs["errors"][-1].text
    _assert_everything_shows(w, SACRAMENTO_TRACTS)

    # A project in the new city: the run completes on its 403 tracts.
    doc = w.session.document
    for project in doc.projects:
        doc = editing.delete_project(doc, project.id)
    w.session.apply(doc, "Delete the first city's projects")
    w.canvas.zoom_to_layer()
    w.canvas.set_tool("housing")
    site = view_point(w, *inside_point(w, 200))
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=site)
    assert len(w.session.document.projects) == 1
    with qtbot.waitSignal(w.assessment_finished, timeout=60_000):
        w.commands.run.trigger()
    assert w.state.staleness is None and not w.results.banner.isVisible()
    assert len(w.state.assessment.baseline) == SACRAMENTO_TRACTS
    assert w.neighbourhoods.model.column_of("share_in_catchment") >= 0
    assert w.canvas._catchment_items, "the new project's catchment is drawn"
    _assert_everything_shows(w, SACRAMENTO_TRACTS)

    # Undoing back to the first city reads its layer again; the results are out of date.
    while not w.commands.undo.text().endswith("Import neighbourhoods"):
        w.commands.undo.trigger()
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        w.commands.undo.trigger()
    _assert_everything_shows(w, first_count)
    assert w.state.staleness == LAYER_CHANGED and w.results.banner.isVisible()
