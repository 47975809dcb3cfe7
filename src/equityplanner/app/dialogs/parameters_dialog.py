"""Dialog editing the assessment parameters: every number that affects the results.

The dialog edits a :class:`~equityplanner.model.project.Parameters` and checks it with the
core's own parser (:func:`~equityplanner.io.project_file.parameters_from_dict`), so that it
accepts exactly what a project file accepts. Problems are listed under the form and OK stays
disabled until they are fixed. Each setting carries a tooltip explaining it in planner
language, with its source.

Public API
----------
``ParametersDialog(parameters, parent=None)``
    Start from ``parameters`` (for example ``document.parameters``). Values the form cannot
    show more precisely than it displays (say 804.672 m) are returned unchanged unless the
    user edits them; ``significance_z``, which has no widget, is carried through.
``ParametersDialog.parameters() -> Parameters``
    The edited parameters. Raises :class:`~equityplanner.errors.InputError` while the form
    is invalid (OK is disabled then, so after ``exec()`` returns ``Accepted`` it never does).
``ParametersDialog.problems() -> list[str]``
    The problems currently shown, one sentence each (empty when valid).

Example
-------
>>> dialog = ParametersDialog(document.parameters, main_window)   # doctest: +SKIP
>>> if dialog.exec() == QDialog.DialogCode.Accepted:              # doctest: +SKIP
...     document = dataclasses.replace(document, parameters=dialog.parameters())

The widgets are attributes (``catchment_spins["bus"]``, ``crs_edit`` ...) so that tests and
scripts can drive the dialog; they are not a stable API.
"""

from __future__ import annotations

import re
from typing import Any

import pyproj
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from equityplanner.analysis.displacement import default_indicators
from equityplanner.app.dialogs._buttons import translate_button_box
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.i18n import _, format_number, format_percent, ngettext
from equityplanner.io.project_file import parameters_from_dict
from equityplanner.model.project import Parameters

__all__ = ["ParametersDialog"]

_METRES_PER_MILE = 1609.344
_ERROR_COLOUR = "#b00020"
_INVALID_STYLE = f"border: 1px solid {_ERROR_COLOUR};"
_CRS_KEY = "parameters.projected_crs"
_COMPARISON_KEY = "parameters.comparison"

# The texts below are functions, not constants: they are read in the language in force when
# the dialog is built (the app's choice), not in the one of the moment the module was imported.


def _catchments() -> dict[str, str]:
    return {
        "rail": _("Rail station"),
        "brt": _("BRT station"),
        "bus": _("Bus stop"),
        "housing": _("Housing site"),
    }


def _comparison_kinds() -> dict[str, str]:
    return {
        "all": _("Every neighbourhood in the file"),
        "prefix": _("Neighbourhoods whose id starts with…"),
        "ids": _("A list of neighbourhood ids"),
    }


def _band_names() -> dict[str, str]:
    """The sets of reliability bands of resources/reliability.toml, by whom they follow."""
    return {"esri": "Esri", "census": _("Census Bureau")}


def _indicator_names() -> dict[str, str]:
    """The displacement indicators of resources/thresholds.toml, as the tooltip names them."""
    return {
        "renters": _("renters"),
        "low_income": _("low income"),
        "rent_burdened": _("rent burdened"),
        "minority": _("minority"),
        "limited_english": _("limited English"),
    }


def _catchment_tips() -> dict[str, str]:
    return {
        "rail": _(
            "How far people walk to a rail station. Neighbourhoods within this distance of a "
            "station share in its benefits (or burdens), in proportion to the area inside.\n"
            "Common practice is ½ mile (800 m) for rail and BRT stations: FTA treats ½ mile as "
            "the walk-shed of transit (Final Policy Statement, 76 FR 52046, 2011), and the "
            "Transit Capacity and Quality of Service Manual (TCRP Report 165) uses it for rail."
        ),
        "brt": _(
            "How far people walk to a bus rapid transit station. ½ mile (800 m) is usual, as "
            "for rail (FTA, 76 FR 52046)."
        ),
        "bus": _(
            "How far people walk to a local bus stop. ¼ mile (400 m) is the usual bus-stop "
            "catchment (Transit Capacity and Quality of Service Manual, TCRP Report 165)."
        ),
        "housing": _(
            "The area around a proposed housing site whose residents count as its neighbours: "
            "those who may gain from new affordable homes or face rising rents. ½ mile (800 m) "
            "is a common neighbourhood radius; there is no federal standard."
        ),
    }


