"""Hand-worked cases of H+T (methods.md §7) and of the fare equity analysis (methods.md §1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from equityplanner.analysis.fare_equity import GroupFare, average_fare, fare_test, proxy_usage
from equityplanner.analysis.transport_cost import h_plus_t_share, transit_change, transport_costs
from equityplanner.errors import InputError
from equityplanner.model.document_schema import read_document
from equityplanner.model.project import FareChange, FareType, TitleViPolicy
from equityplanner.model.transport_cost import TransportCostParameters, benchmarks


def test_h_plus_t_worked_case_of_methods_section_7() -> None:
    # Rent $1,250/month + transport $9,000/year over $60,000: 40% <= 45%, housing alone 25%.
    share = h_plus_t_share(1250.0, 9000.0, 60000.0)
    assert share == pytest.approx(0.40)
    assert share <= benchmarks()["h_plus_t"] == 0.45
    assert h_plus_t_share(1250.0, 0.0, 60000.0) == pytest.approx(0.25)
    assert math.isnan(h_plus_t_share(1250.0, 9000.0, 0.0))


def _params() -> TransportCostParameters:
    return TransportCostParameters(
        vehicle_fixed_cost_usd_per_year=5000.0,
        vehicle_operating_cost_usd_per_mile=0.20,
        annual_miles_per_vehicle=10000.0,
        commute_one_way_miles=10.0,
        workdays_per_year=250.0,
        non_commute_miles_per_vehicle=4000.0,
        transit_round_trips_per_rider_per_year=250.0,
        mode_shift_share=0.5,
    )


def test_transport_costs_from_acs_columns_by_hand() -> None:
    # 100 households: 20 without a vehicle, 50 with one, 20 with two, 5 with three, 5 with four+
    # -> (50 + 40 + 15 + 20) / 100 = 1.25 vehicles; 60 drive commuters, 10 transit commuters.
    table = pd.DataFrame(
        {
            "households": [100.0],
            "zero_vehicle_households": [20.0],
            "households_1_vehicle": [50.0],
            "households_2_vehicles": [20.0],
            "households_3_vehicles": [5.0],
            "households_4plus_vehicles": [5.0],
            "drive_commuters": [60.0],
            "transit_commuters": [10.0],
        }
    )
    costs = transport_costs(table, _params(), fare=2.0, fare_source="test")
    assert costs.vehicles[0] == pytest.approx(1.25)
    assert costs.ownership[0] == pytest.approx(1.25 * 5000)  # 6,250
    miles = 0.6 * 2 * 10 * 250 + 1.25 * 4000  # 3,000 commute + 5,000 other
    assert costs.driving[0] == pytest.approx(miles * 0.20)  # 1,600
    assert costs.transit[0] == pytest.approx(0.1 * 250 * 2 * 2.0)  # 100
    assert costs.total[0] == pytest.approx(6250 + 1600 + 100)
    assert costs.assumptions == []  # every column was there: no default stood in
    # A new line at a $1.50 fare: half the drive commuters switch (0.3 a household), saving
    # 0.3 x 5,000 miles x $0.20 = $300, paying 0.3 x 500 x $1.50 = $225; the 0.1 riders pay
    # 0.1 x 500 x ($1.50 - $2.00) = -$25.
    change = transit_change(costs, np.array([0]), 1.50)
    assert change[0] == pytest.approx(225 - 300 - 25)


def test_transport_costs_say_which_defaults_stood_in() -> None:
    table = pd.DataFrame({"households": [10.0], "zero_vehicle_households": [2.0]})
    costs = transport_costs(table, TransportCostParameters())
    text = " ".join(costs.assumptions)
    assert "B08201_003-006" in text and "B08301" in text and "stated default" in text
    assert costs.vehicles[0] == pytest.approx(
        0.8 * TransportCostParameters().vehicles_per_vehicle_household
    )


def test_fare_change_worked_case_of_methods_section_1() -> None:
    # Minority riders' average fare rises by 62 cents, the others' by 42: 42/62 = 0.677 < 0.8.
    minority, others = GroupFare("minority", 1.50, 2.12), GroupFare("non_minority", 1.50, 1.92)
    out = fare_test(minority, others, policy=TitleViPolicy(forms=("four_fifths",)))
    stat = out.by_form["four_fifths"].statistic
    assert 1 / stat == pytest.approx(42 / 62) and round(1 / stat, 3) == 0.677
    assert out.outcome == "finding" and out.deciding_form == "four_fifths"
    # The points form on the percentage changes: 41.3% - 28.0% = 13.3 points > 10.
    points = fare_test(minority, others, policy=TitleViPolicy(forms=("absolute",)))
    assert points.by_form["absolute"].statistic == pytest.approx(100 * (0.62 - 0.42) / 1.5)
    assert points.outcome == "finding"
    # Equal changes: no finding; a cut reaching the group less is the benefit side.
    assert fare_test(others, others, policy=TitleViPolicy()).outcome == "no_finding"
    cut = fare_test(
        GroupFare("minority", 2.0, 1.9), GroupFare("non_minority", 2.0, 1.7), policy=TitleViPolicy()
    )
    assert cut.is_benefit and cut.outcome == "finding"  # 0.10 / 0.30 = 0.33 < 0.8
    # The group's fare rises while the others' falls: the ratio is infinite, a disparity.
    apart = fare_test(
        GroupFare("minority", 2.0, 2.1),
        GroupFare("non_minority", 2.0, 1.9),
        policy=TitleViPolicy(forms=("four_fifths",)),
        is_benefit=False,
    )
    assert math.isinf(apart.by_form["four_fifths"].statistic) and apart.outcome == "finding"


def test_average_fare_weights_each_fare_by_the_group_usage() -> None:
    fares = (FareType("Cash", 1.75, 2.50), FareType("Pass", 1.00, 1.20))
    group = average_fare("minority", fares, {"Cash": 0.6, "Pass": 0.4})
    assert group.old == pytest.approx(0.6 * 1.75 + 0.4 * 1.00)
    assert group.change == pytest.approx(0.6 * 0.75 + 0.4 * 0.20)


def test_acs_proxy_usage_splits_each_fare_by_the_riders_where_it_applies() -> None:
    table = pd.DataFrame(
        {
            "id": ["A", "B"],
            "transit_commuters": [100.0, 100.0],
            "transit_commuters_nh_white": [10.0, 70.0],
            "transit_commuters_below_150_poverty": [60.0, 20.0],
        }
    )
    change = FareChange(
        "Zone fare",
        (
            FareType("Zone A", 2.0, 3.0, share=0.5, neighbourhoods=("A",)),
            FareType("Base", 2.0, 2.0, share=0.5),
        ),
        usage="acs_proxy",
    )
    usage = proxy_usage(change, table)
    # Zone A: 0.5 x 90/100 minority; Base: 0.5 x 120/200 -> minority usage 0.45 : 0.30.
    assert usage["minority"]["Zone A"] == pytest.approx(0.45 / 0.75)
    assert usage["non_minority"]["Zone A"] == pytest.approx(0.05 / 0.25)
    with pytest.raises(InputError, match="B08301"):
        proxy_usage(change, table.drop(columns="transit_commuters_nh_white"))


def test_fare_change_in_the_project_file_is_checked() -> None:
    problems: list[str] = []
    read_document(
        {
            "fare_change": {
                "fares": [
                    {
                        "name": "Cash",
                        "old_usd": 1.75,
                        "new_usd": 2.25,
                        "usage": {
                            "minority": 0.7,
                            "non_minority": 0.4,
                            "low_income": 1,
                            "non_low_income": 1,
                        },
                    },
                ]
            }
        },
        problems,
    )
    assert any("minority usage shares add up to 0.700, not 1" in p for p in problems)
    problems = []
    read_document(
        {
            "fare_change": {
                "usage": "acs_proxy",
                "fares": [{"name": "Cash", "old_usd": 1, "new_usd": 2}],
            }
        },
        problems,
    )
    assert problems == [
        "fare_change.fares[0].share: missing (with acs_proxy, the share of all trips paid with this fare)"
    ]
