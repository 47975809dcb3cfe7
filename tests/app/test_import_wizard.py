"""The neighbourhood import wizard, driven page by page as a user would."""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from PySide6.QtWidgets import QWizard
from shapely.geometry import box

from equityplanner.app.dialogs.import_wizard import ImportWizard
from equityplanner.io.columns import apply_user_mapping
from equityplanner.model.project import BaselineSource

GEOIDS = ["17031010100", "17031010201", "17031010202", "17031010300"]


def _squares() -> list:
    # A 2 x 2 block of squares around Chicago, in degrees (NAD83).
    return [
        box(
            -87.70 + 0.01 * (i % 2),
            41.90 + 0.01 * (i // 2),
            -87.69 + 0.01 * (i % 2),
            41.91 + 0.01 * (i // 2),
        )
        for i in range(4)
    ]


def _shapes(crs: str | None = "EPSG:4269") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"GEOID": GEOIDS, "NAMELSAD": [f"Census Tract {g[-6:]}" for g in GEOIDS]},
        geometry=_squares(),
        crs=crs,
    )


def _acs(**overrides: list[str]) -> pd.DataFrame:
    table = {
        "GEOID": GEOIDS,
        "B03002_001E": ["1000", "2000", "1500", "800"],
        "B03002_001M": ["100", "150", "120", "90"],
        "B03002_003E": ["600", "800", "300", "100"],
        "B03002_003M": ["60", "90", "40", "30"],
        "B03002_004E": ["200", "900", "1000", "600"],
        "B03002_004M": ["40", "100", "110", "80"],
        "B11001_001E": ["400", "800", "600", "300"],
        "B11001_001M": ["30", "50", "45", "35"],
        "B19013_001E": ["52000", "38000", "29000", "61000"],
        "B19013_001M": ["4000", "5000", "3900", "7000"],
        "C17002_001E": ["990", "1950", "1480", "790"],
        "C17002_001M": ["99", "140", "120", "90"],
        "C17002_002E": ["10", "100", "200", "20"],
        "C17002_002M": ["3", "30", "40", "8"],
        "C17002_003E": ["20", "150", "250", "10"],
        "C17002_003M": ["4", "35", "45", "5"],
        "HH_TOTAL": ["410", "790", "610", "290"],
        "HH_TOTAL_moe": ["31", "52", "44", "36"],
    }
    table.update(overrides)
    return pd.DataFrame(table)


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "tracts.gpkg"
    _shapes().to_file(path, engine="pyogrio")
    return path


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "acs.csv"
    _acs().to_csv(path, index=False)
    return path


