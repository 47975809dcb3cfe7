"""Dialogs that edit the project as a whole: scenarios, details, opportunity layers, GTFS feeds.

Each dialog shows one part of a :class:`~equityplanner.model.project.ProjectDocument`, checks
what is typed as it is typed (the message shows right under the fields, and OK stays disabled
while something is wrong) and gives back a new frozen value; the window makes it an undoable
edit with the functions of :mod:`equityplanner.app.editing`.

``ScenarioDialog(document, scenario=None)``
    A scenario's name and the projects it assesses together; ``scenario()``.
``DetailsDialog(document)``
    Title, author, organisation, date, description and the neighbourhood data's vintage (what
    the workbook prints on its cover and in every page header); ``metadata()``, ``vintage()``.
``OpportunityDialog(document, kind=None)``
    An opportunity layer (jobs, schools, childcare, clinics) for the access indicators:
    ``kind()``, ``source()``.
``GtfsDialog(document)``
    The baseline and proposed GTFS feeds, their service date and peak: ``source()``.
``NetworkDialog(document)``
    The street network of routed access (issue 10): the OpenStreetMap extract, the baseline
    GTFS feeds, the service date, the departure window and the percentile: ``source()``.
``WeightsDialog(document)``
    Where people live inside neighbourhoods (census blocks, address points), for
    population-weighted catchments: ``source()``.

The widgets are attributes so that tests and scripts can drive the dialogs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from equityplanner.app import editing
from equityplanner.app.dialogs._buttons import translate_button_box
from equityplanner.errors import InputError
from equityplanner.i18n import _, pgettext
from equityplanner.model.network import PERCENTILES, NetworkSource, check_network
from equityplanner.model.project import (
    GtfsSource,
    HousingProject,
    Metadata,
    OpportunitySource,
    ProjectDocument,
    Scenario,
    WeightsSource,
)

__all__ = [
    "DetailsDialog",
    "GtfsDialog",
    "NetworkDialog",
    "OpportunityDialog",
    "ScenarioDialog",
    "WeightsDialog",
]

_ERROR_STYLE = "color: #8a3300; background: #fbdcc4; padding: 4px; border-radius: 3px;"
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class _CheckedDialog(QDialog):
    """A dialog with a message under its fields and an OK enabled only while all is well."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.message_label = QLabel()
        self.message_label.setObjectName("dialogMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(_ERROR_STYLE)
        self.message_label.setVisible(False)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        translate_button_box(self.button_box)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)

    def finish_layout(self, *parts: QWidget | QFormLayout | QVBoxLayout) -> None:
        for part in parts:
            if isinstance(part, QWidget):
                self.layout_.addWidget(part)
            else:
                self.layout_.addLayout(part)
        self.layout_.addWidget(self.message_label)
        self.layout_.addWidget(self.button_box)
        self.check()

    def problem(self) -> str:
        """What is wrong with the values shown, or ``""``."""
        return ""

    def check(self) -> bool:
        """Show the problem, if any, under the fields; enable OK when there is none."""
        text = self.problem()
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not text)
        return not text

    def accept(self) -> None:
        if self.check():
            super().accept()


# Scenarios ---------------------------------------------------------------------------------


