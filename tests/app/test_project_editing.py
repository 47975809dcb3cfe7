"""The whole project in the GUI (issue 11 item 6): scenarios, details and data vintage, access
data, each an undoable edit that reaches the saved file; the Properties panel's messages in
view and in step with the Results' Showing box (item 7)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from equityplanner.app.dialogs.project_dialogs import (
    DetailsDialog,
    GtfsDialog,
    OpportunityDialog,
    ScenarioDialog,
)
from equityplanner.app.main_window import MainWindow
from equityplanner.app.project_tree import HEADING_ROLE, ID_ROLE, KIND_ROLE
from equityplanner.io.project_file import load_project


def _fill_and_ok(
    qtbot, monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fill: Callable[[QDialog], None]
) -> list[QDialog]:
    """Replace ``cls.exec``: show the dialog, let ``fill`` type into it, press OK."""
    shown: list[QDialog] = []

    def run(self: QDialog) -> int:
        self.show()
        qtbot.waitExposed(self)
        shown.append(self)
        fill(self)
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        if ok.isEnabled():
            qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        else:
            self.reject()
        return self.result()

    monkeypatch.setattr(cls, "exec", run)
    return shown


def _type(qtbot, edit, text: str) -> None:
    edit.selectAll()
    edit.clear()
    qtbot.keyClicks(edit, text)


def _row(w: MainWindow, *, kind: str = "", item_id: str = "", heading: str = "") -> QModelIndex:
    model = w.explorer.model()
    for r in range(model.rowCount()):
        top = model.index(r, 0)
        if heading and top.data(HEADING_ROLE) == heading:
            return top
        for c in range(model.rowCount(top)):
            child = model.index(c, 0, top)
            if (
                kind
                and child.data(KIND_ROLE) == kind
                and (not item_id or child.data(ID_ROLE) == item_id)
            ):
                return child
    raise AssertionError(f"no row {kind or heading} {item_id}")


def _trigger(w: MainWindow, index: QModelIndex, text: str) -> None:
    actions = {a.text().replace("&", ""): a for a in w.explorer.context_actions(index)}
    assert text in actions, list(actions)
    actions[text].trigger()


def test_scenarios_are_made_edited_and_deleted_in_the_explorer_and_saved(
    qtbot, opened: MainWindow, project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened
    projects = [p.id for p in w.session.document.projects]
    before = len(w.session.document.scenarios)

    def new(d: ScenarioDialog) -> None:
        _type(qtbot, d.name_edit, "Housing first")
        d.set_checked(projects[:1])

    _fill_and_ok(qtbot, monkeypatch, ScenarioDialog, new)
    _trigger(w, _row(w, heading="scenarios"), "New scenario…")
    scenario = w.session.document.scenarios[-1]
    assert (scenario.id, scenario.name, scenario.project_ids) == (
        "housing-first",
        "Housing first",
        (projects[0],),
    )
    assert w.explorer.select_item("scenario", "housing-first", emit=False)
    assert w.files.save()
    saved = load_project(project_file).scenarios
    assert len(saved) == before + 1 and saved[-1].project_ids == (projects[0],)

    def rename(d: ScenarioDialog) -> None:
        _type(qtbot, d.name_edit, "Everything")
        d.set_checked(projects)

    _fill_and_ok(qtbot, monkeypatch, ScenarioDialog, rename)
    w.explorer._on_double_clicked(_row(w, kind="scenario", item_id="housing-first"))
    assert w.session.document.scenarios[-1].name == "Everything"
    assert w.session.document.scenarios[-1].id == "housing-first", "the id stays"
    assert w.files.save()
    saved = load_project(project_file).scenarios[-1]
    assert (saved.name, saved.project_ids) == ("Everything", tuple(projects))

    _trigger(w, _row(w, kind="scenario", item_id="housing-first"), "Delete scenario")
    assert all(s.id != "housing-first" for s in w.session.document.scenarios)
    w.commands.undo.trigger()
    assert w.session.document.scenarios[-1].id == "housing-first", "undoable"
    w.commands.redo.trigger()
    assert w.files.save()
    assert len(load_project(project_file).scenarios) == before


def test_the_scenario_dialog_says_what_is_wrong_under_its_fields(qtbot, opened: MainWindow) -> None:
    dialog = ScenarioDialog(opened.session.document)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.message_label.isVisible()
    assert dialog.message_label.text() == "The scenario has no name: give it one."
    _type(qtbot, dialog.name_edit, "Nothing")
    dialog.set_checked([])
    assert dialog.message_label.text() == "The scenario lists no project: tick at least one."
    assert not ok.isEnabled()
    dialog.set_checked([opened.session.document.projects[0].id])
    assert ok.isEnabled() and not dialog.message_label.isVisible()


def test_project_details_and_data_vintage_round_trip_to_the_file(
    qtbot, opened: MainWindow, project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened

    def details(d: DetailsDialog) -> None:
        _type(qtbot, d.title_edit, "Eastside corridor equity assessment")
        _type(qtbot, d.author_edit, "R. Okafor")
        _type(qtbot, d.organisation_edit, "Department of City Planning")
        _type(qtbot, d.date_edit, "2026-13-01")
        assert d.message_label.isVisible() and "2026-13-01" in d.message_label.text()
        _type(qtbot, d.date_edit, "2026-12-01")
        assert not d.message_label.isVisible()
        d.description_edit.setPlainText("For the planning commission, December.")
        d.status_combo.setCurrentIndex(d.status_combo.findData("final"))
        _type(qtbot, d.vintage_edit, "ACS 2019-2023 5-year")
        # How residents comment (printed in the community summaries), with its last day.
        d.comment_edit.setPlainText("Write to planning@example.gov or speak on 12 January.")
        _type(qtbot, d.comment_until_edit, "2027-02-30")
        assert d.message_label.isVisible() and "2027-02-30" in d.message_label.text()
        _type(qtbot, d.comment_until_edit, "2027-01-12")
        assert not d.message_label.isVisible()

    _fill_and_ok(qtbot, monkeypatch, DetailsDialog, details)
    w.commands.details.trigger()
    meta = w.session.document.metadata
    assert (meta.title, meta.author, meta.organisation, meta.date) == (
        "Eastside corridor equity assessment",
        "R. Okafor",
        "Department of City Planning",
        "2026-12-01",
    )
    assert meta.is_final
    assert meta.comment == "Write to planning@example.gov or speak on 12 January."
    assert meta.comment_until == "2027-01-12"
    assert w.windowTitle().startswith("Eastside corridor equity assessment")
    assert w.commands.undo.text() == "&Undo Edit project details"
    assert w.files.save()
    saved = load_project(project_file)
    assert saved.metadata == meta
    assert saved.baseline is not None and saved.baseline.vintage == "ACS 2019-2023 5-year"
    texts = [w.explorer.model().index(r, 0) for r in range(w.explorer.model().rowCount())]
    details_heading = next(i for i in texts if i.data(HEADING_ROLE) == "details")
    shown = [w.explorer.model().index(c, 0, details_heading).data() for c in range(2)]
    assert shown == [
        "Eastside corridor equity assessment",
        "R. Okafor · Department of City Planning · 2026-12-01",
    ]


def test_the_details_need_a_title(qtbot, window: MainWindow) -> None:
    dialog = DetailsDialog(window.session.document)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.title_edit, "")
    assert dialog.message_label.text().startswith("The title is empty")
    assert not dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not dialog.vintage_edit.isEnabled(), "no neighbourhoods: no vintage to set"


def test_opportunity_layers_and_gtfs_feeds_are_added_and_removed_in_the_explorer(
    qtbot, opened: MainWindow, project_file: Path, tmp_path: Path, monkeypatch
) -> None:
    w = opened
    folder = tmp_path / "access"
    folder.mkdir()
    (folder / "clinics.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        '{"type": "Point", "coordinates": [-86.8, 33.5]}, "properties": {"doctors": 3}}]}',
        encoding="utf-8",
    )
    for name in ("before.zip", "after.zip"):
        (folder / name).write_bytes(b"PK\x05\x06" + bytes(18))
    for kind in list(w.session.document.opportunities):
        w.project_editor.remove_opportunity(kind)
    w.project_editor.remove_gtfs()
    w.project_editor.remove_weights()
    w.project_editor.remove_network()
    heading = _row(w, heading="data")
    assert w.explorer.model().index(0, 0, heading).data().startswith("None")

    def clinics(d: OpportunityDialog) -> None:
        d.kind_combo.setCurrentIndex(d.kind_combo.findData("clinics"))
        _type(qtbot, d.path_row.edit, str(folder / "nowhere.geojson"))
        assert "does not exist" in d.message_label.text()
        _type(qtbot, d.path_row.edit, str(folder / "clinics.geojson"))
        _type(qtbot, d.capacity_edit, "doctors")

    _fill_and_ok(qtbot, monkeypatch, OpportunityDialog, clinics)
    _trigger(w, _row(w, heading="data"), "Add opportunity layer…")

    def feeds(d: GtfsDialog) -> None:
        _type(qtbot, d.baseline_row.edit, str(folder / "before.zip"))
        _type(qtbot, d.proposed_row.edit, str(folder / "after.zip"))
        d.date_edit.setDate(d.date_edit.date().fromString("2026-03-10", "yyyy-MM-dd"))

    _fill_and_ok(qtbot, monkeypatch, GtfsDialog, feeds)
    _trigger(w, _row(w, heading="data"), "Set GTFS feeds…")
    assert _row(w, kind="opportunity", item_id="clinics").data() == "Clinics: clinics.geojson"
    assert _row(w, kind="gtfs").data() == "GTFS: before.zip → after.zip"
    assert w.files.save()
    saved = load_project(project_file)
    assert list(saved.opportunities) == ["clinics"]
    assert saved.opportunities["clinics"].capacity_column == "doctors"
    assert saved.resolve(saved.opportunities["clinics"].path) == folder / "clinics.geojson"
    assert saved.gtfs is not None and saved.gtfs.date == "2026-03-10"
    assert saved.resolve(saved.gtfs.proposed) == folder / "after.zip"

    _trigger(w, _row(w, kind="opportunity", item_id="clinics"), "Remove layer")
    _trigger(w, _row(w, kind="gtfs"), "Remove GTFS feeds")
    assert w.files.save()
    saved = load_project(project_file)
    assert saved.opportunities == {} and saved.gtfs is None


def test_a_form_problem_shows_at_the_top_of_a_small_properties_dock(
    qtbot, opened: MainWindow
) -> None:
    from equityplanner.model.project import HousingProject

    w = opened
    housing = next(p for p in w.session.document.projects if isinstance(p, HousingProject))
    w.show_properties(housing.id)
    w.resizeDocks([w.properties_dock], [200], Qt.Orientation.Vertical)
    panel = w.properties
    qtbot.waitUntil(lambda: panel.height() <= 220, timeout=5000)
    form = panel.form
    assert form is not None
    bar = panel.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())  # typing in the last fields
    form.total_spin.setValue(housing.total_units + 7)
    form.total_spin.editingFinished.emit()
    assert "add up to" in panel.problem()
    assert panel.problem_bar.isVisible() and not form.message_label.isVisible()
    top_left = panel.problem_bar.mapTo(panel, panel.problem_bar.rect().topLeft())
    assert top_left.y() == 0, "pinned above the scrolling form"
    assert panel.problem_bar.height() < panel.height(), "whole, in view"
    assert panel.scroll_area.height() >= 40, "with the form still there to put it right"
    form.total_spin.setValue(housing.total_units)
    form.total_spin.editingFinished.emit()
    assert panel.problem() == "" and not panel.problem_bar.isVisible()


def test_the_showing_box_and_properties_stay_in_step(assessed: MainWindow) -> None:
    w = assessed
    combo = w.results.result_combo
    projects = [p.id for p in w.session.document.projects]
    scenarios = {s.id for s in w.session.document.scenarios}
    w.state.select_project(projects[0])
    other = projects[-1]
    combo.setCurrentIndex(combo.findData(other))
    assert w.state.selection.project_id == other
    assert w.properties.form is not None and w.properties.form.project().id == other
    assert w.properties.form.isVisibleTo(w.properties)
    scenario = next(
        (combo.itemData(i) for i in range(combo.count()) if combo.itemData(i) in scenarios), None
    )
    if scenario is not None:
        combo.setCurrentIndex(combo.findData(scenario))
        assert w.state.selection.project_id is None, "no project is edited for a scenario"
        assert not w.properties.form.isVisibleTo(w.properties)
        assert w.state.selection.result_id == scenario
        name = next(s.name for s in w.session.document.scenarios if s.id == scenario)
        assert f"Scenario: {name}" in w.properties.hint.text(), "Properties show the scenario"
        assert "Edit scenario…" in w.properties.hint.text()


def test_a_new_project_gets_its_details_and_a_scenario_and_keeps_them(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equityplanner.app import editing

    w = window
    assert "Prepared by: not stated" in w.properties.hint.text()

    def details(d: DetailsDialog) -> None:
        _type(qtbot, d.title_edit, "Northside housing review")
        _type(qtbot, d.author_edit, "A. Planner")
        _type(qtbot, d.organisation_edit, "Housing Department")

    _fill_and_ok(qtbot, monkeypatch, DetailsDialog, details)
    w.properties.hint.linkActivated.emit("details")  # "Edit project details…" in Properties
    assert "A. Planner · Housing Department" in w.properties.hint.text()
    doc, first = editing.add_housing_site(w.session.document, -86.80, 33.50, name="North homes")
    doc, second = editing.add_housing_site(doc, -86.81, 33.51, name="South homes")
    w.session.apply(doc, "Place housing sites")
    assert w.commands.new_scenario.isEnabled()

    def scenario(d: ScenarioDialog) -> None:
        _type(qtbot, d.name_edit, "Both sites")

    _fill_and_ok(qtbot, monkeypatch, ScenarioDialog, scenario)
    w.commands.new_scenario.trigger()
    target = tmp_path / "northside.eqp.json"
    monkeypatch.setattr(
        "equityplanner.app.project_files.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    assert w.files.save()
    saved = load_project(target)
    assert (saved.metadata.title, saved.metadata.author, saved.metadata.organisation) == (
        "Northside housing review",
        "A. Planner",
        "Housing Department",
    )
    assert [(s.name, s.project_ids) for s in saved.scenarios] == [("Both sites", (first, second))]


def test_population_weights_are_set_and_removed_in_the_explorer(
    qtbot, opened: MainWindow, project_file: Path, tmp_path: Path, monkeypatch
) -> None:
    from equityplanner.app.dialogs.project_dialogs import WeightsDialog

    w = opened
    w.project_editor.remove_weights()
    blocks = tmp_path / "blocks.geojson"
    blocks.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        '{"type": "Point", "coordinates": [-86.8, 33.5]}, "properties": {"POP20": 12}}]}',
        encoding="utf-8",
    )

    def weights(d: WeightsDialog) -> None:
        assert "Choose the weights file" in d.message_label.text()
        _type(qtbot, d.path_row.edit, str(blocks))
        _type(qtbot, d.count_edit, "POP20")

    _fill_and_ok(qtbot, monkeypatch, WeightsDialog, weights)
    _trigger(w, _row(w, heading="data"), "Set population weights…")
    assert _row(w, kind="weights").data() == "Population weights: blocks.geojson"
    assert w.files.save()
    saved = load_project(project_file)
    assert saved.weights is not None and saved.weights.count_column == "POP20"
    assert saved.resolve(saved.weights.path) == blocks
    _trigger(w, _row(w, kind="weights"), "Remove population weights")
    assert w.files.save()
    assert load_project(project_file).weights is None
