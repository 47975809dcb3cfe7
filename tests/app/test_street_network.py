"""The street network of routed access (issue 10) in the app: set and removed in the explorer,
kept reachable by Save As, its routes drawn in grey under the proposals, and the routing's
progress shown (and cancellable) through the task controller."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from test_project_editing import _fill_and_ok, _row, _trigger, _type

from equityplanner.app.dialogs.project_dialogs import NetworkDialog
from equityplanner.app.main_window import MainWindow
from equityplanner.app.task_controller import TaskKind
from equityplanner.io.project_file import load_project

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
pytestmark = pytest.mark.skipif(
    not (SAMPLE / "streets.osm.pbf").exists(), reason="the sample's street network is absent"
)


@pytest.fixture
def routed(qtbot, window: MainWindow, tmp_path: Path) -> MainWindow:
    """The sample (with its network block) open, its network's routes drawn."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("*.autosave", "*.py"))
    with qtbot.waitSignal(window.network_routes.routes_loaded, timeout=120_000) as loaded:
        assert window.open_project(target / "sample.eqp.json")
    assert loaded.args[0] > 0
    return window


def test_the_networks_routes_are_drawn_under_the_proposals(routed: MainWindow) -> None:
    w = routed
    assert w.canvas.network_line_count() == 1 and w.network_routes.lines
    assert w.network_routes.network == w.session.document.network
    # The grey lines are named in the map's legend (its symbols), as long as they are drawn.
    assert _network_symbols(w) == ["Existing transit routes"]
    text = _row(w, kind="network").data()
    assert text == "Street network: streets.osm.pbf · 1 feed"
    _trigger(w, _row(w, kind="network"), "Remove street network")
    assert w.session.document.network is None
    assert w.canvas.network_line_count() == 0, "no network, no routes"
    assert _network_symbols(w) == [], "nothing grey drawn, nothing in the legend"
    w.commands.undo.trigger()
    assert w.session.document.network is not None
    assert w.canvas.network_line_count() == 1, "undone: the routes read before are drawn"
    assert _network_symbols(w) == ["Existing transit routes"]


def _network_symbols(w: MainWindow) -> list[str]:
    return [e.label for e in w.canvas.legend.symbols if e.symbol == "network_line"]


def test_the_network_is_set_in_a_dialog_and_saved(
    qtbot, routed: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = routed
    path = w.session.path
    network = w.session.document.network
    w.project_editor.remove_network()

    def fill(d: NetworkDialog) -> None:
        assert "Choose the OpenStreetMap extract" in d.message_label.text()
        _type(qtbot, d.osm_row.edit, network.osm)
        assert "Add at least one baseline GTFS feed" in d.message_label.text()
        d.feed_list.addItem(network.gtfs[0])
        d.date_edit.setDate(d.date_edit.date().fromString(network.date, "yyyy-MM-dd"))
        d.percentile_combo.setCurrentIndex(d.percentile_combo.findData(75))
        d.last_edit.setTime(d.first_edit.time().addSecs(-60))
        assert "ends before it starts" in d.message_label.text()
        d.last_edit.setTime(d.first_edit.time().addSecs(3600))

    _fill_and_ok(qtbot, monkeypatch, NetworkDialog, fill)
    _trigger(w, _row(w, heading="data"), "Set street network…")
    assert w.files.save()
    saved = load_project(path).network
    assert saved is not None and saved.percentile == 75 and saved.window == ("07:00", "08:00")
    assert saved.osm == "streets.osm.pbf", "saved relative to the project file"
    assert (path.parent / saved.gtfs[0]).exists()


def test_save_as_elsewhere_keeps_the_network_reachable(
    routed: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = routed
    target = tmp_path / "elsewhere" / "copy.eqp.json"
    target.parent.mkdir()
    monkeypatch.setattr(
        "equityplanner.app.project_files.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    assert w.files.save_as()
    reloaded = load_project(target)
    assert reloaded.network is not None
    assert reloaded.resolve(reloaded.network.osm).exists()
    assert all(reloaded.resolve(feed).exists() for feed in reloaded.network.gtfs)


def test_routing_reports_its_progress_and_can_be_cancelled(qtbot, routed: MainWindow) -> None:
    w = routed
    messages: list[str] = []
    w.tasks.progressed.connect(lambda _fraction, message: messages.append(message))
    with qtbot.waitSignal(w.assessment_cancelled, timeout=300_000):
        w.run_assessment()
        qtbot.waitUntil(
            lambda: any(m.startswith("Routing departures") for m in messages), timeout=300_000
        )
        w.cancel_tasks()
    qtbot.waitUntil(lambda: not w.tasks.is_running(TaskKind.ASSESS), timeout=120_000)
    assert w.state.assessment is None, "a cancelled run leaves no results"

    messages.clear()
    with qtbot.waitSignal(w.assessment_finished, timeout=300_000):
        w.run_assessment()
    assert any(m.startswith("Routing departures") for m in messages), sorted(set(messages))
    assert w.state.assessment is not None and w.state.assessment.travel_model
    QThreadPool.globalInstance().waitForDone()
