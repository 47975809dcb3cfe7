"""Properties editor of one proposed project, and the dialog that starts a new one.

:class:`ProjectForm` edits the attributes of a :class:`~equityplanner.model.project.HousingProject`
(units by AMI band, tenure, rents, demolitions, displacement) or a
:class:`~equityplanner.model.project.TransitProject` (mode, kind of change, headways, span,
fare, station names and order). Geometry belongs to the map and is never changed here.

Each committed edit (Enter or leaving a field, a combo choice, a renamed or moved station) is
checked by the core's project parser (:func:`~equityplanner.io.projects.projects_from_features`,
the same rules as a project file; geometry is stood in for, since only attributes change
here). A valid edit emits a *new* frozen project built with :func:`dataclasses.replace`; an
invalid one shows the problem under the form and emits nothing. The housing form also shows,
as the user types, whether the units by band add up to the total.

Public API
----------
``ProjectForm(project, parent=None)``
    ``project`` is a ``HousingProject`` or a ``TransitProject``.
``ProjectForm.edited``
    Signal ``edited(object)``: the new project, after each valid change (not after
    :meth:`set_project`, and not when a commit changes nothing).
``ProjectForm.set_project(project)``
    Show another project (or the same one changed elsewhere, e.g. after undo); clears the
    message.
``ProjectForm.project() -> HousingProject | TransitProject``
    The last valid project (the one given, or the last one emitted).
``ProjectForm.problem() -> str``
    The message shown for the last invalid edit, or ``""``.

``NewProjectDialog(parent=None)``
    Asks for the kind (housing or transit), a name and, for transit, the mode and the kind
    of change. ``spec() -> NewProjectSpec``; ``NewProjectDialog.ask(parent)`` runs it and
    returns the spec, or ``None`` when cancelled. The main window then places the geometry
    on the map and builds the project from the spec.

Example
-------
>>> form = ProjectForm(project)                                      # doctest: +SKIP
>>> form.edited.connect(lambda new: document_model.replace_project(new))  # doctest: +SKIP

The widgets are attributes (``band_spins["ami_30"]``, ``station_list`` ...) so that tests and
scripts can drive the form; they are not a stable API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from equityplanner.app.dialogs._buttons import translate_button_box
from equityplanner.errors import InputError
from equityplanner.i18n import _, format_number, ngettext
from equityplanner.io.projects import projects_from_features
from equityplanner.model.project import (
    AMI_BANDS,
    HousingProject,
    Mode,
    Project,
    ServiceChange,
    Station,
    Tenure,
    TransitProject,
)

__all__ = ["NewProjectDialog", "NewProjectSpec", "ProjectForm"]

_ERROR_COLOUR = "#b00020"
_OK_COLOUR = "#1b5e20"
_MAX_COUNT = 100_000
_STAND_IN = {"type": "Point", "coordinates": [0.0, 0.0]}

# The labels below are functions, not constants: they are read in the language in force when
# a form is built (the app's choice), not in the one of the moment the module was imported.


def band_labels() -> dict[str, str]:
    """The affordability bands, as the form's rows name them."""
    return {
        "ami_30": _("Up to 30% AMI"),
        "ami_50": _("31–50% AMI"),  # noqa: RUF001
        "ami_80": _("51–80% AMI"),  # noqa: RUF001
        "market": _("Market rate"),
    }


def _band_tips() -> dict[str, str]:
    return {
        "ami_30": _(
            "Homes affordable to extremely low-income households (HUD: at or below 30% of "
            "Area Median Income)."
        ),
        "ami_50": _("Homes affordable to very low-income households (31 to 50% of AMI)."),
        "ami_80": _("Homes affordable to low-income households (51 to 80% of AMI)."),
        "market": _("Homes at market rent or price, with no income restriction."),
    }


def _band_words() -> dict[str, str]:
    """The bands inside a sentence ("units up to 30% AMI")."""
    return {
        "ami_30": _("up to 30% AMI"),
        "ami_50": _("at 31–50% AMI"),  # noqa: RUF001
        "ami_80": _("at 51–80% AMI"),  # noqa: RUF001
        "market": _("at market rate"),
    }


