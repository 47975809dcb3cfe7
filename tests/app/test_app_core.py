"""The app's Qt-free pieces (editing, presentation, map geometry, autosave) and the worker."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QThreadPool
from shapely.geometry import LineString, Point, box

from equityplanner.app import editing
from equityplanner.app.autosave import (
    has_newer_autosave,
    remove_autosave,
    sidecar_path,
    write_autosave,
)
from equityplanner.app.messages import describe_error
from equityplanner.app.presentation import (
    MISSING,
    MapField,
    available_fields,
    classify_field,
    field_for_indicator,
    field_values,
    format_number,
)
from equityplanner.app.qt_surface import qt_path
from equityplanner.app.workers import Worker
from equityplanner.errors import Cancelled, InputError
from equityplanner.model.project import HousingProject, Scenario, TransitProject
from equityplanner.render.geometry import LayerGeometry, Rings, SceneTransform, class_rings

# Editing ---------------------------------------------------------------------------------


def test_add_move_delete_housing_site() -> None:
    doc = editing.new_document()
    doc, pid = editing.add_housing_site(doc, -86.8, 33.5)
    project = doc.projects[0]
    assert isinstance(project, HousingProject) and project.total_units == sum(
        project.units_by_band.values()
    )
    moved = editing.move_feature(doc, editing.FeatureRef(pid, "site"), -86.7, 33.6)
    assert moved.projects[0].site == Point(-86.7, 33.6)
    assert editing.delete_feature(moved, editing.FeatureRef(pid, "site")).projects == ()
    assert doc.projects[0] is project, "the input document is not changed"


def test_stations_lines_and_scenarios() -> None:
    doc, pid, n = editing.add_station(editing.new_document(), None, -86.8, 33.5)
    doc, pid2, n2 = editing.add_station(doc, pid, -86.79, 33.5)
    assert pid2 == pid and (n, n2) == (0, 1)
    doc, _ = editing.set_alignment(doc, pid, [(-86.8, 33.5), (-86.79, 33.5), (-86.78, 33.51)])
    line = doc.projects[0]
    assert isinstance(line, TransitProject) and len(shapely.get_coordinates(line.alignment)) == 3
    doc = editing.move_feature(doc, editing.FeatureRef(pid, "alignment", 2), -86.7, 33.6)
    assert tuple(shapely.get_coordinates(doc.projects[0].alignment)[2]) == (-86.7, 33.6)
    doc = editing.delete_feature(doc, editing.FeatureRef(pid, "station", 0))
    assert [s.name for s in doc.projects[0].stations] == ["Station 2"]
    from dataclasses import replace

    doc = replace(doc, scenarios=(Scenario("s", "S", (pid,)),))
    assert editing.delete_feature(doc, editing.FeatureRef(pid, "station", 0)) == replace(
        doc, projects=(), scenarios=()
    )
    with pytest.raises(ValueError):
        editing.set_alignment(doc, pid, [(-86.8, 33.5)])


def test_add_projects_renames_clashing_ids_and_replace_renames_in_scenarios() -> None:
    doc, pid = editing.add_housing_site(editing.new_document(), -86.8, 33.5, name="Site")
    doc, ids = editing.add_projects(doc, [doc.projects[0]])
    assert ids == [f"{pid}-2"]
    from dataclasses import replace

    doc = replace(doc, scenarios=(Scenario("both", "Both", (pid, ids[0])),))
    doc = editing.replace_project(doc, replace(doc.projects[0], id="renamed"), old_id=pid)
    assert doc.scenarios[0].project_ids == ("renamed", ids[0])
    assert editing.unique_id({"a", "a-2"}, "A") == "a-3"


def test_absolute_paths_survive_a_move(tmp_path: Path) -> None:
    from dataclasses import replace

    from equityplanner.model.project import BaselineSource, GtfsSource, OpportunitySource

    doc = replace(
        editing.new_document(),
        baseline=BaselineSource("data/t.gpkg"),
        opportunities={"jobs": OpportunitySource("jobs.csv", blocks="blocks.geojson")},
        gtfs=GtfsSource("gtfs/before.zip", "gtfs/after.zip", "2026-11-25"),
        path=tmp_path / "p.eqp.json",
    )
    absolute = editing.with_absolute_paths(doc)
    folder = tmp_path.resolve()
    assert Path(absolute.baseline.neighbourhoods) == folder / "data" / "t.gpkg"
    assert absolute.baseline.table is None
    jobs = absolute.opportunities["jobs"]
    assert (Path(jobs.path), Path(jobs.blocks)) == (folder / "jobs.csv", folder / "blocks.geojson")
    assert Path(absolute.gtfs.proposed) == folder / "gtfs" / "after.zip"
    # Saved under another name elsewhere, the document still finds its files.
    moved = replace(absolute, path=tmp_path / "elsewhere" / "p.eqp.json")
    assert moved.resolve(moved.opportunities["jobs"].path) == folder / "jobs.csv"
    assert editing.with_absolute_paths(absolute) is absolute


# Presentation ----------------------------------------------------------------------------


def test_numbers_read_as_a_planner_expects() -> None:
    assert format_number(0.4213, "share") == "42.1%"
    assert format_number(38500.4, "currency") == "$38,500"
    assert format_number(12345.6, "count") == "12,346"
    assert format_number(float("nan"), "share") == MISSING == format_number(None, "count")
    assert format_number(3.25, "pp") == "+3.2 pts"


def test_fields_values_and_classes() -> None:
    import pandas as pd

    table = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": list("ABCD"),
            "total_population": [100.0, 200.0, 300.0, 0.0],
            "nh_white": [50.0, 50.0, 100.0, 0.0],
            "minority_share": [0.5, 0.75, 0.66, np.nan],
            "quintile": [1, 2, 0, 5],
        }
    )
    fields = available_fields(table)
    keys = [f.key for f in fields]
    assert "minority_share" in keys and "population_density" in keys and "nh_white__share" in keys
    density = field_values(
        MapField("population_density", "", "density"),
        table,
        areas_km2=np.array([1.0, 2.0, 3.0, 0.0]),
    )
    assert density[:3].tolist() == [100.0, 100.0, 100.0] and np.isnan(density[3])
    white = field_values(next(f for f in fields if f.key == "nh_white__share"), table)
    assert white[0] == 0.5 and np.isnan(white[3])
    shading = classify_field(table["minority_share"].to_numpy(), fields[0], method="quantile", k=3)
    assert shading.classes[3] == -1 and shading.no_data_count == 1
    assert all(label.endswith("%") for _, label in shading.legend)
    quint = classify_field(
        field_values(MapField("quintile", "", "quintile"), table),
        MapField("quintile", "", "quintile"),
    )
    assert quint.classes.tolist() == [0, 1, -1, 4] and len(quint.legend) == 5


def test_indicators_map_to_fields() -> None:
    fields = [
        MapField("low_income_share", "", "share"),
        MapField("quintile", "", "quintile"),
        MapField("total_population_in_catchment", "", "count", "result"),
    ]
    assert field_for_indicator("served.low_income", fields).key == "low_income_share"
    assert (
        field_for_indicator("title_vi.disproportionate_burden.burdens", fields).key
        == "low_income_share"
    )
    assert field_for_indicator("distribution.q3", fields).key == "quintile"
    assert field_for_indicator("served.population", fields).key == "total_population_in_catchment"
    assert field_for_indicator("housing.net_affordable_units", fields) is None


def test_error_words() -> None:
    report = describe_error(
        InputError("is not valid JSON", path="x.json", remedy="Fix it"), "opening x.json"
    )
    assert (
        report.kind == "input"
        and report.text == "x.json: is not valid JSON."
        and report.remedy == "Fix it."
    )
    assert describe_error(Cancelled("stop")).kind == "cancelled"
    try:
        raise KeyError("oops")
    except KeyError as exc:
        internal = describe_error(exc, "running")
    assert internal.kind == "internal" and "KeyError" in internal.details


# Map geometry ----------------------------------------------------------------------------


def _grid(n: int = 4, size: float = 100.0) -> np.ndarray:
    return np.array(
        [
            box(x * size, y * size, (x + 1) * size, (y + 1) * size)
            for x in range(n)
            for y in range(n)
        ],
        dtype=object,
    )


def test_layer_hit_tests_and_transform_round_trip() -> None:
    from pyproj import CRS

    crs = CRS.from_epsg(32616)
    geoms = shapely.transform(_grid(), lambda xy: xy + np.array([500_000, 3_700_000]))
    transform = SceneTransform(crs, (500_200.0, 3_700_200.0))
    layer = LayerGeometry(geoms, crs, transform)
    assert layer.count == 16 and layer.bounds == (-200.0, -200.0, 200.0, 200.0)
    # y points down in the scene: the southwest square (row 0) is at the bottom left.
    assert layer.row_at(-150, 150) == 0 and layer.row_at(1000, 1000) == -1
    lon, lat = transform.scene_to_lonlat(-150, 150)
    sx, sy = transform.lonlat_to_scene(lon, lat)
    assert abs(sx + 150) < 1e-6 and abs(sy - 150) < 1e-6
    assert np.allclose(layer.areas_km2, 0.01)


def test_level_of_detail_keeps_every_polygon_visible() -> None:
    from pyproj import CRS

    crs = CRS.from_epsg(32616)
    offset = np.array([500_000, 3_700_000])
    tiny = shapely.transform(_grid(20, 1.0), lambda xy: xy + offset)  # 1 m squares
    layer = LayerGeometry(tiny, crs, SceneTransform(crs, (500_010.0, 3_700_010.0)))
    full = layer.level_of_detail(0.0)
    coarse = layer.level_of_detail(4.0)
    assert len(full.xy) == 400 * 5
    assert len(coarse.xy) < len(full.xy)
    assert set(coarse.polygon.tolist()) == set(range(400)), "collapsed rings become cell squares"
    paths = class_rings(coarse, np.arange(400) % 3, 3)
    assert sorted(paths) == [0, 1, 2]


def test_packed_paths_read_back_as_qpainterpaths(qapp) -> None:
    xy = np.array(
        [[0, 0], [10, 0], [10, 10], [0, 0], [20, 20], [30, 20], [30, 30], [20, 20]], dtype=float
    )
    first = np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=bool)
    path = qt_path(Rings.from_first(xy, first))
    assert path.elementCount() == 8
    assert path.boundingRect().getCoords() == (0.0, 0.0, 30.0, 30.0)
    assert path.contains(path.boundingRect().center()) is False  # between the two triangles
    assert path.elementAt(4).isMoveTo()


# Autosave --------------------------------------------------------------------------------


def test_autosave_sidecar(tmp_path: Path) -> None:
    project = tmp_path / "plan.eqp.json"
    doc, _ = editing.add_housing_site(editing.new_document(), -86.8, 33.5)
    from equityplanner.io.project_file import save_project

    save_project(doc, project)
    assert sidecar_path(project).name == "plan.eqp.json.autosave"
    assert not has_newer_autosave(project)
    write_autosave(doc, project)
    assert sidecar_path(project).exists()
    remove_autosave(project)
    remove_autosave(project)  # twice is fine
    assert not sidecar_path(project).exists()


# Worker ----------------------------------------------------------------------------------


def _steps(progress, n: int, pause: float = 0.0) -> int:
    for i in range(n):
        progress.report((i + 1) / n, f"step {i + 1}")
        time.sleep(pause)
    return n


def test_worker_reports_progress_and_result(qtbot) -> None:
    worker = Worker(_steps, 5)
    seen: list[float] = []
    worker.signals.progressed.connect(lambda f, m: seen.append(f))
    with qtbot.waitSignal(worker.signals.succeeded, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == [5] and seen and seen[-1] == 1.0
    qtbot.waitUntil(lambda: worker.is_done)


def test_worker_cancel_and_failure(qtbot) -> None:
    slow = Worker(_steps, 200, 0.01)
    with qtbot.waitSignal(slow.signals.cancelled, timeout=5000):
        slow.start()
        slow.cancel()
    broken = Worker(lambda progress: 1 / 0)
    with qtbot.waitSignal(broken.signals.failed, timeout=5000) as blocker:
        broken.start()
    assert isinstance(blocker.args[0], ZeroDivisionError)
    QThreadPool.globalInstance().waitForDone()


def test_pyproj_in_successive_tasks_on_one_pool_thread(qtbot) -> None:
    """Regression: the second task on a reused pool thread crashed in pyproj."""

    def project(progress) -> float:
        from pyproj import CRS, Transformer

        crs = CRS.from_epsg(4269)
        return Transformer.from_crs(crs, CRS.from_epsg(32616), always_xy=True).transform(
            -86.8, 33.5
        )[0]

    pool = QThreadPool.globalInstance()
    old = pool.maxThreadCount()
    pool.setMaxThreadCount(1)
    try:
        for _ in range(4):
            worker = Worker(project)
            with qtbot.waitSignal(worker.signals.succeeded, timeout=10_000) as blocker:
                worker.start()
            assert 518_000 < blocker.args[0] < 519_000
    finally:
        pool.waitForDone()
        pool.setMaxThreadCount(old)


def test_signal_emission_does_not_exhaust_singletons() -> None:
    """Regression: PySide6 6.12.0 on Python 3.11 drops a reference to True per emit()."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        ticked = Signal(object)

    e = Emitter()
    for _ in range(100_000):
        e.ticked.emit(None)
    assert sys.getrefcount(True) > 1000


