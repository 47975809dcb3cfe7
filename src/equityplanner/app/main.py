"""Start the desktop app: QApplication, style, error hook, main window.

``equityplanner open [PROJECT] [--run] [--screenshot OUT.png]`` calls :func:`run_app`. With
``--screenshot`` the app runs unattended: it opens the project, runs the assessment when asked,
waits for every task, saves a picture of the window and exits (0, or 2 with a one-line message
on stderr when anything failed).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from equityplanner import i18n
from equityplanner._version import __version__
from equityplanner.app.icons import app_icon
from equityplanner.app.settings import AppSettings
from equityplanner.catalog import resource_path
from equityplanner.i18n import _

__all__ = ["apply_language", "create_application", "run_app"]

EXIT_OK, EXIT_INPUT = 0, 2
SCREENSHOT_SIZE = (1400, 900)
log = logging.getLogger("equityplanner.app")


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once): names for QSettings, icon, style sheet."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName("equityplanner")
    QCoreApplication.setOrganizationDomain("equityplanner.org")
    QCoreApplication.setApplicationName("equityplanner")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName("equityplanner")
    QGuiApplication.setDesktopFileName("equityplanner")
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    sheet = resource_path("styles/app.qss")
    if sheet.is_file():
        app.setStyleSheet(sheet.read_text(encoding="utf-8"))
    return app


def apply_language(settings: AppSettings | None = None) -> str:
    """Use the saved language (or ``EQUITYPLANNER_LANGUAGE``) for this process; returns it.

    Call it after :func:`create_application` (QSettings needs the application's names) and
    before any window is built: texts are translated when widgets are made.
    """
    code = (settings or AppSettings()).startup_language()
    i18n.set_language(code)
    _install_qt_translations(code)
    return code


_qt_translator: list[QObject] = []  # the one installed, removed when the language changes


def _install_qt_translations(code: str) -> None:
    """Qt's own words (Yes, No, Cancel, Close of standard buttons) in ``code`` when Qt ships
    them; English needs none (a translator installed for another language is removed)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    while _qt_translator:
        old = _qt_translator.pop()
        assert isinstance(old, QTranslator)
        QCoreApplication.removeTranslator(old)
    app = QCoreApplication.instance()
    if app is None or code == i18n.SOURCE_LANGUAGE:
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load(f"qtbase_{code}", folder):
        QCoreApplication.installTranslator(translator)
        _qt_translator.append(translator)


def _install_excepthook(window: QWidget) -> None:
    """Show exceptions raised in slots as 'internal error' dialogs instead of losing them."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("Uncaught exception", exc_info=(kind, exc, tb))
        try:
            report = getattr(window, "report_error", None)
            if report is not None:
                report(exc.with_traceback(tb))
            else:
                traceback.print_exception(kind, exc, tb)
        except Exception:  # the hook itself must never raise
            traceback.print_exception(kind, exc, tb)

    sys.excepthook = hook


def run_app(project: Path | None = None, run: bool = False, screenshot: Path | None = None) -> int:
    """Start the app; with ``screenshot`` run unattended and exit after saving the picture."""
    from equityplanner.app.main_window import MainWindow

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    scripted = screenshot is not None
    if scripted and _no_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # unattended: draw without a screen
    elif _no_display():
        # Qt would abort with a message about plugins; say what is really missing instead.
        message = _(
            "there is no display to open the desktop app on (DISPLAY is not set). Run it in a "
            "desktop session, use 'equityplanner assess' for headless results, or add "
            "--screenshot OUT.png for a picture of the window."
        )
        print(f"equityplanner: error: {message}", file=sys.stderr)
        return 2
    app = create_application()
    apply_language()
    window = MainWindow(interactive=not scripted)
    if scripted:
        window.resize(*SCREENSHOT_SIZE)
        window.move(0, 0)
    window.show()
    if not scripted:
        _install_excepthook(window)
    if project is not None:
        opened = window.open_project(project)
        if scripted and not opened:
            return _fail(window)
    if run:
        if scripted:
            window.wait_for_tasks()  # the neighbourhoods first, so that the run reuses them
        window.run_assessment()
    if not scripted:
        return app.exec()
    finished = window.wait_for_tasks(timeout_ms=300_000)
    if window.errors or not finished:
        if not finished:
            message = _("the assessment did not finish within 5 minutes")
            print(f"equityplanner: error: {message}", file=sys.stderr)
        return _fail(window)
    app.processEvents()
    assert screenshot is not None  # scripted
    screenshot = Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(screenshot)):
        message = _("cannot write the picture (check the folder and the .png name)")
        print(f"equityplanner: error: {screenshot}: {message}", file=sys.stderr)
        return _fail(window, printed=True)
    window.close()
    return EXIT_OK


def _no_display() -> bool:
    """True on Linux/BSD without X11 or Wayland and without a chosen Qt platform."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _fail(window: QWidget, *, printed: bool = False) -> int:
    errors = getattr(window, "errors", [])
    if not printed:
        text = errors[0].one_line if errors else _("the app could not complete the task")
        print(f"equityplanner: error: {text}", file=sys.stderr)
    window.close()
    return EXIT_INPUT
