"""The window keeps answering on large layers: the map's picture drawn in slices from rings
prepared on a thread, the table sorted and searched with numpy (on a thread when long).

The sample is small; these tests lower the thresholds so that it takes the large-layer paths,
and check that what those paths show is what the direct ones show. Speed itself is measured
in benchmarks/bench_app.py, not here.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from equityplanner.app.main_window import MainWindow
from equityplanner.app.map_canvas import ChoroplethItem, split_rings
from equityplanner.app.table_models import NeighbourhoodFilterModel
from equityplanner.render.geometry import Rings, rings_of


def _grab(w: MainWindow) -> np.ndarray:
    image = w.canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    height, stride = image.height(), image.bytesPerLine()
    return np.frombuffer(image.constBits(), dtype=np.uint8).reshape(height, stride).copy()


def test_split_rings_keeps_holes_with_their_polygon():
    from shapely.geometry import Polygon, box

    donut = Polygon(box(0, 0, 10, 10).exterior.coords, [box(3, 3, 6, 6).exterior.coords])
    rings = rings_of([donut, box(20, 0, 30, 10), box(40, 0, 50, 10)])
    pieces = split_rings(rings, 4, at_exteriors=True)
    assert sum(p.coords.shape[0] for p in pieces) == rings.coords.shape[0]
    # The donut's hole never starts a piece: its first piece holds both of its rings.
    assert pieces[0].starts.tolist() == [0, 5]
    assert len(pieces) == 3
    lines = split_rings(Rings.of_line([(0, 0), (1, 1)]), 1, at_exteriors=False)
    assert len(lines) == 1


def test_a_large_layer_is_drawn_in_slices_like_a_small_one(
    qtbot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
):
    canvas = opened.canvas
    canvas.viewport().repaint()
    direct = _grab(opened)
    monkeypatch.setattr(ChoroplethItem, "PROGRESSIVE_VERTICES", 0)
    monkeypatch.setattr(ChoroplethItem, "SLICE_VERTICES", 200)  # many slices
    layer = canvas.layer
    canvas.set_layer(None)
    canvas.set_layer(layer, zoom=False)
    opened.map_panel._shade()
    item = canvas.choropleth
    assert item is not None and item.progressive
    canvas.viewport().repaint()
    qtbot.waitUntil(lambda: not item.drawing, timeout=20_000)
    canvas.viewport().repaint()
    sliced = _grab(opened)
    assert np.abs(sliced.astype(int) - direct.astype(int)).mean() < 1.0
    # A new shading keeps the old picture in place until the new one is complete.
    combo = opened.map_panel.field_combo
    keys = [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i)]
    other = keys[1] if combo.currentData() == keys[0] else keys[0]
    combo.setCurrentIndex(combo.findData(other))
    canvas.viewport().repaint()
    assert item.drawing and item.last_paint_stats.get("pending") == 1.0
    qtbot.waitUntil(lambda: not item.drawing, timeout=20_000)
    canvas.viewport().repaint()
    assert np.abs(_grab(opened).astype(int) - sliced.astype(int)).mean() > 0.5


def test_a_long_table_is_searched_on_a_thread(
    qtbot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
):
    table = opened.neighbourhoods
    name = table.model.index(3, 1).data()
    table.filter_edit.setText(name)
    expected = table.proxy.rowCount()
    table.filter_edit.clear()
    monkeypatch.setattr(NeighbourhoodFilterModel, "ASYNC_ROWS", 0)
    with qtbot.waitSignal(table.proxy.filtered, timeout=10_000):
        table.filter_edit.setText(name[:2])
        table.filter_edit.setText(name)  # typed on: the last text wins
    qtbot.waitUntil(lambda: not table.proxy.searching, timeout=10_000)
    assert table.proxy.rowCount() == expected
    assert table.count_label.text().startswith(f"{expected:,} of ")


def test_the_table_proxy_passes_the_model_tester(qtmodeltester, opened: MainWindow):
    proxy = NeighbourhoodFilterModel()
    proxy.setSourceModel(opened.neighbourhoods.model)
    proxy.sort(
        opened.neighbourhoods.model.column_of("total_population"), Qt.SortOrder.DescendingOrder
    )
    qtmodeltester.check(proxy)


def test_a_large_import_is_prepared_in_a_worker(
    qtbot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
):
    from helpers import shared_data
    from PySide6.QtWidgets import QWizard

    import equityplanner.app.main_window as main_window
    from equityplanner.app.dialogs import ImportWizard

    sacramento = shared_data("geoda-tracts", "sacramento1.gpkg")

    def drive(wizard: ImportWizard) -> int:
        wizard.files_page.polygon_edit.setText(str(sacramento))
        wizard.show()
        for _ in range(4):  # every column is recognised: no mapping by hand
            wizard.button(QWizard.WizardButton.NextButton).click()
        assert wizard.currentId() == ImportWizard.CHECK_PAGE, wizard.check_page.problems()
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    monkeypatch.setattr(ImportWizard, "exec", drive)
    monkeypatch.setattr(main_window, "IMPORT_IN_WORKER_ROWS", 0)
    with qtbot.waitSignal(opened.baseline_loaded, timeout=30_000):
        opened.import_neighbourhoods()
        assert opened.canvas.layer is None or opened.canvas.layer.count != 403  # not yet
    assert opened.canvas.layer is not None and opened.canvas.layer.count == 403
    assert opened.neighbourhoods.model.rowCount() == 403
    assert opened.session.document.baseline.neighbourhoods == str(sacramento)
