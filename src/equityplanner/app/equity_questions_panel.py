"""The Equity questions dock: the racial-equity questions, answered beside the project.

:class:`EquityQuestionsPanel` shows the questions of ``resources/equity_questions.toml``
(:mod:`equityplanner.model.equity_questions`) in the current language, one tab per set and a
heading per step: each question with its help, an answer box, and a "Not applicable" choice
with its reason. A line at the top says how many are answered.

Answers are part of the project document: an edit is pushed on the session's undo stack as an
:class:`AnswerCommand` (consecutive edits of one question merge into one undo step), so it
marks the project modified, is autosaved and is saved with the project. Typing is applied
after a short pause, or when the box loses the focus. The panel follows the document: a
project opened, started, undone or redone shows its own answers.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from equityplanner.app.session import EditCommand, ProjectSession
from equityplanner.app.state import Change
from equityplanner.i18n import _, current_language
from equityplanner.model.equity_questions import (
    ANSWERED,
    NOT_APPLICABLE,
    Answer,
    Question,
    QuestionSet,
    count_answered,
    question_sets,
    questions,
    with_answer,
)
from equityplanner.model.project import ProjectDocument

__all__ = ["AnswerCommand", "EquityQuestionsPanel", "QuestionEditor"]

TYPING_PAUSE_MS = 400  # typing is applied after this pause (or when the box loses the focus)
_ANSWER_COMMAND_ID = 1503  # issue 15.3: QUndoCommand.id() of answer edits, for merging


class AnswerCommand(EditCommand):
    """An edit of one question's answer; consecutive edits of one question merge."""

    def __init__(
        self,
        session: ProjectSession,
        before: ProjectDocument,
        after: ProjectDocument,
        question_id: str,
    ) -> None:
        super().__init__(session, before, after, _("Answer an equity question"))
        self.question_id = question_id

    def id(self) -> int:
        return _ANSWER_COMMAND_ID

    def mergeWith(self, other: object) -> bool:
        if not isinstance(other, AnswerCommand) or other.question_id != self.question_id:
            return False
        self.after = other.after
        return True


def apply_answer(session: ProjectSession, question_id: str, answer: Answer | None) -> bool:
    """Make ``answer`` (None: unanswered) the document's for ``question_id``, undoably.

    Returns False when it changes nothing.
    """
    before = session.document
    answers = with_answer(before.equity_questions, question_id, answer)
    if answers == before.equity_questions:
        return False
    after = replace(before, equity_questions=answers)
    session.undo_stack.push(AnswerCommand(session, before, after, question_id))
    return True


