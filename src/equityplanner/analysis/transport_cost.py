"""The household transport-cost model of H+T, per neighbourhood (``methods.toml``: h_plus_t).

Transport cost per household a year = vehicles x ownership cost + miles driven x operating
cost + transit riders x round trips x 2 x fare. Each term comes from ACS columns when the
neighbourhood table has them, and from a stated default of
:class:`~equityplanner.model.transport_cost.TransportCostParameters` when it has not; each
fallback is said in :attr:`TransportCosts.assumptions`.

Examples
--------
The worked case of methods.md §7: $1,250 a month of rent and $9,000 a year of transport over
an income of $60,000.

>>> round(h_plus_t_share(1250.0, 9000.0, 60000.0), 4)
0.4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from equityplanner.analysis.words import money, num, short
from equityplanner.i18n import _
from equityplanner.model.transport_cost import TransportCostParameters

__all__ = ["TransportCosts", "h_plus_t_share", "transit_change", "transport_costs"]

_VEHICLE_FIELDS = (
    "households_1_vehicle",
    "households_2_vehicles",
    "households_3_vehicles",
    "households_4plus_vehicles",
)


def h_plus_t_share(rent_per_month: float, transport_per_year: float, income: float) -> float:
    """(12 months of rent + transport a year) over income a year; NaN without an income."""
    if not income or income <= 0 or not np.isfinite(income):
        return float("nan")
    return (12.0 * rent_per_month + transport_per_year) / income


@dataclass(frozen=True)
class TransportCosts:
    """Per neighbourhood (rows of the baseline table), a household's transport costs a year.

    ``total`` = ``ownership`` + ``driving`` + ``transit``; ``vehicles``, ``drive_commuters``
    and ``transit_riders`` are per household. ``assumptions`` says where a stated default
    replaced an ACS column; ``fare`` and ``fare_source`` the fare used.
    """

    ownership: np.ndarray
    driving: np.ndarray
    transit: np.ndarray
    vehicles: np.ndarray
    drive_commuters: np.ndarray
    transit_riders: np.ndarray
    fare: float
    fare_source: str
    params: TransportCostParameters
    assumptions: list[str] = field(default_factory=list)

    @cached_property
    def total(self) -> np.ndarray:
        """A household's transport cost a year (computed once; read-only)."""
        out: np.ndarray = self.ownership + self.driving + self.transit
        out.flags.writeable = False
        return out


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    out: np.ndarray = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float)
    return out


def _per(numerator: np.ndarray, households: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.where(households > 0, numerator / households, np.nan)
    return out


def transport_costs(
    table: pd.DataFrame,
    params: TransportCostParameters,
    *,
    fare: float | None = None,
    fare_source: str = "",
) -> TransportCosts:
    """The model on every neighbourhood of ``table`` (canonical field columns).

    ``fare`` is the transit fare (a GTFS feed's); without it the stated default applies.
    """
    assumptions: list[str] = []
    if fare is None:
        fare, fare_source = params.transit_fare_usd, "the stated default fare"
        assumptions.append(
            _(
                "Transit fare of today's service: the stated default of {fare} (parameters."
                "transport_cost.transit_fare_usd), as no GTFS fare_attributes.txt was given; a "
                "project's own fare (fare_usd) prices its line."
            ).format(fare=money(fare, 2))
        )
    households = (
        _column(table, "households") if "households" in table else np.full(len(table), np.nan)
    )
    if all(f in table for f in _VEHICLE_FIELDS):
        counted = sum(
            (n + 1) * np.nan_to_num(_column(table, f)) for n, f in enumerate(_VEHICLE_FIELDS)
        )
        vehicles = _per(np.asarray(counted, dtype=float), households)
    elif "zero_vehicle_households" in table:
        with_vehicle = 1.0 - _per(_column(table, "zero_vehicle_households"), households)
        vehicles = with_vehicle * params.vehicles_per_vehicle_household
        assumptions.append(
            _(
                "Vehicles: the ACS counts of households by vehicles available (B08201_003-006) "
                "are absent; households with a vehicle are taken to have {vehicles} (the stated "
                "default)."
            ).format(vehicles=short(params.vehicles_per_vehicle_household))
        )
    else:
        vehicles = np.full(len(table), params.vehicles_per_vehicle_household)
        assumptions.append(
            _(
                "Vehicles: no ACS vehicles-available columns; every household is taken to have "
                "{vehicles} vehicles (the stated default)."
            ).format(vehicles=short(params.vehicles_per_vehicle_household))
        )
    if "drive_commuters" in table:
        drivers = _per(_column(table, "drive_commuters"), households)
        miles = (
            drivers * 2.0 * params.commute_one_way_miles * params.workdays_per_year
            + vehicles * params.non_commute_miles_per_vehicle
        )
    else:
        drivers = np.full(len(table), np.nan)
        miles = vehicles * params.annual_miles_per_vehicle
        assumptions.append(
            _(
                "Miles driven: the ACS commute columns (B08301) are absent; each vehicle is taken "
                "to be driven {miles} miles a year (the stated default)."
            ).format(miles=num(params.annual_miles_per_vehicle))
        )
    if "transit_commuters" in table:
        riders = _per(_column(table, "transit_commuters"), households)
    elif "zero_vehicle_households" in table:
        riders = _per(_column(table, "zero_vehicle_households"), households)
        assumptions.append(
            _(
                "Transit riders: the ACS commute columns (B08301_010) are absent; one rider is "
                "counted in each household without a vehicle (a stated proxy)."
            )
        )
    else:
        riders = np.zeros(len(table))
        assumptions.append(_("Transit riders: no ACS column to count them; transit costs are 0."))
    trips = params.transit_round_trips_per_rider_per_year * 2.0
    return TransportCosts(
        ownership=np.nan_to_num(vehicles) * params.vehicle_fixed_cost_usd_per_year,
        driving=np.nan_to_num(miles) * params.vehicle_operating_cost_usd_per_mile,
        transit=np.nan_to_num(riders) * trips * fare,
        vehicles=vehicles,
        drive_commuters=drivers,
        transit_riders=riders,
        fare=float(fare),
        fare_source=fare_source,
        params=params,
        assumptions=assumptions,
    )


def transit_change(
    costs: TransportCosts, rows: np.ndarray, project_fare: float | None
) -> np.ndarray:
    """The change of a household's transport cost a year in ``rows`` with a new or improved line.

    Drive commuters switch at the stated ``mode_shift_share`` (saving the operating cost of
    their commute, paying fares); the line's own fare, when it differs from the fare of the
    model, changes what its riders pay.
    """
    p = costs.params
    fare = costs.fare if project_fare is None else project_fare
    drivers = np.nan_to_num(costs.drive_commuters[rows])
    switch = p.mode_shift_share * drivers
    commute_miles = 2.0 * p.commute_one_way_miles * p.workdays_per_year
    trips = p.transit_round_trips_per_rider_per_year * 2.0
    saved = switch * commute_miles * p.vehicle_operating_cost_usd_per_mile
    fares = switch * trips * fare
    riders = np.nan_to_num(costs.transit_riders[rows])
    repriced = riders * trips * (fare - costs.fare)
    out: np.ndarray = fares - saved + repriced
    return out