def _tips() -> dict[str, str]:
    return {
        "title_vi": _(
            "Under FTA Circular 4702.1B (chapter IV), your agency adopts, with public "
            "engagement and board approval, the thresholds at which a service or fare change "
            "has a disparate impact on minority riders or a disproportionate burden on "
            "low-income riders. Tick the forms of the test your board adopted."
        ),
        "absolute": _(
            "Absolute difference: a finding when the minority (or low-income) share of the "
            "people affected differs from their share of the comparison population by more "
            "than this many percentage points, to their disadvantage.\n"
            "FTA C 4702.1B leaves the threshold to your board; King County Metro uses 10 points."
        ),
        "relative": _(
            "Relative difference: the same difference measured as a percentage of the "
            "comparison share. With 20%, a group that is 40% of the comparison population is "
            "flagged below 32% (for a benefit) or above 48% (for a burden).\n"
            "FTA C 4702.1B leaves the threshold to your board; some agencies use this form "
            "instead of, or beside, the absolute one."
        ),
        "four_fifths": _(
            "Four-fifths rule: compares the rate at which the group is affected with the rate "
            "for everyone else. A benefit reaching the group at less than this ratio of the "
            "others' rate (0.8 = four fifths), or a burden falling on it at more than its "
            "inverse (1.25), is a finding.\n"
            "From the EEOC Uniform Guidelines on Employee Selection Procedures "
            "(29 CFR 1607.4(D)); some transit agencies adopt it for Title VI."
        ),
        "distribution": _(
            "How far, in percentage points, an income quintile's share of the benefits (or "
            "burdens) may differ from its share of the population and still count as broadly "
            "in line: a 'moderate' rating on the seven-point scale of the UK Department for "
            "Transport's TAG unit A4.2 (distributional impact appraisal). Larger differences "
            "rate 'large' or 'slight'. 5 points is a practitioner convention, not a TAG value."
        ),
        "comparison": _(
            "The population the people affected are compared with. FTA C 4702.1B compares "
            "with the transit provider's service area; for a city project it is usually the "
            "city or the county. Choose every neighbourhood in the file, those whose id (GEOID) "
            "starts with a prefix such as a county FIPS code (17031 = Cook County, IL), or a "
            "list of ids."
        ),
        "comparison_label": _(
            "The name of the comparison population in the results, e.g. 'Cook County' or "
            "'Metro service area'."
        ),
        "prefix": _(
            "Neighbourhoods whose GEOID starts with this text: a state FIPS code (2 digits), a "
            "county (5 digits, e.g. 17031) or a census tract (11 digits)."
        ),
        "ids": _("Neighbourhood ids (GEOIDs), one per line or separated by commas or spaces."),
        "crs": _(
            "The map projection in which distances and areas are measured. Leave it empty to "
            "use the UTM zone of the projects, which keeps distances within about 0.1% across "
            "a metropolitan area. Otherwise give a projected CRS in metres, e.g. EPSG:26916 "
            "(NAD83 / UTM zone 16N). State Plane zones in feet are not accepted: catchments "
            "are in metres."
        ),
        "ami": _(
            "Area Median Income (annual, USD) for your metro area or county, as HUD publishes "
            "it each year with its Income Limits ('Median Family Income'). Used to test "
            "whether the proposed rents of each band are affordable: no more than 30% of the "
            "income at the band's share of AMI (HUD's cost-burden standard). Leave it 'Not "
            "set' to skip that test."
        ),
        "reliability": _(
            "How reliable an ACS estimate is, judged from its coefficient of variation (CV: "
            "the margin of error / 1.645, divided by the estimate). Both conventions are in "
            "use; pick the one your agency reports with."
        ),
        "displacement": _(
            "A neighbourhood is flagged as vulnerable to displacement when at least this many "
            "of its {n} indicators ({names}) are above the comparison population's. Modelled "
            "on the Portland Gentrification and Displacement Study (Bates, 2013), which flags "
            "3 of 4."
        ),
    }


