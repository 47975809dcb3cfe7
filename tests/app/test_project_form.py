"""The project properties form and the new-project dialog."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QDialogButtonBox, QLineEdit
from shapely.geometry import LineString, Point

from equityplanner.app.dialogs.project_form import NewProjectDialog, NewProjectSpec, ProjectForm
from equityplanner.model.project import (
    HousingProject,
    Mode,
    ServiceChange,
    Station,
    Tenure,
    TransitProject,
)

HOUSING = HousingProject(
    id="h1",
    name="Magnolia Apartments",
    site=Point(-87.65, 41.90),
    total_units=100,
    units_by_band={"ami_30": 10, "ami_50": 20, "ami_80": 20, "market": 50},
    tenure=Tenure.RENTAL,
    proposed_rents_usd={"ami_30": 650.0},
    units_demolished=12,
    affordable_units_demolished=8,
    households_displaced=10,
)
STOPS = (
    Station("Ashland", Point(-87.667, 41.90)),
    Station("Damen", Point(-87.677, 41.90)),
    Station("Western", Point(-87.687, 41.90)),
)
TRANSIT = TransitProject(
    id="t1",
    name="Route 9 BRT",
    mode=Mode.BRT,
    change=ServiceChange.IMPROVEMENT,
    stations=STOPS,
    alignment=LineString([(-87.667, 41.90), (-87.687, 41.90)]),
    peak_headway_min=6.0,
    baseline_peak_headway_min=10.0,
    span_hours=19.0,
    fare_usd=2.25,
)


class Recorder:
    """Collects what ``edited`` emits."""

    def __init__(self, form: ProjectForm) -> None:
        self.projects: list[object] = []
        form.edited.connect(self.projects.append)


def _form(qtbot, project) -> tuple[ProjectForm, Recorder]:
    form = ProjectForm(project)
    qtbot.addWidget(form)
    form.show()
    return form, Recorder(form)


def _type(qtbot, widget: QAbstractSpinBox | QLineEdit, text: str) -> None:
    """Replace the text as a user would, and press Enter (commits: editingFinished)."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


# --- housing ---------------------------------------------------------------------------------


def test_shows_the_housing_project(qtbot):
    form, _ = _form(qtbot, HOUSING)
    assert form.name_edit.text() == "Magnolia Apartments"
    assert form.total_spin.value() == 100
    assert [form.band_spins[b].value() for b in ("ami_30", "ami_50", "ami_80", "market")] == [
        10,
        20,
        20,
        50,
    ]
    assert form.rent_edits["ami_30"].text() == "650"
    assert form.rent_edits["market"].text() == ""
    assert "add up to the 100 units" in form.band_sum_label.text()
    assert form.project() is HOUSING


def test_editing_units_emits_a_new_project_whose_bands_add_up(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.total_spin, "120")
    # 100 in the bands for 120 units: shown at once, committed as a problem, nothing emitted.
    assert "add up to 100 of 120 units (20 short)" in form.band_sum_label.text()
    assert recorder.projects == []
    assert form.problem() == (
        "Units by AMI band add up to 100 but total units is 120. Make units up to 30% AMI "
        "+ units at 31–50% AMI + units at 51–80% AMI + units at market rate equal total "  # noqa: RUF001
        "units."
    )
    assert form.message_label.isVisible()

    _type(qtbot, form.band_spins["ami_30"], "30")
    assert len(recorder.projects) == 1
    project = recorder.projects[0]
    assert isinstance(project, HousingProject)
    assert project is not HOUSING
    assert project == dataclasses.replace(
        HOUSING,
        total_units=120,
        units_by_band={"ami_30": 30, "ami_50": 20, "ami_80": 20, "market": 50},
    )
    assert sum(project.units_by_band.values()) == project.total_units
    assert project.site is HOUSING.site  # geometry untouched
    assert form.problem() == "" and not form.message_label.isVisible()
    assert form.project() is project
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.total_units = 1  # type: ignore[misc]


def test_a_band_mismatch_emits_nothing(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.band_spins["market"], "45")
    assert recorder.projects == []
    assert "add up to 95 but total units is 100" in form.problem()
    assert "(5 short)" in form.band_sum_label.text()
    assert form.project() is HOUSING


def test_committing_without_a_change_emits_nothing(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.total_spin, "100")
    assert recorder.projects == []


def test_rents_tenure_and_demolitions(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.rent_edits["ami_50"], "$1,250")
    assert recorder.projects[-1].proposed_rents_usd == {"ami_30": 650.0, "ami_50": 1250.0}
    _type(qtbot, form.rent_edits["ami_30"], "")
    assert recorder.projects[-1].proposed_rents_usd == {"ami_50": 1250.0}
    form.tenure_combo.setCurrentIndex(form.tenure_combo.findData(Tenure.OWNERSHIP))
    assert recorder.projects[-1].tenure is Tenure.OWNERSHIP
    assert len(recorder.projects) == 3

    _type(qtbot, form.rent_edits["ami_80"], "about 900")
    assert len(recorder.projects) == 3
    assert form.problem() == "Rent at 51–80% AMI is 'about 900', which is not a number."  # noqa: RUF001
    _type(qtbot, form.rent_edits["ami_80"], "")

    _type(qtbot, form.affordable_demolished_spin, "20")
    assert len(recorder.projects) == 3
    assert form.problem() == "Affordable units demolished (20) exceeds units demolished (12)."


