"""The field-mapping step of File ▸ Import projects, for a layer drawn elsewhere.

A line drawn in QGIS or points from a CAD export have none of equityplanner's attributes
(``project_id``, ``kind``, ``role``…). :class:`ProposalsImportDialog` asks how to read them —
housing or transit, which features make one project, which fields give the names and the
attributes, the mode and change the layer does not give — and shows, as the choices change,
what the import will make, or what is wrong and what to do. OK gives a
:class:`~equityplanner.io.projects.FieldMapping` for
:func:`~equityplanner.io.projects.read_projects`.

The widgets are attributes so that tests and scripts can drive the dialog.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from equityplanner.app.dialogs._buttons import translate_button_box
from equityplanner.app.dialogs.project_form import change_labels, mode_labels
from equityplanner.errors import InputError
from equityplanner.i18n import _, format_number, ngettext, pgettext
from equityplanner.io.projects import (
    MAPPABLE_FIELDS,
    FieldMapping,
    apply_mapping,
    projects_from_features,
)
from equityplanner.model.project import HousingProject, Mode, Project, ServiceChange

__all__ = ["ProposalsImportDialog"]

_NONE = "—"
_ERROR_STYLE = "color: #8a3300; background: #fbdcc4; padding: 4px; border-radius: 3px;"
_OK_STYLE = "color: #0b4f86; background: #d6e9f8; padding: 4px; border-radius: 3px;"


def _attribute_labels() -> dict[str, str]:
    """The attributes a field can give, as the form names them (in the current language)."""
    return {
        "total_units": _("Total homes"),
        "units_ami_30": _("Homes up to 30% AMI"),
        "units_ami_50": _("Homes at 31–50% AMI"),  # noqa: RUF001
        "units_ami_80": _("Homes at 51–80% AMI"),  # noqa: RUF001
        "units_market": _("Market-rate homes"),
        "tenure": _("Tenure"),
        "rent_ami_30": _("Rent up to 30% AMI"),
        "rent_ami_50": _("Rent at 31–50% AMI"),  # noqa: RUF001
        "rent_ami_80": _("Rent at 51–80% AMI"),  # noqa: RUF001
        "rent_market": _("Market rent"),
        "units_demolished": _("Homes demolished"),
        "affordable_units_demolished": _("Affordable homes demolished"),
        "households_displaced": _("Households displaced"),
        "peak_headway_min": _("Peak headway (min)"),
        "baseline_peak_headway_min": _("Current peak headway (min)"),
        "span_hours": _("Span of service (h)"),
        "fare_usd": _("Fare ($)"),
    }


def _change_words() -> dict[ServiceChange, str]:
    """The kinds of service change inside a sentence ("2 stations, BRT, new")."""
    return {
        ServiceChange.NEW: pgettext("service change", "new"),
        ServiceChange.IMPROVEMENT: pgettext("service change", "improvement"),
        ServiceChange.REDUCTION: pgettext("service change", "reduction"),
        ServiceChange.REMOVAL: pgettext("service change", "removal"),
    }


def _describe_shapes(geometry: str, count: int) -> str:
    """'3 LineString' as the intro says it: the count and the kind of geometry."""
    if not geometry:
        return ngettext(
            "{count} feature without geometry", "{count} features without geometry", count
        ).format(count=format_number(count))
    if "Polygon" in geometry:
        text = ngettext("{count} polygon", "{count} polygons", count)
    elif "Line" in geometry:
        text = ngettext("{count} line", "{count} lines", count)
    elif "Point" in geometry:
        text = ngettext("{count} point", "{count} points", count)
    else:
        return f"{format_number(count)} {geometry}"
    return text.format(count=format_number(count))


def _guess(attribute: str, fields: list[str]) -> str | None:
    """A layer field that is plainly this attribute (same name, any case), or None."""
    wanted = attribute.lower().replace("_", "")
    return next((f for f in fields if f.lower().replace("_", "") == wanted), None)


class ProposalsImportDialog(QDialog):
    """Say how to read a layer drawn elsewhere as proposed projects.

    Parameters
    ----------
    path
        The file (named in the messages).
    features
        Its features, as GeoJSON dicts in longitude/latitude.
    """

    def __init__(self, path: Path, features: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import projects from {file}").format(file=path.name))
        self.path = path
        self.features = features
        self.fields = sorted(
            {k for f in features if isinstance(f, dict) for k in (f.get("properties") or {})}
        )
        shapes = Counter(
            str((f.get("geometry") or {}).get("type", "")) for f in features if isinstance(f, dict)
        )
        has_lines = any("Line" in t for t in shapes)
        has_polygons = any("Polygon" in t for t in shapes)
        described = ", ".join(_describe_shapes(t, n) for t, n in shapes.items()) or _("no feature")
        intro = QLabel(
            _(
                "<b>{file}</b> has {features}, without equityplanner's own attributes. "
                "Say how to read them: lines become alignments, points stations (transit) or "
                "sites (housing), polygons sites."
            ).format(file=path.name, features=described)
        )
        intro.setWordWrap(True)

        self.housing_radio = QRadioButton(_("&Housing"))
        self.transit_radio = QRadioButton(_("&Transit"))
        kinds = QButtonGroup(self)
        kinds.addButton(self.housing_radio)
        kinds.addButton(self.transit_radio)
        (self.transit_radio if has_lines or not has_polygons else self.housing_radio).setChecked(
            True
        )
        if has_polygons and not has_lines:
            self.housing_radio.setChecked(True)
        kind_row = QWidget()
        row = QHBoxLayout(kind_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.housing_radio)
        row.addWidget(self.transit_radio)
        row.addStretch(1)

        self.grouping_combo = QComboBox()
        self.grouping_combo.addItem(_("The whole layer is one project"), ("single", ""))
        self.grouping_combo.addItem(_("Each feature is a project"), ("each", ""))
        for name in self.fields:
            self.grouping_combo.addItem(
                _("Features with the same {field}").format(field=name), ("field", name)
            )
        self.name_combo = QComboBox()
        self.name_combo.addItem(_("The name typed here"), "")
        for name in self.fields:
            self.name_combo.addItem(_("Field {field}").format(field=name), name)
        guess = next(
            (f for f in self.fields if f.lower() in ("name", "project_name", "title")), None
        )
        if guess:
            self.name_combo.setCurrentIndex(self.name_combo.findData(guess))
        self.name_edit = QLineEdit(path.stem.replace("_", " ").capitalize())
        self.station_combo = self._field_combo(
            next((f for f in self.fields if f.lower() in ("name", "station", "stop_name")), None)
        )
        self.mode_combo = QComboBox()
        for mode, label in mode_labels().items():
            self.mode_combo.addItem(label, ("value", mode.value))
        self.mode_combo.setCurrentIndex(1)  # BRT
        self.change_combo = QComboBox()
        for change, label in change_labels().items():
            self.change_combo.addItem(label, ("value", change.value))
        for name in self.fields:
            self.mode_combo.addItem(_("From field {field}").format(field=name), ("field", name))
            self.change_combo.addItem(_("From field {field}").format(field=name), ("field", name))
        self.units_spin = QSpinBox()
        self.units_spin.setRange(1, 100_000)
        self.units_spin.setValue(100)
        self.units_spin.setToolTip(_("Homes per site when no field gives them; set them later"))

        form = QFormLayout()
        form.addRow(_("Kind:"), kind_row)
        form.addRow(_("&Projects:"), self.grouping_combo)
        form.addRow(_("Project &name:"), self.name_combo)
        form.addRow("", self.name_edit)
        self.transit_box = QGroupBox(_("Transit"))
        transit = QFormLayout(self.transit_box)
        transit.addRow(_("&Station names:"), self.station_combo)
        transit.addRow(_("&Mode:"), self.mode_combo)
        transit.addRow(_("&Change:"), self.change_combo)
        self.housing_box = QGroupBox(_("Housing"))
        housing = QFormLayout(self.housing_box)
        housing.addRow(_("Homes per site (no field):"), self.units_spin)
        self.attribute_combos: dict[str, QComboBox] = {}
        attributes = QWidget()
        self._attributes_form = QFormLayout(attributes)
        attribute_labels = _attribute_labels()
        for kind in ("housing", "transit"):
            for attribute in MAPPABLE_FIELDS[kind]:
                if attribute in ("mode", "change"):
                    continue
                combo = self._field_combo(_guess(attribute, self.fields))
                self.attribute_combos[attribute] = combo
                self._attributes_form.addRow(attribute_labels.get(attribute, attribute), combo)
        self.attributes_scroll = QScrollArea()
        self.attributes_scroll.setWidgetResizable(True)
        self.attributes_scroll.setWidget(attributes)
        self.attributes_scroll.setMaximumHeight(150)
        attributes_box = QGroupBox(_("Attributes from fields (optional)"))
        QVBoxLayout(attributes_box).addWidget(self.attributes_scroll)

        self.message_label = QLabel()
        self.message_label.setObjectName("importMessage")
        self.message_label.setWordWrap(True)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        translate_button_box(self.button_box)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText(_("Import"))
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.transit_box)
        layout.addWidget(self.housing_box)
        layout.addWidget(attributes_box)
        layout.addWidget(self.message_label)
        layout.addWidget(self.button_box)

        for combo in (
            self.grouping_combo,
            self.name_combo,
            self.station_combo,
            self.mode_combo,
            self.change_combo,
            *self.attribute_combos.values(),
        ):
            combo.currentIndexChanged.connect(self.check)
        self.name_edit.textChanged.connect(self.check)
        self.units_spin.valueChanged.connect(self.check)
        self.transit_radio.toggled.connect(self._on_kind_changed)
        if not self.transit_radio.isChecked():
            self.grouping_combo.setCurrentIndex(1)  # housing: each site a project
        self._on_kind_changed()
        self.resize(520, 640)

    def _field_combo(self, current: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_NONE, "")
        for name in self.fields:
            combo.addItem(name, name)
        if current:
            combo.setCurrentIndex(combo.findData(current))
        return combo

    def kind(self) -> str:
        """``housing`` or ``transit``."""
        return "transit" if self.transit_radio.isChecked() else "housing"

    def _on_kind_changed(self) -> None:
        kind = self.kind()
        self.transit_box.setVisible(kind == "transit")
        self.housing_box.setVisible(kind == "housing")
        for attribute, combo in self.attribute_combos.items():
            shown = attribute in MAPPABLE_FIELDS[kind]
            self._attributes_form.setRowVisible(combo, shown)
        self.check()

    def mapping(self) -> FieldMapping:
        """The mapping as chosen."""
        kind = self.kind()
        grouping, field = self.grouping_combo.currentData()
        fields = {
            attribute: combo.currentData()
            for attribute, combo in self.attribute_combos.items()
            if combo.currentData() and attribute in MAPPABLE_FIELDS[kind]
        }
        values: dict[str, Any] = {}
        if kind == "transit":
            for attribute, combo in (("mode", self.mode_combo), ("change", self.change_combo)):
                source, value = combo.currentData()
                if source == "field":
                    fields[attribute] = value
                else:
                    values[attribute] = value
        elif "total_units" not in fields:
            values["total_units"] = self.units_spin.value()
        return FieldMapping(
            kind=kind,
            project_field=field or None,
            single=grouping == "single",
            name_field=self.name_combo.currentData() or None,
            name=self.name_edit.text().strip(),
            station_name_field=(self.station_combo.currentData() or None)
            if kind == "transit"
            else None,
            fields=fields,
            values=values,
        )

    def projects(self) -> tuple[Project, ...]:
        """What the import makes (raises InputError)."""
        features = apply_mapping(self.features, self.mapping(), source=self.path)
        return projects_from_features(features, source=self.path)

    def problem(self) -> str:
        """What stops the import, naming the file, the fault and the fix; or ``""``."""
        if not self.name_combo.currentData() and not self.name_edit.text().strip():
            return _("Type a name for the project, or choose the field that holds it.")
        try:
            self.projects()
        except InputError as exc:
            return exc.message
        return ""

    def check(self) -> bool:
        """Show what the import will make, or what is wrong; enable Import when it can."""
        self.name_edit.setEnabled(not self.name_combo.currentData())
        text = self.problem()
        ok = not text
        if ok:
            made = self.projects()
            parts = []
            changes = _change_words()
            for project in made[:4]:
                if isinstance(project, HousingProject):
                    homes = project.total_units
                    parts.append(
                        ngettext("{name} ({count} home)", "{name} ({count} homes)", homes).format(
                            name=project.name, count=format_number(homes)
                        )
                    )
                else:
                    count = len(project.stations)
                    parts.append(
                        ngettext(
                            "{name} ({count} station, {mode}, {change})",
                            "{name} ({count} stations, {mode}, {change})",
                            count,
                        ).format(
                            name=project.name,
                            count=count,
                            mode=Mode(project.mode).value.upper(),
                            change=changes[ServiceChange(project.change)],
                        )
                    )
            listed = "; ".join(parts)
            if len(made) > 4:
                listed = _("{projects} and {count} more").format(
                    projects=listed, count=len(made) - 4
                )
            # One English text for both forms ("project(s)"); Spanish has a form for each.
            text = ngettext(
                "Makes {count} project(s): {projects}. Edit their attributes in Properties and "
                "place more stations on the map after the import.",
                "Makes {count} project(s): {projects}. Edit their attributes in Properties and "
                "place more stations on the map after the import.",
                len(made),
            ).format(count=len(made), projects=listed)
        self.message_label.setText(text)
        self.message_label.setStyleSheet(_OK_STYLE if ok else _ERROR_STYLE)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self.check():
            super().accept()
