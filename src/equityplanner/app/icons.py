"""SVG icons from ``resources/icons`` (through importlib.resources), sharp at any scale."""

from __future__ import annotations

from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file

from PySide6.QtGui import QIcon

from equityplanner.catalog import resource_path

__all__ = ["app_icon", "icon"]

# Files extracted from a zipped install stay on disk for the life of the process.
_FILES = ExitStack()


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``; an empty icon when it does not exist."""
    resource = resource_path(f"icons/{name}.svg")
    if not resource.is_file():
        return QIcon()
    path = _FILES.enter_context(as_file(resource))
    return QIcon(str(path))


def app_icon() -> QIcon:
    """The application's window icon."""
    return icon("equityplanner")
