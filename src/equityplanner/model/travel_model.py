"""The travel model's parameters: every number of the straight-line model, saved in the project file.

They are part of the project's :class:`~equityplanner.model.project.Parameters` (as the
``travel_model`` mapping) and are read by :mod:`equityplanner.analysis.travel_time`; they live
here so that reading a project file (``io``) need not import the analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from equityplanner.errors import InputError
from equityplanner.model.project import Mode

__all__ = ["TravelModelParameters"]


@dataclass(frozen=True)
class TravelModelParameters:
    """Every number of the straight-line model; saved in the project file.

    Attributes
    ----------
    walk_speed_kmh
        Walking speed (4.8 km/h, about 3 mph).
    route_factor
        Walking distance over straight-line distance (1.3; 1.2-1.4 is usual for street grids).
    max_access_walk_m
        Longest walk to a boarding station or from an alighting one, as walking distance
        (1,200 m, a 15-minute walk).
    stations_per_line
        At most this many nearest stations of each line are considered for access and egress.
    bus_speed_kmh, brt_speed_kmh, rail_speed_kmh
        Scheduled (average, with stops) speed per mode.
    transfer_penalty_min
        Added at a transfer, besides the walk and the wait.
    max_transfer_walk_m
        Longest walk between the stations of a transfer (walking distance).
    allow_transfer
        Whether one transfer between two lines is allowed.
    """

    walk_speed_kmh: float = 4.8
    route_factor: float = 1.3
    max_access_walk_m: float = 1200.0
    stations_per_line: int = 3
    bus_speed_kmh: float = 18.0
    brt_speed_kmh: float = 25.0
    rail_speed_kmh: float = 35.0
    transfer_penalty_min: float = 5.0
    max_transfer_walk_m: float = 400.0
    allow_transfer: bool = True

    def __post_init__(self) -> None:
        problems = _parameter_problems(self)
        if problems:
            raise InputError(
                fault="; ".join(problems),
                location="parameters.travel_model",
                remedy="Correct the travel model parameters",
            )

    @property
    def walk_min_per_m(self) -> float:
        """Minutes per metre of *straight-line* distance on foot (route factor included)."""
        return self.route_factor * 60.0 / (self.walk_speed_kmh * 1000.0)

    def speed_kmh(self, mode: str | Mode) -> float:
        """Scheduled speed of a mode (``bus``, ``brt`` or ``rail``)."""
        return float(getattr(self, f"{Mode.create(mode).value}_speed_kmh"))

    def describe(self) -> str:
        """The parameters in one line, for outputs."""
        transfer = (
            f"one transfer allowed ({self.transfer_penalty_min:g} min penalty, walk up to "
            f"{self.max_transfer_walk_m:,.0f} m)"
            if self.allow_transfer
            else "no transfers"
        )
        return (
            f"walking {self.walk_speed_kmh:g} km/h × route factor {self.route_factor:g}; "  # noqa: RUF001
            f"access and egress walks up to {self.max_access_walk_m:,.0f} m "
            f"({self.stations_per_line} nearest stations per line); wait half the headway; "
            f"scheduled speeds bus {self.bus_speed_kmh:g}, BRT {self.brt_speed_kmh:g}, "
            f"rail {self.rail_speed_kmh:g} km/h; {transfer}"
        )

    def to_dict(self) -> dict[str, float | int | bool]:
        """The JSON form saved in the project file (``parameters.travel_model``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, path: Any = None) -> TravelModelParameters:
        """Parameters from their JSON form; missing keys take the defaults.

        Raises
        ------
        InputError
            Naming every unknown key and bad value.
        """
        if not isinstance(raw, dict):
            raise InputError(
                'must be an object such as {"walk_speed_kmh": 4.8}',
                path=path,
                location="parameters.travel_model",
            )
        known = {f.name: f for f in fields(cls)}
        problems = [
            f"{key}: unknown (known: {', '.join(known)})" for key in raw if key not in known
        ]
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                continue
            default = getattr(cls, key)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    problems.append(f"{key}: {value!r} is not true or false")
                    continue
            elif isinstance(default, int):
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or value != int(value)
                ):
                    problems.append(f"{key}: {value!r} is not a whole number")
                    continue
                value = int(value)
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    problems.append(f"{key}: {value!r} is not a number")
                    continue
                value = float(value)
            values[key] = value
        if not problems:
            try:
                return cls(**values)
            except InputError as exc:
                problems.append(exc.fault)
        raise InputError(
            fault="; ".join(problems),
            path=path,
            location="parameters.travel_model",
            remedy="Correct the travel model parameters",
        )


def _parameter_problems(p: TravelModelParameters) -> list[str]:
    problems = []
    positive = (
        "walk_speed_kmh",
        "max_access_walk_m",
        "bus_speed_kmh",
        "brt_speed_kmh",
        "rail_speed_kmh",
    )
    for name in positive:
        value = getattr(p, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            problems.append(f"{name}: {value!r} must be a number greater than zero")
    for name in ("transfer_penalty_min", "max_transfer_walk_m"):
        value = getattr(p, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            problems.append(f"{name}: {value!r} must be zero or more")
    if not (isinstance(p.route_factor, int | float) and 1.0 <= p.route_factor <= 3.0):
        problems.append(f"route_factor: {p.route_factor!r} must be from 1 (straight line) to 3")
    if (
        isinstance(p.stations_per_line, bool)
        or not isinstance(p.stations_per_line, int)
        or (p.stations_per_line < 1)
    ):
        problems.append(
            f"stations_per_line: {p.stations_per_line!r} must be a whole number of 1 or more"
        )
    if not isinstance(p.allow_transfer, bool):
        problems.append(f"allow_transfer: {p.allow_transfer!r} must be true or false")
    return problems
