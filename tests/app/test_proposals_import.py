"""Importing proposals drawn elsewhere (issue 11 item 6): the field-mapping step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import inside_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from equityplanner.app.dialogs.proposals_import import ProposalsImportDialog
from equityplanner.app.main_window import MainWindow
from equityplanner.errors import InputError
from equityplanner.io.project_file import load_project
from equityplanner.io.projects import FieldMapping, read_layer_features, read_projects
from equityplanner.model.project import HousingProject, Mode, TransitProject


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _line(coords, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": props,
    }


def _point(xy, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(xy)},
        "properties": props,
    }


def test_a_line_drawn_elsewhere_fails_without_a_mapping_and_reads_with_one(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "qgis_line.geojson",
        [_line([[-86.8, 33.5], [-86.7, 33.52]], id=1, Name="Route 9", HW="10")],
    )
    with pytest.raises(InputError, match="has no project_id"):
        read_projects(path)
    mapping = FieldMapping(
        kind="transit", name_field="Name", fields={"peak_headway_min": "HW"}, values={"mode": "bus"}
    )
    [line] = read_projects(path, mapping)
    assert isinstance(line, TransitProject)
    assert (line.id, line.name, line.mode, line.peak_headway_min) == (
        "route-9",
        "Route 9",
        Mode.BUS,
        10.0,
    )
    assert [s.name for s in line.stations] == ["Terminus A", "Terminus B"]
    assert line.alignment is not None and line.alignment.length > 0
    with pytest.raises(InputError, match="has no field 'NAME'"):
        read_projects(path, FieldMapping(kind="transit", name_field="NAME"))


def test_points_grouped_by_a_field_become_sites_with_their_units(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sites.geojson",
        [
            _point((-86.80, 33.50), site="Elm", homes=40),
            _point((-86.81, 33.51), site="Oak", homes=60),
        ],
    )
    mapping = FieldMapping(
        kind="housing", project_field="site", name_field="site", fields={"total_units": "homes"}
    )
    elm, oak = read_projects(path, mapping)
    assert isinstance(elm, HousingProject) and isinstance(oak, HousingProject)
    assert (elm.id, elm.name, elm.total_units, oak.total_units) == ("elm", "Elm", 40, 60)
    assert elm.units_by_band["market"] == 40, "not split by band: market rate until set"


def test_importing_a_line_from_another_gis_asks_for_the_mapping(
    qtbot, opened: MainWindow, project_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened
    a, b = inside_point(w, 0), inside_point(w, 3)
    path = _write(
        tmp_path / "drawn_in_qgis.geojson",
        [
            _line([list(a), list(b)], fid=1, LINE_NAME="Crosstown BRT"),
            _point(a, fid=2, STOP="First Street"),
            _point(b, fid=3, STOP="Last Street"),
        ],
    )
    seen: list[ProposalsImportDialog] = []

    def run(self: ProposalsImportDialog) -> int:
        seen.append(self)
        assert self.transit_radio.isChecked(), "lines: transit"
        assert "Makes 1 project(s)" in self.message_label.text()
        self.name_combo.setCurrentIndex(self.name_combo.findData("LINE_NAME"))
        self.station_combo.setCurrentIndex(self.station_combo.findData("STOP"))
        assert "Crosstown BRT (2 stations, BRT, new)" in self.message_label.text()
        self.housing_radio.setChecked(True)  # a line is no housing site: file, fault, fix
        message = self.message_label.text()
        assert "drawn_in_qgis.geojson" in message and "needs exactly one site" in message
        assert not self.button_box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        self.transit_radio.setChecked(True)
        self.grouping_combo.setCurrentIndex(0)
        self.show()
        qtbot.mouseClick(
            self.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
        return self.result()

    monkeypatch.setattr(ProposalsImportDialog, "exec", run)
    before = len(w.session.document.projects)
    ids = w.import_projects(path)
    assert len(seen) == 1 and len(ids) == 1
    line = w.session.document.projects[-1]
    assert isinstance(line, TransitProject) and line.name == "Crosstown BRT"
    assert [s.name for s in line.stations] == ["First Street", "Last Street"]
    assert w.state.selection.project_id == ids[0]
    assert w.files.save()
    saved = load_project(project_file)
    assert len(saved.projects) == before + 1 and saved.projects[-1].name == "Crosstown BRT"


def test_cancelling_the_mapping_imports_nothing(
    opened: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "line.geojson", [_line([[-86.8, 33.5], [-86.7, 33.52]])])
    monkeypatch.setattr(ProposalsImportDialog, "exec", lambda self: 0)
    before = opened.session.document
    assert opened.import_projects(path) == []
    assert opened.session.document == before
    assert read_layer_features(path)[0]["geometry"]["type"] == "LineString"
