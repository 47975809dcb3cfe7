"""The prepared baseline and spatial index are kept per layer (issue 14 item 2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import grid_lonlat
from shapely.geometry import Point

from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.baseline import baseline_for, layer_index, prepare_baseline
from equityplanner.analysis.catchment import CatchmentShares
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import ComparisonPopulation, HousingProject, Parameters


def _site(x: float, y: float) -> HousingProject:
    return HousingProject("h", "H", Point(*grid_lonlat(x, y)), 10, {"market": 10})


def test_the_baseline_is_prepared_once_per_layer_and_shaping_parameters(write_grid):
    nb = read_neighbourhoods(write_grid())
    params = Parameters()
    first = baseline_for(nb, params)
    assert baseline_for(nb, params) is first
    # Catchments and thresholds do not shape the baseline.
    wider = dataclasses.replace(params, catchment_m={**params.catchment_m, "housing": 1200.0})
    assert baseline_for(nb, wider) is first
    other = dataclasses.replace(
        params, comparison=ComparisonPopulation("ids", "AB", None, ("A", "B"))
    )
    assert baseline_for(nb, other) is not first
    assert baseline_for(nb, other).tree is first.tree  # one spatial index per layer
    # The adopted low-income definition chooses the low-income group's counts: changing it
    # (the app's Parameters dialog, then Run again) must not give the old definition's group.
    poverty = dataclasses.replace(params, low_income_poverty_pct=100)
    assert baseline_for(nb, poverty) is not first
    assert "low_income" in first.groups  # the grid counts below 200% of poverty only
    assert "low_income" not in baseline_for(nb, poverty).groups
    # Another layer object (read again) is prepared anew; so is a layer whose table changed.
    again = read_neighbourhoods(write_grid())
    assert baseline_for(again, params) is not first
    nb.frame = nb.frame.copy()
    assert baseline_for(nb, params) is not first
    assert layer_index(nb) is baseline_for(nb, params).layer


def test_the_cached_baseline_equals_a_fresh_one(write_grid):
    nb = read_neighbourhoods(write_grid())
    cached, fresh = baseline_for(nb, Parameters()), prepare_baseline(nb, Parameters())
    assert cached.table.equals(fresh.table)
    assert cached.warnings == fresh.warnings


def test_running_again_gives_the_same_results_and_callers_cannot_spoil_the_cache(write_grid):
    nb = read_neighbourhoods(write_grid())
    first = assess_projects(nb, [_site(500, 500)])
    first.baseline["added_by_a_caller"] = 1.0
    first.baseline.loc[0, "total_population"] = -1.0
    second = assess_projects(nb, [_site(500, 500)])
    assert "added_by_a_caller" not in second.baseline
    assert second.baseline.loc[0, "total_population"] == 1000.0
    for a, b in zip(first.results[0].indicators, second.results[0].indicators, strict=True):
        assert a.id == b.id and a.value == b.value and a.reliability == b.reliability
    assert [i.id for i in first.study_indicators] == [i.id for i in second.study_indicators]


def test_sparse_and_dense_sums_agree(write_grid):
    nb = read_neighbourhoods(write_grid())
    b = baseline_for(nb, Parameters())
    shares = CatchmentShares(np.array([0, 3]), np.array([0.25, 1.0]), 1.0, 1.0)
    dense = shares.dense(len(b.table))
    for group in b.groups:
        sparse_totals = dataclasses.astuple(b.totals(group, shares))
        assert sparse_totals == pytest.approx(
            dataclasses.astuple(b.totals(group, dense)), nan_ok=True
        )
    assert b.field_total("total_population", shares) == pytest.approx(
        b.field_total("total_population", dense), nan_ok=True
    )
