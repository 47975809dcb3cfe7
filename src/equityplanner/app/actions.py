"""The main window's commands as QActions, with the menus and the toolbar that show them.

:class:`WindowActions` makes every action (text, icon, tooltip with its keys, shortcut), the
menu bar and the main toolbar; the window connects each action's ``triggered`` to the command
that carries it out. :meth:`WindowActions.update` enables them from the application state and
the running tasks, so no other code switches actions on or off.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QToolBar,
    QToolButton,
    QWidget,
)

from equityplanner.app.icons import icon
from equityplanner.app.state import AppState
from equityplanner.app.task_controller import TaskController, TaskKind

__all__ = ["TOOL_HINTS", "TOOL_NAMES", "WindowActions"]

TOOL_NAMES = {
    "select": "Select and move",
    "housing": "Place a housing site",
    "station": "Add a station or stop",
    "alignment": "Draw an alignment",
}
_TOOL_TIPS = {
    "select": "Select a neighbourhood or a project feature; drag a station, site or vertex to "
    "move it; drag elsewhere to pan",
    "housing": "Click the map to place a housing site",
    "station": "Click the map to add a station or stop to the selected line (or start a new line)",
    "alignment": "Click to add vertices of a line's alignment; double-click or Enter to finish, "
    "Esc to cancel",
}
# Shown in the status bar while a tool is chosen.
TOOL_HINTS = {
    "select": "",
    "housing": "Click the map to place the housing site.",
    "station": "Click the map to add a station; it joins the selected line, or starts a new one.",
    "alignment": "Click to add vertices; double-click or press Enter to finish, Esc to cancel.",
}
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
        self.new = make("&New", "document-new", "Start a new, empty project", K.New)
        self.open = make("&Open…", "document-open", "Open a project file", K.Open)
        self.save = make("&Save", "document-save", "Save the project", K.Save)
        self.save_as = make(
            "Save &As…", "document-save-as", "Save the project under a new name", K.SaveAs
        )
        self.import_neighbourhoods = make(
            "Import &neighbourhoods…",
            "neighbourhoods",
            "Import census tracts or block groups with their ACS data",
            "Ctrl+Shift+N",
        )
        self.import_projects = make(
            "Import &projects…",
            "import",
            "Add proposed projects from a GeoJSON or GeoPackage file",
            "Ctrl+I",
        )
        self.export = make(
            "&Export workbook…", "export", "Export the results to an Excel workbook", "Ctrl+E"
        )
        self.quit = make("&Quit", "quit", "Close equityplanner", K.Quit)

        self.undo = undo_stack.createUndoAction(window, "&Undo")
        self.undo.setIcon(icon("undo"))
        self.undo.setShortcuts(K.Undo)
        self.redo = undo_stack.createRedoAction(window, "&Redo")
        self.redo.setIcon(icon("redo"))
        if QKeySequence(K.Redo) != QKeySequence("Ctrl+Y"):
            self.redo.setShortcuts([QKeySequence(K.Redo), QKeySequence("Ctrl+Y")])
        else:
            self.redo.setShortcuts(K.Redo)
        for action, tip in ((self.undo, "Undo the last edit"), (self.redo, "Redo the edit undone")):
            _set_tips(action, tip)
        self.delete = make(
            "&Delete", "delete", "Delete the selected station, site, alignment or project", K.Delete
        )
        self.new_project = make(
            "New pro&ject…",
            "form",
            "Start a new housing or transit project, then place it on the map",
            "Ctrl+Shift+J",
        )
        self.properties = make(
            "Project p&roperties",
            "form",
            "Show the properties of the selected project",
            "Alt+Return",
        )
        self.parameters = make(
            "&Parameters…",
            "parameters",
            "Catchments, Title VI thresholds and other numbers that affect the results",
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
        self.zoom_in = make("Zoom &in", "zoom-in", "Zoom in", K.ZoomIn)
        self.zoom_out = make("Zoom &out", "zoom-out", "Zoom out", K.ZoomOut)
        self.zoom_layer = make(
            "Zoom to &layer", "zoom-layer", "Show the whole neighbourhood layer", "Ctrl+0"
        )

        self.run = make("&Run assessment", "run", "Assess every project and scenario", "F5")
        self.cancel = make("&Cancel", "cancel", "Stop the running task", "Shift+F5")
        self.compare = make(
            "&Compare…",
            "compare",
            "Compare two projects or scenarios side by side",
            "Ctrl+Shift+C",
        )
        self.new_scenario = make(
            "New &scenario…", "scenario", "Group projects into a scenario assessed together"
        )
        self.details = make(
            "Project &details…",
            "about",
            "Title, author, organisation, date and data vintage, as the workbook prints them",
        )
        self.add_opportunity = make(
            "Add &opportunity layer…",
            "neighbourhoods",
            "Jobs, schools, childcare or clinics for the access indicators",
        )
        self.gtfs = make(
            "&GTFS feeds…", "run", "The baseline and proposed GTFS feeds for the service change"
        )
        self.network = make(
            "Street &network…",
            "alignment",
            "The street network and timetables that access to jobs and services is routed on",
        )
        self.guide = make(
            "&Guide", "about", "A short guide: from a new project to the workbook", "F1"
        )
        self.open_sample = make(
            "Open &sample project", "document-open", "Open your copy of the Magnolia sample project"
        )
        self.about = make("&About equityplanner", "about", "Version, methods and data credits")
        self.about_qt = make("About &Qt", None, "The Qt version in use")
        self.about_qt.triggered.connect(QApplication.aboutQt)

        self.recent_menu: QMenu | None = None
        self.window_menu: QMenu | None = None
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
        file = bar.addMenu("&File")
        file.addActions([self.new, self.open])
        self.recent_menu = file.addMenu(icon("recent"), "Open &Recent")
        file.addActions([self.save, self.save_as])
        file.addSeparator()
        file.addActions([self.import_neighbourhoods, self.import_projects, self.export])
        file.addSeparator()
        file.addAction(self.quit)

        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.new_project, self.properties, self.delete])
        edit.addSeparator()
        edit.addAction(self.parameters)
        edit.addActions([self.details, self.new_scenario, self.add_opportunity, self.gtfs])
        edit.addAction(self.network)

        view = bar.addMenu("&Map")
        view.addActions(list(self.tools.values()))
        view.addSeparator()
        view.addActions([self.zoom_in, self.zoom_out, self.zoom_layer])

        run = bar.addMenu("&Assessment")
        run.addActions([self.run, self.cancel])
        run.addSeparator()
        run.addActions([self.compare, self.export])

        self.window_menu = bar.addMenu("&Window")
        for dock in docks:
            self.window_menu.addAction(dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.guide, self.open_sample])
        help_menu.addSeparator()
        help_menu.addActions([self.about, self.about_qt])

    def build_toolbar(self) -> QToolBar:
        """The main toolbar (after :meth:`build_menus`: the Window menu lists it)."""
        bar = QToolBar("Main")
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
