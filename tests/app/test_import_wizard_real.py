"""The import wizard on real files: GeoDa's Sacramento (2000 census) and Phoenix (ACS 2005-09).

A newcomer's path: choose the file, see the columns recognised with sample values, fix what
is not, attach margins, and be stopped, with the fix named, when the CRS cannot be right.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from helpers import shared_data
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from equityplanner.app.dialogs.import_wizard import ImportWizard


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


@pytest.fixture(scope="module")
def sacramento_frame() -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data("geoda-tracts", "sacramento1.gpkg"))


def _to_crs_page(wizard: ImportWizard, path: Path) -> None:
    wizard.files_page.polygon_edit.setText(str(path))
    _next(wizard)
    _next(wizard)
    _next(wizard)
    assert wizard.currentId() == ImportWizard.CRS_PAGE


def test_lonlat_file_declared_projected_is_refused_with_the_fix(
    wizard: ImportWizard, tmp_path: Path, sacramento_frame: gpd.GeoDataFrame
):
    path = tmp_path / "sacramento.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio: "'crs' was not provided"
        sacramento_frame.set_crs(None, allow_override=True).to_file(path, engine="pyogrio")
    _to_crs_page(wizard, path)
    page = wizard.crs_page
    assert not _next_enabled(wizard)  # no CRS yet

    page.crs_edit.setText("EPSG:26910")
    text = page.status_label.text()
    assert not _next_enabled(wizard)
    assert text.startswith("Refused: sacramento.shp")
    assert "look like longitude and latitude" in text and "403 neighbourhoods" in text
    assert "EPSG:4326" in text  # the fix

    page.crs_edit.setText("EPSG:4326")
    assert _next_enabled(wizard)
    assert "WGS 84" in page.status_label.text()
    _next(wizard)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert wizard.result_neighbourhoods().crs.to_epsg() == 4326


def test_a_wrong_crs_in_the_file_can_be_replaced(
    wizard: ImportWizard, tmp_path: Path, sacramento_frame: gpd.GeoDataFrame
):
    path = tmp_path / "sacramento_26910.gpkg"
    sacramento_frame.set_crs("EPSG:26910", allow_override=True).to_file(path, engine="pyogrio")
    _to_crs_page(wizard, path)
    page = wizard.crs_page
    assert "EPSG:26910" in page.file_crs_label.text()
    assert not _next_enabled(wizard)
    assert "the CRS the file declares" in page.status_label.text()
    page.crs_edit.setText("EPSG:4269")
    assert _next_enabled(wizard)
    assert "is used instead" in page.status_label.text()
    _next(wizard)
    neighbourhoods = wizard.result_neighbourhoods()
    assert neighbourhoods.crs.to_epsg() == 4269
    assert any("was used as requested" in w for w in wizard.check_page.problems())


def _row(wizard: ImportWizard, field: str) -> dict[str, str]:
    page = wizard.mapping_page
    table = page.mapping_table
    fields = [table.item(r, 0).toolTip().split(" ")[0] for r in range(table.rowCount())]
    row = fields.index(field)
    return {
        "source": page.field_combo(field).currentText(),
        "margins": table.item(row, page.MARGINS).text(),
        "found_by": table.item(row, page.ORIGIN).text(),
        "sample": table.item(row, page.SAMPLE).text(),
    }


def _choose(wizard: ImportWizard, field: str, text: str, *, margin: bool = False) -> None:
    page = wizard.mapping_page
    combo = page.margin_combo(field) if margin else page.field_combo(field)
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


def test_geoda_sacramento_is_recognised_with_sample_values(wizard: ImportWizard):
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "sacramento1.gpkg")))
    _next(wizard)
    assert wizard.preview_page.id_combo.currentText() == "FIPS"
    _next(wizard)
    expected = {
        "total_population": ("TOT_POP", "5,501 · 2,072 · 3,633"),
        "nh_white": ("WHITE", "4,961 · 1,603 · 1,624"),
        "hispanic": ("HISP", "336 · 391 · 1,918"),
        "poverty_universe": ("POV_POP", "5,461 · 2,052 · 3,604"),
        "below_poverty": ("POV_TOT", "470 · 160 · 668"),
        "median_household_income": ("HH_INC", "52,941 · 51,958 · 32,992"),
        "age_65_plus": ("POP_65", "518 · 109 · 126"),
        "nh_black": ("BLACK", "29 · 0 · 9"),
    }
    for field, (column, sample) in expected.items():
        row = _row(wizard, field)
        assert row["source"] == f"Detected: {column}", field
        assert row["sample"] == sample, field
    assert _row(wizard, "nh_white")["found_by"] == "GeoDa column name"
    # Every column offered shows its first values beside it (drawn by the combo's delegate).
    combo = wizard.mapping_page.field_combo("households")
    index = combo.findText("POV_POP")
    assert combo.itemData(index, Qt.ItemDataRole.UserRole + 7) == "5461 · 2052 · 3604"
    _next(wizard)
    _next(wizard)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    nb = wizard.result_neighbourhoods()
    assert len(nb.frame) == 403 and float(nb.frame["total_population"].sum()) == 1_796_857
    assert wizard.result_source().mapping == {}  # nothing mapped by hand


def test_phoenix_rates_converted_and_margins_attached(wizard: ImportWizard):
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "phoenix_acs.gpkg")))
    _next(wizard)
    _next(wizard)
    white = _row(wizard, "nh_white")
    assert white["source"] == "Detected: white_rt"
    assert white["found_by"] == "rate of total population"
    assert white["sample"] == "≈ 6,680 · 723 · 2,713"  # pop x white_rt / 100, not 55, 67, 61

    # Per-capita income with its ACS margin: the margin column is found by its name.
    _choose(wizard, "median_household_income", "inc")
    assert _row(wizard, "median_household_income")["margins"] == "inc_error"
    _choose(wizard, "median_household_income", "none", margin=True)
    assert _row(wizard, "median_household_income")["margins"] == "none found"
    _choose(wizard, "median_household_income", "inc_error", margin=True)
    assert _row(wizard, "median_household_income")["margins"] == "inc_error"

    # A percentage for a field with no total to convert it with is refused, with the reason.
    _choose(wizard, "renter_households", "renter_rt")
    assert not _next_enabled(wizard)
    message = wizard.mapping_page.message_label.text()
    assert "renter_rt holds a rate or percentage of Households" in message
    assert "map Households" in message
    _choose(wizard, "renter_households", "— not mapped —")
    # A percentage is never taken as a count: as households (no total of its own) it is refused.
    _choose(wizard, "households", "white_rt")
    assert not _next_enabled(wizard)
    assert "white_rt holds a rate or percentage, not a count of households" in (
        wizard.mapping_page.message_label.text()
    )
    _choose(wizard, "households", "— not mapped —")
    assert _next_enabled(wizard)
    _next(wizard)
    _next(wizard)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    nb = wizard.result_neighbourhoods()
    assert nb.mapping["median_household_income"].moe_columns == ("inc_error",)
    assert nb.moe["median_household_income"].iloc[0] == 766.0
    assert nb.frame["nh_white"].iloc[0] == pytest.approx(12149 * 54.983949 / 100)
    assert any("read as percentages of Total population" in w for w in nb.warnings)
    saved = wizard.result_source().mapping
    assert saved == {"median_household_income": {"estimate": ["inc"], "moe": ["inc_error"]}}
    full = wizard.result_source(full_mapping=True).mapping
    assert full["nh_white"] == {"rate": "white_rt", "per": 0.0}


def test_choosing_a_rate_column_converts_it(wizard: ImportWizard):
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "phoenix_acs.gpkg")))
    _next(wizard)
    _next(wizard)
    _choose(wizard, "hispanic", "— not mapped —")
    _choose(wizard, "hispanic", "hisp_rt")
    row = _row(wizard, "hispanic")
    assert row["found_by"] == "rate of total population" and row["sample"].startswith("≈ 3,288")
    assert wizard.result_source().mapping["hispanic"] == {"rate": "hisp_rt"}
    _next(wizard)
    _next(wizard)
    assert wizard.result_neighbourhoods().frame["hispanic"].iloc[0] == pytest.approx(
        12149 * 27.063956 / 100
    )


def test_the_previous_mapping_carries_to_the_next_vintage(qtbot, tmp_path: Path):
    from shapely.geometry import box

    from equityplanner.model.project import BaselineSource

    def layer(year: str) -> Path:
        frame = gpd.GeoDataFrame(
            {
                "GEOID": ["1", "2", "3"],
                f"persons{year}": [1200, 2300, 900],
                f"anglo{year}": [600, 1000, 300],
            },
            geometry=[box(-121.5 + 0.02 * i, 38.5, -121.48 + 0.02 * i, 38.52) for i in range(3)],
            crs="EPSG:4326",
        )
        path = tmp_path / f"tracts{year}.gpkg"
        frame.to_file(path, engine="pyogrio")
        return path

    old = layer("00")
    new = layer("10")
    source = BaselineSource(
        neighbourhoods=str(old), mapping={"total_population": "persons00", "nh_white": "anglo00"}
    )
    wizard = ImportWizard(source=source)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.files_page.polygon_edit.setText(str(new))  # the next vintage
    _next(wizard)
    _next(wizard)
    page = wizard.mapping_page
    assert not _next_enabled(wizard)  # its own names are not recognised
    assert page.previous_button.isVisible()
    page.previous_button.click()
    assert _row(wizard, "total_population")["source"] == "persons10"
    assert _row(wizard, "nh_white")["source"] == "anglo10"
    assert "persons00 read as persons10" in page.note_label.text()
    assert _next_enabled(wizard)
    _next(wizard)
    _next(wizard)
    assert wizard.result_neighbourhoods().frame["nh_white"].tolist() == [600.0, 1000.0, 300.0]
    assert wizard.result_source().mapping == {
        "total_population": "persons10",
        "nh_white": "anglo10",
    }


def test_population_weights_step_previews_and_reads_points(
    wizard: ImportWizard, tmp_path: Path, sacramento_frame: gpd.GeoDataFrame
):
    # Block-like points: one inside each tract, carrying its population as POP20.
    points = gpd.GeoDataFrame(
        {"GEOID20": sacramento_frame["FIPS"] + "1000", "POP20": sacramento_frame["TOT_POP"]},
        geometry=sacramento_frame.geometry.representative_point(),
        crs=sacramento_frame.crs,
    )
    blocks = tmp_path / "blocks.gpkg"
    points.to_file(blocks, engine="pyogrio")
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "sacramento1.gpkg")))
    for _ in range(4):
        _next(wizard)
    assert wizard.currentId() == ImportWizard.CHECK_PAGE
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # weights are optional
    _next(wizard)
    assert wizard.currentId() == ImportWizard.WEIGHTS_PAGE
    page = wizard.weights_page
    page.path_edit.setText(str(blocks))
    assert page.count_combo.currentText() == "POP20"  # found by its name
    assert page.id_combo.currentText() == "GEOID20"
    model = page.preview_view.model()
    assert model.rowCount() > 0 and model.headerData(1, Qt.Orientation.Horizontal) == "POP20"
    assert "Read as points" in page.summary_label.text()
    page.read_button.click()
    assert "403 census blocks (POP20, 1,796,857 in all)" in page.summary_label.text()
    assert wizard.result_weights_points().total == 1_796_857
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.weights_visited
    from equityplanner.model.project import WeightsSource

    assert wizard.result_weights() == WeightsSource(path=str(blocks))


def test_a_wrong_count_column_is_said_with_the_fix(
    wizard: ImportWizard, tmp_path: Path, sacramento_frame: gpd.GeoDataFrame
):
    points = gpd.GeoDataFrame(
        {"label": ["a"] * len(sacramento_frame), "homes": 0},
        geometry=sacramento_frame.geometry.representative_point(),
        crs=sacramento_frame.crs,
    )
    path = tmp_path / "points.gpkg"
    points.to_file(path, engine="pyogrio")
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "sacramento1.gpkg")))
    for _ in range(5):
        _next(wizard)
    page = wizard.weights_page
    page.path_edit.setText(str(path))
    assert page.count_combo.currentData() is None and not page.read_button.isEnabled()
    page.count_combo.setCurrentIndex(page.count_combo.findText("homes"))
    page.read_button.click()
    assert "points.gpkg: has no one in it: every homes is 0" in page.message_label.text()
    assert "Choose the count column with the people" in page.message_label.text()
    assert wizard.result_weights_points() is None


def test_a_large_layer_is_checked_in_a_worker(
    qtbot, wizard: ImportWizard, tmp_path: Path, sacramento_frame: gpd.GeoDataFrame, monkeypatch
):
    from equityplanner.app.dialogs.import_wizard import _CheckPage

    monkeypatch.setattr(_CheckPage, "READ_IN_WORKER_FEATURES", 0)
    wizard.files_page.polygon_edit.setText(str(shared_data("geoda-tracts", "sacramento1.gpkg")))
    for _ in range(3):
        _next(wizard)
    page = wizard.check_page
    with qtbot.waitSignal(page.checked, timeout=30_000):
        _next(wizard)
        assert page.reading and not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert "403 neighbourhoods imported" in page.summary_label.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    # A problem found in the worker is listed as one found on the GUI thread would be.
    duplicated = sacramento_frame.copy()
    duplicated.loc[1, "FIPS"] = duplicated.loc[0, "FIPS"]
    path = tmp_path / "duplicated.gpkg"
    duplicated.to_file(path, engine="pyogrio")
    wizard.back()
    wizard.back()
    wizard.back()
    wizard.back()
    wizard.files_page.polygon_edit.setText(str(path))
    for _ in range(3):
        _next(wizard)
    with qtbot.waitSignal(page.checked, timeout=30_000):
        _next(wizard)
    assert "The import failed" in page.summary_label.text()
    assert any("appear more than once" in line for line in page.problems())
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
