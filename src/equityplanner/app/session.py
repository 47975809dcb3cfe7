"""The open project: the current document, its file, and the undo stack of edits.

Documents are frozen; an edit is a pair (before, after) pushed as an :class:`EditCommand`, so
undo and redo just swap documents. Widgets listen to :attr:`ProjectSession.document_changed`
and never hold their own copy of the model.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from equityplanner.app.editing import new_document, with_absolute_baseline
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
        self._session._set_document(self.before, f"Undo {self.text().lower()}")


class ProjectSession(QObject):
    """The document being edited, where it is saved, and its undo history.

    Signals
    -------
    document_changed(document, reason)
        After every edit, undo, redo, open or new; ``reason`` is a short description.
    path_changed(path)
        When the document gets a file (open, save as) or loses it (new).
    """

    document_changed = Signal(object, str)
    path_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._document = new_document()
        self._path: Path | None = None

    @property
    def document(self) -> ProjectDocument:
        """The current document (frozen)."""
        return self._document

    @property
    def path(self) -> Path | None:
        """The project file, or None for a new project never saved."""
        return self._path

    @property
    def is_modified(self) -> bool:
        """True when there are edits not saved."""
        return not self.undo_stack.isClean()

    def reset(self, document: ProjectDocument, path: Path | None) -> None:
        """Start over with ``document`` (just opened or new): no history, not modified."""
        self.undo_stack.clear()
        self._path = Path(path).resolve() if path is not None else None
        self._document = with_absolute_baseline(replace(document, path=self._path))
        self.undo_stack.setClean()
        self.path_changed.emit(self._path)
        self.document_changed.emit(self._document, "open")

    def apply(self, document: ProjectDocument, text: str) -> bool:
        """Make ``document`` current as one undoable edit named ``text``; False if unchanged."""
        document = replace(document, path=self._path)
        if document == self._document:
            return False
        self.undo_stack.push(EditCommand(self, self._document, document, text))
        return True

    def mark_saved(self, path: Path) -> None:
        """The document was written to ``path``: it now belongs there and is clean."""
        path = Path(path).resolve()
        if path != self._path:
            self._path = path
            self._document = replace(self._document, path=path)
            self.path_changed.emit(path)
        self.undo_stack.setClean()

    def _set_document(self, document: ProjectDocument, reason: str) -> None:
        self._document = replace(document, path=self._path)
        self.document_changed.emit(self._document, reason)
