"""The main window: a view of the application state, and the commands that change it.

The window composes the pieces and carries out the commands that span them:

* :class:`~equityplanner.app.state.AppState` holds the document, the neighbourhood layer,
  the last run, the selection, the map field and the staleness of the results, without Qt;
  the panels observe it (:mod:`~equityplanner.app.map_panel`,
  :mod:`~equityplanner.app.neighbourhood_panel`, :mod:`~equityplanner.app.properties_panel`,
  the explorer, the results and the comparison);
* :class:`~equityplanner.app.session.ProjectSession` is the undo history of the document;
  :class:`~equityplanner.app.project_files.ProjectFiles` opens, saves and autosaves it;
  :class:`~equityplanner.app.map_editing.MapEditor` turns map tools into undoable edits;
* :class:`~equityplanner.app.task_controller.TaskController` runs the background tasks
  (:mod:`equityplanner.app.tasks`): reading the layer, assessing, exporting;
* :class:`~equityplanner.app.actions.WindowActions` holds the actions, menus and toolbar;
  :class:`~equityplanner.app.workbook_export.WorkbookExport` carries out Export.

The window itself reads the neighbourhood layer the document names (and again after an undo
or redo changes it), runs the assessment, and shows the docks.

Window-level signals are emitted after the GUI has been updated, so tests and scripts can wait
on them: ``baseline_loaded``, ``assessment_finished``, ``assessment_failed``,
``assessment_cancelled``, ``export_finished``, ``export_failed``, ``error_reported``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QWidget

from equityplanner import i18n
from equityplanner.app import editing
from equityplanner.app.about import about_html
from equityplanner.app.actions import TOOL_HINTS, WindowActions
from equityplanner.app.comparison_view import ComparisonView
from equityplanner.app.equity_questions_panel import EquityQuestionsPanel
from equityplanner.app.icons import app_icon
from equityplanner.app.map_editing import MapEditor
from equityplanner.app.map_panel import MapPanel
from equityplanner.app.messages import ErrorReport, describe_error, show_error
from equityplanner.app.neighbourhood_panel import NeighbourhoodPanel
from equityplanner.app.network_routes import NetworkRoutes
from equityplanner.app.presentation import field_for_indicator
from equityplanner.app.project_editing import ProjectEditor
from equityplanner.app.project_files import ProjectFiles
from equityplanner.app.project_tree import ProjectExplorer
from equityplanner.app.properties_panel import PropertiesPanel
from equityplanner.app.pyside_compat import collect_garbage_on_gui_thread
from equityplanner.app.results_panel import ResultsPanel
from equityplanner.app.session import ProjectSession
from equityplanner.app.settings import AppSettings
from equityplanner.app.state import AppState, AssessmentRun
from equityplanner.app.status_bar import StatusWidgets
from equityplanner.app.task_controller import Task, TaskController, TaskKind
from equityplanner.app.tasks import (
    AssessOutcome,
    BaselineOutcome,
    assess_task,
    load_baseline_task,
    prepare_baseline_task,
)
from equityplanner.app.translated import resource_label
from equityplanner.app.workbook_export import WorkbookExport
from equityplanner.app.workers import Worker
from equityplanner.errors import InputError
from equityplanner.i18n import _, ngettext
from equityplanner.io.projects import FieldMapping
from equityplanner.model.project import Parameters, ProjectDocument
from equityplanner.model.results import Indicator
from equityplanner.render.geometry import LayerGeometry

__all__ = ["MainWindow"]

IMPORT_IN_WORKER_ROWS = 20_000  # an imported layer this large is prepared in a worker


def _projects_import_filter() -> str:
    """The file dialog's filter: the descriptions translated, the patterns as they are."""
    return ";;".join(
        (
            _("Projects") + " (*.geojson *.json *.gpkg)",
            "GeoJSON (*.geojson *.json)",
            "GeoPackage (*.gpkg)",
        )
    )


