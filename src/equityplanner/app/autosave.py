"""Qt-free autosave: a sidecar ``<name>.eqp.json.autosave`` next to the project file.

The sidecar is written atomically with :func:`~equityplanner.io.project_file.save_project`, so
a crash while autosaving never leaves a broken file. When the sidecar is newer than the
project on the next open, the app offers to recover it; a clean save or close removes it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from equityplanner.io.project_file import save_project
from equityplanner.model.project import ProjectDocument

__all__ = ["has_newer_autosave", "remove_autosave", "sidecar_path", "write_autosave"]

SUFFIX = ".autosave"


def sidecar_path(project_path: str | Path) -> Path:
    """``/x/plan.eqp.json`` → ``/x/plan.eqp.json.autosave``."""
    path = Path(project_path)
    return path.with_name(path.name + SUFFIX)


def write_autosave(document: ProjectDocument, project_path: str | Path) -> Path:
    """Save ``document`` to the sidecar of ``project_path`` (atomically)."""
    return save_project(document, sidecar_path(project_path))


def has_newer_autosave(project_path: str | Path) -> bool:
    """True when a sidecar exists and is newer than the project file (or the file is gone)."""
    sidecar = sidecar_path(project_path)
    if not sidecar.exists():
        return False
    project = Path(project_path)
    return not project.exists() or sidecar.stat().st_mtime > project.stat().st_mtime


def remove_autosave(project_path: str | Path | None) -> None:
    """Delete the sidecar if there is one."""
    if project_path is None:
        return
    with contextlib.suppress(FileNotFoundError):
        sidecar_path(project_path).unlink()