def mode_labels() -> dict[Mode, str]:
    """The transit modes, as the combos show them."""
    return {Mode.RAIL: _("Rail"), Mode.BRT: _("Bus rapid transit (BRT)"), Mode.BUS: _("Bus")}


def change_labels() -> dict[ServiceChange, str]:
    """The kinds of service change, as the combos show them."""
    return {
        ServiceChange.NEW: _("New line or service"),
        ServiceChange.IMPROVEMENT: _("Service improvement"),
        ServiceChange.REDUCTION: _("Service reduction"),
        ServiceChange.REMOVAL: _("Service removal"),
    }


def _tenure_labels() -> dict[Tenure, str]:
    return {Tenure.RENTAL: _("Rental"), Tenure.OWNERSHIP: _("Ownership")}


# Combo items hold the enums' values: PySide turns a StrEnum into a plain str on the way in.
_WITH_BASELINE = (ServiceChange.IMPROVEMENT, ServiceChange.REDUCTION)


def _key_labels() -> dict[str, str]:
    """The core's attribute names, as the form calls them, for its messages."""
    words = _band_words()
    return {
        "affordable_units_demolished": _("affordable units demolished"),
        "baseline_peak_headway_min": _("current peak headway"),
        "households_displaced": _("households displaced"),
        "peak_headway_min": _("peak headway"),
        "units_demolished": _("units demolished"),
        "total_units": _("total units"),
        "span_hours": _("span of service"),
        "fare_usd": _("fare"),
        **{f"units_{band}": _("units {band}").format(band=w) for band, w in words.items()},
        **{f"rent_{band}": _("rent {band}").format(band=w) for band, w in words.items()},
    }


_KEYS = (
    "affordable_units_demolished",
    "baseline_peak_headway_min",
    "households_displaced",
    "peak_headway_min",
    "units_demolished",
    "total_units",
    "span_hours",
    "fare_usd",
    *(f"{kind}_{band}" for kind in ("units", "rent") for band in AMI_BANDS),
)
_KEY_PATTERN = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _KEYS), key=len, reverse=True)) + r")\b"
)


def _planner_text(exc: InputError) -> str:
    text = exc.fault.rstrip(".") + "."
    if exc.remedy:
        text += " " + exc.remedy.rstrip(".") + "."
    labels = _key_labels()
    text = _KEY_PATTERN.sub(lambda match: labels.get(match.group(1), match.group(1)), text)
    return text[0].upper() + text[1:]


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cleaned(text: str) -> str | None:
    """Text of an optional number: '' is not set; '$1,250' is read as 1250."""
    text = text.strip().replace(",", "").replace("$", "").strip()
    return text or None


def _count_spin(tooltip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, _MAX_COUNT)
    spin.setGroupSeparatorShown(True)
    spin.setToolTip(tooltip)
    return spin


def _set_count(spin: QSpinBox, value: int) -> None:
    spin.setMaximum(max(_MAX_COUNT, value))  # never clamp a value read from a file
    spin.setValue(value)


