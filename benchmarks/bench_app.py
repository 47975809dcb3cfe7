"""How long the desktop app's window stops answering, and how soon it first shows.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_app.py [--rounds 3]
[--sizes 240000] [--skip-start]``

Three measures, each printed beside its floor (what PySide6 alone costs on this machine):

* **time to first window** (issue 14 item 6, issue 11 item 5): a fresh Python process starts
  the app's main window and reports when it has been painted; the floor is a process that
  imports ``PySide6.QtWidgets`` and shows an empty ``QMainWindow``. Also the time until the
  sample project's neighbourhoods are drawn. Rounds are interleaved (floor, app, sample, floor,
  …); wall and CPU time (user + system of the child), min/median/max.
* **longest GUI stall on the sample**, from opening it to its results shown: a 1 ms heartbeat
  timer on the GUI thread records the longest gap between its ticks (a gap is time the event
  loop could not run: a stall). Every user action is posted to the event loop as a click
  would be, so its handler's time counts. Steps: open, neighbourhoods loaded, run, results
  shown, switch the shaded field, type a filter. Floor: the same heartbeat on an idle empty
  window.
* **longest stall at 240,000 polygons** (a synthetic lattice of tracts in UTM 10N, written
  once to a FlatGeobuf in the temp folder): open, run, zoom x4, reshade, pan, each filter
  keystroke.

The targets (issue 11): no stall over 100 ms on the sample; at 240,000 polygons run, zoom,
reshade and filter without blocking; first window within 3 s (issue 14: empty window under
1 s, sample drawn under 2.5 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_projects" / "magnolia" / "sample.eqp.json"

# --- time to first window -------------------------------------------------------------------

_FLOOR_CHILD = r"""
import sys, time
t0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1400, 900)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"shown {time.time() - t0:.4f}", flush=True); QTimer.singleShot(0, app.quit)
        return False
f = Painted(); w.installEventFilter(f); w.show(); w.grab(); app.exec()
"""

_APP_CHILD = r"""
import sys, time
t0 = float(sys.argv[1]); project = sys.argv[2] if len(sys.argv) > 2 else ""
from equityplanner.app.main import create_application
from PySide6.QtCore import QEvent, QObject, QTimer
app = create_application()
from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import AppSettings
import tempfile, os
settings = AppSettings.from_file(os.path.join(tempfile.mkdtemp(), "s.ini"))
w = MainWindow(settings, interactive=False); w.resize(1400, 900)
class Painted(QObject):
    done = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print(f"shown {time.time() - t0:.4f}", flush=True)
            if not project:
                QTimer.singleShot(0, app.quit)
        return False
f = Painted(); w.installEventFilter(f); w.show(); w.grab()
if project:
    def drawn(_outcome):
        w.canvas.viewport().repaint()
        print(f"sample {time.time() - t0:.4f}", flush=True); QTimer.singleShot(0, app.quit)
    w.baseline_loaded.connect(drawn)
    QTimer.singleShot(0, lambda: w.open_project(project))
app.exec()
"""


def _child(code: str, *args: str) -> tuple[dict[str, float], float]:
    """Run a child Python; returns its printed times and its CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code, repr(t0), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    times = {}
    for line in proc.stdout.splitlines():
        name, _, value = line.partition(" ")
        if value:
            times[name] = float(value)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return times, cpu


def _stats(values: list[float]) -> str:
    return (
        f"min {min(values):6.2f}  median {statistics.median(values):6.2f}  max {max(values):6.2f}"
    )


