"""The household transport-cost model's parameters (H+T), saved in the project file.

They are part of the project's :class:`~equityplanner.model.project.Parameters` (as the
``transport_cost`` mapping, only the values that differ from the defaults) and are read by
:mod:`equityplanner.analysis.transport_cost`. The defaults, the benchmarks and their sources
are data in ``resources/transport_cost.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.model.schema import INVALID, Field, Number, read_object

__all__ = ["TRANSPORT_COST_FIELDS", "TransportCostParameters", "benchmarks", "sources"]

_DEFAULTS: Final[dict[str, float]] = {
    k: float(v) for k, v in load_resource("transport_cost.toml")["defaults"].items()
}


def benchmarks() -> dict[str, float]:
    """The CNT benchmarks (shares of income): ``h_plus_t``, ``housing``, ``transportation``."""
    return {k: float(v) for k, v in load_resource("transport_cost.toml")["benchmarks"].items()}


def sources() -> dict[str, str]:
    """The sources of the model and its defaults, by topic (for the Methodology sheet)."""
    return {k: str(v) for k, v in load_resource("transport_cost.toml")["sources"].items()}


@dataclass(frozen=True)
class TransportCostParameters:
    """Every number of the household transport-cost model (``resources/transport_cost.toml``).

    Attributes
    ----------
    vehicle_fixed_cost_usd_per_year
        Ownership cost of one vehicle a year (depreciation, insurance, finance, fees).
    vehicle_operating_cost_usd_per_mile
        Fuel, maintenance and tyres per mile.
    annual_miles_per_vehicle
        Miles a vehicle is driven a year (without the ACS commute columns).
    vehicles_per_vehicle_household
        Vehicles of a household that has one (without ACS counts by number of vehicles).
    commute_one_way_miles, workdays_per_year, non_commute_miles_per_vehicle
        With the commute columns: a drive commuter's one-way distance, work days a year and
        the other miles each vehicle is driven.
    transit_fare_usd
        One transit trip, when neither the project nor a GTFS feed gives a fare.
    transit_round_trips_per_rider_per_year
        Round trips a transit commuter makes a year.
    mode_shift_share
        Share of the drive commuters in a new or improved transit catchment assumed to
        switch to transit (0: none).
    """

    vehicle_fixed_cost_usd_per_year: float = _DEFAULTS["vehicle_fixed_cost_usd_per_year"]
    vehicle_operating_cost_usd_per_mile: float = _DEFAULTS["vehicle_operating_cost_usd_per_mile"]
    annual_miles_per_vehicle: float = _DEFAULTS["annual_miles_per_vehicle"]
    vehicles_per_vehicle_household: float = _DEFAULTS["vehicles_per_vehicle_household"]
    commute_one_way_miles: float = _DEFAULTS["commute_one_way_miles"]
    workdays_per_year: float = _DEFAULTS["workdays_per_year"]
    non_commute_miles_per_vehicle: float = _DEFAULTS["non_commute_miles_per_vehicle"]
    transit_fare_usd: float = _DEFAULTS["transit_fare_usd"]
    transit_round_trips_per_rider_per_year: float = _DEFAULTS[
        "transit_round_trips_per_rider_per_year"
    ]
    mode_shift_share: float = _DEFAULTS["mode_shift_share"]

    def __post_init__(self) -> None:
        problems: list[str] = []
        for spec in TRANSPORT_COST_FIELDS:
            value = spec.rule.read(getattr(self, spec.key), spec.key, problems, spec.default)
            if value is not INVALID:
                object.__setattr__(self, spec.key, float(value))
        if problems:
            raise InputError(
                fault="; ".join(problems),
                location="parameters.transport_cost",
                remedy="Correct the transport cost parameters",
            )

    def to_dict(self) -> dict[str, float]:
        """The JSON form saved in the project file (``parameters.transport_cost``)."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TransportCostParameters:
        """Parameters from their JSON form; missing keys take the defaults.

        Raises
        ------
        InputError
            Naming every unknown key and bad value.
        """
        problems: list[str] = []
        values = read_object(raw, TRANSPORT_COST_FIELDS, "", problems)
        if problems:
            raise InputError(
                fault="; ".join(problems),
                location="parameters.transport_cost",
                remedy="Correct the transport cost parameters",
            )
        return cls(**values)

    def describe(self) -> str:
        """The parameters in one line, for outputs."""
        shift = (
            f"{self.mode_shift_share:.0%} of drive commuters in a new line's catchment switch"
            if self.mode_shift_share > 0
            else "no switch from driving assumed"
        )
        return (
            f"${self.vehicle_fixed_cost_usd_per_year:,.0f} a vehicle a year to own, "
            f"${self.vehicle_operating_cost_usd_per_mile:.2f} a mile to drive, "
            f"{self.annual_miles_per_vehicle:,.0f} miles a vehicle a year (or commute "
            f"{self.commute_one_way_miles:g} miles each way × {self.workdays_per_year:g} days "  # noqa: RUF001
            f"+ {self.non_commute_miles_per_vehicle:,.0f} other miles), transit "
            f"{self.transit_round_trips_per_rider_per_year:g} round trips a rider a year; {shift}"
        )


_P = TransportCostParameters
_ZERO_OK = Number(strict=True, allow_zero=True)

TRANSPORT_COST_FIELDS: tuple[Field, ...] = (
    Field(
        "vehicle_fixed_cost_usd_per_year",
        _ZERO_OK,
        _P.vehicle_fixed_cost_usd_per_year,
        "Ownership cost of one vehicle a year (USD).",
    ),
    Field(
        "vehicle_operating_cost_usd_per_mile",
        _ZERO_OK,
        _P.vehicle_operating_cost_usd_per_mile,
        "Fuel, maintenance and tyres per mile driven (USD).",
    ),
    Field(
        "annual_miles_per_vehicle",
        _ZERO_OK,
        _P.annual_miles_per_vehicle,
        "Miles a vehicle is driven a year, without the ACS commute columns.",
    ),
    Field(
        "vehicles_per_vehicle_household",
        Number(strict=True, minimum=1, maximum=10, range_words="from 1 to 10"),
        _P.vehicles_per_vehicle_household,
        "Vehicles of a household that has one, without ACS counts by number of vehicles.",
    ),
    Field(
        "commute_one_way_miles",
        _ZERO_OK,
        _P.commute_one_way_miles,
        "One-way distance of a worker who drives to work (miles).",
    ),
    Field(
        "workdays_per_year",
        Number(strict=True, maximum=366, above_fault="{value} days is more than a year"),
        _P.workdays_per_year,
        "Work days a year.",
    ),
    Field(
        "non_commute_miles_per_vehicle",
        _ZERO_OK,
        _P.non_commute_miles_per_vehicle,
        "Miles each vehicle is driven a year besides commuting, with the ACS commute columns.",
    ),
    Field(
        "transit_fare_usd",
        _ZERO_OK,
        _P.transit_fare_usd,
        "One transit trip (USD) when neither the project nor a GTFS feed gives a fare.",
    ),
    Field(
        "transit_round_trips_per_rider_per_year",
        _ZERO_OK,
        _P.transit_round_trips_per_rider_per_year,
        "Round trips a transit commuter makes a year.",
    ),
    Field(
        "mode_shift_share",
        Number(strict=True, allow_zero=True, maximum=1, above_fault="{value} is more than 1"),
        _P.mode_shift_share,
        "Share of drive commuters in a new or improved transit catchment assumed to switch.",
    ),
)
"""Every parameter of :class:`TransportCostParameters`: its rule, default and meaning."""