class QuestionEditor(QFrame):
    """One question: its words and help, the answer box and the not-applicable choice."""

    def __init__(self, item: Question, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = item
        self.setObjectName(f"question:{item.id}")
        text = item.text(language)
        if item.optional:
            text += " " + _("(optional)")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.help = QLabel(item.help(language))
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #595959;")
        self.answer = QPlainTextEdit()
        self.answer.setAccessibleName(_("Answer to: {question}").format(question=text))
        self.answer.setPlaceholderText(_("Not answered"))
        self.answer.setTabChangesFocus(True)
        self.answer.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.not_applicable = QCheckBox(_("Not applicable to this project"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Why it does not apply (required)"))
        self.reason.setAccessibleName(_("Why the question does not apply"))
        self.reason.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(3)
        for widget in (self.label, self.help, self.answer, self.not_applicable, self.reason):
            layout.addWidget(widget)

    def value(self) -> Answer | None:
        """The answer the widgets hold (None: unanswered).

        "Not applicable" counts once it has a reason; until then the text, if any, is the
        answer.
        """
        text, reason = self.answer.toPlainText(), self.reason.text()
        if self.not_applicable.isChecked() and reason.strip():
            return Answer(NOT_APPLICABLE, text=text, reason=reason)
        if text.strip():
            return Answer(ANSWERED, text=text)
        return None

    def show_answer(self, answer: Answer | None) -> None:
        """Show ``answer`` (the widgets' signals blocked); a box being typed in is kept when
        it already says the same."""
        if answer == self.value():
            return
        text = answer.text if answer is not None else ""
        reason = answer.reason if answer is not None else ""
        applicable = answer is None or answer.status != NOT_APPLICABLE
        for widget in (self.answer, self.not_applicable, self.reason):
            widget.blockSignals(True)
        try:
            if self.answer.toPlainText() != text:
                self.answer.setPlainText(text)
            self.not_applicable.setChecked(not applicable)
            self.reason.setEnabled(not applicable)
            if self.reason.text() != reason:
                self.reason.setText(reason)
        finally:
            for widget in (self.answer, self.not_applicable, self.reason):
                widget.blockSignals(False)


class EquityQuestionsPanel(QWidget):
    """The question sets in tabs, with a progress line; edits go to ``session``."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.state = session.state
        self.language = current_language()
        self.editors: dict[str, QuestionEditor] = {}
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.commit)
        self.progress = QLabel()
        self.progress.setObjectName("equityQuestionsProgress")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for qset in question_sets():
            self.tabs.addTab(self._set_page(qset), qset.title(self.language))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)
        self.state.changed.connect(self._on_state_changed)
        self._show_document()

    @staticmethod
    def title() -> str:
        """The dock's title in the current language."""
        return _("Equity questions")

    def _set_page(self, qset: QuestionSet) -> QScrollArea:
        page = QWidget()
        layout = QVBoxLayout(page)
        src = qset.source
        source = QLabel(
            _("Source: {title} ({publisher}, {year}).").format(
                title=src.title, publisher=src.publisher, year=src.year
            )
            + f' <a href="{src.url}">{src.url}</a>'
        )
        source.setWordWrap(True)
        source.setOpenExternalLinks(True)
        source.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(source)
        for step in qset.steps:
            heading = QLabel(f"<b>{step.title(self.language)}</b>")
            heading.setWordWrap(True)
            heading.setContentsMargins(0, 10, 0, 0)
            layout.addWidget(heading)
            for item in step.questions:
                editor = QuestionEditor(item, self.language)
                self._watch(editor)
                self.editors[item.id] = editor
                layout.addWidget(editor)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def show_question(self, question_id: str) -> QuestionEditor:
        """Bring a question into view (its set's tab, scrolled to it) and focus its answer."""
        editor = self.editors[question_id]
        for index in range(self.tabs.count()):
            scroll = self.tabs.widget(index)
            page = scroll.widget() if isinstance(scroll, QScrollArea) else None
            if isinstance(scroll, QScrollArea) and page is not None and page.isAncestorOf(editor):
                self.tabs.setCurrentIndex(index)
                # Its last row (not applicable, the reason) and then its top: all of it
                # when it fits, its question first when it does not.
                scroll.ensureWidgetVisible(editor.reason)
                scroll.ensureWidgetVisible(editor)
        editor.answer.setFocus()
        return editor

    def _watch(self, editor: QuestionEditor) -> None:
        qid = editor.question.id
        editor.answer.textChanged.connect(lambda: self._typed(qid))
        editor.reason.textChanged.connect(lambda _text: self._typed(qid))
        editor.not_applicable.toggled.connect(lambda checked: self._toggled(editor, checked))
        editor.answer.installEventFilter(self)
        editor.reason.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self._pending:
            self.commit()
        return super().eventFilter(watched, event)

    def _typed(self, question_id: str) -> None:
        self._pending.add(question_id)
        self._timer.start()

    def _toggled(self, editor: QuestionEditor, checked: bool) -> None:
        editor.reason.setEnabled(checked)
        if checked:
            editor.reason.setFocus()
        self._pending.add(editor.question.id)
        self.commit()

    def commit(self) -> None:
        """Apply what was typed (one undoable edit per question)."""
        self._timer.stop()
        pending, self._pending = self._pending, set()
        for qid in sorted(pending):
            apply_answer(self.session, qid, self.editors[qid].value())
        self._show_progress()

    def _on_state_changed(self, change: Change) -> None:
        if change & Change.RESET:  # another project: what was typed for the last one goes
            self._timer.stop()
            self._pending.clear()
        if change & (Change.DOCUMENT | Change.RESET):
            self._show_document()

    def _show_document(self) -> None:
        answers = self.state.document.equity_questions
        for qid, editor in self.editors.items():
            if qid not in self._pending:
                editor.show_answer(answers.get(qid))
        self._show_progress()

    def progress_text(self) -> str:
        """``"7 of 33 answered"``, with the not-applicable ones counted in."""
        answers = self.state.document.equity_questions
        inapplicable = sum(1 for a in answers.values() if a.status == NOT_APPLICABLE)
        words = _("{answered} of {total} answered").format(
            answered=count_answered(answers), total=len(questions())
        )
        if inapplicable:
            words += " " + _("({count} not applicable)").format(count=inapplicable)
        return words

    def _show_progress(self) -> None:
        self.progress.setText(self.progress_text())