def bench_start(rounds: int) -> None:
    print("\n== time to first window (s; a fresh process each time, rounds interleaved)")
    rows: dict[str, list[float]] = {k: [] for k in ("floor", "app", "sample", "sample drawn")}
    cpus: dict[str, list[float]] = {k: [] for k in ("floor", "app", "sample")}
    for _ in range(rounds):
        times, cpu = _child(_FLOOR_CHILD)
        rows["floor"].append(times["shown"])
        cpus["floor"].append(cpu)
        times, cpu = _child(_APP_CHILD)
        rows["app"].append(times["shown"])
        cpus["app"].append(cpu)
        times, cpu = _child(_APP_CHILD, str(SAMPLE))
        rows["sample"].append(times["shown"])
        rows["sample drawn"].append(times["sample"])
        cpus["sample"].append(cpu)
    labels = {
        "floor": "floor: PySide6 + empty QMainWindow",
        "app": "app: empty main window",
        "sample": "app opening the sample: window",
        "sample drawn": "app opening the sample: drawn",
    }
    for key, label in labels.items():
        cpu = f"   cpu {statistics.median(cpus[key]):5.2f}" if key in cpus else ""
        print(f"  {label:38s} wall {_stats(rows[key])}{cpu}")


# --- GUI stalls -----------------------------------------------------------------------------


class Heartbeat:
    """The longest gap between ticks of a 1 ms timer on the GUI thread, per step."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.step = "start"
        self.worst: dict[str, float] = {}
        self._last = time.perf_counter()

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def mark(self, step: str) -> None:
        self.step = step

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self._last = now
        if gap > self.worst.get(self.step, 0.0):
            self.worst[self.step] = gap


def _spin(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(signal: object, timeout_ms: int = 600_000, window: object = None) -> None:
    """Until ``signal`` (or an error of ``window``); an error or a timeout stops the bench."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signals = [signal] + ([window.error_reported] if window is not None else [])  # type: ignore[attr-defined]
    for s in signals:
        s.connect(loop.quit)  # type: ignore[attr-defined]
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    loop.exec()
    for s in signals:
        s.disconnect(loop.quit)  # type: ignore[attr-defined]
    errors = getattr(window, "errors", None)
    if errors:
        raise SystemExit(f"bench_app: {errors[0].one_line}")
    if not timer.isActive():
        raise SystemExit(f"bench_app: nothing happened within {timeout_ms / 1000:.0f} s")


def _settle(w: object) -> None:
    """Until the map's picture of a large layer is complete (it is drawn in slices)."""
    canvas = w.canvas  # type: ignore[attr-defined]
    for _ in range(600):
        _spin(50)
        choropleth = canvas.choropleth
        if choropleth is None or not choropleth.drawing:
            return


def _post(beat: Heartbeat, step: str, action: Callable[[], object]) -> None:
    """Run ``action`` from the event loop, as a click would, under ``step``."""
    from PySide6.QtCore import QTimer

    def run() -> None:
        beat.mark(step)
        action()

    QTimer.singleShot(0, run)
    _spin(30)


def _window() -> object:
    from equityplanner.app.main_window import MainWindow
    from equityplanner.app.settings import AppSettings

    folder = tempfile.mkdtemp()
    w = MainWindow(AppSettings.from_file(Path(folder) / "s.ini"), interactive=False)
    w.resize(1400, 900)
    w.show()
    return w


def floor_stall() -> float:
    """An idle empty QMainWindow under the same heartbeat for a second."""
    from PySide6.QtWidgets import QMainWindow

    w = QMainWindow()
    w.resize(1400, 900)
    w.show()
    beat = Heartbeat()
    beat.start()
    _spin(1000)
    beat.stop()
    w.close()
    return max(beat.worst.values(), default=0.0)


def stalls(project: Path, *, filter_text: str, zoom: bool) -> dict[str, float]:
    """Open ``project``, run it, and use the map and the table; the worst stall per step."""
    w = _window()
    _spin(2500)  # the window shown and idle: what opening needs loads in the background
    beat = Heartbeat()
    beat.start()
    beat.mark("open project")
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: w.open_project(project))
    _wait(w.baseline_loaded, window=w)
    beat.mark("neighbourhoods drawn")
    _settle(w)
    _spin(500)
    _post(beat, "run assessment", w.run_assessment)
    _wait(w.assessment_finished, window=w)
    beat.mark("results shown")
    _settle(w)
    _spin(800)
    panel = w.map_panel
    combo = panel.field_combo
    keys = [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i)]
    if len(keys) > 1:
        other = keys[1] if combo.currentData() == keys[0] else keys[0]
        _post(beat, "reshade", lambda: combo.setCurrentIndex(combo.findData(other)))
        _settle(w)
    if zoom:
        _post(beat, "zoom x4", lambda: w.canvas.zoom_by(4.0))
        _settle(w)
        _post(beat, "pan", lambda: w.canvas.pan_pixels(200, 120))
        _settle(w)
    edit = w.neighbourhoods.filter_edit
    for n in range(1, len(filter_text) + 1):
        _post(beat, "filter keystroke", lambda n=n: edit.setText(filter_text[:n]))
        _spin(300)
    beat.stop()
    w.cancel_tasks()
    w.session.undo_stack.setClean()
    w.close()
    return beat.worst


