"""Help: the short guide (``docs/guide.md``, shipped as a resource, and its Spanish
``resources/guide.es.md``) and the sample project.

:class:`GuideDialog` shows the guide as formatted text. :func:`copy_sample_project` copies the
Magnolia sample into the user's data folder, so that a planner can try everything on it without
changing the copy that ships with equityplanner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from equityplanner import i18n
from equityplanner.app.autosave import user_data_folder
from equityplanner.catalog import resource_path
from equityplanner.errors import InputError
from equityplanner.i18n import _

__all__ = ["GuideDialog", "copy_sample_project", "guide_text", "sample_source"]

_REPOSITORY = Path(__file__).resolve().parents[3]
SAMPLE_NAME = "sample.eqp.json"


def guide_text() -> str:
    """The guide, as Markdown, in the current language (``guide.<code>.md``; English else)."""
    translated = resource_path(f"guide.{i18n.current_language()}.md")
    source = translated if translated.is_file() else resource_path("guide.md")
    return str(source.read_text(encoding="utf-8"))


def sample_source() -> Path | None:
    """The folder of the Magnolia sample project, or None when this installation has none."""
    for folder in (_REPOSITORY / "sample_projects" / "magnolia",):
        if (folder / SAMPLE_NAME).is_file():
            return folder
    return None


def copy_sample_project(data_folder: Path | None = None) -> Path:
    """The project file of the sample's copy in ``<data>/samples/magnolia``, copied there first
    when there is none (a copy already made is kept, with whatever the planner saved in it).

    Raises
    ------
    InputError
        When this installation has no sample, or the copy cannot be written.
    """
    source = sample_source()
    if source is None:
        raise InputError(
            _("this installation of equityplanner has no sample project"),
            path=_REPOSITORY / "sample_projects" / "magnolia" / SAMPLE_NAME,
            remedy=_(
                "Install equityplanner from its source repository, or open a project of "
                "your own (File ▸ Open…)"
            ),
        )
    target = (data_folder or user_data_folder()) / "samples" / source.name
    if (target / SAMPLE_NAME).is_file():
        return target / SAMPLE_NAME
    try:
        shutil.copytree(
            source,
            target,
            ignore=shutil.ignore_patterns("*.py", "*.autosave"),
            dirs_exist_ok=True,
        )
    except OSError as exc:
        raise InputError(
            _("cannot copy the sample project here ({problem})").format(
                problem=exc.strerror or exc
            ),
            path=target,
            remedy=_(
                "Check that your data folder can be written, or set EQUITYPLANNER_DATA_DIR "
                "to a folder that can"
            ),
        ) from exc
    return target / SAMPLE_NAME


class GuideDialog(QDialog):
    """The guide in a window that can stay open beside the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("equityplanner guide"))
        self.setObjectName("guideDialog")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(guide_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(640, 720)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    @classmethod
    def show_guide(cls, parent: QWidget | None = None) -> GuideDialog:
        """Show the guide (not modal)."""
        dialog = cls(parent)
        dialog.show()
        return dialog