class MainWindow(QMainWindow):
    """equityplanner's main window.

    Parameters
    ----------
    settings
        Where preferences are kept; the application's QSettings by default.
    interactive
        False for scripted runs (screenshot mode): errors are recorded in :attr:`errors` and
        not shown in dialogs, and nothing asks questions.
    """

    baseline_loaded = Signal(object)
    assessment_finished = Signal(object)
    assessment_failed = Signal(object)
    assessment_cancelled = Signal()
    export_finished = Signal(object)
    export_failed = Signal(object)
    error_reported = Signal(object)

    def __init__(self, settings: AppSettings | None = None, *, interactive: bool = True) -> None:
        super().__init__()
        collect_garbage_on_gui_thread()  # never finalise Qt objects on a worker thread
        self.settings = settings or AppSettings()
        self.interactive = interactive
        self.errors: list[ErrorReport] = []
        self.state = AppState()
        self.session = ProjectSession(self.state, self)
        self.tasks = TaskController(self.report_error, self)

        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        self.setDockNestingEnabled(True)
        self.map_panel = MapPanel(self.state, self.settings)
        self.canvas = self.map_panel.canvas
        self.setCentralWidget(self.map_panel)
        self._build_docks()
        self.commands = WindowActions(self, self.session.undo_stack)
        self.commands.attach_tool_keys(self.canvas)
        self.commands.build_menus(
            [
                self.explorer_dock,
                self.properties_dock,
                self.results_dock,
                self.table_dock,
                self.compare_dock,
                self.questions_dock,
            ]
        )
        self.commands.build_toolbar()
        self.status = StatusWidgets(
            self.statusBar(), self.state, self.tasks, self.commands.cancel, self.commands.run
        )
        self.statusBar().showMessage(_("Ready"), 3000)
        self.files = ProjectFiles(
            self,
            self.session,
            self.settings,
            report_error=self.report_error,
            show_status=self.statusBar().showMessage,
            interactive=interactive,
        )
        self.workbook = WorkbookExport(
            self,
            self.session,
            self.settings,
            self.tasks,
            chosen_results=self.comparison.chosen_results,
            report_error=self.report_error,
            show_status=self.statusBar().showMessage,
            interactive=interactive,
        )
        # Offer to open an exported workbook; never offscreen (CI, tests) or when scripted.
        self.workbook.offer_open = interactive and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
        self.workbook.exported.connect(self.export_finished)
        self.workbook.failed.connect(self.export_failed)
        self.editor = MapEditor(
            self.session,
            self.map_panel,
            report_error=self.report_error,
            show_status=self.statusBar().showMessage,
            parent=self,
        )
        self.project_editor = ProjectEditor(
            self, self.session, show_status=self.statusBar().showMessage
        )
        self._connect()
        self._connect_project_commands()
        self.network_routes = NetworkRoutes(self.session, self.tasks, self.canvas, self)
        self.resize(1400, 900)
        self._restore_layout()
        self.session.reset(editing.new_document(), None)  # every view shows the empty project

    # ------------------------------------------------------------------------------------
    # Construction

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.explorer = ProjectExplorer()
        self.explorer_dock = self._dock(_("Project"), "projectDock", self.explorer, left)
        self.properties = PropertiesPanel(self.state)
        self.properties_dock = self._dock(_("Properties"), "propertiesDock", self.properties, left)
        self.splitDockWidget(self.explorer_dock, self.properties_dock, Qt.Orientation.Vertical)
        self.results = ResultsPanel()
        self.results_dock = self._dock(_("Results"), "resultsDock", self.results, right)
        self.neighbourhoods = NeighbourhoodPanel(self.state)
        self.table_dock = self._dock(_("Neighbourhoods"), "tableDock", self.neighbourhoods, bottom)
        self.comparison = ComparisonView()
        self.compare_dock = self._dock(_("Compare"), "compareDock", self.comparison, bottom)
        self.tabifyDockWidget(self.table_dock, self.compare_dock)
        self.table_dock.raise_()
        self.questions = EquityQuestionsPanel(self.session)  # answered beside the project
        self.questions_dock = self._dock(
            EquityQuestionsPanel.title(), "equityQuestionsDock", self.questions, right
        )
        self.tabifyDockWidget(self.results_dock, self.questions_dock)
        self.results_dock.raise_()
        self.explorer.bind(self.state)
        self.results.bind(self.state)
        self.comparison.bind(self.state)

    def _connect(self) -> None:
        session, state, canvas, a = self.session, self.state, self.canvas, self.commands
        session.document_changed.connect(self._on_document_changed)
        # Bound methods, not lambdas: Qt drops them with the window (the undo stack signals
        # cleanChanged while it is destroyed).
        session.path_changed.connect(self._update_title)
        session.undo_stack.cleanChanged.connect(self._update_title)
        state.changed.connect(self._update_actions)
        self.tasks.activity_changed.connect(self._update_actions)
        canvas.feature_activated.connect(lambda ref: self.show_properties(ref.project_id))
        canvas.cursor_moved.connect(self.status.show_coordinates)
        self.map_panel.notice.connect(lambda text: self.statusBar().showMessage(text, 15000))
        canvas.tool_changed.connect(self._on_tool_changed)
        self.explorer.edit_requested.connect(self.show_properties)
        self.explorer.delete_requested.connect(self.editor.delete_project)
        self.explorer.zoom_requested.connect(self.map_panel.zoom_to_project)
        self.results.indicator_selected.connect(self._on_indicator_selected)
        self.properties.edited.connect(self.editor.apply_form_edit)

        a.new.triggered.connect(self.new_project)
        a.open.triggered.connect(self.files.ask_open)
        a.save.triggered.connect(self.files.save)
        a.save_as.triggered.connect(self.files.save_as)
        a.import_neighbourhoods.triggered.connect(self.import_neighbourhoods)
        a.import_projects.triggered.connect(self._on_import_projects_triggered)
        a.export.triggered.connect(self.workbook.ask_and_export)
        a.quit.triggered.connect(self.close)
        a.delete.triggered.connect(self.editor.delete_selected)
        a.new_project.triggered.connect(self.new_project_dialog)
        a.properties.triggered.connect(lambda: self.show_properties())
        a.parameters.triggered.connect(self.edit_parameters)
        for tool, action in a.tools.items():
            action.triggered.connect(lambda _=False, t=tool: canvas.set_tool(t))
        a.zoom_in.triggered.connect(lambda: canvas.zoom_by(1.5))
        a.zoom_out.triggered.connect(lambda: canvas.zoom_by(1 / 1.5))
        a.zoom_layer.triggered.connect(canvas.zoom_to_layer)
        a.run.triggered.connect(self.run_assessment)
        a.cancel.triggered.connect(self.cancel_tasks)
        a.compare.triggered.connect(lambda: self._show_dock(self.compare_dock))
        a.about.triggered.connect(self.show_about)
        for action in a.languages.values():
            action.triggered.connect(lambda _=False, act=action: self.choose_language(act.data()))
        if a.recent_menu is not None:
            menu = a.recent_menu
            menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(menu))

    def _connect_project_commands(self) -> None:
        """Scenarios, details, access data and Help (issue 11)."""
        a, editor = self.commands, self.project_editor
        self.explorer.command_requested.connect(editor.run_command)
        a.new_scenario.triggered.connect(editor.new_scenario)
        a.details.triggered.connect(editor.edit_details)
        a.add_opportunity.triggered.connect(lambda: editor.edit_opportunity(None))
        a.gtfs.triggered.connect(editor.edit_gtfs)
        a.network.triggered.connect(editor.edit_network)
        a.guide.triggered.connect(self.show_guide)
        a.open_sample.triggered.connect(self.open_sample_project)
        self.properties.details_requested.connect(editor.edit_details)
        self.properties.scenario_requested.connect(editor.edit_scenario)

    def show_guide(self) -> None:
        """Help ▸ Guide: the short guide in a window of its own."""
        from equityplanner.app.help import GuideDialog

        GuideDialog.show_guide(self)

    def open_sample_project(self) -> bool:
        """Help ▸ Open sample project: a fresh copy in the user's data folder, opened."""
        from equityplanner.app.help import copy_sample_project

        if not self.files.maybe_save():
            return False
        try:
            path = copy_sample_project()
        except InputError as exc:
            self.report_error(exc, _("opening the sample project"))
            return False
        return self.open_project(path, ask=False)

    # ------------------------------------------------------------------------------------
    # Errors and the project file

    def report_error(self, exc: BaseException, action: str = "") -> ErrorReport:
        """Tell the user about an error (a dialog, or a status message when cancelled)."""
        if not self.interactive:
            report = describe_error(exc, action)
            if report.kind != "cancelled":
                self.errors.append(report)
            self.statusBar().showMessage(report.one_line, 10000)
        else:
            report = show_error(self, exc, action)
        self.error_reported.emit(report)
        return report

    def open_project(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open a project file and read its neighbourhoods; False when it was not opened."""
        return self.files.open(path, ask=ask)

    def new_project(self) -> bool:
        """Start an empty project (asks to save changes first)."""
        return self.files.new()

    def _on_document_changed(self, document: ProjectDocument, reason: str) -> None:
        if reason == "open":  # another project: nothing running for the last one is wanted
            self.tasks.abandon()
        self._sync_baseline(document)
        self._update_title()
        if reason != "open":
            self.statusBar().showMessage(reason, 4000)

    def _update_actions(self, *_why: object) -> None:
        self.commands.update(self.state, self.tasks)

    def _update_title(self, *_why: object) -> None:
        name = self.session.path.name if self.session.path else _("Untitled")
        title = self.session.document.metadata.title
        self.setWindowTitle(f"{title} — {name}[*] — equityplanner")  # names, no words
        self.setWindowModified(self.session.is_modified)

    # ------------------------------------------------------------------------------------
    # The neighbourhood layer

    def load_baseline(self) -> None:
        """Read the document's neighbourhood layer in a worker."""
        document = self.session.document
        if document.baseline is None:
            return
        self.tasks.start(
            Task(
                TaskKind.BASELINE,
                load_baseline_task,
                (document,),
                _("Loading neighbourhoods"),
                _("loading the neighbourhoods"),
                on_success=self._on_baseline_read,
                on_failure=lambda _exc: self.map_panel.layer_failed(),
                subject=document.baseline,
            )
        )

    def _on_baseline_read(self, outcome: BaselineOutcome) -> None:
        if outcome.source != self.session.document.baseline:
            return  # the document moved on to another layer meanwhile
        current = self.state.baseline
        if current is None or current.source != outcome.source:  # a run may have read it first
            self.state.set_baseline(outcome)
        count = outcome.layer.count
        self.statusBar().showMessage(
            ngettext("Loaded {count} neighbourhood", "Loaded {count} neighbourhoods", count).format(
                count=i18n.format_number(count)
            ),
            5000,
        )
        self.baseline_loaded.emit(outcome)

    def _sync_baseline(self, document: ProjectDocument) -> None:
        """Drop the layer, and read the document's, when an edit, undo or redo changed it."""
        shown = self.state.baseline
        if document.baseline == (shown.source if shown is not None else None):
            return
        if document.baseline is not None and self.tasks.subject(TaskKind.BASELINE) == (
            document.baseline
        ):
            return  # being read
        self.state.set_baseline(None)
        self.tasks.abandon(TaskKind.BASELINE)
        self.load_baseline()

    def import_neighbourhoods(self) -> None:
        """Run the import wizard and use its layer as the project's baseline."""
        from equityplanner.app.dialogs import ImportWizard

        document = self.session.document
        source = document.baseline
        if source is not None:  # the wizard needs absolute paths; the file keeps them relative
            source = replace(
                source,
                neighbourhoods=str(document.resolve(source.neighbourhoods)),
                table=str(document.resolve(source.table)) if source.table else None,
            )
        wizard = ImportWizard(self, source=source)
        if document.weights is not None and hasattr(wizard, "start_weights_from"):
            weights = document.weights
            wizard.start_weights_from(
                replace(
                    weights,
                    path=str(document.resolve(weights.path)),
                    table=str(document.resolve(weights.table)) if weights.table else None,
                )
            )
        if wizard.exec() != ImportWizard.DialogCode.Accepted:
            return
        document = editing.set_baseline(self.session.document, wizard.result_source())
        if getattr(wizard, "weights_visited", False):  # the weights page's choice (None: area)
            document = replace(document, weights=wizard.result_weights())
        try:
            nb = wizard.result_neighbourhoods()
        except RuntimeError:
            nb = None  # not checked by the wizard: the edit below reads it in a worker
        if nb is not None and len(nb.frame) > IMPORT_IN_WORKER_ROWS:
            # Prepared for the map in a worker (a large layer froze the window for seconds);
            # started first, so that the edit sees it being read and does not read it again.
            self.tasks.start(
                Task(
                    TaskKind.BASELINE,
                    prepare_baseline_task,
                    (document, nb),
                    _("Preparing neighbourhoods"),
                    _("preparing the neighbourhoods"),
                    on_success=self._on_baseline_read,
                    on_failure=lambda _exc: self.map_panel.layer_failed(),
                    subject=document.baseline,
                )
            )
            self.session.apply(document, _("Import neighbourhoods"))
            return
        with self.state.batch():
            if nb is not None:
                from equityplanner.app.tasks import prepared_table

                layer = LayerGeometry(nb.frame.geometry.to_numpy(), nb.crs)
                table, warnings = prepared_table(nb, document)
                outcome = BaselineOutcome(
                    document.baseline, nb, layer, table, [*nb.warnings, *warnings]
                )
                self.state.set_baseline(outcome)  # before the edit, so that it is not read again
            self.session.apply(document, _("Import neighbourhoods"))
        if nb is not None and self.state.baseline is not None:
            self.baseline_loaded.emit(self.state.baseline)

    # ------------------------------------------------------------------------------------
    # Assessment

    def run_assessment(self) -> Worker | None:
        """Assess every project and scenario in a worker; re-running cancels a running one."""
        document = self.session.document
        action = _("running the assessment")
        if document.baseline is None:
            remedy = _("Import a neighbourhood layer first (File ▸ Import neighbourhoods…)")
            self.report_error(
                InputError(_("the project has no neighbourhood data"), remedy=remedy), action
            )
            return None
        if not document.projects:
            remedy = _(
                "Place a housing site or a station on the map, or import projects "
                "(File ▸ Import projects…)"
            )
            self.report_error(
                InputError(_("there is no proposed project to assess"), remedy=remedy), action
            )
            return None
        shown = self.state.baseline
        layer = shown if shown is not None and shown.source == document.baseline else None
        nb = layer.neighbourhoods if layer is not None else None

        def on_success(outcome: AssessOutcome) -> None:
            baseline = outcome.baseline or layer
            assert baseline is not None  # the task reads the layer when it is not given one
            self._on_assessed(AssessmentRun(outcome.document, outcome.assessment, baseline))

        return self.tasks.start(
            Task(
                TaskKind.ASSESS,
                assess_task,
                (document, nb),
                _("Assessing"),
                action,
                on_success=on_success,
                on_failure=self._on_assessment_failed,
                on_cancel=self.assessment_cancelled.emit,
            )
        )

    def _on_assessed(self, run: AssessmentRun) -> None:
        self.state.adopt_run(run)
        results = run.assessment.results
        adverse = sum(1 for r in results for i in r.indicators if i.tone == "adverse")
        findings = ngettext(
            "{adverse} adverse finding", "{adverse} adverse findings", adverse
        ).format(adverse=i18n.format_number(adverse))
        self.statusBar().showMessage(
            ngettext(
                "Assessment complete: {count} project, scenario and service result, {findings}.",
                "Assessment complete: {count} project, scenario and service results, {findings}.",
                len(results),
            ).format(count=i18n.format_number(len(results)), findings=findings),
            10000,
        )
        self.assessment_finished.emit(run.assessment)

    def _on_assessment_failed(self, exc: BaseException) -> None:
        self.state.mark_run_failed()
        self.assessment_failed.emit(exc)

    def cancel_tasks(self) -> None:
        """Cancel every running task (they stop at their next progress check)."""
        self.tasks.cancel()

    def wait_for_tasks(self, timeout_ms: int = 120_000) -> bool:
        """Process events until no task runs (scripts and screenshot mode); False on timeout."""
        return self.tasks.wait(timeout_ms)

    def _on_indicator_selected(self, indicator: Indicator | None) -> None:
        """Shade the map by what an indicator is about, when it has a per-neighbourhood field."""
        if indicator is None:
            return
        field = field_for_indicator(indicator.id, list(self.state.fields))
        if field is not None and field != self.state.map_field:
            self.state.shade_by(field.key)
            label = resource_label(field.label).lower()
            self.statusBar().showMessage(_("Map shaded by {field}").format(field=label), 5000)

    # ------------------------------------------------------------------------------------
    # Editing

    def _on_tool_changed(self, tool: str) -> None:
        self.commands.show_tool(tool)
        if TOOL_HINTS[tool]:
            self.statusBar().showMessage(TOOL_HINTS[tool])

    def new_project_dialog(self) -> None:
        """Ask for a new project's kind and name, then switch to the tool that places it."""
        from equityplanner.app.dialogs import NewProjectDialog

        spec = NewProjectDialog.ask(self)
        if spec is not None:
            self.editor.start_new_project(spec)

    def show_properties(self, project_id: str | None = None) -> None:
        """Show the properties dock, on ``project_id`` when given."""
        if project_id:
            self.state.select_project(project_id)
        self._show_dock(self.properties_dock)

    def edit_parameters(self) -> None:
        """Edit the assessment parameters in a dialog (an undoable edit)."""
        from equityplanner.app.dialogs import ParametersDialog

        dialog = ParametersDialog(self.session.document.parameters, self)
        if dialog.exec() == ParametersDialog.DialogCode.Accepted:
            self.set_parameters(dialog.parameters())

    def set_parameters(self, parameters: Parameters) -> None:
        """Use new parameters (an undoable edit; results become out of date)."""
        doc = editing.set_parameters(self.session.document, parameters)
        self.session.apply(doc, _("Change parameters"))

    def _on_import_projects_triggered(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self,
            _("Import projects"),
            self.settings.last_folder("import"),
            _projects_import_filter(),
        )
        if path:
            self.import_projects(Path(path))

    def import_projects(self, path: Path, mapping: FieldMapping | None = None) -> list[str]:
        """Add the projects of a GeoJSON or GeoPackage file; returns their ids.

        A layer drawn elsewhere (without equityplanner's attributes) is read through
        ``mapping``, which the field-mapping step asks for when not given.
        """
        from equityplanner.io.projects import read_projects

        if mapping is None:
            proceed, mapping = self.project_editor.ask_mapping(Path(path))
            if not proceed:
                return []
        try:
            projects = read_projects(path, mapping)
        except InputError as exc:
            self.report_error(exc, _("importing {file}").format(file=Path(path).name))
            return []
        doc, ids = editing.add_projects(self.session.document, projects)
        with self.state.batch():
            self.session.apply(
                doc,
                ngettext("Import {count} project", "Import {count} projects", len(ids)).format(
                    count=i18n.format_number(len(ids))
                ),
            )
            if ids:
                self.state.select_project(ids[0])
        self.settings.set_last_folder("import", Path(path).resolve().parent)
        return ids

    # ------------------------------------------------------------------------------------
    # Export

    def export_workbook(self, path: Path) -> Worker | None:
        """Write the Excel workbook of the current results in a worker."""
        return self.workbook.export(path)

    # ------------------------------------------------------------------------------------
    # Window

    def _show_dock(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    def show_about(self) -> None:
        """Version, methods and data credits."""
        QMessageBox.about(self, _("About equityplanner"), about_html())

    def choose_language(self, code: str) -> None:
        """Remember the language of the app; it applies when the app starts again."""
        if code not in i18n.LANGUAGES:
            return
        self.settings.set_language(code)
        self.settings.sync()
        for key, action in self.commands.languages.items():
            action.setChecked(key == code)
        with i18n.language(code):  # said in the language chosen
            title = _("Language")
            text = _("equityplanner will be shown in {language} when you start it again.").format(
                language=i18n.LANGUAGES[code]
            )
        if self.interactive:
            QMessageBox.information(self, title, text)
        else:
            self.statusBar().showMessage(text, 10000)

    def _restore_layout(self) -> None:
        self._layout_restored = False
        self._layout_done = False
        if not self.interactive:  # scripted runs (screenshots) use the default layout
            return
        geometry = self.settings.window_geometry()
        state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._layout_restored = state is not None and self.restoreState(state)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._layout_done:
            self._layout_done = True
            if not self._layout_restored:
                QTimer.singleShot(0, self._size_docks)
            if self.interactive:  # a project never saved, autosaved by a window that is gone
                QTimer.singleShot(0, self.files.offer_untitled_recovery)

    def _size_docks(self) -> None:
        """Dock proportions for a first start (later starts restore the user's layout)."""
        w, h = max(self.width(), 1000), max(self.height(), 700)
        self.resizeDocks(
            [self.explorer_dock, self.results_dock],
            [int(w * 0.16), int(w * 0.37)],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [self.explorer_dock, self.properties_dock],
            [int(h * 0.40), int(h * 0.30)],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks([self.table_dock], [int(h * 0.25)], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.tasks.cancel()
        QThreadPool.globalInstance().waitForDone(5000)
        if self.interactive:
            self.settings.save_window(self.saveGeometry(), self.saveState())
            self.settings.sync()
        self.files.close()
        event.accept()
