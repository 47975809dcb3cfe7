"""The main window in Spanish, and the language setting.

Real widgets offscreen, no mocks: the window is built with the process language set to Spanish
(as ``equityplanner open`` does after reading the setting), and every test puts English back, so
the rest of the suite, which reads English, is unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_helpers import shown_window
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox, QMenu

from equityplanner import i18n
from equityplanner.app.main import apply_language
from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import LANGUAGE_ENV, AppSettings

MENUS_EN = ["&File", "&Edit", "&Map", "&Assessment", "&Window", "&Help"]
MENUS_ES = ["&Archivo", "&Edición", "&Mapa", "E&valuación", "Ve&ntana", "A&yuda"]


@pytest.fixture
def english_after() -> Iterator[None]:
    """Whatever a test sets, the process is in English again afterwards."""
    yield
    i18n.set_language("en")


@pytest.fixture
def spanish_window(
    qtbot, settings: AppSettings, dialogs: dict[str, list], english_after: None
) -> Iterator[MainWindow]:
    """A shown main window built in Spanish (the language is English again at teardown)."""
    i18n.set_language("es")
    with shown_window(qtbot, settings) as w:
        yield w


def _menu_actions(menu: QMenu) -> list[QAction]:
    """Every action of ``menu`` and its submenus (separators left out)."""
    out = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        out.append(action)
        if action.menu() is not None:
            out += _menu_actions(action.menu())
    return out


def _accelerator(text: str) -> str | None:
    match = re.search(r"&([^&\s])", text)
    return match.group(1).lower() if match else None


def test_the_menu_bar_is_spanish(spanish_window: MainWindow) -> None:
    catalog = i18n.load_catalog("es")
    titles = [a.text() for a in spanish_window.menuBar().actions()]
    assert titles == MENUS_ES == [catalog.messages[t] for t in MENUS_EN]
    keys = [_accelerator(t) for t in titles]
    assert len(set(keys)) == len(keys), f"menu bar accelerators clash: {titles}"


def test_the_main_actions_are_spanish(spanish_window: MainWindow) -> None:
    a = spanish_window.commands
    assert a.new.text() == "&Nuevo"
    assert a.open.text() == "&Abrir…"
    assert a.save.text() == "&Guardar"
    assert a.run.text() == "Ejecutar e&valuación"
    assert a.export.text() == "&Exportar libro de Excel…"
    assert a.import_neighbourhoods.text() == "Importar &vecindarios…"
    assert a.tools["housing"].text() == "Colocar un sitio de vivienda"
    assert a.run.statusTip() == "Evaluar todos los proyectos y escenarios"
    assert a.undo.text().startswith("&Deshacer")
    assert spanish_window.explorer_dock.windowTitle() == "Proyecto"
    assert spanish_window.results.tabs.tabText(0) == "&Resumen"


def test_no_menu_text_is_left_in_english(spanish_window: MainWindow) -> None:
    catalog = i18n.load_catalog("es")
    # English sources whose Spanish differs (words such as "No" or "Neutral" are the same).
    english = {source for source, target in catalog.messages.items() if source != target}
    left = []
    for menu_action in spanish_window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        for action in _menu_actions(menu):
            if action.text() in english or action.text().replace("&", "") in english:
                left.append(f"{menu_action.text()} ▸ {action.text()}")
            if action.toolTip() in english:
                left.append(f"{menu_action.text()} ▸ {action.text()}: tooltip {action.toolTip()}")
    assert not left, "still in English:\n" + "\n".join(left)


def test_no_accelerator_clashes_within_a_menu(spanish_window: MainWindow) -> None:
    for menu_action in spanish_window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        texts = [a.text() for a in menu.actions() if not a.isSeparator()]
        keys = [k for k in (_accelerator(t) for t in texts) if k]
        assert len(set(keys)) == len(keys), f"{menu_action.text()}: {texts}"


def test_an_opened_project_reads_in_spanish(
    qtbot, spanish_window: MainWindow, project_file: Path
) -> None:
    w = spanish_window
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        assert w.open_project(project_file)
    headings = [w.explorer.model().item(r).text() for r in range(w.explorer.model().rowCount())]
    assert headings[0] == "Vecindarios"
    assert headings[1] == f"Proyectos ({len(w.session.document.projects)})"
    assert w.neighbourhoods.count_label.text().endswith(
        i18n.format_number(w.neighbourhoods.model.rowCount())
    )
    assert " de " in w.neighbourhoods.count_label.text()


def test_the_language_round_trips_through_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    first = AppSettings.from_file(path)
    assert first.language() == "en", "English until the user chooses"
    first.set_language("es")
    first.sync()
    assert AppSettings.from_file(path).language() == "es"
    with pytest.raises(ValueError):
        first.set_language("xx")


def test_the_environment_overrides_the_setting(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english_after: None
) -> None:
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    monkeypatch.setenv(LANGUAGE_ENV, "es")
    assert settings.startup_language() == "es"
    try:
        assert apply_language(settings) == "es" and i18n.current_language() == "es"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        assert box.buttons()[0].text() == "Cerrar", "Qt's own buttons speak Spanish too"
    finally:
        monkeypatch.setenv(LANGUAGE_ENV, "en")
        assert apply_language(settings) == "en"  # and Qt's translator is removed
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    assert box.buttons()[0].text() == "Close"
    monkeypatch.setenv(LANGUAGE_ENV, "xx")  # unknown: the saved choice
    assert settings.startup_language() == "en"
    monkeypatch.delenv(LANGUAGE_ENV)
    settings.set_language("es")
    assert settings.startup_language() == "es"


def test_choosing_a_language_saves_it_and_says_so_in_it(
    qtbot, settings: AppSettings, dialogs: dict[str, list], english_after: None
) -> None:
    w = MainWindow(settings, interactive=False)
    try:
        languages = w.commands.languages
        assert set(languages) == set(i18n.LANGUAGES) and languages["en"].isChecked()
        languages["es"].trigger()
        assert settings.language() == "es"
        assert languages["es"].isChecked() and not languages["en"].isChecked()
        assert w.statusBar().currentMessage() == (
            "equityplanner se mostrará en Español la próxima vez que lo inicie."
        )
        assert i18n.current_language() == "en", "the running window stays as it was built"
        assert w.commands.new.text() == "&New"
    finally:
        w.session.undo_stack.setClean()
        w.close()
        w.deleteLater()


def test_the_guide_names_the_spanish_menus(spanish_window: MainWindow) -> None:
    from equityplanner.app.help import guide_text

    guide = guide_text()
    assert guide.startswith("# equityplanner: guía breve")
    menus = {}
    for menu_action in spanish_window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        menus[menu_action.text().replace("&", "")] = {
            a.text().replace("&", "") for a in _menu_actions(menu)
        }
    paths = re.findall(r"\*\*([^*▸]+) ▸ ([^*]+)\*\*", guide)
    assert len(paths) >= 6
    wrong = [f"{m} ▸ {i}" for m, i in paths if i not in menus.get(m, set())]
    assert not wrong, f"the guide names menus the window does not have: {wrong}"