def _problem_labels() -> dict[str, str]:
    """Where the core's problems point, and what the form calls it."""
    return {
        **{
            f"parameters.catchment_m.{key}": _("{place} catchment").format(place=label)
            for key, label in _catchments().items()
        },
        "parameters.catchment_m": _("Catchments"),
        "parameters.title_vi.forms": _("Title VI tests"),
        "parameters.title_vi.threshold_pp": _("Title VI absolute threshold"),
        "parameters.title_vi.threshold_relative": _("Title VI relative threshold"),
        "parameters.title_vi.four_fifths_ratio": _("Title VI four-fifths ratio"),
        "parameters.distribution_threshold_pp": _("Distribution threshold"),
        "parameters.comparison.kind": _("Comparison population"),
        "parameters.comparison.prefix": _("Comparison population"),
        "parameters.comparison.ids": _("Comparison population"),
        _CRS_KEY: _("Projected CRS"),
        "parameters.area_median_income_usd": _("Area median income"),
        "parameters.reliability_bands": _("Reliability bands"),
        "parameters.displacement_min_flags": _("Displacement flags"),
        "parameters.significance_z": _("Significance"),
    }


def _percent_text(value: float) -> str:
    """A percentage of the reliability bands (12 -> '12%'), per language."""
    return format_percent(value / 100, 0 if float(value).is_integer() else 1)


def _double_spin(
    value: float,
    minimum: float,
    maximum: float,
    *,
    decimals: int,
    step: float,
    suffix: str = "",
    tooltip: str = "",
) -> QDoubleSpinBox:
    """A spin box whose range always includes ``value``, so loading never clamps it."""
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)
    spin.setRange(min(minimum, value), max(maximum, value))
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    spin.setToolTip(tooltip)
    spin.setKeyboardTracking(True)
    return spin


def _kept(spin: QDoubleSpinBox, original: float | None, scale: float = 1.0) -> float:
    """The spin's value, or ``original`` when the spin still shows it (to its precision)."""
    shown = spin.value()
    if original is not None and round(original * scale, spin.decimals()) == shown:
        return original
    return shown / scale