def large_project(n: int) -> Path:
    """A project on ``n`` synthetic tracts (cached in the temp folder) with a bus line."""
    folder = Path(tempfile.gettempdir()) / f"equityplanner-bench-{n}"
    project = folder / "large.eqp.json"
    if project.exists():
        return project
    folder.mkdir(parents=True, exist_ok=True)
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import LineString, Point

    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_map import synthetic_layer

    from equityplanner.io.project_file import save_project
    from equityplanner.model.project import (
        BaselineSource,
        Metadata,
        Mode,
        ProjectDocument,
        ServiceChange,
        Station,
        TransitProject,
    )

    geoms = gpd.GeoSeries(synthetic_layer(n, cell_m=250.0))
    xmin, ymin, xmax, ymax = geoms.total_bounds
    # Centred on Sacramento in UTM zone 10N.
    geoms = geoms.translate(630_000.0 - (xmin + xmax) / 2, 4_270_000.0 - (ymin + ymax) / 2)
    rng = np.random.default_rng(1)
    pop = rng.integers(800, 6000, size=len(geoms))
    frame = gpd.GeoDataFrame(
        {
            "GEOID": [f"06067{i:06d}" for i in range(len(geoms))],
            "total_population": pop,
            "nh_white": (pop * rng.uniform(0.1, 0.9, size=len(geoms))).astype(int),
            "below_200_poverty": (pop * rng.uniform(0.05, 0.6, size=len(geoms))).astype(int),
            "median_household_income": rng.integers(20_000, 150_000, size=len(geoms)),
        },
        geometry=geoms.to_numpy(),
        crs="EPSG:32610",
    )
    path = folder / "tracts.fgb"
    frame.to_file(path, engine="pyogrio")
    lonlat = frame.geometry.iloc[[len(frame) // 2, len(frame) // 2 + 40]].centroid.to_crs(4326)
    a, b = (lonlat.iloc[0].x, lonlat.iloc[0].y), (lonlat.iloc[1].x, lonlat.iloc[1].y)
    doc = ProjectDocument(
        metadata=Metadata(title=f"{n:,} synthetic tracts"),
        baseline=BaselineSource(neighbourhoods=str(path), id_column="GEOID"),
        projects=(
            TransitProject(
                "line",
                "Crosstown bus",
                Mode.BUS,
                ServiceChange.NEW,
                (Station("West", Point(a)), Station("East", Point(b))),
                alignment=LineString([a, b]),
            ),
        ),
    )
    return save_project(doc, project)


def _print_stalls(title: str, worst: dict[str, float], floor: float) -> None:
    print(f"\n== longest GUI stall: {title} (ms; floor, an idle empty window: {floor * 1000:.0f})")
    for step, gap in worst.items():
        print(f"  {step:24s} {gap * 1000:8.0f}")
    print(f"  {'longest':24s} {max(worst.values()) * 1000:8.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[240_000])
    parser.add_argument("--skip-start", action="store_true")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if not args.skip_start:
        bench_start(args.rounds)
    from equityplanner.app.main import create_application

    create_application()
    floor = floor_stall()
    _print_stalls(
        "the sample, open to results", stalls(SAMPLE, filter_text="0107", zoom=True), floor
    )
    for n in args.sizes:
        project = large_project(n)
        worst = stalls(project, filter_text="060670012", zoom=True)
        _print_stalls(f"{n:,} polygons", worst, floor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