def _optional_edit(placeholder: str, tooltip: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(tooltip)
    return edit


class ProjectForm(QWidget):
    """Edit the attributes of one project; see the module docstring.

    Parameters
    ----------
    project
        The project to show.
    parent
        The parent widget.
    """

    edited = Signal(object)
    """Emitted with the new project after each valid, committed change."""
    problem_changed = Signal(str)
    """Emitted with the message of an invalid edit, and with ``""`` once it is put right."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project = project
        self._problem = ""
        # False where the message is shown elsewhere, in view (the Properties panel's bar).
        self.inline_messages = True
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(_("The project's name, as it appears in the results."))
        self.kind_label = QLabel()
        self._housing = self._housing_panel()
        self._transit = self._transit_panel()
        self._stack = QStackedWidget()
        self._stack.addWidget(self._housing)
        self._stack.addWidget(self._transit)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {_ERROR_COLOUR};")
        self.message_label.setVisible(False)
        top = QFormLayout()
        top.addRow(_("Name:"), self.name_edit)
        top.addRow(_("Kind:"), self.kind_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._stack)
        layout.addWidget(self.message_label)
        layout.addStretch()
        self.name_edit.editingFinished.connect(self._commit)
        self.set_project(project)

    # --- public ------------------------------------------------------------------------------

    def project(self) -> Project:
        """The last valid project: the one given, or the last one emitted."""
        return self._project

    def problem(self) -> str:
        """The message of the last invalid edit, or ``""`` when the form is valid."""
        return self._problem

    def set_project(self, project: Project) -> None:
        """Show ``project``; nothing is emitted."""
        self._project = project
        blockers = [QSignalBlocker(widget) for widget in self._inputs()]
        try:
            self._fill(project)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._show_problem("")
        self._update_band_sum()
        self._update_baseline_row()

    def _fill(self, project: Project) -> None:
        self.name_edit.setText(project.name)
        if isinstance(project, HousingProject):
            self.kind_label.setText(_("Housing development"))
            self._stack.setCurrentWidget(self._housing)
            self._fill_housing(project)
        else:
            self.kind_label.setText(_("Transit line or service change"))
            self._stack.setCurrentWidget(self._transit)
            self._fill_transit(project)

    # --- housing -------------------------------------------------------------------------------

    def _housing_panel(self) -> QWidget:
        panel = QWidget()
        self.total_spin = _count_spin(_("All homes the project would build."))
        self.tenure_combo = QComboBox()
        for tenure, label in _tenure_labels().items():
            self.tenure_combo.addItem(label, tenure.value)
        self.tenure_combo.setToolTip(_("Whether the new homes are rented or sold."))

        bands = QGroupBox(_("Units and proposed rents by affordability band"))
        grid = QGridLayout(bands)
        grid.addWidget(QLabel(_("Units")), 0, 1)
        grid.addWidget(QLabel(_("Gross rent ($/month)")), 0, 2)
        self.band_spins: dict[str, QSpinBox] = {}
        self.rent_edits: dict[str, QLineEdit] = {}
        labels, tips = band_labels(), _band_tips()
        for row, band in enumerate(AMI_BANDS, start=1):
            caption = QLabel(_("{label}:").format(label=labels[band]))
            caption.setToolTip(tips[band])
            spin = _count_spin(tips[band])
            rent = _optional_edit(
                _("not known"),
                _(
                    "Proposed monthly gross rent (rent plus utilities) of these homes, if known; "
                    "used to test affordability against HUD's 30%-of-income standard."
                ),
            )
            grid.addWidget(caption, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(rent, row, 2)
            self.band_spins[band] = spin
            self.rent_edits[band] = rent
        self.band_sum_label = QLabel()
        grid.addWidget(self.band_sum_label, len(AMI_BANDS) + 1, 0, 1, 3)

        existing = QGroupBox(_("Homes and households on the site today"))
        self.demolished_spin = _count_spin(_("Existing homes the project would demolish."))
        self.affordable_demolished_spin = _count_spin(
            _(
                "Of the homes demolished, those affordable at or below 80% AMI (subsidised or "
                "naturally affordable): counted against the affordable homes added."
            )
        )
        self.displaced_spin = _count_spin(
            _("Households that would have to move out, directly displaced by the project.")
        )
        existing_form = QFormLayout(existing)
        existing_form.addRow(_("Units demolished:"), self.demolished_spin)
        existing_form.addRow(_("Affordable units demolished:"), self.affordable_demolished_spin)
        existing_form.addRow(_("Households displaced:"), self.displaced_spin)

        form = QFormLayout()
        form.addRow(_("Total units:"), self.total_spin)
        form.addRow(_("Tenure:"), self.tenure_combo)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(bands)
        layout.addWidget(existing)

        spins = [
            self.total_spin,
            *self.band_spins.values(),
            self.demolished_spin,
            self.affordable_demolished_spin,
            self.displaced_spin,
        ]
        for spin in spins:
            spin.editingFinished.connect(self._commit)
        for spin in (self.total_spin, *self.band_spins.values()):
            spin.valueChanged.connect(self._update_band_sum)
        for edit in self.rent_edits.values():
            edit.editingFinished.connect(self._commit)
        self.tenure_combo.currentIndexChanged.connect(self._commit)
        return panel

    def _fill_housing(self, project: HousingProject) -> None:
        _set_count(self.total_spin, project.total_units)
        for band in AMI_BANDS:
            _set_count(self.band_spins[band], project.units_by_band.get(band, 0))
            self.rent_edits[band].setText(_number_text(project.proposed_rents_usd.get(band)))
        self.tenure_combo.setCurrentIndex(self.tenure_combo.findData(project.tenure.value))
        _set_count(self.demolished_spin, project.units_demolished)
        _set_count(self.affordable_demolished_spin, project.affordable_units_demolished)
        _set_count(self.displaced_spin, project.households_displaced)

    def _update_band_sum(self) -> None:
        total = self.total_spin.value()
        added = sum(spin.value() for spin in self.band_spins.values())
        if added == total:
            text = ngettext(
                "✓ The bands add up to the {total} unit.",
                "✓ The bands add up to the {total} units.",
                total,
            ).format(total=format_number(total))
            colour = _OK_COLOUR
        else:
            gap = total - added
            how = (_("{count} short") if gap > 0 else _("{count} too many")).format(
                count=format_number(abs(gap))
            )
            text = ngettext(
                "✗ The bands add up to {added} of {total} unit ({how}).",
                "✗ The bands add up to {added} of {total} units ({how}).",
                total,
            ).format(added=format_number(added), total=format_number(total), how=how)
            colour = _ERROR_COLOUR
        self.band_sum_label.setText(text)
        self.band_sum_label.setStyleSheet(f"color: {colour};")

    def _housing_properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {
            "kind": "housing",
            "role": "site",
            "total_units": self.total_spin.value(),
            "tenure": self.tenure_combo.currentData(),
            "units_demolished": self.demolished_spin.value(),
            "affordable_units_demolished": self.affordable_demolished_spin.value(),
            "households_displaced": self.displaced_spin.value(),
        }
        for band in AMI_BANDS:
            props[f"units_{band}"] = self.band_spins[band].value()
            rent = _cleaned(self.rent_edits[band].text())
            if rent is not None:
                props[f"rent_{band}"] = rent
        return props

    # --- transit -------------------------------------------------------------------------------

    def _transit_panel(self) -> QWidget:
        panel = QWidget()
        self.mode_combo = QComboBox()
        for mode, label in mode_labels().items():
            self.mode_combo.addItem(label, mode.value)
        self.mode_combo.setToolTip(_("The mode sets how far people are assumed to walk to a stop."))
        self.change_combo = QComboBox()
        for change, label in change_labels().items():
            self.change_combo.addItem(label, change.value)
        self.change_combo.setToolTip(
            _(
                "New service and improvements are benefits to the people near the stops; "
                "reductions and removals are burdens (FTA C 4702.1B service-change analysis)."
            )
        )
        self.headway_edit = _optional_edit(
            _("not set"), _("Minutes between vehicles in the peak period, with the project.")
        )
        self.baseline_headway_edit = _optional_edit(
            _("not set"),
            _("Minutes between vehicles in the peak period today, before the change."),
        )
        self.span_edit = _optional_edit(_("not set"), _("Hours of service per weekday."))
        self.fare_edit = _optional_edit(_("not set"), _("Full adult fare, in dollars (0 if free)."))
        self.station_list = QListWidget()
        self.station_list.setToolTip(
            _(
                "Stations or stops in order along the line. Double-click to rename; drag or use "
                "the arrows to reorder. Stations are placed and removed on the map."
            )
        )
        self.station_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.station_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.up_button = QPushButton(_("Move up"))
        self.down_button = QPushButton(_("Move down"))

        form = QFormLayout()
        form.addRow(_("Mode:"), self.mode_combo)
        form.addRow(_("Change:"), self.change_combo)
        form.addRow(_("Peak headway (min):"), self.headway_edit)
        form.addRow(_("Current peak headway (min):"), self.baseline_headway_edit)
        form.addRow(_("Span (hours/day):"), self.span_edit)
        form.addRow(_("Fare ($):"), self.fare_edit)
        self._transit_form = form
        stations = QGroupBox(_("Stations"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch()
        station_layout = QVBoxLayout(stations)
        station_layout.addWidget(self.station_list)
        station_layout.addLayout(buttons)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(stations)

        self.mode_combo.currentIndexChanged.connect(self._commit)
        self.change_combo.currentIndexChanged.connect(self._on_change_combo_changed)
        for edit in (self.headway_edit, self.baseline_headway_edit, self.span_edit, self.fare_edit):
            edit.editingFinished.connect(self._commit)
        self.station_list.itemChanged.connect(self._commit)
        self.station_list.model().rowsMoved.connect(self._commit)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        return panel

    def _fill_transit(self, project: TransitProject) -> None:
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(project.mode.value))
        self.change_combo.setCurrentIndex(self.change_combo.findData(project.change.value))
        self.headway_edit.setText(_number_text(project.peak_headway_min))
        self.baseline_headway_edit.setText(_number_text(project.baseline_peak_headway_min))
        self.span_edit.setText(_number_text(project.span_hours))
        self.fare_edit.setText(_number_text(project.fare_usd))
        self.station_list.clear()
        for index, station in enumerate(project.stations):
            item = QListWidgetItem(station.name)
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.station_list.addItem(item)

    def _update_baseline_row(self) -> None:
        shown = ServiceChange(self.change_combo.currentData()) in _WITH_BASELINE
        self._transit_form.setRowVisible(self.baseline_headway_edit, shown)

    def _on_change_combo_changed(self) -> None:
        self._update_baseline_row()
        self._commit()

    def _on_up_button_clicked(self) -> None:
        self._move_station(-1)

    def _on_down_button_clicked(self) -> None:
        self._move_station(+1)

    def _move_station(self, step: int) -> None:
        row = self.station_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.station_list.count():
            return
        with QSignalBlocker(self.station_list):  # not the model: the view must redraw
            item = self.station_list.takeItem(row)
            self.station_list.insertItem(target, item)
        self.station_list.setCurrentRow(target)
        self._commit()

    def _station_names(self) -> list[tuple[str, int]]:
        """(name, index into the project's stations) in the order shown."""
        rows = []
        for row in range(self.station_list.count()):
            item = self.station_list.item(row)
            name = item.text().strip()
            if not name:
                raise InputError(
                    _("station {number} has no name").format(number=row + 1),
                    remedy=_("Give every station a name"),
                )
            rows.append((name, int(item.data(Qt.ItemDataRole.UserRole))))
        return rows

    def _transit_properties(self) -> dict[str, Any]:
        change = ServiceChange(self.change_combo.currentData())
        values = {
            "peak_headway_min": _cleaned(self.headway_edit.text()),
            "baseline_peak_headway_min": (
                _cleaned(self.baseline_headway_edit.text()) if change in _WITH_BASELINE else None
            ),
            "span_hours": _cleaned(self.span_edit.text()),
            "fare_usd": _cleaned(self.fare_edit.text()),
        }
        return {
            "kind": "transit",
            "mode": self.mode_combo.currentData(),
            "change": change.value,
            **{key: value for key, value in values.items() if value is not None},
        }

    # --- committing ----------------------------------------------------------------------------

    def _inputs(self) -> list[QObject]:
        return [
            self.name_edit,
            self.total_spin,
            *self.band_spins.values(),
            *self.rent_edits.values(),
            self.tenure_combo,
            self.demolished_spin,
            self.affordable_demolished_spin,
            self.displaced_spin,
            self.mode_combo,
            self.change_combo,
            self.headway_edit,
            self.baseline_headway_edit,
            self.span_edit,
            self.fare_edit,
            # The list widget, not its model: the view must still hear the model's row
            # signals, or it keeps the old layout and draws no station.
            self.station_list,
        ]

    def _edited_project(self) -> Project:
        """The project as the form shows it (raises InputError)."""
        current = self._project
        name = self.name_edit.text().strip()
        if not name:
            raise InputError(_("the project has no name"), remedy=_("Give the project a name"))
        base = {"project_id": current.id, "project_name": name}
        if isinstance(current, HousingProject):
            feature = {
                "type": "Feature",
                "geometry": _STAND_IN,
                "properties": {**base, **self._housing_properties()},
            }
            parsed = projects_from_features([feature])[0]
            assert isinstance(parsed, HousingProject)
            return replace(
                current,
                name=parsed.name,
                total_units=parsed.total_units,
                units_by_band=parsed.units_by_band,
                tenure=parsed.tenure,
                proposed_rents_usd=parsed.proposed_rents_usd,
                units_demolished=parsed.units_demolished,
                affordable_units_demolished=parsed.affordable_units_demolished,
                households_displaced=parsed.households_displaced,
            )
        names = self._station_names()
        attributes = self._transit_properties()
        # One stand-in station carries the attributes: stations are placed on the map.
        feature = {
            "type": "Feature",
            "geometry": _STAND_IN,
            "properties": {**base, **attributes, "role": "station", "name": "stand-in"},
        }
        parsed = projects_from_features([feature])[0]
        assert isinstance(parsed, TransitProject)
        stations = tuple(
            Station(name=name, geometry=current.stations[index].geometry) for name, index in names
        )
        return replace(
            current,
            name=parsed.name,
            mode=parsed.mode,
            change=parsed.change,
            peak_headway_min=parsed.peak_headway_min,
            baseline_peak_headway_min=parsed.baseline_peak_headway_min,
            span_hours=parsed.span_hours,
            fare_usd=parsed.fare_usd,
            stations=stations,
        )

    def _commit(self) -> None:
        try:
            project = self._edited_project()
        except InputError as exc:
            self._show_problem(_planner_text(exc))
            return
        self._show_problem("")
        if project != self._project:
            self._project = project
            self.edited.emit(project)

    def _show_problem(self, text: str) -> None:
        changed = text != self._problem
        self._problem = text
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text) and self.inline_messages)
        if changed:
            self.problem_changed.emit(text)