def test_empty_name_is_refused(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.name_edit, "")
    assert recorder.projects == []
    assert "no name" in form.problem()
    _type(qtbot, form.name_edit, "Magnolia Commons")
    assert recorder.projects[-1].name == "Magnolia Commons"


# --- transit ---------------------------------------------------------------------------------


def _names(project: TransitProject) -> list[str]:
    return [station.name for station in project.stations]


def test_renaming_stations(qtbot):
    form, recorder = _form(qtbot, TRANSIT)
    assert [form.station_list.item(i).text() for i in range(3)] == ["Ashland", "Damen", "Western"]
    form.station_list.item(1).setText("Damen/Milwaukee")
    project = recorder.projects[-1]
    assert _names(project) == ["Ashland", "Damen/Milwaukee", "Western"]
    assert [s.geometry for s in project.stations] == [s.geometry for s in STOPS]
    assert project.alignment is TRANSIT.alignment
    assert dataclasses.replace(project, stations=STOPS) == TRANSIT

    form.station_list.item(0).setText("  ")
    assert len(recorder.projects) == 1
    assert form.problem() == "Station 1 has no name. Give every station a name."


def test_reordering_stations_keeps_their_geometry(qtbot):
    form, recorder = _form(qtbot, TRANSIT)
    form.station_list.setCurrentRow(0)
    form.down_button.click()
    project = recorder.projects[-1]
    assert _names(project) == ["Damen", "Ashland", "Western"]
    assert project.stations[1] == STOPS[0]
    form.up_button.click()
    assert _names(recorder.projects[-1]) == ["Ashland", "Damen", "Western"]
    form.station_list.setCurrentRow(0)
    form.up_button.click()  # already first: nothing happens
    assert len(recorder.projects) == 2


def test_transit_service_attributes(qtbot):
    form, recorder = _form(qtbot, TRANSIT)
    assert form._transit_form.isRowVisible(form.baseline_headway_edit)
    _type(qtbot, form.headway_edit, "5")
    assert recorder.projects[-1].peak_headway_min == 5.0

    _type(qtbot, form.headway_edit, "0")
    assert len(recorder.projects) == 1
    assert form.problem().startswith("Peak headway is '0'; it must be greater than zero")

    _type(qtbot, form.headway_edit, "7.5")
    form.change_combo.setCurrentIndex(form.change_combo.findData(ServiceChange.NEW))
    project = recorder.projects[-1]
    assert project.change is ServiceChange.NEW
    assert project.peak_headway_min == 7.5
    assert project.baseline_peak_headway_min is None  # only for improvements and reductions
    assert not form._transit_form.isRowVisible(form.baseline_headway_edit)

    form.mode_combo.setCurrentIndex(form.mode_combo.findData(Mode.RAIL))
    assert recorder.projects[-1].mode is Mode.RAIL
    _type(qtbot, form.fare_edit, "0")
    assert recorder.projects[-1].fare_usd == 0.0  # a free fare is a fare
    _type(qtbot, form.span_edit, "")
    assert recorder.projects[-1].span_hours is None


def test_set_project_switches_kind_and_emits_nothing(qtbot):
    form, recorder = _form(qtbot, HOUSING)
    _type(qtbot, form.band_spins["market"], "1")
    assert form.problem()
    form.set_project(TRANSIT)
    assert recorder.projects == []
    assert form.problem() == ""
    assert form.project() is TRANSIT
    assert form.kind_label.text() == "Transit line or service change"
    assert form.mode_combo.currentData() == Mode.BRT
    form.set_project(HOUSING)
    assert form.band_spins["market"].value() == 50
    assert recorder.projects == []


# --- new project -----------------------------------------------------------------------------


def test_new_project_dialog(qtbot):
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert not dialog.mode_combo.isEnabled()
    dialog.name_edit.setText("Magnolia Commons")
    assert ok.isEnabled()
    assert dialog.spec() == NewProjectSpec(kind="housing", name="Magnolia Commons")

    dialog.transit_radio.setChecked(True)
    assert dialog.mode_combo.isEnabled() and dialog.change_combo.isEnabled()
    dialog.name_edit.setText("Route 9 BRT")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData(Mode.BRT))
    dialog.change_combo.setCurrentIndex(dialog.change_combo.findData(ServiceChange.IMPROVEMENT))
    assert dialog.spec() == NewProjectSpec(
        kind="transit", name="Route 9 BRT", mode=Mode.BRT, change=ServiceChange.IMPROVEMENT
    )
    ok.click()
    assert dialog.result() == NewProjectDialog.DialogCode.Accepted


def test_switching_projects_draws_the_new_stations(qtbot):
    # The form is reused as the selection moves: a transit project shown after a housing one
    # must draw its stations (the view once kept the old layout and drew none), and moving a
    # station must redraw the list in its new order.
    form, recorder = _form(qtbot, HOUSING)
    form.set_project(TRANSIT)
    stations = form.station_list
    drawn = [
        stations.indexAt(stations.visualItemRect(stations.item(r)).center()).row() for r in range(3)
    ]
    assert [stations.item(r).text() for r in range(3)] == ["Ashland", "Damen", "Western"]
    assert drawn == [0, 1, 2]
    assert recorder.projects == []  # showing a project emits nothing
    stations.setCurrentRow(0)
    form.down_button.click()
    assert [stations.item(r).text() for r in range(3)] == ["Damen", "Ashland", "Western"]
    assert stations.indexAt(stations.visualItemRect(stations.item(1)).center()).row() == 1
    assert [s.name for s in recorder.projects[-1].stations] == ["Damen", "Ashland", "Western"]