class ScenarioDialog(_CheckedDialog):
    """Name a scenario and tick the projects it assesses together.

    Parameters
    ----------
    document
        The project whose proposals can be ticked.
    scenario
        The scenario to edit, or None for a new one (all projects ticked to start with).
    """

    def __init__(
        self,
        document: ProjectDocument,
        scenario: Scenario | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Edit scenario") if scenario else _("New scenario"), parent)
        self.document = document
        self.original = scenario
        self.name_edit = QLineEdit(scenario.name if scenario else "")
        self.name_edit.setPlaceholderText(_("e.g. Preferred alternative, Housing only"))
        self.name_edit.setToolTip(_("The scenario's name, as the results and the workbook show it"))
        self.project_list = QListWidget()
        self.project_list.setObjectName("scenarioProjects")
        self.project_list.setAccessibleName(_("Projects in the scenario"))
        members = set(scenario.project_ids) if scenario else {p.id for p in document.projects}
        for project in document.projects:
            if isinstance(project, HousingProject):
                kind = pgettext("project kind", "housing")
            else:
                kind = pgettext("project kind", "transit")
            item = QListWidgetItem(f"{project.name}  ({kind})")
            item.setData(_ID_ROLE, project.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if project.id in members else Qt.CheckState.Unchecked
            )
            self.project_list.addItem(item)
        hint = QLabel(
            _(
                "A scenario is assessed as one proposal: its projects' catchments are joined, "
                "so each neighbourhood counts once."
            )
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("&Name:"), self.name_edit)
        form.addRow(_("&Projects:"), self.project_list)
        self.name_edit.textChanged.connect(self.check)
        self.project_list.itemChanged.connect(self.check)
        self.finish_layout(form, hint)
        self.resize(420, 360)

    def set_checked(self, project_ids: list[str] | tuple[str, ...]) -> None:
        """Tick exactly ``project_ids`` (for scripts and tests)."""
        for row in range(self.project_list.count()):
            item = self.project_list.item(row)
            wanted = item.data(_ID_ROLE) in project_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def project_ids(self) -> tuple[str, ...]:
        """The projects ticked, in the document's order."""
        items = (self.project_list.item(r) for r in range(self.project_list.count()))
        return tuple(
            str(i.data(_ID_ROLE)) for i in items if i.checkState() == Qt.CheckState.Checked
        )

    def scenario(self) -> Scenario:
        """The scenario as shown (a new one gets an id made from its name)."""
        name = self.name_edit.text().strip()
        if self.original is not None:
            return replace(self.original, name=name, project_ids=self.project_ids())
        taken = {p.id for p in self.document.projects} | {s.id for s in self.document.scenarios}
        return Scenario(editing.unique_id(taken, name or "scenario"), name, self.project_ids())

    def problem(self) -> str:
        if not self.document.projects:
            return _(
                "There is no project to put in a scenario yet: place or import projects first."
            )
        try:
            editing.check_scenario(
                self.document, self.scenario(), self.original.id if self.original else None
            )
        except ValueError as exc:
            text = str(exc)
            return text[0].upper() + text[1:] + "."
        return ""


# Project details ---------------------------------------------------------------------------


class DetailsDialog(_CheckedDialog):
    """The project's title, authors, date, description and the data's vintage."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(_("Project details"), parent)
        meta = document.metadata
        self.document = document
        self.title_edit = QLineEdit(meta.title)
        self.title_edit.setToolTip(_("Printed on the workbook's cover and in every page header"))
        self.author_edit = QLineEdit(meta.author)
        self.author_edit.setPlaceholderText(_("Who prepared the assessment"))
        self.organisation_edit = QLineEdit(meta.organisation)
        self.organisation_edit.setPlaceholderText(_("e.g. City Planning Department"))
        self.date_edit = QLineEdit(meta.date)
        self.date_edit.setPlaceholderText(dt.date.today().isoformat())  # the format to type
        self.date_edit.setToolTip(_("The date of the assessment, such as 2026-03-10"))
        self.description_edit = QPlainTextEdit(meta.description)
        self.description_edit.setPlaceholderText(_("What is assessed, for whom, and why"))
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(110)
        vintage = document.baseline.vintage if document.baseline is not None else ""
        self.vintage_edit = QLineEdit(vintage)
        self.vintage_edit.setPlaceholderText(_("e.g. ACS 2019–2023 5-year estimates"))  # noqa: RUF001
        if document.baseline is None:
            self.vintage_edit.setEnabled(False)
            self.vintage_edit.setToolTip(_("Import the neighbourhoods first (File ▸ Import…)"))
        else:
            self.vintage_edit.setToolTip(
                _("The survey and years of the neighbourhood data, printed with every figure")
            )
        form = QFormLayout()
        form.addRow(_("&Title:"), self.title_edit)
        form.addRow(_("&Author:"), self.author_edit)
        form.addRow(_("&Organisation:"), self.organisation_edit)
        form.addRow(_("&Date:"), self.date_edit)
        form.addRow(_("D&escription:"), self.description_edit)
        self.status_combo = QComboBox()
        self.status_combo.addItem(_("Draft"), "draft")
        self.status_combo.addItem(_("Final"), "final")
        self.status_combo.setCurrentIndex(1 if meta.is_final else 0)
        self.status_combo.setToolTip(_("Printed on every page of the workbook: draft or final"))
        form.addRow(_("&Status:"), self.status_combo)
        form.addRow(_("Data &vintage:"), self.vintage_edit)
        # How residents comment: printed in the community summaries (English and Spanish).
        self.comment_edit = QPlainTextEdit(meta.comment)
        self.comment_edit.setPlaceholderText(
            _("e.g. Write to planning@city.gov or speak at the council meeting on 12 May")
        )
        self.comment_edit.setToolTip(
            _("How and where residents can comment; printed in the community summary")
        )
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setMaximumHeight(80)
        self.comment_until_edit = QLineEdit(meta.comment_until)
        self.comment_until_edit.setPlaceholderText(dt.date.today().isoformat())
        self.comment_until_edit.setToolTip(_("The last day for comments, such as 2026-03-10"))
        form.addRow(_("How to &comment:"), self.comment_edit)
        form.addRow(_("Comments &until:"), self.comment_until_edit)
        for edit in (self.title_edit, self.date_edit, self.comment_until_edit):
            edit.textChanged.connect(self.check)
        self.finish_layout(form)
        self.resize(600, 480)

    def metadata(self) -> Metadata:
        """The details as typed (anything else the metadata holds is kept)."""
        return replace(
            self.document.metadata,
            title=self.title_edit.text().strip(),
            author=self.author_edit.text().strip(),
            organisation=self.organisation_edit.text().strip(),
            date=self.date_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            status=str(self.status_combo.currentData()),
            comment=self.comment_edit.toPlainText().strip(),
            comment_until=self.comment_until_edit.text().strip(),
        )

    def vintage(self) -> str:
        """The data vintage as typed."""
        return self.vintage_edit.text().strip()

    def problem(self) -> str:
        if not self.title_edit.text().strip():
            return _("The title is empty: give the assessment a title (the workbook prints it).")
        for date in (self.date_edit.text().strip(), self.comment_until_edit.text().strip()):
            if date:
                try:
                    dt.date.fromisoformat(date)
                except ValueError:
                    return _("The date '{date}' is not a date such as {example}.").format(
                        date=date, example=dt.date.today().isoformat()
                    )
        return ""


# Access data -------------------------------------------------------------------------------


class _PathRow(QWidget):
    """A path field with a Browse… button."""

    def __init__(self, caption: str, file_filter: str, text: str = "", *, folder: bool = False):
        super().__init__()
        self.edit = QLineEdit(text)
        self.button = QPushButton(_("Browse…"))
        self._caption, self._filter, self._folder = caption, file_filter, folder
        self.button.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)

    def _browse(self) -> None:
        start = self.edit.text() or str(Path.home())
        if self._folder:
            path = QFileDialog.getExistingDirectory(self, self._caption, start)
        else:
            path, _chosen = QFileDialog.getOpenFileName(self, self._caption, start, self._filter)
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        return self.edit.text().strip()


def _missing(text: str, empty: str | None, absent: str) -> str:
    """``empty`` when no path is typed (``None``: optional), ``absent`` (naming ``{path}``)
    when the path does not exist, else ``""``."""
    if not text:
        return empty or ""
    if not Path(text).exists():
        return absent.format(path=text)
    return ""


def _file_filter(description: str, patterns: str) -> str:
    """A QFileDialog filter: the (translated) description, the patterns, then all files."""
    all_files = _("All files")
    return f"{description} ({patterns});;{all_files} (*)"


def _opportunity_labels() -> dict[str, str]:
    """The kinds of opportunity layer (editing.OPPORTUNITY_KINDS), in the current language."""
    return {
        "jobs": _("Jobs"),
        "schools": _("Schools"),
        "childcare": _("Childcare"),
        "clinics": _("Clinics"),
    }


def _opportunity_filter() -> str:
    return _file_filter(_("Opportunity layers"), "*.csv *.csv.gz *.geojson *.json *.gpkg *.shp")


class OpportunityDialog(_CheckedDialog):
    """An opportunity layer: its kind, file, capacity column and (LODES jobs) block centroids.

    Parameters
    ----------
    document
        The project (its layers already set are offered for replacing).
    kind
        The kind to edit, or None to add one.
    """

    def __init__(
        self, document: ProjectDocument, kind: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Opportunity layer"), parent)
        self.kind_combo = QComboBox()
        labels = _opportunity_labels()
        for key, label in editing.OPPORTUNITY_KINDS.items():
            self.kind_combo.addItem(labels.get(key, label), key)
        if kind is None:  # the first kind not set yet
            kind = next(
                (k for k in editing.OPPORTUNITY_KINDS if k not in document.opportunities), "jobs"
            )
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
        current = document.opportunities.get(kind)
        self.path_row = _PathRow(
            _("Opportunity layer"),
            _opportunity_filter(),
            str(document.resolve(current.path)) if current else "",
        )
        self.capacity_edit = QLineEdit(current.capacity_column or "" if current else "")
        self.capacity_edit.setPlaceholderText(_("optional: seats, physicians…"))
        self.blocks_row = _PathRow(
            _("Census block centroids"),
            _file_filter(_("Block centroids"), "*.csv *.csv.gz *.geojson *.gpkg *.shp"),
            str(document.resolve(current.blocks)) if current and current.blocks else "",
        )
        self.blocks_row.edit.setPlaceholderText(_("LODES jobs only: the blocks they are placed on"))
        hint = QLabel(
            _(
                "Jobs: a LODES WAC table (with the block centroids) or points with a jobs count. "
                "Schools, childcare and clinics: points, with a capacity column if there is one."
            )
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("&Kind:"), self.kind_combo)
        form.addRow(_("&File:"), self.path_row)
        form.addRow(_("&Capacity column:"), self.capacity_edit)
        form.addRow(_("&Block centroids:"), self.blocks_row)
        self.path_row.edit.textChanged.connect(self.check)
        self.blocks_row.edit.textChanged.connect(self.check)
        self.finish_layout(form, hint)
        self.resize(560, 260)

    def kind(self) -> str:
        """The kind of opportunity chosen (``jobs`` …)."""
        return str(self.kind_combo.currentData())

    def source(self) -> OpportunitySource:
        """The layer as chosen (absolute paths; saving makes them relative to the file)."""
        return OpportunitySource(
            path=self.path_row.text(),
            capacity_column=self.capacity_edit.text().strip() or None,
            blocks=self.blocks_row.text() or None,
        )

    def problem(self) -> str:
        return _missing(
            self.path_row.text(),
            _("Choose the opportunity file."),
            _("The opportunity file {path} does not exist: choose the file with Browse…."),
        ) or _missing(
            self.blocks_row.text(),
            None,
            _("The block centroid file {path} does not exist: choose the file with Browse…."),
        )


def _gtfs_filter() -> str:
    return _file_filter(_("GTFS feeds"), "*.zip")


class GtfsDialog(_CheckedDialog):
    """The baseline and proposed GTFS feeds compared for the service-change indicators."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(_("GTFS feeds"), parent)
        gtfs = document.gtfs
        self.baseline_row = _PathRow(
            _("Baseline GTFS feed"),
            _gtfs_filter(),
            str(document.resolve(gtfs.baseline)) if gtfs else "",
        )
        self.proposed_row = _PathRow(
            _("Proposed GTFS feed"),
            _gtfs_filter(),
            str(document.resolve(gtfs.proposed)) if gtfs else "",
        )
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        date = QDate.fromString(gtfs.date, "yyyy-MM-dd") if gtfs else QDate.currentDate()
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        self.date_edit.setToolTip(_("A typical weekday both feeds run on"))
        peak = gtfs.peak if gtfs else ("07:00", "09:00")
        self.peak_start = QTimeEdit(QTime.fromString(peak[0], "HH:mm"))
        self.peak_end = QTimeEdit(QTime.fromString(peak[1], "HH:mm"))
        for edit in (self.peak_start, self.peak_end):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self.check)
        peak_row = QWidget()
        row = QHBoxLayout(peak_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.peak_start)
        row.addWidget(QLabel(_("to")))
        row.addWidget(self.peak_end)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow(_("&Baseline feed:"), self.baseline_row)
        form.addRow(_("&Proposed feed:"), self.proposed_row)
        form.addRow(_("Service &date:"), self.date_edit)
        form.addRow(_("&Peak:"), peak_row)
        self.baseline_row.edit.textChanged.connect(self.check)
        self.proposed_row.edit.textChanged.connect(self.check)
        self.finish_layout(form)
        self.resize(560, 220)

    def source(self) -> GtfsSource:
        """The feeds as chosen (absolute paths)."""
        return GtfsSource(
            baseline=self.baseline_row.text(),
            proposed=self.proposed_row.text(),
            date=self.date_edit.date().toString("yyyy-MM-dd"),
            peak=(self.peak_start.time().toString("HH:mm"), self.peak_end.time().toString("HH:mm")),
        )

    def problem(self) -> str:
        missing = _missing(
            self.baseline_row.text(),
            _("Choose the baseline feed."),
            _("The baseline feed {path} does not exist: choose the file with Browse…."),
        ) or _missing(
            self.proposed_row.text(),
            _("Choose the proposed feed."),
            _("The proposed feed {path} does not exist: choose the file with Browse…."),
        )
        if missing:
            return missing
        if self.peak_end.time() <= self.peak_start.time():
            return _("The peak ends before it starts: set its end after its start.")
        return ""


