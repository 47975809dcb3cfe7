"""The parameters dialog: round trip through the project-file form, and inline validation."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from equityplanner.app.dialogs.parameters_dialog import ParametersDialog
from equityplanner.errors import InputError
from equityplanner.io.project_file import parameters_from_dict, parameters_to_dict
from equityplanner.model.project import ComparisonPopulation, Parameters, TitleViPolicy

CUSTOM = Parameters(
    # Half a mile exactly: more precise than the spin box shows, and kept as it is.
    catchment_m={"rail": 804.672, "brt": 700.0, "bus": 402.336, "housing": 1000.0},
    title_vi=TitleViPolicy(
        forms=("absolute", "relative"),
        threshold_pp=7.5,
        threshold_relative=0.25,
        four_fifths_ratio=0.85,
    ),
    distribution_threshold_pp=4.0,
    comparison=ComparisonPopulation(kind="prefix", label="Cook County", prefix="17031"),
    projected_crs="EPSG:26916",
    area_median_income_usd=98_200.0,
    reliability_bands="census",
    displacement_min_flags=4,
    significance_z=1.96,
)


def _dialog(qtbot, parameters: Parameters) -> ParametersDialog:
    dialog = ParametersDialog(parameters)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _ok_enabled(dialog: ParametersDialog) -> bool:
    return dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def _round_trip(parameters: Parameters) -> Parameters:
    return parameters_from_dict(parameters_to_dict(parameters))


@pytest.mark.parametrize("parameters", [Parameters(), CUSTOM], ids=["defaults", "custom"])
def test_unedited_parameters_come_back_unchanged(qtbot, parameters: Parameters):
    dialog = _dialog(qtbot, parameters)
    assert dialog.problems() == []
    assert _ok_enabled(dialog)
    result = dialog.parameters()
    assert result == parameters
    assert _round_trip(result) == result


def test_edits_round_trip_through_the_project_file(qtbot):
    dialog = _dialog(qtbot, CUSTOM)
    dialog.catchment_spins["bus"].setValue(500)
    dialog.form_checks["relative"].setChecked(False)
    dialog.form_checks["four_fifths"].setChecked(True)
    dialog.four_fifths_spin.setValue(0.75)
    dialog.threshold_relative_spin.setValue(30)  # a percentage in the form, a fraction inside
    dialog.comparison_combo.setCurrentIndex(dialog.comparison_combo.findData("ids"))
    dialog.ids_edit.setPlainText("17031010100, 17031010201\n17031010202")
    dialog.comparison_label_edit.setText("Study corridor")
    dialog.crs_edit.setText("")
    dialog.ami_spin.setValue(0)  # "Not set"
    dialog.reliability_combo.setCurrentIndex(dialog.reliability_combo.findData("esri"))
    dialog.displacement_spin.setValue(2)
    assert _ok_enabled(dialog), dialog.problems()

    result = dialog.parameters()
    assert result.catchment_m == {"rail": 804.672, "brt": 700.0, "bus": 500.0, "housing": 1000.0}
    assert result.title_vi == TitleViPolicy(
        forms=("absolute", "four_fifths"),
        threshold_pp=7.5,
        threshold_relative=0.30,
        four_fifths_ratio=0.75,
    )
    assert result.comparison == ComparisonPopulation(
        kind="ids", label="Study corridor", ids=("17031010100", "17031010201", "17031010202")
    )
    assert result.projected_crs is None
    assert result.area_median_income_usd is None
    assert result.reliability_bands == "esri"
    assert result.displacement_min_flags == 2
    assert result.significance_z == 1.96  # no widget: carried through
    assert _round_trip(result) == result


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: [c.setChecked(False) for c in d.form_checks.values()], "Title VI tests"),
        (lambda d: d.crs_edit.setText("EPSG:4326"), "not projected"),
        (lambda d: d.crs_edit.setText("no such CRS"), "not a known CRS"),
        (lambda d: d.crs_edit.setText("EPSG:2285"), "catchments are in metres"),
        (lambda d: d.prefix_edit.setText(""), "needed when kind is 'prefix'"),
        (lambda d: d.comparison_label_edit.setText(" "), "give it a name"),
    ],
    ids=[
        "no-title-vi-form",
        "geographic-crs",
        "unknown-crs",
        "crs-in-feet",
        "no-prefix",
        "no-label",
    ],
)
def test_invalid_values_disable_ok_with_a_message(qtbot, edit, expected: str):
    dialog = _dialog(qtbot, CUSTOM)
    edit(dialog)
    assert not _ok_enabled(dialog)
    assert any(expected in problem for problem in dialog.problems()), dialog.problems()
    assert expected in dialog.message_label.text()
    assert dialog.message_label.isVisible()
    with pytest.raises(InputError):
        dialog.parameters()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_problems_clear_when_fixed(qtbot):
    dialog = _dialog(qtbot, CUSTOM)
    dialog.crs_edit.setText("EPSG:4326")
    assert not _ok_enabled(dialog)
    assert dialog.problems()[0].startswith("Projected CRS:")  # named as in the form
    dialog.crs_edit.setText("EPSG:32616")
    assert _ok_enabled(dialog)
    assert not dialog.message_label.isVisible()
    assert dialog.parameters().projected_crs == "EPSG:32616"


def test_restore_defaults(qtbot):
    dialog = _dialog(qtbot, CUSTOM)
    dialog.button_box.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.parameters() == Parameters(significance_z=CUSTOM.significance_z)


def test_comparison_rows_follow_the_kind(qtbot):
    dialog = _dialog(qtbot, Parameters())
    form = dialog._comparison_form
    assert not form.isRowVisible(dialog.prefix_edit)
    dialog.comparison_combo.setCurrentIndex(dialog.comparison_combo.findData("prefix"))
    assert form.isRowVisible(dialog.prefix_edit)
    assert not form.isRowVisible(dialog.ids_edit)


def test_tooltips_explain_with_sources(qtbot):
    dialog = _dialog(qtbot, Parameters())
    assert "King County Metro uses 10 points" in dialog.threshold_pp_spin.toolTip()
    assert "FTA C 4702.1B" in dialog.threshold_pp_spin.toolTip()
    assert "29 CFR 1607.4(D)" in dialog.four_fifths_spin.toolTip()
    assert "TAG unit A4.2" in dialog.distribution_spin.toolTip()
    assert "76 FR 52046" in dialog.catchment_spins["rail"].toolTip()
    assert "Bates" in dialog.displacement_spin.toolTip()
    widgets = [
        *dialog.catchment_spins.values(),
        *dialog.form_checks.values(),
        dialog.threshold_relative_spin,
        dialog.comparison_combo,
        dialog.prefix_edit,
        dialog.ids_edit,
        dialog.comparison_label_edit,
        dialog.crs_edit,
        dialog.ami_spin,
        dialog.reliability_combo,
    ]
    assert all(widget.toolTip() for widget in widgets)


def test_miles_are_shown_beside_metres(qtbot):
    dialog = _dialog(qtbot, Parameters())
    dialog.catchment_spins["bus"].setValue(1609)
    assert dialog._miles_labels["bus"].text() == "≈ 1.00 mile"
