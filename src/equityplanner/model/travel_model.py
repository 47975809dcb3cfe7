"""The travel model's parameters: every number of the straight-line model, saved in the project file.

They are part of the project's :class:`~equityplanner.model.project.Parameters` (as the
``travel_model`` mapping) and are read by :mod:`equityplanner.analysis.travel_time`; they live
here so that reading a project file (``io``) need not import the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from equityplanner.errors import InputError
from equityplanner.model.project import Mode
from equityplanner.model.schema import INVALID, Boolean, Field, Number, read_object

__all__ = ["TRAVEL_MODEL_FIELDS", "TravelModelParameters"]


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
        problems: list[str] = []
        for spec in TRAVEL_MODEL_FIELDS:
            value = spec.rule.read(getattr(self, spec.key), spec.key, problems, spec.default)
            if value is not INVALID:  # as the model holds it: 5 km/h is 5.0, 2.0 stations 2
                object.__setattr__(self, spec.key, value)
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
        problems: list[str] = []
        values = read_object(raw, TRAVEL_MODEL_FIELDS, "", problems)
        if problems:
            raise InputError(
                fault="; ".join(problems),
                path=path,
                location="parameters.travel_model",
                remedy="Correct the travel model parameters",
            )
        return cls(**values)


_P = TravelModelParameters  # its class attributes are the defaults

TRAVEL_MODEL_FIELDS: tuple[Field, ...] = (
    Field("walk_speed_kmh", Number(strict=True), _P.walk_speed_kmh, "Walking speed in km/h."),
    Field(
        "route_factor",
        Number(strict=True, minimum=1, maximum=3, range_words="from 1 (straight line) to 3"),
        _P.route_factor,
        "Walking distance over straight-line distance.",
    ),
    Field(
        "max_access_walk_m",
        Number(strict=True),
        _P.max_access_walk_m,
        "Longest walk to a boarding station or from an alighting one, in metres walked.",
    ),
    Field(
        "stations_per_line",
        Number(strict=True, whole=True, minimum=1),
        _P.stations_per_line,
        "Nearest stations of each line considered for access and egress.",
    ),
    Field("bus_speed_kmh", Number(strict=True), _P.bus_speed_kmh, "Scheduled bus speed in km/h."),
    Field("brt_speed_kmh", Number(strict=True), _P.brt_speed_kmh, "Scheduled BRT speed in km/h."),
    Field(
        "rail_speed_kmh", Number(strict=True), _P.rail_speed_kmh, "Scheduled rail speed in km/h."
    ),
    Field(
        "transfer_penalty_min",
        Number(strict=True, allow_zero=True),
        _P.transfer_penalty_min,
        "Minutes added at a transfer, besides the walk and the wait.",
    ),
    Field(
        "max_transfer_walk_m",
        Number(strict=True, allow_zero=True),
        _P.max_transfer_walk_m,
        "Longest walk between the stations of a transfer, in metres walked.",
    ),
    Field(
        "allow_transfer",
        Boolean(),
        _P.allow_transfer,
        "Whether one transfer between two lines is allowed.",
    ),
)
"""Every parameter of :class:`TravelModelParameters`: its rule, default and meaning."""