def _weights_filter() -> str:
    return _file_filter(
        _("Points or areas with a count"), "*.zip *.gpkg *.geojson *.json *.shp *.csv *.xlsx"
    )


class WeightsDialog(_CheckedDialog):
    """Population weights: where people live inside neighbourhoods (docs/project_file.md)."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(_("Population weights"), parent)
        weights = document.weights
        self.path_row = _PathRow(
            _("Census blocks or points with a count"),
            _weights_filter(),
            str(document.resolve(weights.path)) if weights else "",
        )
        self.count_edit = QLineEdit(weights.count_column or "" if weights else "")
        self.count_edit.setPlaceholderText(_("found by itself: POP20, P1_001N, population…"))
        self.table_row = _PathRow(
            _("Table of counts (PL 94-171)"),
            _file_filter(_("Tables"), "*.csv *.xlsx"),
            str(document.resolve(weights.table)) if weights and weights.table else "",
        )
        self.table_row.edit.setPlaceholderText(_("optional: a table of counts joined on the id"))
        self.id_edit = QLineEdit(weights.id_column or "" if weights else "")
        self.id_edit.setPlaceholderText(_("found by itself: GEOID20, GEOID…"))
        hint = QLabel(
            _(
                "With weights, a neighbourhood's people are shared out to a catchment by where "
                "they live, not by area: the 2020 census blocks of the state (TIGER/Line "
                "tabblock20, with POP20) are the usual choice. Without them, catchments are "
                "shared by area."
            )
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("&File:"), self.path_row)
        form.addRow(_("&Count column:"), self.count_edit)
        form.addRow(_("&Table:"), self.table_row)
        form.addRow(_("&Id column:"), self.id_edit)
        self.path_row.edit.textChanged.connect(self.check)
        self.table_row.edit.textChanged.connect(self.check)
        self.finish_layout(form, hint)
        self.resize(600, 280)
        self._original = weights

    def source(self) -> WeightsSource:
        """The weights as chosen (absolute paths; saving makes them relative to the file)."""
        base = self._original or WeightsSource(path="")
        return replace(
            base,
            path=self.path_row.text(),
            count_column=self.count_edit.text().strip() or None,
            table=self.table_row.text() or None,
            id_column=self.id_edit.text().strip() or None,
        )

    def problem(self) -> str:
        return _missing(
            self.path_row.text(),
            _("Choose the weights file."),
            _("The weights file {path} does not exist: choose the file with Browse…."),
        ) or _missing(
            self.table_row.text(),
            None,
            _("The table of counts {path} does not exist: choose the file with Browse…."),
        )


def _percentile_text(value: int) -> str:
    words = {25: _("25th (a good day)"), 50: _("Median"), 75: _("75th (a bad day)")}
    return words.get(value) or _("{value}th").format(value=value)


class NetworkDialog(_CheckedDialog):
    """The street network and timetables that routed access is measured on.

    Without one, access comes from the straight-line sketch model (and every output says so).
    """

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(_("Street network"), parent)
        network = document.network or NetworkSource(osm="", gtfs=(), date="")
        self._original = network
        self.osm_row = _PathRow(
            _("OpenStreetMap extract"),
            _file_filter(_("OpenStreetMap extracts"), "*.osm.pbf *.pbf"),
            str(document.resolve(network.osm)) if network.osm else "",
        )
        self.osm_row.edit.setPlaceholderText(_("city.osm.pbf, covering every stop with a margin"))
        self.feed_list = QListWidget()
        self.feed_list.setObjectName("networkFeeds")
        self.feed_list.setAccessibleName(_("Baseline GTFS feeds"))
        self.feed_list.setMaximumHeight(80)
        for feed in network.gtfs:
            self.feed_list.addItem(str(document.resolve(feed)))
        add, remove = QPushButton(_("Add feed…")), QPushButton(_("Remove"))
        add.clicked.connect(self._add_feed)
        remove.clicked.connect(self._remove_feed)
        feeds = QWidget()
        feed_row = QHBoxLayout(feeds)
        feed_row.setContentsMargins(0, 0, 0, 0)
        feed_row.addWidget(self.feed_list, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        feed_row.addLayout(buttons)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        date = QDate.fromString(network.date, "yyyy-MM-dd")
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        self.date_edit.setToolTip(_("A typical weekday inside every feed's calendar"))
        self.first_edit = QTimeEdit(QTime.fromString(network.window[0], "HH:mm"))
        self.last_edit = QTimeEdit(QTime.fromString(network.window[1], "HH:mm"))
        self.step_spin = QSpinBox()
        self.step_spin.setRange(1, 60)
        self.step_spin.setValue(int(network.step_min))
        self.step_spin.setSuffix(_(" min"))
        window = QWidget()
        window_row = QHBoxLayout(window)
        window_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.first_edit, QLabel(_("to")), self.last_edit, QLabel(_("every"))):
            window_row.addWidget(widget)
        window_row.addWidget(self.step_spin)
        window_row.addStretch(1)
        for edit in (self.first_edit, self.last_edit):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self.check)
        self.percentile_combo = QComboBox()
        for value in PERCENTILES:
            self.percentile_combo.addItem(_percentile_text(value), value)
        self.percentile_combo.setCurrentIndex(
            max(self.percentile_combo.findData(int(network.percentile)), 0)
        )
        self.percentile_combo.setToolTip(
            _("The travel time over the window's departures that every access measure uses")
        )
        self.walk_spin = QSpinBox()
        self.walk_spin.setRange(1, 60)
        self.walk_spin.setValue(round(network.max_walk_min))
        self.walk_spin.setSuffix(_(" min"))
        self.rides_spin = QSpinBox()
        self.rides_spin.setRange(1, 6)
        self.rides_spin.setValue(int(network.max_rides))
        self.cutoff_spin = QSpinBox()
        self.cutoff_spin.setRange(10, 240)
        self.cutoff_spin.setValue(round(network.cutoff_min))
        self.cutoff_spin.setSuffix(_(" min"))
        self.noise_check = QCheckBox(_("Route the baseline twice and report the engine's noise"))
        self.noise_check.setChecked(bool(network.noise_floor))
        form = QFormLayout()
        form.addRow(_("&OpenStreetMap:"), self.osm_row)
        form.addRow(_("GTFS &feeds:"), feeds)
        form.addRow(_("Service &date:"), self.date_edit)
        form.addRow(_("Departures:"), window)
        form.addRow(_("&Percentile:"), self.percentile_combo)
        form.addRow(_("Longest &walk:"), self.walk_spin)
        form.addRow(_("Most &rides:"), self.rides_spin)
        form.addRow(_("&Cutoff:"), self.cutoff_spin)
        form.addRow("", self.noise_check)
        self.osm_row.edit.textChanged.connect(self.check)
        self.feed_list.model().rowsInserted.connect(self.check)
        self.feed_list.model().rowsRemoved.connect(self.check)
        hint = QLabel(
            _(
                "Access to jobs and services is then routed on the streets and every trip of "
                "the feeds on the date (proposals modify the timetables); without a network, "
                "the straight-line sketch model is used."
            )
        )
        hint.setWordWrap(True)
        self.finish_layout(form, hint)
        self.resize(620, 460)

    def _add_feed(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self, _("Baseline GTFS feed"), str(Path.home()), _gtfs_filter()
        )
        if path:
            self.feed_list.addItem(path)

    def _remove_feed(self) -> None:
        row = self.feed_list.currentRow()
        if row >= 0:
            self.feed_list.takeItem(row)

    def feeds(self) -> tuple[str, ...]:
        """The feeds listed, in order."""
        return tuple(self.feed_list.item(r).text() for r in range(self.feed_list.count()))

    def source(self) -> NetworkSource:
        """The network as chosen (absolute paths; saving makes them relative to the file)."""
        return replace(
            self._original,
            osm=self.osm_row.text(),
            gtfs=self.feeds(),
            date=self.date_edit.date().toString("yyyy-MM-dd"),
            window=(
                self.first_edit.time().toString("HH:mm"),
                self.last_edit.time().toString("HH:mm"),
            ),
            step_min=self.step_spin.value(),
            percentile=int(self.percentile_combo.currentData()),
            max_walk_min=float(self.walk_spin.value()),
            max_rides=self.rides_spin.value(),
            cutoff_min=float(self.cutoff_spin.value()),
            noise_floor=self.noise_check.isChecked(),
        )

    def problem(self) -> str:
        missing = _missing(
            self.osm_row.text(),
            _("Choose the OpenStreetMap extract."),
            _("The OpenStreetMap extract {path} does not exist: choose the file with Browse…."),
        )
        if missing:
            return missing
        if not self.feed_list.count():
            return _("Add at least one baseline GTFS feed (Add feed…).")
        for feed in self.feeds():
            if not Path(feed).exists():
                return _(
                    "The GTFS feed {path} does not exist: remove it and add the right one."
                ).format(path=feed)
        if self.last_edit.time() < self.first_edit.time():
            return _("The departure window ends before it starts: set its end after its start.")
        try:
            check_network(self.source())
        except InputError as exc:
            return exc.message
        return ""
