"""2SFCA / E2SFCA and nearest times on the pairs within the catchment equal the dense ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equityplanner.analysis import access as acc
from equityplanner.analysis.travel_time import StraightLineModel


def _case(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 60, (n, m))
    times[rng.random((n, m)) < 0.1] = np.inf  # unreachable
    times[rng.random((n, m)) < 0.02] = np.nan
    times[:, 0] = 30.0  # exactly on the threshold: inside
    demand = rng.integers(0, 2000, n).astype(float)
    supply = rng.integers(0, 20, m).astype(float)
    return times, demand, supply


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 60),
    m=st.integers(1, 25),
    chunk=st.integers(1, 70),
)
def test_sparse_equals_dense_to_1e_12(seed: int, n: int, m: int, chunk: int) -> None:
    times, demand, supply = _case(seed, n, m)
    for weights in (None, acc.LUO_QI_WEIGHTS, acc.gravity(1, -1, 1)):
        dense = acc.two_step_fca(demand, supply, times, 30.0, weights)
        costs = acc.catchment_costs(
            lambda rows: times[rows], (n, m), threshold=30.0, weights=weights, chunk=chunk
        )
        sparse = acc.two_step_fca_sparse(demand, supply, costs)
        np.testing.assert_allclose(sparse.access, dense.access, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(sparse.supply_ratio, dense.supply_ratio, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            sparse.catchment_demand, dense.catchment_demand, rtol=1e-12, atol=1e-15
        )
        assert sparse.unserved_supply == pytest.approx(dense.unserved_supply, rel=1e-12)
    np.testing.assert_array_equal(costs.nearest, acc.nearest_time(times))


def test_nearest_time_skips_destinations_without_capacity() -> None:
    costs = acc.catchment_costs([[3.0, 9.0], [8.0, 2.0]], threshold=10, capacity=[0, 1])
    assert costs.nearest.tolist() == [9.0, 2.0]
    assert costs.nearest.tolist() == acc.nearest_time([[3.0, 9.0], [8.0, 2.0]], [0, 1]).tolist()


def test_chunks_from_a_travel_time_model_keep_memory_to_the_pairs() -> None:
    """Origins chunk by chunk from the sketch model: the pairs are a fraction of the matrix."""
    rng = np.random.default_rng(3)
    origins = rng.uniform(0, 20_000, (3000, 2))
    clinics = rng.uniform(0, 20_000, (200, 2))
    model = StraightLineModel()
    costs = acc.catchment_costs(
        lambda rows: model.times_minutes(origins[rows], clinics),
        (len(origins), len(clinics)),
        threshold=30.0,
        weights=acc.LUO_QI_WEIGHTS,
        chunk=500,
    )
    dense_times = model.times_minutes(origins, clinics)
    demand, supply = rng.integers(1, 500, 3000).astype(float), rng.integers(1, 9, 200).astype(float)
    dense = acc.two_step_fca(demand, supply, dense_times, 30.0, acc.LUO_QI_WEIGHTS)
    sparse = acc.two_step_fca_sparse(demand, supply, costs)
    np.testing.assert_allclose(sparse.access, dense.access, rtol=1e-12)
    assert costs.nbytes < dense_times.nbytes / 2


def test_the_sketch_models_large_case_goes_sparse_with_the_same_numbers(
    tmp_path, monkeypatch
) -> None:
    """The sample without its network, assessed dense and then as if it were large."""
    import json
    import shutil

    from helpers import SAMPLE_PROJECT

    from equityplanner.analysis import access_measures
    from equityplanner.analysis.assess import assess
    from equityplanner.io.project_file import load_project

    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    path = folder / SAMPLE_PROJECT.name
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["network"]
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = load_project(path)
    dense = assess(doc).result("eastside-brt").access
    monkeypatch.setattr(access_measures, "_DENSE_CELLS", 0)
    sparse = assess(doc).result("eastside-brt").access
    columns = [c for c in dense.columns if "clinics" in c or "schools" in c]
    assert columns
    np.testing.assert_allclose(
        sparse[columns].to_numpy(float), dense[columns].to_numpy(float), rtol=1e-12, atol=1e-12
    )
