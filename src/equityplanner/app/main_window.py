"""The main window: project explorer, map, results, neighbourhood table and comparison.

The window adapts Qt-free pieces: the document lives in a :class:`ProjectSession` (edits are
undoable replacements made by :mod:`equityplanner.app.editing`), long work runs in
:class:`~equityplanner.app.workers.Worker` objects calling :mod:`equityplanner.app.tasks`, and
errors go through :mod:`equityplanner.app.messages`.

Window-level signals are emitted after the GUI has been updated, so tests and scripts can wait
on them: ``baseline_loaded``, ``assessment_finished``, ``assessment_failed``,
``assessment_cancelled``, ``export_finished``, ``export_failed``, ``error_reported``.
"""

from __future__ import annotations

import html
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QRectF, QSize, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QIcon,
    QKeySequence,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSpinBox,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from equityplanner._version import __version__
from equityplanner.app import editing
from equityplanner.app.autosave import (
    has_newer_autosave,
    remove_autosave,
    sidecar_path,
    write_autosave,
)
from equityplanner.app.comparison_view import ComparisonView
from equityplanner.app.icons import app_icon, icon
from equityplanner.app.map_canvas import LegendEntry, MapCanvas
from equityplanner.app.messages import ErrorReport, describe_error, show_error
from equityplanner.app.presentation import (
    MapField,
    available_fields,
    classify_field,
    default_field,
    field_for_indicator,
    field_values,
    map_colour,
    neighbourhood_columns,
    palette_choices,
    tooltip_html,
)
from equityplanner.app.project_tree import ProjectExplorer
from equityplanner.app.pyside_compat import collect_garbage_on_gui_thread
from equityplanner.app.results_panel import ResultsPanel
from equityplanner.app.session import ProjectSession
from equityplanner.app.settings import AppSettings
from equityplanner.app.table_models import NeighbourhoodFilterModel, NeighbourhoodTableModel
from equityplanner.app.tasks import (
    AssessOutcome,
    BaselineOutcome,
    assess_task,
    export_task,
    load_baseline_task,
)
from equityplanner.app.workers import Worker
from equityplanner.errors import InputError
from equityplanner.model.project import HousingProject, Project, ProjectDocument, TransitProject
from equityplanner.model.results import Assessment, Indicator, UnitResult
from equityplanner.render.geometry import LayerGeometry, SceneTransform

__all__ = ["MainWindow"]

AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000
AUTOSAVE_AFTER_EDIT_MS = 5000
PROJECT_FILTER = "equityplanner projects (*.eqp.json *.json);;All files (*)"
PROJECTS_IMPORT_FILTER = (
    "Projects (*.geojson *.json *.gpkg);;GeoJSON (*.geojson *.json);;GeoPackage (*.gpkg)"
)
_METHODS = (("quantile", "Quantiles"), ("equal", "Equal intervals"), ("natural", "Natural breaks"))
_TOOL_NAMES = {
    "select": "Select and move",
    "housing": "Place a housing site",
    "station": "Add a station or stop",
    "alignment": "Draw an alignment",
}


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
        # Offer to open an exported workbook; never offscreen (CI, tests) or when scripted.
        self.offer_open_after_export = (
            interactive and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
        )
        self.errors: list[ErrorReport] = []
        self.session = ProjectSession(self)
        self.baseline: BaselineOutcome | None = None
        self.assessment: Assessment | None = None
        self.assessed_document: ProjectDocument | None = None
        self.unit_id: str | None = None
        self.map_field: MapField | None = None
        self.fields: list[MapField] = []
        self.tasks: dict[str, Worker] = {}
        self._current_project_id: str | None = None
        self._pending_spec: Any = None
        self._projects_transform: SceneTransform | None = None
        self._form = None

        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        self.setDockNestingEnabled(True)
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbars()
        self._build_status_bar()
        self._connect()

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()
        self._edit_autosave = QTimer(self)
        self._edit_autosave.setSingleShot(True)
        self._edit_autosave.setInterval(AUTOSAVE_AFTER_EDIT_MS)
        self._edit_autosave.timeout.connect(self.autosave)

        self.resize(1400, 900)
        self._restore_layout()
        self._on_document_changed(self.session.document, "open")
        self._update_title()
        self._update_actions()

    # ------------------------------------------------------------------------------------
    # Construction

    def _build_central(self) -> None:
        self.canvas = MapCanvas()
        self.canvas.tooltip_provider = self._row_tooltip
        self.canvas.feature_tooltip_provider = self._feature_tooltip
        self.field_combo = QComboBox()
        self.field_combo.setObjectName("fieldCombo")
        self.field_combo.setMinimumContentsLength(16)
        self.field_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.field_combo.setToolTip("What the neighbourhoods are shaded by")
        self.field_combo.setAccessibleName("Shade neighbourhoods by")
        self.method_combo = QComboBox()
        for key, label in _METHODS:
            self.method_combo.addItem(label, key)
        self.method_combo.setToolTip("How values are split into classes")
        self.method_combo.setAccessibleName("Classification method")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(3, 7)
        self.k_spin.setToolTip("Number of classes")
        self.k_spin.setAccessibleName("Number of classes")
        self.palette_combo = QComboBox()
        for key, label in palette_choices():
            self.palette_combo.addItem(label, key)
        self.palette_combo.setToolTip("Colours of the classes (all colour-blind safe)")
        self.palette_combo.setMinimumContentsLength(10)
        self.palette_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.palette_combo.setAccessibleName("Palette")
        style = self.settings.map_style()
        self.method_combo.setCurrentIndex(max(self.method_combo.findData(style["method"]), 0))
        self.k_spin.setValue(int(style["k"]))
        if style["palette"]:
            self.palette_combo.setCurrentIndex(
                max(self.palette_combo.findData(style["palette"]), 0)
            )

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        for text, widget in (
            ("Sha&de by", self.field_combo),
            ("&Classes", self.method_combo),
            (None, self.k_spin),
            ("&Palette", self.palette_combo),
        ):
            if text:
                label = QLabel(text + ":")
                label.setBuddy(widget)
                bar.addWidget(label)
            bar.addWidget(widget, 2 if widget is self.field_combo else 0)
            bar.addSpacing(6)
        bar.addStretch(1)
        header = QWidget()
        header.setObjectName("mapHeader")
        header.setLayout(bar)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.canvas, 1)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.explorer = ProjectExplorer()
        self.explorer_dock = self._dock(
            "Project", "projectDock", self.explorer, Qt.DockWidgetArea.LeftDockWidgetArea
        )

        self.properties_holder = QWidget()
        self.properties_holder.setObjectName("propertiesHolder")
        self.properties_layout = QVBoxLayout(self.properties_holder)
        self.properties_layout.setContentsMargins(6, 6, 6, 6)
        self.properties_hint = QLabel(
            "Select a project in the explorer or on the map to edit its properties."
        )
        self.properties_hint.setWordWrap(True)
        self.properties_hint.setObjectName("propertiesHint")
        self.properties_layout.addWidget(self.properties_hint)
        self.properties_layout.addStretch(1)
        # In a scroll area, so that a tall form never forces the window to grow.
        self.properties_scroll = QScrollArea()
        self.properties_scroll.setWidgetResizable(True)
        self.properties_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.properties_scroll.setWidget(self.properties_holder)
        self.properties_scroll.setMinimumHeight(120)
        self.properties_dock = self._dock(
            "Properties",
            "propertiesDock",
            self.properties_scroll,
            Qt.DockWidgetArea.LeftDockWidgetArea,
        )
        self.splitDockWidget(self.explorer_dock, self.properties_dock, Qt.Orientation.Vertical)

        self.results = ResultsPanel()
        self.results_dock = self._dock(
            "Results", "resultsDock", self.results, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.table_model = NeighbourhoodTableModel(self)
        self.table_proxy = NeighbourhoodFilterModel(self)
        self.table_proxy.setSourceModel(self.table_model)
        self.table = QTableView()
        self.table.setObjectName("neighbourhoodTable")
        self.table.setAccessibleName("Neighbourhood table")
        self.table.setModel(self.table_proxy)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # starts in layer order; a header click sorts
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setHighlightSections(False)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by id or name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter neighbourhoods")
        self.filter_edit.setToolTip("Show only neighbourhoods whose id or name contains this text")
        self.table_count = QLabel()
        table_box = QWidget()
        tl = QVBoxLayout(table_box)
        tl.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.table_count)
        tl.addLayout(top)
        tl.addWidget(self.table, 1)
        self.table_dock = self._dock(
            "Neighbourhoods", "tableDock", table_box, Qt.DockWidgetArea.BottomDockWidgetArea
        )

        self.comparison = ComparisonView()
        self.compare_dock = self._dock(
            "Compare", "compareDock", self.comparison, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.table_dock, self.compare_dock)
        self.table_dock.raise_()

    def _action(
        self,
        text: str,
        icon_name: str | None,
        tip: str,
        slot: Any = None,
        shortcut: Any = None,
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcuts(
                shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)]
            )
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.act_new = self._action(
            "&New", "document-new", "Start a new, empty project", self.new_project, K.New
        )
        self.act_open = self._action(
            "&Open…", "document-open", "Open a project file", self._on_open_triggered, K.Open
        )
        self.act_save = self._action(
            "&Save", "document-save", "Save the project", self.save, K.Save
        )
        self.act_save_as = self._action(
            "Save &As…",
            "document-save-as",
            "Save the project under a new name",
            self.save_as,
            K.SaveAs,
        )
        self.act_import_nb = self._action(
            "Import &neighbourhoods…",
            "neighbourhoods",
            "Import census tracts or block groups with their ACS data",
            self.import_neighbourhoods,
            "Ctrl+Shift+N",
        )
        self.act_import_projects = self._action(
            "Import &projects…",
            "import",
            "Add proposed projects from a GeoJSON or GeoPackage file",
            self._on_import_projects_triggered,
            "Ctrl+I",
        )
        self.act_export = self._action(
            "&Export workbook…",
            "export",
            "Export the results to an Excel workbook",
            self._on_export_triggered,
            "Ctrl+E",
        )
        self.act_quit = self._action("&Quit", "quit", "Close equityplanner", self.close, K.Quit)

        self.act_undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setIcon(icon("undo"))
        self.act_undo.setShortcuts(K.Undo)
        self.act_redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setIcon(icon("redo"))
        self.act_redo.setShortcuts(
            [QKeySequence(K.Redo), QKeySequence("Ctrl+Y")]
            if QKeySequence(K.Redo) != QKeySequence("Ctrl+Y")
            else K.Redo
        )
        for action, tip in (
            (self.act_undo, "Undo the last edit"),
            (self.act_redo, "Redo the edit undone"),
        ):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})")
            action.setStatusTip(tip)
        self.act_delete = self._action(
            "&Delete",
            "delete",
            "Delete the selected station, site, alignment or project",
            self.delete_selected,
            K.Delete,
        )
        self.act_new_project = self._action(
            "New pro&ject…",
            "form",
            "Start a new housing or transit project, then place it on the map",
            self.new_project_dialog,
            "Ctrl+Shift+J",
        )
        self.act_properties = self._action(
            "Project p&roperties",
            "form",
            "Show the properties of the selected project",
            self._show_properties,
            "Alt+Return",
        )
        self.act_parameters = self._action(
            "&Parameters…",
            "parameters",
            "Catchments, Title VI thresholds and other numbers that affect the results",
            self.edit_parameters,
            "Ctrl+Shift+P",
        )

        self.tool_actions: dict[str, QAction] = {}
        for tool, icon_name, key in (
            ("select", "select", "V"),
            ("housing", "housing", "H"),
            ("station", "station", "T"),
            ("alignment", "alignment", "L"),
        ):
            tips = {
                "select": "Select a neighbourhood or a project feature; drag a station, site "
                "or vertex to move it; drag elsewhere to pan",
                "housing": "Click the map to place a housing site",
                "station": "Click the map to add a station or stop to the selected line "
                "(or start a new line)",
                "alignment": "Click to add vertices of a line's alignment; double-click or "
                "Enter to finish, Esc to cancel",
            }
            act = self._action(_TOOL_NAMES[tool], icon_name, tips[tool], None, key, checkable=True)
            act.triggered.connect(lambda _=False, t=tool: self.set_tool(t))
            self.tool_actions[tool] = act
        self.tool_actions["select"].setChecked(True)
        # One-letter tool keys work while the map has the focus, so that type-ahead in the
        # explorer and the tables keeps working.
        for act in self.tool_actions.values():
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.canvas.addAction(act)
        self.act_zoom_in = self._action(
            "Zoom &in", "zoom-in", "Zoom in", lambda: self.canvas.zoom_by(1.5), K.ZoomIn
        )
        self.act_zoom_out = self._action(
            "Zoom &out", "zoom-out", "Zoom out", lambda: self.canvas.zoom_by(1 / 1.5), K.ZoomOut
        )
        self.act_zoom_layer = self._action(
            "Zoom to &layer",
            "zoom-layer",
            "Show the whole neighbourhood layer",
            self.canvas.zoom_to_layer,
            "Ctrl+0",
        )

        self.act_run = self._action(
            "&Run assessment", "run", "Assess every project and scenario", self.run_assessment, "F5"
        )
        self.act_cancel = self._action(
            "&Cancel", "cancel", "Stop the running task", self.cancel_tasks, "Shift+F5"
        )
        self.act_compare = self._action(
            "&Compare…",
            "compare",
            "Compare two projects or scenarios side by side",
            self._show_compare,
            "Ctrl+Shift+C",
        )
        self.act_about = self._action(
            "&About equityplanner", "about", "Version, methods and data credits", self.show_about
        )
        self.act_about_qt = self._action(
            "About &Qt", None, "The Qt version in use", QApplication.aboutQt
        )

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file = mb.addMenu("&File")
        file.addActions([self.act_new, self.act_open])
        self.recent_menu = file.addMenu(icon("recent"), "Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file.addActions([self.act_save, self.act_save_as])
        file.addSeparator()
        file.addActions([self.act_import_nb, self.act_import_projects, self.act_export])
        file.addSeparator()
        file.addAction(self.act_quit)

        edit = mb.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_new_project, self.act_properties, self.act_delete])
        edit.addSeparator()
        edit.addAction(self.act_parameters)

        view = mb.addMenu("&Map")
        view.addActions(list(self.tool_actions.values()))
        view.addSeparator()
        view.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_layer])

        run = mb.addMenu("&Assessment")
        run.addActions([self.act_run, self.act_cancel])
        run.addSeparator()
        run.addActions([self.act_compare, self.act_export])

        self.window_menu = mb.addMenu("&Window")
        for dock in (
            self.explorer_dock,
            self.properties_dock,
            self.results_dock,
            self.table_dock,
            self.compare_dock,
        ):
            self.window_menu.addAction(dock.toggleViewAction())

        help_menu = mb.addMenu("&Help")
        help_menu.addActions([self.act_about, self.act_about_qt])

    def _build_toolbars(self) -> None:
        main = QToolBar("Main")
        main.setObjectName("mainToolbar")
        main.setIconSize(QSize(22, 22))
        main.addActions([self.act_new, self.act_open, self.act_save])
        main.addSeparator()
        main.addActions([self.act_undo, self.act_redo])
        main.addSeparator()
        main.addActions(list(self.tool_actions.values()))
        main.addAction(self.act_delete)
        main.addSeparator()
        main.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_layer])
        main.addSeparator()
        main.addActions([self.act_run, self.act_cancel, self.act_export, self.act_compare])
        self.addToolBar(main)
        run_button = main.widgetForAction(self.act_run)
        if isinstance(run_button, QToolButton):
            run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.main_toolbar = main
        self.window_menu.addSeparator()
        self.window_menu.addAction(main.toggleViewAction())

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.coords_label = QLabel()
        self.coords_label.setToolTip("Longitude and latitude under the cursor")
        self.coords_label.setMinimumWidth(150)
        self.task_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setAccessibleName("Task progress")
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(self.act_cancel)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setAutoRaise(True)
        self.warnings_button = QToolButton()
        self.warnings_button.setAutoRaise(True)
        self.warnings_button.setToolTip(
            "Data warnings of the neighbourhood layer and the assessment"
        )
        self.warnings_button.clicked.connect(self.show_warnings)
        self.warnings_button.setVisible(False)
        for w in (self.task_label, self.progress_bar, self.cancel_button):
            w.setVisible(False)
        sb.addPermanentWidget(self.task_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.warnings_button)
        sb.addPermanentWidget(self.coords_label)
        sb.showMessage("Ready", 3000)

    def _connect(self) -> None:
        s = self.session
        s.document_changed.connect(self._on_document_changed)
        s.path_changed.connect(lambda _p: self._update_title())
        s.undo_stack.cleanChanged.connect(lambda _c: self._update_title())
        s.undo_stack.indexChanged.connect(lambda _i: self._edit_autosave.start())
        c = self.canvas
        c.place_requested.connect(self._on_canvas_place_requested)
        c.alignment_drawn.connect(self._on_canvas_alignment_drawn)
        c.feature_moved.connect(self._on_canvas_feature_moved)
        c.feature_selected.connect(self._on_canvas_feature_selected)
        c.feature_activated.connect(lambda ref: self._show_properties(ref.project_id))
        c.row_clicked.connect(self._on_canvas_row_clicked)
        c.cursor_moved.connect(
            lambda lon, lat: self.coords_label.setText(
                f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'}  "
                f"{abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"
            )
        )
        c.tool_changed.connect(self._on_canvas_tool_changed)
        self.explorer.item_selected.connect(self._on_explorer_item_selected)
        self.explorer.edit_requested.connect(self._show_properties)
        self.explorer.delete_requested.connect(
            lambda pid: self._apply(
                editing.delete_project(self.session.document, pid), "Delete project"
            )
        )
        self.explorer.zoom_requested.connect(self.zoom_to_project)
        self.results.unit_changed.connect(self.select_unit)
        self.results.indicator_selected.connect(self._on_results_indicator_selected)
        self.field_combo.currentIndexChanged.connect(self._on_field_combo_changed)
        self.method_combo.currentIndexChanged.connect(self._on_style_changed)
        self.k_spin.valueChanged.connect(self._on_style_changed)
        self.palette_combo.currentIndexChanged.connect(self._on_style_changed)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)

    # ------------------------------------------------------------------------------------
    # Errors

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

    # ------------------------------------------------------------------------------------
    # Files

    def new_project(self) -> bool:
        """Start an empty project (asks to save changes first)."""
        if not self.maybe_save():
            return False
        remove_autosave(self.session.path)
        self._forget_results()
        self.baseline = None
        self.canvas.set_layer(None)
        self.session.reset(editing.new_document(), None)
        self.statusBar().showMessage(
            "New project. Import neighbourhoods, then place or import projects.", 8000
        )
        return True

    def _on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", self.settings.last_folder("project"), PROJECT_FILTER
        )
        if path:
            self.open_project(Path(path))

    def open_project(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open a project file; errors are reported. Returns True when it was opened."""
        path = Path(path)
        if ask and not self.maybe_save():
            return False
        from equityplanner.io.project_file import load_project

        try:
            document = load_project(path)
        except InputError as exc:
            self.report_error(exc, f"opening {path.name}")
            return False
        recovered = self._recover_autosave(path)
        if self.session.path != path.resolve():
            remove_autosave(self.session.path)
        self._forget_results()
        self.baseline = None
        self.canvas.set_layer(None)
        self.session.reset(document, path)
        if recovered is not None:
            self.session.apply(recovered, "Recover autosaved changes")
        if self.interactive:  # scripted runs (screenshots) leave the preferences alone
            self.settings.add_recent_file(path)
            self.settings.set_last_folder("project", path.resolve().parent)
        self.statusBar().showMessage(f"Opened {path.name}", 5000)
        self.load_baseline()
        return True

    def _recover_autosave(self, path: Path) -> ProjectDocument | None:
        if not self.interactive or not has_newer_autosave(path):
            return None
        sidecar = sidecar_path(path)
        answer = QMessageBox.question(
            self,
            "Recover unsaved changes?",
            f"<p><b>{html.escape(path.name)}</b> has changes that were autosaved but never saved "
            f"(autosave of {_mtime(sidecar)}).</p><p>Recover them? They open as an unsaved "
            "edit you "
            "can undo; choose No to open the file as last saved.</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        from equityplanner.io.project_file import load_project

        try:
            return editing.with_absolute_baseline(load_project(sidecar))
        except InputError as exc:
            self.report_error(exc, "recovering the autosaved changes")
            return None

    def save(self) -> bool:
        """Save to the project's file (asks for a name the first time)."""
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        """Save under a new name."""
        start = str(
            self.session.path
            or Path(self.settings.last_folder("project") or Path.home()) / "project.eqp.json"
        )
        path, _ = QFileDialog.getSaveFileName(self, "Save project as", start, PROJECT_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".eqp.json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        from equityplanner.io.project_file import save_project

        old = self.session.path
        try:
            save_project(self.session.document, path)
        except InputError as exc:
            self.report_error(exc, f"saving {path.name}")
            return False
        self.session.mark_saved(path)
        remove_autosave(path)
        if old is not None and old != path.resolve():
            remove_autosave(old)
        self.settings.add_recent_file(path)
        self.settings.set_last_folder("project", path.resolve().parent)
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels."""
        if not self.session.is_modified or not self.interactive:
            return True
        name = self.session.path.name if self.session.path else "the new project"
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {name} before closing it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def autosave(self) -> Path | None:
        """Write the sidecar autosave when there are unsaved edits; returns its path."""
        path = self.session.path
        if path is None or not self.session.is_modified:
            return None
        try:
            return write_autosave(self.session.document, path)
        except InputError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc.message}", 10000)
            return None

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for n, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{n} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        if not files:
            none = self.recent_menu.addAction("No recent projects")
            none.setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("&Clear list")
        clear.setToolTip("Forget the recent projects")
        clear.triggered.connect(self.settings.clear_recent_files)

    # ------------------------------------------------------------------------------------
    # Baseline

    def load_baseline(self) -> None:
        """Read the document's neighbourhood layer in a worker."""
        document = self.session.document
        if document.baseline is None:
            return
        self._start(
            "baseline",
            Worker(load_baseline_task, document, description="Loading neighbourhoods"),
            self._on_baseline_succeeded,
            action="loading the neighbourhoods",
        )

    def _on_baseline_succeeded(self, outcome: BaselineOutcome) -> None:
        if outcome.source != self.session.document.baseline:
            return  # the document moved on to another layer meanwhile
        self._adopt_baseline(outcome)
        self.statusBar().showMessage(f"Loaded {outcome.layer.count:,} neighbourhoods", 5000)
        self.baseline_loaded.emit(outcome)

    def _adopt_baseline(self, outcome: BaselineOutcome) -> None:
        self.baseline = outcome
        self.canvas.set_layer(outcome.layer, zoom=False)
        self._refresh_fields()
        self.canvas.zoom_to_layer()  # after the legend exists, so that room is left for it
        self._refresh_overlays()
        self._refresh_explorer()
        self._update_warnings()
        self._update_actions()

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
        if wizard.exec() != ImportWizard.DialogCode.Accepted:
            return
        document = editing.set_baseline(self.session.document, wizard.result_source())
        try:
            nb = wizard.result_neighbourhoods()
        except RuntimeError:
            nb = None  # not checked by the wizard: the edit below loads it in a worker
        if nb is not None:
            from equityplanner.app.tasks import prepared_table

            layer = LayerGeometry(nb.frame.geometry.to_numpy(), nb.crs)
            table, warnings = prepared_table(nb, document)
            self._adopt_baseline(
                BaselineOutcome(document.baseline, nb, layer, table, [*nb.warnings, *warnings])
            )
        self._apply(document, "Import neighbourhoods")

    # ------------------------------------------------------------------------------------
    # Document changes

    def _apply(self, document: ProjectDocument, text: str) -> bool:
        return self.session.apply(document, text)

    def _sync_baseline(self, document: ProjectDocument) -> None:
        """Load (or drop) the neighbourhood layer when an edit, undo or redo changed it."""
        have = self.baseline.source if self.baseline is not None else None
        if document.baseline == have:
            return
        loading = self.tasks.get("baseline")
        if (
            loading is not None
            and not loading.is_done
            and loading.args[0].baseline == document.baseline
        ):
            return
        self.baseline = None
        self.canvas.set_layer(None)
        self._refresh_fields()
        if document.baseline is not None:
            self.load_baseline()

    def _on_document_changed(self, document: ProjectDocument, reason: str) -> None:
        if reason != "open":
            self._sync_baseline(document)
        if self.assessment is not None:
            stale = document != self.assessed_document
            self.results.set_stale(stale, "the project changed since the last run")
        self._refresh_explorer()
        self._refresh_overlays()
        self._refresh_properties()
        self._update_actions()
        self._update_title()
        if reason not in ("open",):
            self.statusBar().showMessage(reason, 4000)

    def _refresh_explorer(self) -> None:
        count = self.baseline.layer.count if self.baseline is not None else None
        self.explorer.set_document(self.session.document, neighbourhood_count=count)

    def _update_title(self) -> None:
        doc = self.session.document
        name = self.session.path.name if self.session.path else "Untitled"
        self.setWindowTitle(f"{doc.metadata.title} — {name}[*] — equityplanner")
        self.setWindowModified(self.session.is_modified)

    def _update_actions(self) -> None:
        running = any(not w.is_done for w in self.tasks.values())
        has_projects = bool(self.session.document.projects)
        self.act_run.setEnabled(has_projects and self.session.document.baseline is not None)
        self.act_export.setEnabled(self.assessment is not None and "export" not in self._running())
        self.act_cancel.setEnabled(running)
        self.act_compare.setEnabled(self.assessment is not None)
        self.act_delete.setEnabled(
            self.canvas.selected_feature is not None or self._current_project_id is not None
        )
        self.act_properties.setEnabled(self._current_project_id is not None)

    # ------------------------------------------------------------------------------------
    # Editing on the map

    def set_tool(self, tool: str) -> None:
        """Choose the map tool (``select``, ``housing``, ``station``, ``alignment``)."""
        self.canvas.set_tool(tool)

    def _on_canvas_tool_changed(self, tool: str) -> None:
        for name, action in self.tool_actions.items():
            action.setChecked(name == tool)
        hints = {
            "select": "",
            "housing": "Click the map to place the housing site.",
            "station": "Click the map to add a station; it joins the selected line, "
            "or starts a new one.",
            "alignment": "Click to add vertices; double-click or press Enter to finish, "
            "Esc to cancel.",
        }
        if hints[tool]:
            self.statusBar().showMessage(hints[tool])
        self._refresh_overlays()

    def _transit(self, project_id: str | None) -> TransitProject | None:
        for p in self.session.document.projects:
            if p.id == project_id and isinstance(p, TransitProject):
                return p
        return None

    def _on_canvas_place_requested(self, tool: str, lon: float, lat: float) -> None:
        doc = self.session.document
        spec = self._pending_spec
        try:
            if tool == "housing":
                name = spec.name if spec is not None and spec.kind == "housing" else None
                doc, pid = editing.add_housing_site(doc, lon, lat, name=name)
                self._pending_spec = None
                self._apply(doc, "Place housing site")
                self.set_tool("select")
            else:
                target = self._transit(self._current_project_id)
                new_line = target is None
                doc, pid, _n = editing.add_station(doc, None if new_line else target.id, lon, lat)
                if new_line and spec is not None and spec.kind == "transit":
                    project = next(p for p in doc.projects if p.id == pid)
                    renamed = replace(
                        project,
                        name=spec.name,
                        mode=spec.mode or project.mode,
                        change=spec.change or project.change,
                    )
                    doc = editing.replace_project(doc, renamed)
                    self._pending_spec = None
                self._apply(doc, "Add station" if not new_line else "Start a new line")
        except (ValueError, KeyError) as exc:
            self.report_error(
                InputError(str(exc), remedy="Select a transit project first"), "editing"
            )
            return
        self._select_project(pid)

    def _on_canvas_alignment_drawn(self, coords: list[tuple[float, float]]) -> None:
        target = self._transit(self._current_project_id)
        doc, pid = editing.set_alignment(
            self.session.document, target.id if target else None, coords
        )
        self._apply(doc, "Draw alignment")
        self._select_project(pid)

    def _on_canvas_feature_moved(self, ref: editing.FeatureRef, lon: float, lat: float) -> None:
        try:
            doc = editing.move_feature(self.session.document, ref, lon, lat)
        except (ValueError, KeyError, IndexError) as exc:
            self.report_error(exc, "moving a feature")
            return
        word = {"site": "housing site", "station": "station", "alignment": "alignment vertex"}.get(
            ref.role, ref.role
        )
        if not self._apply(doc, f"Move {word}"):
            self._refresh_overlays()

    def _on_canvas_feature_selected(self, ref: editing.FeatureRef | None) -> None:
        if ref is not None:
            self._select_project(ref.project_id)
        self._update_actions()

    def _select_project(self, project_id: str) -> None:
        self._current_project_id = project_id
        self.canvas.active_project_id = project_id
        self.explorer.select_item("project", project_id, emit=False)
        if self.assessment is not None and any(r.id == project_id for r in self.assessment.results):
            self.select_unit(project_id)
        self._refresh_overlays()
        self._refresh_properties()
        self._update_actions()

    def delete_selected(self) -> None:
        """Delete the feature selected on the map, or else the project selected."""
        doc = self.session.document
        ref = self.canvas.selected_feature
        try:
            if ref is not None:
                new = editing.delete_feature(doc, ref)
                text = f"Delete {ref.role}"
            elif self._current_project_id is not None:
                new = editing.delete_project(doc, self._current_project_id)
                text = "Delete project"
            else:
                self.statusBar().showMessage(
                    "Select a station, site, alignment or project to delete.", 5000
                )
                return
        except (ValueError, KeyError, IndexError) as exc:
            self.report_error(exc, "deleting")
            return
        self.canvas.set_selected_feature(None)
        if not any(p.id == self._current_project_id for p in new.projects):
            self._current_project_id = None
            self.canvas.active_project_id = None
        self._apply(new, text)

    def new_project_dialog(self) -> None:
        """Ask for a new project's kind and name, then switch to the tool that places it."""
        from equityplanner.app.dialogs import NewProjectDialog

        spec = NewProjectDialog.ask(self)
        if spec is None:
            return
        self._pending_spec = spec
        self._current_project_id = None
        self.canvas.active_project_id = None
        self.set_tool("housing" if spec.kind == "housing" else "station")

    def _show_properties(self, project_id: str | None = None) -> None:
        if project_id:
            self._select_project(project_id)
        self.properties_dock.show()
        self.properties_dock.raise_()

    def _refresh_properties(self) -> None:
        project = next(
            (p for p in self.session.document.projects if p.id == self._current_project_id), None
        )
        if project is None:
            if self._form is not None:
                self._form.setVisible(False)
            self.properties_hint.setText(self._metadata_html())
            self.properties_hint.setVisible(True)
            return
        from equityplanner.app.dialogs import ProjectForm

        if self._form is None or type(self._form.project()) is not type(project):
            if self._form is not None:
                self.properties_layout.removeWidget(self._form)
                self._form.deleteLater()
            self._form = ProjectForm(project)
            self._form.edited.connect(self._on_form_edited)
            self.properties_layout.insertWidget(0, self._form, 1)
        elif self._form.project() != project:
            self._form.set_project(project)
        self._form_project_id = project.id
        self._form.setVisible(True)
        self.properties_hint.setVisible(False)

    def _metadata_html(self) -> str:
        doc = self.session.document
        meta = doc.metadata
        lines = [f"<p><b>{html.escape(meta.title)}</b></p>"]
        who = " · ".join(x for x in (meta.author, meta.organisation, meta.date) if x)
        if who:
            lines.append(f"<p>{html.escape(who)}</p>")
        if doc.baseline is not None and doc.baseline.vintage:
            lines.append(f"<p>Data: {html.escape(doc.baseline.vintage)}</p>")
        if meta.description:
            text = (
                meta.description
                if len(meta.description) < 420
                else meta.description[:400].rsplit(" ", 1)[0] + "…"
            )
            lines.append(f"<p>{html.escape(text)}</p>")
        lines.append(
            "<p><i>Select a project in the explorer or on the map to edit its properties.</i></p>"
        )
        return "".join(lines)

    def _on_form_edited(self, project: Project) -> None:
        old = getattr(self, "_form_project_id", project.id)
        try:
            doc = editing.replace_project(self.session.document, project, old_id=old)
        except KeyError:
            return
        self._current_project_id = project.id
        self._apply(doc, f"Edit {project.name}")

    def edit_parameters(self) -> None:
        """Edit the assessment parameters in a dialog (an undoable edit)."""
        from equityplanner.app.dialogs import ParametersDialog

        dialog = ParametersDialog(self.session.document.parameters, self)
        if dialog.exec() == ParametersDialog.DialogCode.Accepted:
            self.set_parameters(dialog.parameters())

    def set_parameters(self, parameters: Any) -> None:
        """Use new parameters (an undoable edit; results become out of date)."""
        self._apply(editing.set_parameters(self.session.document, parameters), "Change parameters")

    def _on_import_projects_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import projects", self.settings.last_folder("import"), PROJECTS_IMPORT_FILTER
        )
        if path:
            self.import_projects(Path(path))

    def import_projects(self, path: Path) -> list[str]:
        """Add the projects of a GeoJSON or GeoPackage file; returns their ids."""
        from equityplanner.io.projects import read_projects

        try:
            projects = read_projects(path)
        except InputError as exc:
            self.report_error(exc, f"importing {Path(path).name}")
            return []
        doc, ids = editing.add_projects(self.session.document, projects)
        self._apply(doc, f"Import {len(ids)} project(s)")
        self.settings.set_last_folder("import", Path(path).resolve().parent)
        if ids:
            self._select_project(ids[0])
        return ids

    def zoom_to_project(self, project_id: str) -> None:
        """Centre the map on a project."""
        project = next((p for p in self.session.document.projects if p.id == project_id), None)
        if project is None or self.canvas.transform_ is None:
            return
        import numpy as np
        import shapely

        geoms = (
            [project.site]
            if isinstance(project, HousingProject)
            else [s.geometry for s in project.stations]
        )
        xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geoms, dtype=object))
        a = self.canvas.lonlat_to_view(xmin, ymax)
        b = self.canvas.lonlat_to_view(xmax, ymin)
        tl, br = self.canvas.mapToScene(a), self.canvas.mapToScene(b)
        rect = QRectF(tl, br).normalized().adjusted(-1500, -1500, 1500, 1500)
        self.canvas.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.canvas._after_zoom()

    # ------------------------------------------------------------------------------------
    # Tasks

    def _running(self) -> set[str]:
        return {k for k, w in self.tasks.items() if not w.is_done and not w.is_cancelled}

    def _start(self, slot: str, worker: Worker, on_success: Any, *, action: str) -> Worker:
        """Run ``worker`` as the task of ``slot``, cancelling the task it replaces."""
        old = self.tasks.get(slot)
        if old is not None and not old.is_done:
            old.cancel()
        self.tasks[slot] = worker

        def current() -> bool:
            return self.tasks.get(slot) is worker

        def on_progress(fraction: float, message: str) -> None:
            if current():
                self.progress_bar.setValue(int(fraction * 100))
                if message:
                    self.task_label.setText(message)

        def on_succeeded(result: Any) -> None:
            if current():
                on_success(result)

        def on_failed(exc: BaseException) -> None:
            if current():
                if slot == "assess":
                    self.results.set_stale(self.assessment is not None, "the last run failed")
                self.report_error(exc, action)
                if slot == "assess":
                    self.assessment_failed.emit(exc)
                elif slot == "export":
                    self.export_failed.emit(exc)

        def on_cancelled() -> None:
            if current():
                self.statusBar().showMessage(f"{worker.description} cancelled.", 6000)
                if slot == "assess":
                    self.assessment_cancelled.emit()

        def on_finished() -> None:
            self._update_busy()
            self._update_actions()

        worker.signals.progressed.connect(on_progress)
        worker.signals.succeeded.connect(on_succeeded)
        worker.signals.failed.connect(on_failed)
        worker.signals.cancelled.connect(on_cancelled)
        worker.signals.finished.connect(on_finished)
        worker.start()
        self.task_label.setText(worker.description + "…")
        self.progress_bar.setValue(0)
        self._update_busy()
        self._update_actions()
        return worker

    def _update_busy(self) -> None:
        running = [w for w in self.tasks.values() if not w.is_done]
        busy = bool(running)
        for w in (self.task_label, self.progress_bar, self.cancel_button):
            w.setVisible(busy)
        if busy:
            self.task_label.setText(running[-1].description + "…")

    def cancel_tasks(self) -> None:
        """Cancel every running task (they stop at their next progress check)."""
        for worker in self.tasks.values():
            if not worker.is_done:
                worker.cancel()
        self.task_label.setText("Cancelling…")

    def wait_for_tasks(self, timeout_ms: int = 120_000) -> bool:
        """Process events until no task runs (scripts and screenshot mode); False on timeout."""
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(timeout_ms)
        poll = QTimer()
        poll.timeout.connect(
            lambda: loop.quit() if all(w.is_done for w in self.tasks.values()) else None
        )
        poll.start(20)
        if any(not w.is_done for w in self.tasks.values()):
            loop.exec()
        poll.stop()
        QApplication.processEvents()
        return all(w.is_done for w in self.tasks.values())

    # ------------------------------------------------------------------------------------
    # Assessment

    def run_assessment(self) -> Worker | None:
        """Assess every project and scenario in a worker; re-running cancels a running one."""
        document = self.session.document
        if document.baseline is None:
            self.report_error(
                InputError(
                    "the project has no neighbourhood data",
                    remedy="Import a neighbourhood layer first (File ▸ Import neighbourhoods…)",
                ),
                "running the assessment",
            )
            return None
        if not document.projects:
            self.report_error(
                InputError(
                    "there is no proposed project to assess",
                    remedy="Place a housing site or a station on the map, or import projects "
                    "(File ▸ Import projects…)",
                ),
                "running the assessment",
            )
            return None
        nb = (
            self.baseline.neighbourhoods
            if self.baseline is not None and self.baseline.source == document.baseline
            else None
        )
        worker = Worker(assess_task, document, nb, description="Assessing")
        return self._start(
            "assess", worker, self._on_assess_succeeded, action="running the assessment"
        )

    def _on_assess_succeeded(self, outcome: AssessOutcome) -> None:
        if outcome.baseline is not None and (
            self.baseline is None or self.baseline.source != outcome.baseline.source
        ):
            self._adopt_baseline(outcome.baseline)
        self.assessment = outcome.assessment
        self.assessed_document = outcome.document
        ids = [r.id for r in outcome.assessment.results]
        unit = self.unit_id if self.unit_id in ids else None
        if unit is None and self._current_project_id in ids:
            unit = self._current_project_id
        if unit is None:
            scenarios = [r.id for r in outcome.assessment.results if r.kind == "scenario"]
            unit = scenarios[0] if scenarios else ids[0]
        self.results.set_assessment(outcome.assessment, unit)
        self.results.set_stale(
            outcome.document != self.session.document, "the project changed during the run"
        )
        self.comparison.set_assessment(outcome.assessment)
        self.unit_id = None
        self.select_unit(unit)
        self._refresh_fields()
        if (
            self.table.horizontalHeader().sortIndicatorSection() < 0
            and self.table_model.column_of("total_population_in_catchment") >= 0
        ):
            # Open on the neighbourhoods the run is about; a header click sorts otherwise.
            self.table.sortByColumn(
                self.table_model.column_of("total_population_in_catchment"),
                Qt.SortOrder.DescendingOrder,
            )
        self._update_warnings()
        self._update_actions()
        adverse = sum(
            1 for r in outcome.assessment.results for i in r.indicators if i.tone == "adverse"
        )
        self.statusBar().showMessage(
            f"Assessment complete: {len(ids)} project, scenario and service results, "
            f"{adverse} adverse finding(s).",
            10000,
        )
        self.assessment_finished.emit(outcome.assessment)

    def select_unit(self, unit_id: str | None) -> None:
        """Show the results, catchment and table columns of a project or scenario."""
        if unit_id == self.unit_id:
            return
        self.unit_id = unit_id
        self.results.show_unit(unit_id)
        if unit_id is not None:
            kind = (
                "scenario"
                if any(s.id == unit_id for s in self.session.document.scenarios)
                else "project"
            )
            self.explorer.select_item(kind, unit_id, emit=False)
        self._refresh_fields()
        self._refresh_overlays()

    def _unit(self) -> UnitResult | None:
        if self.assessment is None or self.unit_id is None:
            return None
        try:
            return self.assessment.result(self.unit_id)
        except KeyError:
            return None

    def _on_explorer_item_selected(self, kind: str, item_id: str) -> None:
        if kind == "project":
            self._current_project_id = item_id
            self.canvas.active_project_id = item_id
            self.canvas.set_selected_feature(None)
            self._refresh_properties()
        if (
            kind in ("project", "scenario")
            and self.assessment is not None
            and any(r.id == item_id for r in self.assessment.results)
        ):
            self.select_unit(item_id)
        else:
            self._refresh_overlays()
        self._update_actions()

    def _show_compare(self) -> None:
        self.compare_dock.show()
        self.compare_dock.raise_()

    # ------------------------------------------------------------------------------------
    # Map shading, overlays, table

    def _table(self) -> Any:
        if self.assessment is not None:
            return self.assessment.baseline
        return self.baseline.table if self.baseline is not None else None

    def _refresh_fields(self) -> None:
        table = self._table()
        fields = available_fields(table, has_unit=self._unit() is not None, unit=self._unit())
        keys = [f.key for f in fields]
        if keys != [f.key for f in self.fields]:
            self.fields = fields
            self.field_combo.blockSignals(True)
            self.field_combo.clear()
            model = self.field_combo.model()
            group = None
            for f in fields:
                if f.group != group:
                    group = f.group
                    self.field_combo.addItem(f"— {group} —")
                    if isinstance(model, QStandardItemModel):
                        item = model.item(self.field_combo.count() - 1)
                        item.setEnabled(False)
                self.field_combo.addItem(f.label, f.key)
            self.field_combo.blockSignals(False)
        wanted = (
            self.map_field.key
            if self.map_field is not None and self.map_field.key in keys
            else None
        )
        field = next((f for f in fields if f.key == wanted), None) or default_field(fields)
        self._set_field(field)

    def _set_field(self, field: MapField | None) -> None:
        self.map_field = field
        index = self.field_combo.findData(field.key) if field is not None else -1
        if index >= 0 and index != self.field_combo.currentIndex():
            self.field_combo.blockSignals(True)
            self.field_combo.setCurrentIndex(index)
            self.field_combo.blockSignals(False)
        self._refresh_map()
        self._refresh_table()

    def shade_by(self, key: str) -> bool:
        """Shade the map by a field key (as listed in the 'Shade by' box); False if unknown."""
        field = next((f for f in self.fields if f.key == key), None)
        if field is None:
            return False
        self._set_field(field)
        return True

    def _on_field_combo_changed(self, index: int) -> None:
        key = self.field_combo.itemData(index)
        if key:
            self.shade_by(key)

    def _on_style_changed(self, *_args: Any) -> None:
        self.settings.set_map_style(
            self.method_combo.currentData(), self.palette_combo.currentData(), self.k_spin.value()
        )
        self.k_spin.setEnabled(self.map_field is None or not self.map_field.is_categorical)
        self.method_combo.setEnabled(self.k_spin.isEnabled())
        self._refresh_map()

    def _refresh_map(self) -> None:
        table = self._table()
        field = self.map_field
        if table is None or field is None or self.baseline is None:
            self.canvas.set_classes([], [], "", [])
            return
        self.k_spin.setEnabled(not field.is_categorical)
        self.method_combo.setEnabled(not field.is_categorical)
        values = field_values(
            field, table, areas_km2=self.baseline.layer.areas_km2, unit=self._unit()
        )
        shading = classify_field(
            values,
            field,
            method=self.method_combo.currentData(),
            k=self.k_spin.value(),
            palette_name=self.palette_combo.currentData(),
        )
        self._values = values
        unit = self._unit()
        self._unit_share = (
            field_values(MapField("share_in_catchment", "", "share", "unit"), table, unit=unit)
            if unit is not None
            else None
        )
        legend = [LegendEntry(label, colour) for colour, label in shading.legend]
        if shading.no_data_count:
            legend.append(
                LegendEntry(f"No data ({shading.no_data_count})", map_colour("no_data", "#d9d9d9"))
            )
        self.canvas.set_classes(shading.classes, shading.colours, field.label, legend)

    def _refresh_overlays(self) -> None:
        doc = self.session.document
        new_view = False
        if self.canvas.layer is None and doc.projects:
            # No neighbourhoods yet: draw the projects in their own local projection.
            transform = self._projects_scene_transform(doc)
            if transform is not None and self.canvas.transform_ is not transform:
                self.canvas.set_transform(transform)
                new_view = True
        unit = self._unit()
        highlighted = set(unit.project_ids) if unit is not None else {p.id for p in doc.projects}
        self.canvas.set_projects(doc.projects, highlighted)
        catchments = []
        overlay: list[LegendEntry] = []
        if unit is not None and unit.catchment is not None:
            if unit.catchments:  # a scenario mixing new service and cuts has one per side
                catchments += [
                    (geometry, side == "burdens") for side, geometry in unit.catchments.items()
                ]
            else:
                catchments.append((unit.catchment, unit.is_benefit is False))
            radius = sorted({f"{m:g} m" for m in unit.catchment_m.values()})
            overlay.append(
                LegendEntry(
                    f"Catchment ({', '.join(radius)} walk)",
                    map_colour("line_burden" if unit.is_benefit is False else "catchment"),
                    "burden_catchment" if unit.is_benefit is False else "catchment",
                )
            )
        self.canvas.set_catchments(catchments)
        kinds = {
            (
                "housing"
                if isinstance(p, HousingProject)
                else ("burden" if not p.change.is_benefit else "benefit")
            )
            for p in doc.projects
        }
        if "housing" in kinds:
            overlay.append(LegendEntry("Housing site", map_colour("housing_site"), "site"))
        if "benefit" in kinds:
            overlay.append(
                LegendEntry("New or improved line, station", map_colour("line_benefit"), "line")
            )
        if "burden" in kinds:
            overlay.append(
                LegendEntry("Service cut or removal", map_colour("line_burden"), "burden_line")
            )
        self.canvas.overlay_legend = overlay
        self.canvas.credit = (
            f"Data: {doc.baseline.vintage}" if doc.baseline and doc.baseline.vintage else ""
        )
        if new_view:
            self.canvas.zoom_to_layer()
        self.canvas.viewport().update()

    def _projects_scene_transform(self, doc: ProjectDocument) -> SceneTransform | None:
        import numpy as np
        import shapely

        geoms = []
        for p in doc.projects:
            geoms.extend(
                [p.site] if isinstance(p, HousingProject) else [s.geometry for s in p.stations]
            )
        if not geoms:
            return None
        if self._projects_transform is None:
            self._projects_transform = SceneTransform.for_bounds(
                tuple(shapely.total_bounds(np.array(geoms, dtype=object)))
            )
        return self._projects_transform

    def _refresh_table(self) -> None:
        table = self._table()
        if table is None or self.baseline is None:
            self.table_model.set_columns([])
            self.table_count.setText("")
            return
        sort_column = self.table.horizontalHeader().sortIndicatorSection()
        sort_key = (
            self.table_model.columns()[sort_column].key
            if 0 <= sort_column < len(self.table_model.columns())
            else None
        )
        order = self.table.horizontalHeader().sortIndicatorOrder()
        self.table_model.set_columns(
            neighbourhood_columns(
                table,
                areas_km2=self.baseline.layer.areas_km2,
                unit=self._unit(),
                map_field=self.map_field,
            )
        )
        if sort_key is not None and self.table_model.column_of(sort_key) >= 0:
            self.table.sortByColumn(self.table_model.column_of(sort_key), order)
        self.table.resizeColumnsToContents()
        for c in range(self.table_model.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))
        self.table_count.setText(
            f"{self.table_proxy.rowCount():,} of {self.table_model.rowCount():,}"
        )
        if self.canvas.selected_row >= 0:
            self._select_table_row(self.canvas.selected_row)

    def _on_filter_changed(self, text: str) -> None:
        self.table_proxy.set_filter_text(text)
        self.table_count.setText(
            f"{self.table_proxy.rowCount():,} of {self.table_model.rowCount():,}"
        )

    def _on_table_row_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            return
        row = self.table_proxy.mapToSource(current).row()
        if row != self.canvas.selected_row:
            self.canvas.set_selected_row(row, centre=True)

    def _on_canvas_row_clicked(self, row: int) -> None:
        self._select_table_row(row)
        self._update_actions()

    def _select_table_row(self, row: int) -> None:
        if row < 0:
            self.table.clearSelection()
            return
        index = self.table_proxy.mapFromSource(self.table_model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().blockSignals(True)
            self.table.setCurrentIndex(index)
            self.table.selectRow(index.row())
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(index)

    def select_neighbourhood(self, row: int) -> None:
        """Select a neighbourhood by layer row on the map and in the table."""
        self.canvas.set_selected_row(row, centre=True)
        self._select_table_row(row)

    def _on_results_indicator_selected(self, indicator: Indicator | None) -> None:
        if indicator is None:
            return
        field = field_for_indicator(indicator.id, self.fields)
        if field is not None and (self.map_field is None or field.key != self.map_field.key):
            self._set_field(field)
            self.statusBar().showMessage(f"Map shaded by {field.label.lower()}", 5000)

    def _row_tooltip(self, row: int) -> str:
        table = self._table()
        if table is None or row >= len(table):
            return ""
        value = None
        if (
            self.map_field is not None
            and getattr(self, "_values", None) is not None
            and row < len(self._values)
        ):
            value = float(self._values[row])
        unit = self._unit()
        shares = getattr(self, "_unit_share", None)
        share = (
            float(shares[row])
            if unit is not None and shares is not None and row < len(shares)
            else None
        )
        return tooltip_html(
            table, row, field=self.map_field, value=value, unit=unit, unit_share=share
        )

    def _feature_tooltip(self, ref: editing.FeatureRef) -> str:
        project = next((p for p in self.session.document.projects if p.id == ref.project_id), None)
        if project is None:
            return ""
        name = html.escape(project.name)
        if isinstance(project, HousingProject):
            bands = ", ".join(
                f"{v} {k.replace('ami_', '≤')}{'% AMI' if k != 'market' else ''}"
                for k, v in project.units_by_band.items()
                if v
            )
            return (
                f"<b>{name}</b><br>Housing: {project.total_units} units ({html.escape(bands)})"
                "<br><i>Drag to move · double-click to edit</i>"
            )
        what = html.escape(f"{project.mode.value.upper()} · {project.change.value}")
        if ref.role == "station":
            station = html.escape(project.stations[ref.index].name)
            return f"<b>{station}</b><br>{name} ({what})<br><i>Drag to move · Delete to remove</i>"
        count = len(project.stations)
        return f"<b>{name}</b><br>{what}, {count} stations<br><i>Drag a vertex to reshape</i>"

    # ------------------------------------------------------------------------------------
    # Export

    def _on_export_triggered(self) -> None:
        if self.assessment is None:
            self.report_error(
                InputError(
                    "there are no results to export yet", remedy="Run the assessment first (F5)"
                ),
                "exporting",
            )
            return
        if self.assessed_document != self.session.document and self.interactive:
            answer = QMessageBox.question(
                self,
                "Results out of date",
                "The project changed since the last run, so the workbook would not match it. "
                "Export the last results anyway? (Choose No, then press F5 to run again.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        base = self.session.path.name.split(".")[0] if self.session.path else "assessment"
        folder = self.settings.last_folder("export") or (
            str(self.session.path.parent) if self.session.path else str(Path.home())
        )
        path, _ = QFileDialog.getSaveFileName(
            self, "Export workbook", str(Path(folder) / f"{base}.xlsx"), "Excel workbook (*.xlsx)"
        )
        if path:
            self.export_workbook(Path(path if path.lower().endswith(".xlsx") else path + ".xlsx"))

    def export_workbook(self, path: Path) -> Worker | None:
        """Write the Excel workbook of the current results in a worker."""
        if self.assessment is None:
            self.report_error(
                InputError(
                    "there are no results to export yet", remedy="Run the assessment first (F5)"
                ),
                "exporting",
            )
            return None
        from equityplanner.render.fields import mappable_fields

        key = self.map_field.key if self.map_field is not None else None
        map_field = key if key in mappable_fields(self.assessment.baseline) else None
        self.settings.set_last_folder("export", Path(path).resolve().parent)
        a, b = self.comparison.combo_a.currentData(), self.comparison.combo_b.currentData()
        compare: bool | list[str] = [a, b] if a and b and a != b else True
        worker = Worker(
            export_task, self.assessment, Path(path), map_field, compare, description="Exporting"
        )
        return self._start(
            "export", worker, self._on_export_succeeded, action=f"exporting {Path(path).name}"
        )

    def _on_export_succeeded(self, path: Path) -> None:
        self.statusBar().showMessage(f"Exported {path.name}", 10000)
        self.export_finished.emit(path)
        if self.offer_open_after_export:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Workbook exported",
                f"The workbook was saved as<br><b>{html.escape(str(path))}</b>",
                QMessageBox.StandardButton.Close,
                self,
            )
            open_file = box.addButton("Open workbook", QMessageBox.ButtonRole.AcceptRole)
            open_folder = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
            box.exec()
            if box.clickedButton() is open_file:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            elif box.clickedButton() is open_folder:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    # ------------------------------------------------------------------------------------
    # Misc

    def _forget_results(self) -> None:
        for slot in ("assess", "export", "baseline"):
            worker = self.tasks.get(slot)
            if worker is not None and not worker.is_done:
                worker.cancel()
        self.assessment = None
        self.assessed_document = None
        self.unit_id = None
        self._current_project_id = None
        self.canvas.active_project_id = None
        self.canvas.set_selected_feature(None)
        self._projects_transform = None
        self.results.set_assessment(None)
        self.comparison.set_assessment(None)
        self.canvas.set_catchments([])

    def _update_warnings(self) -> None:
        warnings = self._warnings()
        self.warnings_button.setText(
            f"⚠ {len(warnings)} data warning{'s' if len(warnings) != 1 else ''}"
        )
        self.warnings_button.setVisible(bool(warnings))

    def _warnings(self) -> list[str]:
        if self.assessment is not None:
            return list(self.assessment.warnings)
        return list(self.baseline.warnings) if self.baseline is not None else []

    def show_warnings(self) -> None:
        """List the data warnings in a dialog."""
        warnings = self._warnings()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Data warnings",
            f"{len(warnings)} problem(s) were worked around. They do not stop the assessment, "
            "but read them before relying on the results.",
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setDetailedText("\n\n".join(f"• {w}" for w in warnings))
        box.exec()

    def show_about(self) -> None:
        """Version, methods and data credits."""
        from PySide6 import __version__ as pyside_version

        QMessageBox.about(
            self,
            "About equityplanner",
            f"<h3>equityplanner {__version__}</h3>"
            "<p>Ex-ante equity assessment of proposed housing and transit projects: who gains and "
            "who bears the cost, before anything is built.</p>"
            "<p><b>Data credits.</b> Neighbourhood estimates: U.S. Census Bureau, "
            "American Community "
            "Survey 5-year estimates; boundaries: U.S. Census Bureau TIGER/Line. The Magnolia City "
            "sample is synthetic and describes no real people.</p>"
            "<p><b>Methods.</b> FTA Circular 4702.1B (Title VI), HUD AFFH data documentation "
            "(segregation, R/ECAP), UK DfT TAG unit A4.2 (distributional impacts), "
            "ACS margin-of-error "
            "formulas of the Census Bureau.</p>"
            "<p><b>Colours.</b> ColorBrewer 2.0 (Cynthia Brewer, Penn State), viridis "
            "(van der Walt and Smith), Okabe-Ito; all colour-blind safe, and every rating "
            "carries its words.</p>"
            f"<p style='color:#595959'>Qt {_qt_version()} · PySide6 {pyside_version}"
            " · MIT licence</p>",
        )

    def _restore_layout(self) -> None:
        self._layout_restored = False
        if not self.interactive:  # scripted runs (screenshots) use the default layout
            return
        geometry = self.settings.window_geometry()
        state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._layout_restored = state is not None and self.restoreState(state)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not getattr(self, "_layout_done", False):
            self._layout_done = True
            if not self._layout_restored:
                QTimer.singleShot(0, self._size_docks)

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
        if not self.maybe_save():
            event.ignore()
            return
        self.cancel_tasks()
        QThreadPool.globalInstance().waitForDone(5000)
        if self.interactive:
            self.settings.save_window(self.saveGeometry(), self.saveState())
            self.settings.sync()
        remove_autosave(self.session.path)
        self._autosave_timer.stop()
        self._edit_autosave.stop()
        event.accept()


def _mtime(path: Path) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %Y %H:%M")


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return qVersion()