# --- new project -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewProjectSpec:
    """What :class:`NewProjectDialog` asked for: enough to start a project on the map.

    ``mode`` and ``change`` are set for transit and ``None`` for housing.
    """

    kind: str
    name: str
    mode: Mode | None = None
    change: ServiceChange | None = None


class NewProjectDialog(QDialog):
    """Ask for the kind, the name and (for transit) the mode and change of a new project.

    Parameters
    ----------
    parent
        The parent widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New project"))
        self.housing_radio = QRadioButton(_("Housing development"))
        self.transit_radio = QRadioButton(_("Transit line or service change"))
        self.housing_radio.setChecked(True)
        self._kinds = QButtonGroup(self)
        self._kinds.addButton(self.housing_radio)
        self._kinds.addButton(self.transit_radio)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("e.g. Magnolia Apartments, Route 7 BRT"))
        self.mode_combo = QComboBox()
        for mode, label in mode_labels().items():
            self.mode_combo.addItem(label, mode.value)
        self.change_combo = QComboBox()
        for change, label in change_labels().items():
            self.change_combo.addItem(label, change.value)
        self.hint_label = QLabel(_("After OK, place the site or the stations on the map."))
        self.hint_label.setWordWrap(True)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        translate_button_box(self.button_box)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.housing_radio)
        form.addRow(self.transit_radio)
        form.addRow(_("Name:"), self.name_edit)
        form.addRow(_("Mode:"), self.mode_combo)
        form.addRow(_("Change:"), self.change_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)

        self.transit_radio.toggled.connect(self._on_kind_toggled)
        self.name_edit.textChanged.connect(self._on_kind_toggled)
        self._on_kind_toggled()

    def spec(self) -> NewProjectSpec:
        """The choices made."""
        name = self.name_edit.text().strip()
        if self.transit_radio.isChecked():
            return NewProjectSpec(
                kind="transit",
                name=name,
                mode=Mode(self.mode_combo.currentData()),
                change=ServiceChange(self.change_combo.currentData()),
            )
        return NewProjectSpec(kind="housing", name=name)

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> NewProjectSpec | None:
        """Run the dialog; the spec, or ``None`` when cancelled."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.spec()

    def accept(self) -> None:
        """Close with OK, only once the project has a name."""
        if self.name_edit.text().strip():
            super().accept()

    def _on_kind_toggled(self) -> None:
        is_transit = self.transit_radio.isChecked()
        self.mode_combo.setEnabled(is_transit)
        self.change_combo.setEnabled(is_transit)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.name_edit.text().strip())
        )
