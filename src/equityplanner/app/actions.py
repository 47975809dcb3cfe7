"""The main window's commands as QActions, with the menus and the toolbar that show them.

:class:`WindowActions` makes every action (text, icon, tooltip with its keys, shortcut), the
menu bar and the main toolbar; the window connects each action's ``triggered`` to the command
that carries it out. :meth:`WindowActions.update` enables them from the application state and
the running tasks, so no other code switches actions on or off.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QToolBar,
    QToolButton,
    QWidget,
)

from equityplanner import i18n
from equityplanner.app.icons import icon
from equityplanner.app.state import AppState
from equityplanner.app.task_controller import TaskController, TaskKind
from equityplanner.app.translated import LazyLabels
from equityplanner.i18n import _

__all__ = ["TOOL_HINTS", "TOOL_NAMES", "WindowActions"]

TOOL_NAMES = LazyLabels(
    lambda: {
        "select": _("Select and move"),
        "housing": _("Place a housing site"),
        "station": _("Add a station or stop"),
        "alignment": _("Draw an alignment"),
    }
)
_TOOL_TIPS = LazyLabels(
    lambda: {
        "select": _(
            "Select a neighbourhood or a project feature; drag a station, site or vertex to "
            "move it; drag elsewhere to pan"
        ),
        "housing": _("Click the map to place a housing site"),
        "station": _(
            "Click the map to add a station or stop to the selected line (or start a new line)"
        ),
        "alignment": _(
            "Click to add vertices of a line's alignment; double-click or Enter to finish, "
            "Esc to cancel"
        ),
    }
)
# Shown in the status bar while a tool is chosen.
TOOL_HINTS = LazyLabels(
    lambda: {
        "select": "",
        "housing": _("Click the map to place the housing site."),
        "station": _(
            "Click the map to add a station; it joins the selected line, or starts a new one."
        ),
        "alignment": _(
            "Click to add vertices; double-click or press Enter to finish, Esc to cancel."
        ),
    }
)
_TOOL_KEYS = (
    ("select", "select", "V"),
    ("housing", "housing", "H"),
    ("station", "station", "T"),
    ("alignment", "alignment", "L"),
)

Shortcut = QKeySequence.StandardKey | str | list[QKeySequence] | None


class WindowActions:
    """The actions of a main window (its children, so that their shortcuts work in it).

    Parameters
    ----------
    window
        The main window; it owns the actions, menus and toolbar.
    undo_stack
        The stack whose undo and redo actions the Edit menu shows.
    """

    def __init__(self, window: QMainWindow, undo_stack: QUndoStack) -> None:
        self._window = window
        K = QKeySequence.StandardKey
        make = self._make
        self.new = make(_("&New"), "document-new", _("Start a new, empty project"), K.New)
        self.open = make(_("&Open…"), "document-open", _("Open a project file"), K.Open)
        self.save = make(_("&Save"), "document-save", _("Save the project"), K.Save)
        self.save_as = make(
            _("Save &As…"), "document-save-as", _("Save the project under a new name"), K.SaveAs
        )
        self.import_neighbourhoods = make(
            _("Import &neighbourhoods…"),
            "neighbourhoods",
            _("Import census tracts or block groups with their ACS data"),
            "Ctrl+Shift+N",
        )
        self.import_projects = make(
            _("Import &projects…"),
            "import",
            _("Add proposed projects from a GeoJSON or GeoPackage file"),
            "Ctrl+I",
        )
        self.export = make(
            _("&Export workbook…"), "export", _("Export the results to an Excel workbook"), "Ctrl+E"
        )
        self.quit = make(_("&Quit"), "quit", _("Close equityplanner"), K.Quit)

        self.undo = undo_stack.createUndoAction(window, _("&Undo"))
        self.undo.setIcon(icon("undo"))
        self.undo.setShortcuts(K.Undo)
        self.redo = undo_stack.createRedoAction(window, _("&Redo"))
        self.redo.setIcon(icon("redo"))
        if QKeySequence(K.Redo) != QKeySequence("Ctrl+Y"):
            self.redo.setShortcuts([QKeySequence(K.Redo), QKeySequence("Ctrl+Y")])
        else:
            self.redo.setShortcuts(K.Redo)
        for action, tip in (
            (self.undo, _("Undo the last edit")),
            (self.redo, _("Redo the edit undone")),
        ):
            _set_tips(action, tip)
        self.delete = make(
            _("&Delete"),
            "delete",
            _("Delete the selected station, site, alignment or project"),
            K.Delete,
        )
        self.new_project = make(
            _("New pro&ject…"),
            "form",
            _("Start a new housing or transit project, then place it on the map"),
            "Ctrl+Shift+J",
        )
        self.properties = make(
            _("Project p&roperties"),
            "form",
            _("Show the properties of the selected project"),
            "Alt+Return",
        )
        self.parameters = make(
            _("&Parameters…"),
            "parameters",
            _("Catchments, Title VI thresholds and other numbers that affect the results"),
            "Ctrl+Shift+P",
        )

        self.tools: dict[str, QAction] = {}
        for tool, icon_name, key in _TOOL_KEYS:
            action = make(TOOL_NAMES[tool], icon_name, _TOOL_TIPS[tool], key)
            action.setCheckable(True)
            # One-letter keys work while the map has the focus (see attach_tool_keys), so that
            # type-ahead in the explorer and the tables keeps working.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tools[tool] = action
        self.tools["select"].setChecked(True)
        self.zoom_in = make(_("Zoom &in"), "zoom-in", _("Zoom in"), K.ZoomIn)
        self.zoom_out = make(_("Zoom &out"), "zoom-out", _("Zoom out"), K.ZoomOut)
        self.zoom_layer = make(
            _("Zoom to &layer"), "zoom-layer", _("Show the whole neighbourhood layer"), "Ctrl+0"
        )

        self.run = make(_("&Run assessment"), "run", _("Assess every project and scenario"), "F5")
        self.cancel = make(_("&Cancel"), "cancel", _("Stop the running task"), "Shift+F5")
        self.compare = make(
            _("&Compare…"),
            "compare",
            _("Compare two projects or scenarios side by side"),
            "Ctrl+Shift+C",
        )
        self.new_scenario = make(
            _("New &scenario…"), "scenario", _("Group projects into a scenario assessed together")
        )
        self.details = make(
            _("Project &details…"),
            "about",
            _("Title, author, organisation, date and data vintage, as the workbook prints them"),
        )
        self.add_opportunity = make(
            _("Add &opportunity layer…"),
            "neighbourhoods",
            _("Jobs, schools, childcare or clinics for the access indicators"),
        )
        self.gtfs = make(
            _("&GTFS feeds…"),
            "run",
            _("The baseline and proposed GTFS feeds for the service change"),
        )
        self.network = make(
            _("Street &network…"),
            "alignment",
            _("The street network and timetables that access to jobs and services is routed on"),
        )
        self.guide = make(
            _("&Guide"), "about", _("A short guide: from a new project to the workbook"), "F1"
        )
        self.open_sample = make(
            _("Open &sample project"),
            "document-open",
            _("Open your copy of the Magnolia sample project"),
        )
        self.about = make(
            _("&About equityplanner"), "about", _("Version, methods and data credits")
        )
        self.about_qt = make(_("About &Qt"), None, _("The Qt version in use"))
        self.about_qt.triggered.connect(QApplication.aboutQt)

        # Language: each named in its own language, so that anyone can find theirs.
        self.language_group = QActionGroup(window)
        self.language_group.setExclusive(True)
        self.languages: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, window)
            action.setCheckable(True)
            action.setChecked(code == i18n.current_language())
            action.setData(code)
            tip = _("Show equityplanner in {language} (after a restart)").format(language=name)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            self.language_group.addAction(action)
            self.languages[code] = action

        self.recent_menu: QMenu | None = None
        self.window_menu: QMenu | None = None
        self.language_menu: QMenu | None = None
        self.toolbar: QToolBar | None = None

    def _make(
        self, text: str, icon_name: str | None, tip: str, shortcut: Shortcut = None
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self._window)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcuts([QKeySequence(shortcut)])
        _set_tips(action, tip)
        return action

    def attach_tool_keys(self, widget: QWidget) -> None:
        """Make the one-letter tool keys work while ``widget`` (the map) has the focus."""
        for action in self.tools.values():
            widget.addAction(action)

    def show_tool(self, tool: str) -> None:
        """Check the action of the map tool in use."""
        for name, action in self.tools.items():
            action.setChecked(name == tool)

    def build_menus(self, docks: list[QDockWidget]) -> None:
        """The menu bar; the Window menu toggles ``docks``."""
        bar = self._window.menuBar()
        file = bar.addMenu(_("&File"))
        file.addActions([self.new, self.open])
        self.recent_menu = file.addMenu(icon("recent"), _("Open &Recent"))
        file.addActions([self.save, self.save_as])
        file.addSeparator()
        file.addActions([self.import_neighbourhoods, self.import_projects, self.export])
        file.addSeparator()
        file.addAction(self.quit)

        edit = bar.addMenu(_("&Edit"))
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.new_project, self.properties, self.delete])
        edit.addSeparator()
        edit.addAction(self.parameters)
        edit.addActions([self.details, self.new_scenario, self.add_opportunity, self.gtfs])
        edit.addAction(self.network)

        view = bar.addMenu(_("&Map"))
        view.addActions(list(self.tools.values()))
        view.addSeparator()
        view.addActions([self.zoom_in, self.zoom_out, self.zoom_layer])

        run = bar.addMenu(_("&Assessment"))
        run.addActions([self.run, self.cancel])
        run.addSeparator()
        run.addActions([self.compare, self.export])

        self.window_menu = bar.addMenu(_("&Window"))
        for dock in docks:
            self.window_menu.addAction(dock.toggleViewAction())
        self.language_menu = QMenu(_("&Language"), self._window)
        self.language_menu.setObjectName("languageMenu")
        self.language_menu.addActions(list(self.languages.values()))

        help_menu = bar.addMenu(_("&Help"))
        help_menu.addActions([self.guide, self.open_sample])
        help_menu.addSeparator()
        help_menu.addActions([self.about, self.about_qt])

    def build_toolbar(self) -> QToolBar:
        """The main toolbar (after :meth:`build_menus`: the Window menu lists it)."""
        bar = QToolBar(_("Main"))
        bar.setObjectName("mainToolbar")
        bar.setIconSize(QSize(22, 22))
        bar.addActions([self.new, self.open, self.save])
        bar.addSeparator()
        bar.addActions([self.undo, self.redo])
        bar.addSeparator()
        bar.addActions(list(self.tools.values()))
        bar.addAction(self.delete)
        bar.addSeparator()
        bar.addActions([self.zoom_in, self.zoom_out, self.zoom_layer])
        bar.addSeparator()
        bar.addActions([self.run, self.cancel, self.export, self.compare])
        self._window.addToolBar(bar)
        run_button = bar.widgetForAction(self.run)
        if isinstance(run_button, QToolButton):
            run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if self.window_menu is not None:
            self.window_menu.addSeparator()
            self.window_menu.addAction(bar.toggleViewAction())
        if self.window_menu is not None and self.language_menu is not None:
            self.window_menu.addSeparator()
            self.window_menu.addMenu(self.language_menu)
        self.toolbar = bar
        return bar

    def update(self, state: AppState, tasks: TaskController) -> None:
        """Enable the actions that apply to the state and the tasks running."""
        document, selection = state.document, state.selection
        self.run.setEnabled(bool(document.projects) and document.baseline is not None)
        self.export.setEnabled(
            state.assessment is not None and not tasks.is_running(TaskKind.EXPORT)
        )
        self.cancel.setEnabled(tasks.is_running())
        self.compare.setEnabled(state.assessment is not None)
        self.delete.setEnabled(selection.feature is not None or selection.project_id is not None)
        self.properties.setEnabled(selection.project_id is not None)
        self.new_scenario.setEnabled(bool(document.projects))


def _set_tips(action: QAction, tip: str) -> None:
    """Tooltip with the keys ("Save the project (Ctrl+S)") and status tip."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
