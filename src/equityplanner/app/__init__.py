"""The desktop app. Start it with :func:`equityplanner.app.main.run_app`.

Importing this package does not import Qt: the Qt-free modules (``state``, ``editing``,
``tasks``, ``autosave``, ``observable``) work headless. The Qt modules import PySide6 themselves.
"""

from equityplanner.app.pyside_compat import protect_singletons

# Before any Qt signal is emitted: PySide6 6.12.0 on Python 3.11 drops a reference to True on
# every emit() (see pyside_compat).
protect_singletons()