@pytest.fixture
def wizard(qtbot) -> ImportWizard:
    widget = ImportWizard()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _next(wizard: ImportWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled(), f"Next is disabled on page {wizard.currentId()}"
    button.click()


def _next_enabled(wizard: ImportWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def _finish_enabled(wizard: ImportWizard) -> bool:
    return wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def _choose_files(wizard: ImportWizard, polygons: Path, table: Path | None) -> None:
    assert wizard.currentId() == ImportWizard.FILES_PAGE
    wizard.files_page.polygon_edit.setText(str(polygons))
    if table is not None:
        wizard.files_page.table_edit.setText(str(table))


def _choose(wizard: ImportWizard, field: str, text: str) -> None:
    combo = wizard.mapping_page.field_combo(field)
    index = combo.findText(text)
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert index >= 0, f"{text!r} not offered for {field}: {offered}"
    combo.setCurrentIndex(index)


def _mapping_row(wizard: ImportWizard, field: str) -> tuple[str, str, str]:
    page = wizard.mapping_page
    table = page.mapping_table
    fields = [table.item(r, 0).toolTip().split(" ")[0] for r in range(table.rowCount())]
    row = fields.index(field)
    return (
        page.field_combo(field).currentText(),
        page.mapping_table.item(row, page.MARGINS).text(),
        page.mapping_table.item(row, page.ORIGIN).text(),
    )


def test_imports_acs_files_through_every_page(wizard: ImportWizard, gpkg: Path, csv: Path):
    _choose_files(wizard, gpkg, csv)
    assert not wizard.files_page.layer_combo.isEnabled()  # a single layer: nothing to choose
    _next(wizard)

    assert wizard.currentId() == ImportWizard.PREVIEW_PAGE
    assert wizard.preview_page.id_combo.currentText() == "GEOID"
    assert wizard.preview_page.table_id_combo.currentText() == "GEOID"
    model = wizard.preview_page.table_view.model()
    assert model.rowCount() == 4
    assert model.index(0, 0).data() == GEOIDS[0]  # leading digits kept as text
    _next(wizard)

    assert wizard.currentId() == ImportWizard.MAPPING_PAGE
    assert _mapping_row(wizard, "total_population") == (
        "Detected: B03002_001E",
        "B03002_001M",
        "ACS variables",
    )
    assert _mapping_row(wizard, "below_poverty") == (
        "Detected: C17002_002E + C17002_003E",
        "C17002_002M + C17002_003M",
        "ACS variables",
    )
    assert _mapping_row(wizard, "hispanic") == ("— not mapped —", "", "")
    label = wizard.mapping_page.mapping_table.item(0, 0)
    assert label.text() == "Total population *"  # required fields are marked
    _next(wizard)

    assert wizard.currentId() == ImportWizard.CRS_PAGE
    assert "EPSG:4269" in wizard.crs_page.file_crs_label.text()
    _next(wizard)

    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert _finish_enabled(wizard)
    assert "4 neighbourhoods imported" in wizard.check_page.summary_label.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted

    source = wizard.result_source()
    assert source == BaselineSource(neighbourhoods=str(gpkg), table=str(csv))
    neighbourhoods = wizard.result_neighbourhoods()
    assert list(neighbourhoods.frame["id"]) == GEOIDS
    assert neighbourhoods.crs.to_epsg() == 4269
    assert neighbourhoods.mapping["below_poverty"].estimate_columns == (
        "C17002_002E",
        "C17002_003E",
    )
    assert "below_poverty" in neighbourhoods.moe.columns


def test_overrides_are_the_mapping_saved(wizard: ImportWizard, gpkg: Path, csv: Path):
    _choose_files(wizard, gpkg, csv)
    _next(wizard)
    _next(wizard)
    _choose(wizard, "households", "HH_TOTAL")
    _choose(wizard, "nh_black", "— not mapped —")
    assert _mapping_row(wizard, "households") == ("HH_TOTAL", "HH_TOTAL_moe", "your choice")
    assert _mapping_row(wizard, "nh_black") == ("— not mapped —", "", "")
    _next(wizard)
    _next(wizard)
    assert _finish_enabled(wizard)

    source = wizard.result_source()
    assert source.mapping == {"households": "HH_TOTAL", "nh_black": None}
    neighbourhoods = wizard.result_neighbourhoods()
    assert "nh_black" not in neighbourhoods.fields
    assert neighbourhoods.frame["households"].tolist() == [410.0, 790.0, 610.0, 290.0]
    assert neighbourhoods.moe["households"].tolist() == [31.0, 52.0, 44.0, 36.0]

    # The full form pins every field and gives the same mapping when read back.
    full = wizard.result_source(full_mapping=True).mapping
    assert full["households"] == {"estimate": ["HH_TOTAL"], "moe": ["HH_TOTAL_moe"]}
    assert full["nh_black"] is None and full["hispanic"] is None
    pinned = apply_user_mapping([*_acs().columns, "NAMELSAD"], {}, full)
    assert pinned == {
        name: replace(source, origin="user") for name, source in neighbourhoods.mapping.items()
    }


def test_clearing_a_required_field_blocks_next(wizard: ImportWizard, gpkg: Path, csv: Path):
    _choose_files(wizard, gpkg, csv)
    _next(wizard)
    _next(wizard)
    _choose(wizard, "total_population", "— not mapped —")
    assert not _next_enabled(wizard)
    assert "Total population" in wizard.mapping_page.message_label.text()
    wizard.mapping_page.reset_button.click()
    assert _next_enabled(wizard)


def test_file_without_crs_needs_one(wizard: ImportWizard, tmp_path: Path, csv: Path):
    path = tmp_path / "tracts.fgb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio: "'crs' was not provided"
        _shapes(crs=None).to_file(path, engine="pyogrio")
    _choose_files(wizard, path, csv)
    _next(wizard)
    _next(wizard)
    _next(wizard)

    assert wizard.currentId() == ImportWizard.CRS_PAGE
    assert "none" in wizard.crs_page.file_crs_label.text()
    assert not _next_enabled(wizard)
    wizard.crs_page.crs_edit.setText("EPSG:not-a-code")
    assert not _next_enabled(wizard)
    assert "not a coordinate reference system" in wizard.crs_page.status_label.text()
    wizard.crs_page.crs_edit.setText("EPSG:4269")
    assert _next_enabled(wizard)
    assert "NAD83" in wizard.crs_page.status_label.text()
    _next(wizard)

    assert _finish_enabled(wizard)
    assert wizard.result_source().crs == "EPSG:4269"
    assert wizard.result_neighbourhoods().crs.to_epsg() == 4269


def test_duplicate_geoid_is_listed_and_blocks_finish(
    wizard: ImportWizard, gpkg: Path, tmp_path: Path
):
    table = _acs()
    table.loc[2, "GEOID"] = GEOIDS[1]
    path = tmp_path / "duplicates.csv"
    table.to_csv(path, index=False)
    _choose_files(wizard, gpkg, path)
    for _ in range(4):
        _next(wizard)

    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert not _finish_enabled(wizard)
    problems = wizard.check_page.problems()
    assert problems[0] == "duplicates.csv: 1 id(s) appear more than once"
    assert any("row 2" in line and "row 3" in line and GEOIDS[1] in line for line in problems)
    assert any(line.strip().startswith("What to do:") for line in problems)
    assert "failed" in wizard.check_page.summary_label.text()
    with pytest.raises(RuntimeError):
        wizard.result_neighbourhoods()

    # Correcting the file and checking again enables Finish.
    _acs().to_csv(path, index=False)
    wizard.check_page.recheck_button.click()
    assert _finish_enabled(wizard)


def test_warnings_are_listed(wizard: ImportWizard, gpkg: Path, tmp_path: Path):
    path = tmp_path / "gaps.csv"
    _acs(B19013_001E=["52000", "-", "29000", "61000"]).to_csv(path, index=False)
    _choose_files(wizard, gpkg, path)
    for _ in range(4):
        _next(wizard)
    assert _finish_enabled(wizard)
    problems = wizard.check_page.problems()
    assert len(problems) == 1
    assert "B19013_001E" in problems[0] and "row 2" in problems[0]


def test_layer_chooser_for_multi_layer_geopackage(wizard: ImportWizard, tmp_path: Path, csv: Path):
    path = tmp_path / "layers.gpkg"
    _shapes().to_file(path, layer="counties", engine="pyogrio")
    _shapes().to_file(path, layer="tracts", engine="pyogrio")
    _choose_files(wizard, path, csv)
    combo = wizard.files_page.layer_combo
    assert combo.isEnabled()
    assert [combo.itemText(i) for i in range(combo.count())] == ["counties", "tracts"]
    combo.setCurrentText("tracts")
    for _ in range(4):
        _next(wizard)
    assert _finish_enabled(wizard)
    assert wizard.result_source().layer == "tracts"


def test_unsupported_or_missing_file_keeps_next_disabled(wizard: ImportWizard, tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text("not polygons")
    wizard.files_page.polygon_edit.setText(str(other))
    assert not _next_enabled(wizard)
    assert "not a supported polygon format" in wizard.files_page.message_label.text()
    wizard.files_page.polygon_edit.setText(str(tmp_path / "missing.gpkg"))
    assert not _next_enabled(wizard)
    assert "file not found" in wizard.files_page.message_label.text()


def test_starts_from_an_existing_source(qtbot, gpkg: Path, csv: Path):
    source = BaselineSource(
        neighbourhoods=str(gpkg),
        table=str(csv),
        mapping={"households": "HH_TOTAL", "below_poverty": ["C17002_002E"]},
    )
    wizard = ImportWizard(source=source)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(wizard)
    _next(wizard)
    assert _mapping_row(wizard, "households")[0] == "HH_TOTAL"
    assert _mapping_row(wizard, "below_poverty")[0] == "From the project: C17002_002E"
    _next(wizard)
    _next(wizard)
    assert _finish_enabled(wizard)
    assert wizard.result_source() == source


def test_zipped_shapefile(wizard: ImportWizard, tmp_path: Path, csv: Path):
    folder = tmp_path / "tl_2023_17_tract"
    folder.mkdir()
    _shapes().to_file(folder / "tl_2023_17_tract.shp", engine="pyogrio")
    archive = tmp_path / "tl_2023_17_tract.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, f"tl_2023_17_tract/{file.name}")
    _choose_files(wizard, archive, csv)
    assert wizard.files_page.layer_combo.currentText() == "tl_2023_17_tract"
    for _ in range(4):
        _next(wizard)
    assert _finish_enabled(wizard)
    assert wizard.result_source().layer is None
    assert len(wizard.result_neighbourhoods().frame) == 4


def test_going_back_to_another_table_detects_its_columns(
    wizard: ImportWizard, gpkg: Path, csv: Path, tmp_path: Path
):
    _choose_files(wizard, gpkg, csv)
    _next(wizard)
    _next(wizard)
    _choose(wizard, "households", "HH_TOTAL")
    wizard.button(QWizard.WizardButton.BackButton).click()
    wizard.button(QWizard.WizardButton.BackButton).click()
    other = tmp_path / "renamed.csv"
    _acs().rename(columns={"GEOID": "GEO_ID", "HH_TOTAL": "households"}).to_csv(other, index=False)
    wizard.files_page.table_edit.setText(str(other))
    _next(wizard)
    assert wizard.preview_page.table_id_combo.currentText() == "GEO_ID"
    _next(wizard)
    # The new columns are detected afresh; the old override does not survive.
    assert _mapping_row(wizard, "households")[0] == "Detected: B11001_001E"
    _next(wizard)
    _next(wizard)
    assert _finish_enabled(wizard)
    assert wizard.result_source() == BaselineSource(neighbourhoods=str(gpkg), table=str(other))


def test_another_citys_polygons_forget_the_given_files_choices(
    qtbot, gpkg: Path, csv: Path, tmp_path: Path
):
    """Regression: re-importing for another city pre-filled the previous city's table."""
    given = BaselineSource(
        neighbourhoods=str(gpkg),
        table=str(csv),
        id_column="GEOID",
        table_id_column="GEOID",
        crs="EPSG:4269",
        mapping={"households": "HH_TOTAL"},
    )
    wizard = ImportWizard(source=given)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.files_page.table_edit.text() == str(csv)
    other_city = tmp_path / "elsewhere" / "tracts.gpkg"
    other_city.parent.mkdir()
    _shapes().rename(columns={"GEOID": "FIPS"}).to_file(other_city, engine="pyogrio")

    wizard.files_page.polygon_edit.setText(str(other_city))
    assert wizard.files_page.table_edit.text() == ""
    note = wizard.files_page.note_label
    assert note.isVisible() and "acs.csv" in note.text() and "cleared" in note.text()
    _next(wizard)
    assert wizard.preview_page.id_combo.currentText() == "FIPS"
    _next(wizard)
    # Nothing chosen for the first city's columns is offered as the project's choice.
    assert _mapping_row(wizard, "households")[0] == "— not mapped —"
    assert not _next_enabled(wizard), "the polygons alone have no population"
    assert wizard.result_source() == BaselineSource(neighbourhoods=str(other_city))


def test_the_same_polygons_keep_the_given_table(qtbot, gpkg: Path, csv: Path):
    wizard = ImportWizard(source=BaselineSource(neighbourhoods=str(gpkg), table=str(csv)))
    qtbot.addWidget(wizard)
    wizard.files_page.polygon_edit.setText(str(gpkg.parent / "." / gpkg.name))
    assert wizard.files_page.table_edit.text() == str(csv)
    assert not wizard.files_page.note_label.isVisible()
