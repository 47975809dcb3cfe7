"""The desktop app. Start it with :func:`equityplanner.app.main.run_app`.

Importing this package does not import Qt: the Qt-free modules work headless.

Qt-free
    ``state`` (the application state the widgets observe), ``observable`` (its signal),
    ``editing`` (document edits), ``tasks`` (the work run in workers), ``autosave`` (one
    autosave per window, window records), ``verdicts`` (the results' overview).
Controllers (Qt, no widgets of their own)
    ``session`` (undo history), ``task_controller`` and ``workers`` (background tasks),
    ``project_files`` (open, save, autosave), ``map_editing`` (map tools as edits),
    ``project_editing`` (scenarios, details, access data as edits), ``help``,
    ``workbook_export``, ``actions`` (actions, menus, toolbar).
Views of the state
    ``main_window`` (composes everything), ``map_panel`` with ``map_canvas``,
    ``neighbourhood_panel``, ``properties_panel``, ``project_tree``, ``results_panel``,
    ``comparison_view``, ``chart_view``, ``status_bar``; ``dialogs`` for the wizard and
    editors.
"""

from equityplanner.app.pyside_compat import protect_singletons

# Before any Qt signal is emitted: PySide6 6.12.0 on Python 3.11 drops a reference to True on
# every emit() (see pyside_compat).
protect_singletons()
