"""Menus that open the colleagues' dialogs, new projects, keys and wheel, icons."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import grid_frame, inside_point, view_point
from PySide6.QtCore import QPoint, QPointF, Qt, QThreadPool
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog

from equityplanner.app import dialogs as dialogs_package
from equityplanner.app.dialogs import NewProjectSpec
from equityplanner.app.icons import icon
from equityplanner.app.main_window import MainWindow
from equityplanner.app.task_controller import TaskKind
from equityplanner.model.project import (
    BaselineSource,
    HousingProject,
    Mode,
    ServiceChange,
    TransitProject,
)


class _FakeWizard:
    """Stands in for ImportWizard: accepted, with a layer the app must read itself."""

    DialogCode = QDialog.DialogCode
    source: BaselineSource

    def __init__(self, parent=None, *, source=None) -> None:
        pass

    def exec(self) -> QDialog.DialogCode:
        return QDialog.DialogCode.Accepted

    def result_source(self, *, full_mapping: bool = False) -> BaselineSource:
        return self.source

    def result_neighbourhoods(self):
        raise RuntimeError("not checked")


def test_new_project_import_neighbourhoods_place_and_run(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = window
    assert w.new_project()
    assert w.canvas.layer is None and not w.commands.run.isEnabled()
    gpkg = tmp_path / "grid.gpkg"
    grid_frame().to_file(gpkg, engine="pyogrio")
    _FakeWizard.source = BaselineSource(neighbourhoods=str(gpkg), id_column="GEOID")
    monkeypatch.setattr(dialogs_package, "ImportWizard", _FakeWizard)
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        w.commands.import_neighbourhoods.trigger()
    assert w.canvas.layer.count == 4 and w.commands.undo.text().endswith("Import neighbourhoods")
    # A new project named in the dialog, placed with one click.
    monkeypatch.setattr(
        dialogs_package.NewProjectDialog,
        "ask",
        classmethod(lambda cls, parent=None: NewProjectSpec("housing", "Harbor Homes")),
    )
    w.commands.new_project.trigger()
    assert w.canvas.tool == "housing"
    qtbot.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, *inside_point(w, 0))
    )
    assert [p.name for p in w.session.document.projects] == ["Harbor Homes"]
    monkeypatch.setattr(
        dialogs_package.NewProjectDialog,
        "ask",
        classmethod(
            lambda cls, parent=None: NewProjectSpec(
                "transit", "Crosstown", Mode.RAIL, ServiceChange.NEW
            )
        ),
    )
    w.commands.new_project.trigger()
    qtbot.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, *inside_point(w, 3))
    )
    line = w.session.document.projects[-1]
    assert isinstance(line, TransitProject) and line.name == "Crosstown" and line.mode is Mode.RAIL
    with qtbot.waitSignal(w.assessment_finished, timeout=60_000):
        w.commands.run.trigger()
    # Undoing the import drops the layer; redoing loads it again.
    while w.commands.undo.isEnabled():
        w.commands.undo.trigger()
    assert w.canvas.layer is None
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        w.commands.redo.trigger()
    assert w.canvas.layer.count == 4


def test_parameters_menu_uses_the_dialog(
    qtbot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from equityplanner.app.dialogs import ParametersDialog

    w = opened
    wanted = replace(w.session.document.parameters, distribution_threshold_pp=7.5)
    monkeypatch.setattr(ParametersDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(ParametersDialog, "parameters", lambda self: wanted)
    w.commands.parameters.trigger()
    assert w.session.document.parameters.distribution_threshold_pp == 7.5
    assert w.commands.undo.text().endswith("Change parameters")


def test_tool_keys_work_on_the_map_and_escape_returns_to_select(qtbot, opened: MainWindow) -> None:
    w = opened
    w.canvas.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(w.canvas, Qt.Key.Key_H)
    assert w.canvas.tool == "housing" and w.commands.tools["housing"].isChecked()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Escape)
    assert w.canvas.tool == "select"
    scale = w.canvas.pixels_per_metre()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Plus)
    assert w.canvas.pixels_per_metre() > scale
    h = w.canvas.horizontalScrollBar().value()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Right)
    assert w.canvas.horizontalScrollBar().value() > h
    # Alignment drawing by keyboard: Backspace drops a vertex, Enter finishes.
    qtbot.keyClick(w.canvas, Qt.Key.Key_L)
    for row in (0, 1, 2):
        qtbot.mouseClick(
            w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, *inside_point(w, row))
        )
    qtbot.keyClick(w.canvas, Qt.Key.Key_Backspace)
    count = len(w.session.document.projects)
    qtbot.keyClick(w.canvas, Qt.Key.Key_Return)
    assert len(w.session.document.projects) == count + 1


def test_wheel_zooms_about_the_cursor(opened: MainWindow) -> None:
    w = opened
    vp = w.canvas.viewport()
    pos = QPointF(vp.width() * 0.3, vp.height() * 0.4)
    before = w.canvas.mapToScene(pos.toPoint())
    scale = w.canvas.pixels_per_metre()
    event = QWheelEvent(
        pos,
        vp.mapToGlobal(pos),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, event)
    assert w.canvas.pixels_per_metre() == pytest.approx(scale * 1.5625, rel=1e-6)
    after = w.canvas.mapToScene(pos.toPoint())
    assert abs(after.x() - before.x()) * w.canvas.pixels_per_metre() < 2.5, (
        "the point under the cursor stays"
    )


def test_icons_are_svg_and_sharp_at_200_percent(window: MainWindow) -> None:
    for action in (
        window.commands.new,
        window.commands.open,
        window.commands.run,
        window.commands.export,
        *window.commands.tools.values(),
    ):
        assert not action.icon().isNull(), action.text()
    assert not icon("run").pixmap(24, 24).isNull()
    big = icon("run").pixmap(48, 48)
    assert big.width() == 48, "rendered from the SVG, not scaled up from 24 px"
    assert not window.windowIcon().isNull()


def test_closing_while_a_run_is_going_cancels_it(qtbot, opened: MainWindow) -> None:
    w = opened
    worker = w.run_assessment()
    w.session.undo_stack.setClean()
    assert w.close()
    QThreadPool.globalInstance().waitForDone()
    assert worker.is_cancelled or worker.is_done


def test_export_of_out_of_date_results_asks_first(
    qtbot, assessed: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    w = assessed
    w.session.apply(
        w.session.document.__class__(**{**w.session.document.__dict__, "scenarios": ()}),
        "Drop scenarios",
    )
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.No
    )
    w.commands.export.trigger()
    assert asked == ["Results out of date"] and w.tasks.current(TaskKind.EXPORT) is None


def test_about_box_names_version_and_credits(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from equityplanner import __version__

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.commands.about.trigger()
    assert (
        __version__ in shown[0]
        and "American Community Survey" in shown[0]
        and "ColorBrewer" in shown[0]
    )


def test_housing_tooltip_and_double_click_opens_properties(qtbot, opened: MainWindow) -> None:
    w = opened
    site = next(p for p in w.session.document.projects if isinstance(p, HousingProject))
    pos = view_point(w, site.site.centroid.x, site.site.centroid.y)
    qtbot.mouseDClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert (
        w.properties.form is not None
        and w.properties.form.project() == site
        and w.properties_dock.isVisible()
    )
    pos = view_point(
        w, site.site.centroid.x, site.site.centroid.y
    )  # the docks may have moved the map
    html = w.map_panel.feature_tooltip(w.canvas._feature_at(QPointF(pos)).ref)
    assert site.name.split(" (")[0] in html and "units" in html