class ParametersDialog(QDialog):
    """Edit assessment :class:`Parameters`; see the module docstring.

    Parameters
    ----------
    parameters
        The parameters to start from.
    parent
        The parent widget.
    """

    def __init__(self, parameters: Parameters, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Assessment parameters"))
        self._original = parameters
        self._problems: list[str] = []
        self._result: Parameters | None = parameters

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self._catchment_box(parameters))
        layout.addWidget(self._title_vi_box(parameters))
        layout.addWidget(self._distribution_box(parameters))
        layout.addWidget(self._comparison_box(parameters))
        layout.addWidget(self._other_box(parameters))
        layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {_ERROR_COLOUR};")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        translate_button_box(self.button_box)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.button_box.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self._on_restore_button_clicked
        )
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        outer.addWidget(self.message_label)
        outer.addWidget(self.button_box)
        self.resize(640, 720)
        self._connect_checks()
        self._on_comparison_combo_changed()
        self._check()

    # --- public ------------------------------------------------------------------------------

    def parameters(self) -> Parameters:
        """The edited parameters.

        Raises
        ------
        InputError
            When the form has problems (see :meth:`problems`).
        """
        if self._result is None:
            raise InputError("; ".join(self._problems), location="parameters")
        return self._result

    def problems(self) -> list[str]:
        """The problems shown under the form; empty when the parameters are valid."""
        return list(self._problems)

    def accept(self) -> None:
        """Close with OK, only when the parameters are valid."""
        if self._result is not None:
            super().accept()

    # --- building the form ---------------------------------------------------------------------

    def _catchment_box(self, parameters: Parameters) -> QGroupBox:
        box = QGroupBox(_("Catchments: how far people walk"))
        grid = QGridLayout(box)
        self.catchment_spins: dict[str, QDoubleSpinBox] = {}
        self._miles_labels: dict[str, QLabel] = {}
        tips = _catchment_tips()
        for row, (key, label) in enumerate(_catchments().items()):
            value = float(parameters.catchment_m.get(key, Parameters().catchment_m[key]))
            spin = _double_spin(
                value, 50, 5000, decimals=0, step=50, suffix=" m", tooltip=tips[key]
            )
            miles = QLabel()
            caption = QLabel(_("{label}:").format(label=label))
            caption.setToolTip(tips[key])
            grid.addWidget(caption, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(miles, row, 2)
            self.catchment_spins[key] = spin
            self._miles_labels[key] = miles
        grid.setColumnStretch(2, 1)
        return box

    def _title_vi_box(self, parameters: Parameters) -> QGroupBox:
        policy = parameters.title_vi
        tips = _tips()
        box = QGroupBox(_("Title VI: disparate impact and disproportionate burden"))
        box.setToolTip(tips["title_vi"])
        grid = QGridLayout(box)
        self.form_checks = {
            "absolute": QCheckBox(_("Absolute difference")),
            "relative": QCheckBox(_("Relative difference")),
            "four_fifths": QCheckBox(_("Four-fifths rule")),
        }
        self.threshold_pp_spin = _double_spin(
            policy.threshold_pp,
            0.1,
            99.9,
            decimals=1,
            step=1,
            suffix=_(" pp"),
            tooltip=tips["absolute"],
        )
        self.threshold_relative_spin = _double_spin(
            policy.threshold_relative * 100,
            0.1,
            1000,
            decimals=1,
            step=5,
            suffix=" %",
            tooltip=tips["relative"],
        )
        self.four_fifths_spin = _double_spin(
            policy.four_fifths_ratio,
            0.01,
            0.99,
            decimals=2,
            step=0.05,
            tooltip=tips["four_fifths"],
        )
        self._form_spins = {
            "absolute": self.threshold_pp_spin,
            "relative": self.threshold_relative_spin,
            "four_fifths": self.four_fifths_spin,
        }
        for row, (form, check) in enumerate(self.form_checks.items()):
            check.setChecked(form in policy.forms)
            check.setToolTip(tips[form])
            grid.addWidget(check, row, 0)
            grid.addWidget(self._form_spins[form], row, 1)
        grid.setColumnStretch(2, 1)
        return box

    def _distribution_box(self, parameters: Parameters) -> QGroupBox:
        tip = _tips()["distribution"]
        box = QGroupBox(_("Distribution across income groups"))
        box.setToolTip(tip)
        self.distribution_spin = _double_spin(
            parameters.distribution_threshold_pp,
            0.1,
            50,
            decimals=1,
            step=1,
            suffix=_(" pp"),
            tooltip=tip,
        )
        caption = QLabel(_("Broadly in line within:"))
        caption.setToolTip(tip)
        row = QHBoxLayout(box)
        row.addWidget(caption)
        row.addWidget(self.distribution_spin)
        row.addStretch()
        return box

    def _comparison_box(self, parameters: Parameters) -> QGroupBox:
        comparison = parameters.comparison
        tips = _tips()
        box = QGroupBox(_("Comparison population"))
        box.setToolTip(tips["comparison"])
        self.comparison_combo = QComboBox()
        for kind, text in _comparison_kinds().items():
            self.comparison_combo.addItem(text, kind)
        self.comparison_combo.setCurrentIndex(
            max(self.comparison_combo.findData(comparison.kind), 0)
        )
        self.comparison_combo.setToolTip(tips["comparison"])
        self.prefix_edit = QLineEdit(comparison.prefix or "")
        self.prefix_edit.setPlaceholderText(_("e.g. 17031 (Cook County, IL)"))
        self.prefix_edit.setToolTip(tips["prefix"])
        self.ids_edit = QPlainTextEdit("\n".join(comparison.ids))
        self.ids_edit.setPlaceholderText(_("One GEOID per line"))
        self.ids_edit.setToolTip(tips["ids"])
        self.ids_edit.setMaximumHeight(90)
        self.comparison_label_edit = QLineEdit(comparison.label)
        self.comparison_label_edit.setToolTip(tips["comparison_label"])
        form = QFormLayout(box)
        form.addRow(_("Compare with:"), self.comparison_combo)
        form.addRow(_("Id prefix:"), self.prefix_edit)
        form.addRow(_("Ids:"), self.ids_edit)
        form.addRow(_("Called:"), self.comparison_label_edit)
        self._comparison_form = form
        return box

    def _other_box(self, parameters: Parameters) -> QGroupBox:
        tips = _tips()
        box = QGroupBox(_("Housing, data reliability and map projection"))
        self.ami_spin = _double_spin(
            parameters.area_median_income_usd or 0.0,
            0,
            1_000_000,
            decimals=0,
            step=1000,
            tooltip=tips["ami"],
        )
        self.ami_spin.setPrefix("$ ")
        self.ami_spin.setSpecialValueText(_("Not set"))
        self.displacement_spin = QSpinBox()
        self.displacement_spin.setRange(1, 5)
        self.displacement_spin.setValue(parameters.displacement_min_flags)
        indicators = default_indicators()
        names = _indicator_names()
        self.displacement_spin.setToolTip(
            tips["displacement"].format(
                n=len(indicators),
                names=", ".join(names.get(i, i.replace("_", " ")) for i in indicators),
            )
        )
        # One sentence for the translators; the spin box shows its number at {flags}.
        flags = ngettext(
            "at least {flags} of {count} indicator",
            "at least {flags} of {count} indicators",
            len(indicators),
        )
        prefix, _flags, suffix = flags.partition("{flags}")
        self.displacement_spin.setPrefix(prefix)
        self.displacement_spin.setSuffix(suffix.format(count=len(indicators)))
        self.reliability_combo = QComboBox()
        bands = load_resource("reliability.toml")["bands"]
        band_names = _band_names()
        for key, spec in bands.items():
            limits = [band["max_cv"] for band in spec["band"]]
            name = band_names.get(key, key.capitalize())
            self.reliability_combo.addItem(
                _("{name}: high ≤ {high} CV, medium ≤ {medium}").format(
                    name=name, high=_percent_text(limits[0]), medium=_percent_text(limits[1])
                ),
                key,
            )
            source = _(spec["source"])  # a resource label (reliability.toml), tested
            self.reliability_combo.setItemData(
                self.reliability_combo.count() - 1,
                f"{tips['reliability']}\n{source}",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.reliability_combo.setCurrentIndex(
            max(self.reliability_combo.findData(parameters.reliability_bands), 0)
        )
        self.reliability_combo.setToolTip(tips["reliability"])
        self.crs_edit = QLineEdit(parameters.projected_crs or "")
        self.crs_edit.setPlaceholderText(_("Automatic: the UTM zone of the projects"))
        self.crs_edit.setToolTip(tips["crs"])
        self.crs_label = QLabel()
        self.crs_label.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(_("Area median income:"), self.ami_spin)
        form.addRow(_("Displacement risk with:"), self.displacement_spin)
        form.addRow(_("ACS reliability bands:"), self.reliability_combo)
        crs_row = QVBoxLayout()
        crs_row.addWidget(self.crs_edit)
        crs_row.addWidget(self.crs_label)
        form.addRow(_("Projected CRS:"), crs_row)
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = item.widget() if item is not None else None
            widget = field.widget() if field is not None else None
            if label is not None and widget is not None:
                label.setToolTip(widget.toolTip())
        return box

    def _connect_checks(self) -> None:
        spins = [
            *self.catchment_spins.values(),
            *self._form_spins.values(),
            self.distribution_spin,
            self.ami_spin,
        ]
        for spin in spins:
            spin.valueChanged.connect(self._check)
        self.displacement_spin.valueChanged.connect(self._check)
        for check in self.form_checks.values():
            check.toggled.connect(self._check)
        self.comparison_combo.currentIndexChanged.connect(self._on_comparison_combo_changed)
        for edit in (self.prefix_edit, self.comparison_label_edit, self.crs_edit):
            edit.textChanged.connect(self._check)
        self.ids_edit.textChanged.connect(self._check)
        self.reliability_combo.currentIndexChanged.connect(self._check)

    # --- slots ---------------------------------------------------------------------------------

    def _on_comparison_combo_changed(self) -> None:
        kind = self.comparison_combo.currentData()
        self._comparison_form.setRowVisible(self.prefix_edit, kind == "prefix")
        self._comparison_form.setRowVisible(self.ids_edit, kind == "ids")
        self._check()

    def _on_restore_button_clicked(self) -> None:
        defaults = Parameters(significance_z=self._original.significance_z)
        for key, spin in self.catchment_spins.items():
            spin.setValue(defaults.catchment_m[key])
        for form, check in self.form_checks.items():
            check.setChecked(form in defaults.title_vi.forms)
        self.threshold_pp_spin.setValue(defaults.title_vi.threshold_pp)
        self.threshold_relative_spin.setValue(defaults.title_vi.threshold_relative * 100)
        self.four_fifths_spin.setValue(defaults.title_vi.four_fifths_ratio)
        self.distribution_spin.setValue(defaults.distribution_threshold_pp)
        self.comparison_combo.setCurrentIndex(
            self.comparison_combo.findData(defaults.comparison.kind)
        )
        self.prefix_edit.clear()
        self.ids_edit.clear()
        self.comparison_label_edit.setText(defaults.comparison.label)
        self.ami_spin.setValue(0)
        self.displacement_spin.setValue(defaults.displacement_min_flags)
        self.reliability_combo.setCurrentIndex(
            self.reliability_combo.findData(defaults.reliability_bands)
        )
        self.crs_edit.clear()

    # --- validation ----------------------------------------------------------------------------

    def _raw(self) -> dict[str, Any]:
        """The form in the project file's JSON form."""
        original = self._original
        policy = original.title_vi
        kind = self.comparison_combo.currentData()
        ids = [i for i in re.split(r"[\s,;]+", self.ids_edit.toPlainText()) if i]
        return {
            "catchment_m": {
                key: _kept(spin, original.catchment_m.get(key))
                for key, spin in self.catchment_spins.items()
            },
            "title_vi": {
                "forms": [form for form, check in self.form_checks.items() if check.isChecked()],
                "threshold_pp": _kept(self.threshold_pp_spin, policy.threshold_pp),
                "threshold_relative": _kept(
                    self.threshold_relative_spin, policy.threshold_relative, scale=100
                ),
                "four_fifths_ratio": _kept(self.four_fifths_spin, policy.four_fifths_ratio),
            },
            "distribution_threshold_pp": _kept(
                self.distribution_spin, original.distribution_threshold_pp
            ),
            "comparison": {
                "kind": kind,
                "label": self.comparison_label_edit.text().strip(),
                "prefix": self.prefix_edit.text().strip() if kind == "prefix" else None,
                "ids": ids if kind == "ids" else [],
            },
            "projected_crs": self.crs_edit.text().strip() or None,
            "area_median_income_usd": (
                _kept(self.ami_spin, original.area_median_income_usd)
                if self.ami_spin.value() > 0
                else None
            ),
            "reliability_bands": self.reliability_combo.currentData(),
            "displacement_min_flags": self.displacement_spin.value(),
            "significance_z": original.significance_z,
        }

    def _check(self) -> None:
        for key, spin in self.catchment_spins.items():
            miles = format_number(spin.value() / _METRES_PER_MILE, 2)
            self._miles_labels[key].setText(_("≈ {miles} mile").format(miles=miles))
        for form, check in self.form_checks.items():
            self._form_spins[form].setEnabled(check.isChecked())
        raw = self._raw()
        found: list[str] = []
        result = parameters_from_dict(raw, found)
        labels = _problem_labels()
        problems = [_planner_text(problem, labels) for problem in found]
        invalid = {problem.partition(": ")[0] for problem in found}  # where they point
        crs_note, crs_problem = _describe_crs(raw["projected_crs"])
        if crs_problem and _CRS_KEY not in invalid:
            problems.append(crs_problem)
            invalid.add(_CRS_KEY)
        if not raw["comparison"]["label"]:
            problems.append(_("Comparison population: give it a name, e.g. 'Cook County'."))
            invalid.add(f"{_COMPARISON_KEY}.label")
        self.crs_label.setText(crs_note)
        self._problems = problems
        self._result = None if problems else result
        self.message_label.setText("\n".join(problems))
        self.message_label.setVisible(bool(problems))
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        self.crs_edit.setStyleSheet(_INVALID_STYLE if _CRS_KEY in invalid else "")
        comparison_bad = any(key.startswith(_COMPARISON_KEY) for key in invalid)
        for widget in (self.prefix_edit, self.ids_edit, self.comparison_label_edit):
            widget.setStyleSheet(_INVALID_STYLE if comparison_bad else "")


def _planner_text(problem: str, labels: dict[str, str]) -> str:
    """A core problem ('parameters.x.y: text') with the form's name for the setting."""
    key, _sep, text = problem.partition(": ")
    return _("{setting}: {problem}").format(setting=labels.get(key, key), problem=text)


def _describe_crs(text: str | None) -> tuple[str, str]:
    """(note shown under the CRS field, problem or "") for the projected CRS typed."""
    if not text:
        return _("Automatic: the UTM zone of the projects."), ""
    try:
        crs = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return "", ""  # parameters_from_dict reports it
    unit = crs.axis_info[0] if crs.axis_info else None
    if crs.is_projected and unit is not None and unit.unit_conversion_factor != 1.0:
        return crs.name, _(
            "Projected CRS: {crs} measures in {unit} units, but catchments are in metres: "
            "choose a CRS in metres (e.g. a UTM zone) or leave it empty."
        ).format(crs=repr(text), unit=unit.unit_name)
    return crs.name, ""
