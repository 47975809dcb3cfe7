"""Routed verdicts and the routing engine's build-to-build variation, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from equityplanner.analysis.indicators.access import within_routing_noise
from equityplanner.analysis.indicators.make import make_indicator
from equityplanner.analysis.indicators.title_vi import ROUTING_MARGIN_FACTOR, routing_margin
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.indicator_ids import IndicatorId

ONES = np.ones(3)


def test_the_margin_is_the_spread_of_two_builds_scaled_to_90_percent() -> None:
    # Gains [10, 0, 5] against the baseline and [10, 5, 0] against its second build.
    # Weights (gain over the largest): [1, 0, 0.5] and [1, 0.5, 0].
    # Group share of those affected: (5 + 0.5 x 8) / (10 + 0.5 x 10) = 9 / 15 = 0.6 and
    # (5 + 0.5 x 2) / (10 + 0.5 x 10) = 6 / 15 = 0.4; margin = 1.645 x sqrt(pi) / 2 x 0.2.
    counts, universe = np.array([5.0, 2.0, 8.0]), np.full(3, 10.0)
    margin = routing_margin(
        np.array([10.0, 0, 5]), np.array([10.0, 5, 0]), True, counts, universe, ONES
    )
    assert ROUTING_MARGIN_FACTOR == pytest.approx(1.645 * math.sqrt(math.pi) / 2)
    assert margin == pytest.approx(ROUTING_MARGIN_FACTOR * 0.2, abs=1e-12)
    same = routing_margin(
        np.array([10.0, 0, 5]), np.array([10.0, 0, 5]), True, counts, universe, ONES
    )
    assert same == 0.0


def test_a_second_build_that_reverses_the_change_leaves_the_test_unable_to_tell() -> None:
    counts, universe = np.array([5.0, 2.0, 8.0]), np.full(3, 10.0)
    gain = np.array([1.0, 0, 0])
    assert routing_margin(gain, np.array([-1.0, 0, 0]), True, counts, universe, ONES) == 1.0
    assert routing_margin(gain, np.zeros(3), True, counts, universe, ONES) == 1.0


def _indicator(ident: IndicatorId, family: str, rating: str):
    return make_indicator(
        id=ident,
        name="x",
        value=1.0,
        comparison=1.0,
        difference=0.0,
        value_unit="jobs",
        rating_family=family,
        rating=rating,
        finding="Finding.",
        method="accessibility",
    )


def test_a_rating_a_second_build_reverses_is_within_the_noise() -> None:
    group = _indicator(
        IndicatorId(IndicatorFamily.ACCESS, measure="jobs_30min", group="minority"),
        "served",
        "progressive",
    )
    whole = _indicator(
        IndicatorId(IndicatorFamily.ACCESS, measure="jobs_30min"), "access", "improves"
    )
    test = _indicator(
        IndicatorId(
            IndicatorFamily.TITLE_VI, TitleViTest.DISPARATE_IMPACT.value, measure="jobs_30min"
        ),
        "title_vi",
        "disparate_impact",
    )
    out = within_routing_noise(
        [group, whole, test],
        {group.id: "similar", whole.id: "improves", test.id: "no_finding"},
    )
    assert out[0].rating == "within_noise"
    assert out[0].rating_label == "Within the routing engine's noise"
    assert out[0].tone == "caution"
    assert out[0].details["rating_on_one_build"] == "progressive"
    assert out[0].details["rating_on_a_second_build"] == "similar"
    assert out[0].finding.startswith("Finding. Measured against a second build")
    assert out[1] is whole  # both builds agree
    assert out[2] is test  # Title VI tests carry the noise as a margin instead


def test_a_rating_already_within_the_noise_is_not_marked_twice() -> None:
    # A change within the noise floor is rated so first; a second build that reads "improves"
    # must not wrap it again (the finding would say it twice, the details lose the reason).
    whole = _indicator(
        IndicatorId(IndicatorFamily.ACCESS, measure="jobs_30min"), "access", "within_noise"
    )
    assert within_routing_noise([whole], {whole.id: "improves"})[0] is whole
