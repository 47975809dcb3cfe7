"""Choosing an access indicator shades the map by the change in access."""

from __future__ import annotations

import numpy as np
import pandas as pd

from equityplanner.app.presentation import available_fields, field_for_indicator, field_values
from equityplanner.model.results import ProposalResult


def _result() -> ProposalResult:
    access = pd.DataFrame(
        {
            "id": ["B", "A"],
            "jobs_45min_before": [0.0, 10.0],
            "jobs_45min_after": [5.0, 40.0],
            "jobs_45min_change": [5.0, 30.0],
        }
    )
    return ProposalResult(
        "u",
        "U",
        "project",
        ("u",),
        True,
        [],
        pd.DataFrame({"id": []}),
        pd.DataFrame(),
        None,
        access=access,
    )


def test_access_change_is_a_map_field_found_from_its_indicator():
    table = pd.DataFrame({"id": ["A", "B", "C"], "total_population": [1.0, 1.0, 1.0]})
    fields = available_fields(table, result=_result())
    field = field_for_indicator("title_vi.access.jobs_45min.disparate_impact", fields)
    assert field is not None and field.key == "jobs_45min_change" and field.source == "access"
    assert field_for_indicator("access.jobs_45min.minority", fields) == field
    values = field_values(field, table, result=_result())
    assert values[:2].tolist() == [30.0, 5.0] and np.isnan(values[2])


def test_import_wizard_opens_on_the_projects_own_files(qtbot, monkeypatch):
    """The wizard gets the baseline's paths made absolute (the project file keeps them relative)."""
    from helpers import SAMPLE_PROJECT

    from equityplanner.app.dialogs import ImportWizard
    from equityplanner.app.main_window import MainWindow

    seen = {}

    def fake_exec(self):
        return ImportWizard.DialogCode.Rejected

    original_init = ImportWizard.__init__

    def spy_init(self, parent=None, *, source=None):
        seen["given"] = source
        original_init(self, parent, source=source)

    monkeypatch.setattr(ImportWizard, "__init__", spy_init)
    monkeypatch.setattr(ImportWizard, "exec", fake_exec)
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_project(SAMPLE_PROJECT, ask=False)
    window.import_neighbourhoods()
    given = seen["given"]
    assert given is not None and given.neighbourhoods == str(SAMPLE_PROJECT.parent / "tracts.gpkg")
