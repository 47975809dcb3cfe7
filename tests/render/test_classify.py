"""Class breaks, class assignment, palettes and legends (render/classify.py), worked by hand,
and the map fields they classify (render/fields.py)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from equityplanner.errors import InputError
from equityplanner.render.classify import (
    NATURAL_BREAKS_SAMPLE,
    assign_classes,
    class_breaks,
    classify_field,
    legend_entries,
    palette,
    palette_names,
    tone_colours,
)
from equityplanner.render.fields import MapField, field_values, resolve_map_field


def test_equal_intervals_split_the_range_evenly():
    assert class_breaks([0, 1, 2.5, 4, 6, 7, 10], "equal", 5).tolist() == [0, 2, 4, 6, 8, 10]
    assert class_breaks([-1, 0, 3], "equal", 2).tolist() == [-1, 1, 3]


def test_quantiles_of_one_to_ten():
    # Linear interpolation between order statistics: position 0.2 * 9 = 1.8 -> 2 + 0.8 = 2.8, ...
    edges = class_breaks(range(1, 11), "quantile", 5)
    assert edges.tolist() == pytest.approx([1, 2.8, 4.6, 6.4, 8.2, 10])
    # Two values per class, the upper bound included.
    assert assign_classes(range(1, 11), edges).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_quantile_ties_keep_a_class_of_the_minimum():
    # Half the values are 0: the lower quantiles coincide; 0 keeps a class of its own.
    values = [0] * 10 + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    edges = class_breaks(values, "quantile", 4)
    assert edges[0] == edges[1] == 0
    assert assign_classes([0, 0.5, 10], edges).tolist() == [0, 1, len(edges) - 2]


def test_natural_breaks_find_obvious_clusters():
    values = [1, 2, 3, 10, 11, 12, 20, 21, 22]
    assert class_breaks(values, "natural", 3).tolist() == [1, 3, 12, 22]
    # Order of the input does not matter.
    assert class_breaks(values[::-1], "natural", 3).tolist() == [1, 3, 12, 22]


def _within_ssd(values, edges):
    classes = assign_classes(values, edges)
    return sum(
        ((values[classes == c] - values[classes == c].mean()) ** 2).sum()
        for c in range(len(edges) - 1)
    )


def _best_partition(values, k):
    x = np.sort(values)
    best = np.inf
    for cuts in itertools.combinations(range(1, x.size), k - 1):
        best = min(best, sum(((part - part.mean()) ** 2).sum() for part in np.split(x, cuts)))
    return best


@pytest.mark.parametrize("seed", range(20))
def test_natural_breaks_are_the_optimal_partition(seed):
    rng = np.random.default_rng(seed)
    values = rng.gamma(2.0, size=int(rng.integers(6, 11)))
    k = int(rng.integers(2, 5))
    edges = class_breaks(values, "natural", k)
    assert len(edges) == k + 1
    assert _within_ssd(values, edges) == pytest.approx(_best_partition(values, k), abs=1e-9)


def test_natural_breaks_on_many_values_are_fast_and_deterministic():
    values = np.random.default_rng(3).lognormal(size=50_000)
    first = class_breaks(values, "natural", 5)
    assert np.array_equal(first, class_breaks(values, "natural", 5))
    assert first[0] == values.min() and first[-1] == values.max()
    assert np.all(np.diff(first) > 0)
    assert NATURAL_BREAKS_SAMPLE <= 2000


def test_nan_values_are_ignored_and_get_minus_one():
    values = [np.nan, 1.0, 2.0, np.inf, 3.0, 4.0]
    edges = class_breaks(values, "equal", 3)
    assert edges.tolist() == [1, 2, 3, 4]
    assert assign_classes(values, edges).tolist() == [-1, 0, 0, -1, 1, 2]
    assert class_breaks([np.nan, np.nan], "quantile", 5).size == 0
    assert assign_classes([1.0], []).tolist() == [-1]


def test_few_distinct_values_get_one_class_each():
    edges = class_breaks([0, 1, 1, 0, 1], "natural", 5)
    assert edges.tolist() == [0, 0, 1]
    assert assign_classes([0, 1], edges).tolist() == [0, 1]


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="quantile, equal or natural"):
        class_breaks([1, 2, 3, 4, 5, 6], "jenks", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        class_breaks([1, 2], "equal", 0)
    with pytest.raises(ValueError, match="unknown palette"):
        palette("rainbow", 5)


@pytest.mark.parametrize("name", ["YlGnBu", "PuBu", "viridis", "PuOr"])
@pytest.mark.parametrize("k", range(1, 8))
def test_palettes_have_k_hex_colours(name, k):
    colours = palette(name, k)
    assert len(colours) == k
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert palette(name + "_r", k) == colours[::-1]


def test_palette_names_and_tones():
    names = palette_names()
    assert {"YlGnBu", "PuBu", "viridis"} <= set(names["sequential"])
    assert "PuOr" in names["diverging"]
    for tone in ("beneficial", "adverse", "neutral", "caution", "info"):
        colours = tone_colours(tone)
        assert {"fill", "text", "strong", "label"} <= set(colours)
    # Beneficial and adverse are blue and orange, never red against green.
    assert tone_colours("beneficial")["strong"] == "#0072b2"
    assert tone_colours("adverse")["strong"] == "#d55e00"


def test_legend_entries_format_bounds():
    entries = legend_entries([0.0, 0.25, 0.5], ["#ffffff", "#000000"], "{:.0%}")
    assert [e.label for e in entries] == ["0% \u2013 25%", "25% \u2013 50%"]
    assert entries[1].lower == 0.25 and entries[1].upper == 0.5 and entries[1].fill == "#000000"
    single = legend_entries([3, 3, 5], ["#111111", "#222222"], lambda v: f"{v:g} homes")
    assert [e.label for e in single] == ["3 homes", "3 homes \u2013 5 homes"]
    with pytest.raises(ValueError, match="2 classes but 1 colours"):
        legend_entries([0, 1, 2], ["#ffffff"])


# A field classified for the map (shared by the canvas and the workbook) -------------------


def test_fewer_values_than_classes_are_labelled_by_their_values():
    share = MapField("minority_share", "Minority (share)", "share")
    shading = classify_field(np.array([0.8, 0.6, 0.2, 0.1]), share, k=5)
    assert [e.label for e in shading.entries] == ["10%", "20%", "60%", "80%"]
    assert shading.classes.tolist() == [3, 2, 1, 0] and shading.counts() == [1, 1, 1, 1]
    assert shading.no_data_entry() is None


def test_categories_get_a_class_each_and_missing_values_a_no_data_line():
    quintile = MapField("quintile", "Income quintile", "quintile")
    shading = classify_field(np.array([1.0, 5.0, np.nan, 3.0]), quintile)
    assert shading.classes.tolist() == [0, 4, -1, 2]
    assert [e.label.split()[0] for e in shading.entries] == ["1", "2", "3", "4", "5"]
    no_data = shading.no_data_entry()
    assert no_data is not None and no_data.label == "No data (1)" and no_data.symbol == "no_data"
    flag = classify_field(np.array([0.0, 1.0, 1.0]), MapField("is_recap", "R/ECAP", "flag"))
    assert [e.label for e in flag.entries] == ["No", "Yes"] and flag.counts() == [1, 2]


def test_money_and_counts_read_as_planners_write_them():
    income = MapField("median_household_income", "Median household income", "currency")
    labels = [e.label for e in classify_field(np.linspace(20_000, 90_000, 50), income).entries]
    assert labels[0] == "$20,000 \u2013 $34,000" and all(label.startswith("$") for label in labels)


def test_map_fields_resolve_by_key_column_or_group():
    table = pd.DataFrame(
        {
            "id": ["a", "b"],
            "total_population": [100, 200],
            "minority_share": [0.2, 0.4],
            "low_income_share": [0.1, 0.3],
            "odd_measure": [1.5, 2.25],
        }
    )
    assert resolve_map_field(table, None).key == "minority_share"
    assert resolve_map_field(table, "low_income").label == "Low-income (share)"
    density = resolve_map_field(table, "population_density")
    assert density.kind == "density"
    assert field_values(density, table, areas_km2=np.array([2.0, 4.0])).tolist() == [50.0, 50.0]
    generic = resolve_map_field(table, "odd_measure")
    assert generic.kind == "number" and generic.label == "Odd measure"
    with pytest.raises(InputError, match="no numeric neighbourhood field 'colour'"):
        resolve_map_field(table, "colour")