def test_line_alignment_helper() -> None:
    assert editing.is_line(LineString([(0, 0), (1, 1)])) and not editing.is_line(Point(0, 0))


def test_finished_workers_are_deleted_on_the_gui_thread(qtbot) -> None:
    from PySide6.QtCore import QCoreApplication, QThread

    worker = Worker(_steps, 2)
    threads: list = []
    worker.signals.destroyed.connect(lambda: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(worker.signals.finished, timeout=5000):
        worker.start()
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads[0] is QCoreApplication.instance().thread()
    assert worker.args == () and worker.is_done


def test_windows_move_garbage_collection_to_the_gui_thread(window) -> None:
    import gc

    assert not gc.isenabled(), "collections run from a GUI-thread timer while the app runs"


def test_every_slot_of_finished_runs(qtbot) -> None:
    """Regression: a slot of ``finished`` after the worker's own was often never called.

    The worker's slot deleted the signals object while the pool thread was still posting
    ``finished`` to the slots connected after it (seen when the GUI thread waits in an event
    loop for the task, as the task controller does).
    """
    from PySide6.QtCore import QEventLoop, QTimer

    ended: list[int] = []
    for n in range(10):
        worker = Worker(lambda progress: 1 / 0)
        worker.signals.finished.connect(lambda n=n: ended.append(n))
        loop = QEventLoop()
        worker.signals.failed.connect(lambda _exc: None)
        poll = QTimer()
        poll.timeout.connect(lambda w=worker, lp=loop: lp.quit() if w.is_done else None)
        poll.start(5)
        QTimer.singleShot(5000, loop.quit)
        worker.start()
        loop.exec()
        poll.stop()
        assert worker.is_done
    QThreadPool.globalInstance().waitForDone()
    qtbot.wait(50)
    assert ended == list(range(10))
