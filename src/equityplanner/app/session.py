"""The open project's file and undo history: the edits that change the application state.

Documents are frozen; an edit is a pair (before, after) pushed as an :class:`EditCommand`, so
undo and redo just swap documents. The current document lives in the Qt-free
:class:`~equityplanner.app.state.AppState`, which widgets observe; the session puts each new
document there and then emits :attr:`ProjectSession.document_changed` (with a reason, for the
status bar).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from equityplanner.app.editing import with_absolute_paths
from equityplanner.app.state import AppState
from equityplanner.i18n import _
from equityplanner.model.project import ProjectDocument

__all__ = ["EditCommand", "ProjectSession"]


class EditCommand(QUndoCommand):
    """Replace the document by ``after``; undo puts ``before`` back."""

    def __init__(
        self, session: ProjectSession, before: ProjectDocument, after: ProjectDocument, text: str
    ) -> None:
        super().__init__(text)
        self._session = session
        self.before = before
        self.after = after

    def redo(self) -> None:
        self._session._set_document(self.after, self.text())

    def undo(self) -> None:
        self._session._set_document(self.before, _("Undo {edit}").format(edit=self.text().lower()))


class ProjectSession(QObject):
    """Where the document of ``state`` is saved, and its undo history.

    Parameters
    ----------
    state
        The application state whose document the session edits.

    Signals
    -------
    document_changed(document, reason)
        After every edit, undo, redo, open or new; ``reason`` is a short description.
    path_changed(path)
        When the document gets a file (open, save as) or loses it (new).
    """

    document_changed = Signal(object, str)
    path_changed = Signal(object)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.undo_stack = QUndoStack(self)
        self._path: Path | None = state.document.path

    @property
    def document(self) -> ProjectDocument:
        """The current document (frozen): the state's."""
        return self.state.document

    @property
    def path(self) -> Path | None:
        """The project file, or None for a new project never saved."""
        return self._path

    @property
    def is_modified(self) -> bool:
        """True when there are edits not saved."""
        return not self.undo_stack.isClean()

    def reset(self, document: ProjectDocument, path: Path | None) -> None:
        """Start over with ``document`` (just opened or new): no history, not modified.

        The state starts over too: no layer, no results, nothing selected.
        """
        self.undo_stack.clear()
        self._path = Path(path).resolve() if path is not None else None
        self.state.reset(with_absolute_paths(replace(document, path=self._path)))
        self.undo_stack.setClean()
        self.path_changed.emit(self._path)
        self.document_changed.emit(self.document, "open")

    def apply(self, document: ProjectDocument, text: str) -> bool:
        """Make ``document`` current as one undoable edit named ``text``; False if unchanged."""
        document = replace(document, path=self._path)
        if document == self.document:
            return False
        self.undo_stack.push(EditCommand(self, self.document, document, text))
        return True

    def mark_saved(self, path: Path) -> None:
        """The document was written to ``path``: it now belongs there and is clean."""
        path = Path(path).resolve()
        if path != self._path:
            self._path = path
            self.state.set_document(replace(self.document, path=path))
            self.path_changed.emit(path)
        self.undo_stack.setClean()

    def _set_document(self, document: ProjectDocument, reason: str) -> None:
        self.state.set_document(replace(document, path=self._path))
        self.document_changed.emit(self.document, reason)
