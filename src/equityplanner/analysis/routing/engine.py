"""The routing engine: the one module that imports ferrobus.

ferrobus 0.2.1 (MIT/Apache, Rust RAPTOR with OSM walking, https://github.com/chingiztob/ferrobus)
is used through this adapter only, so that another engine (r5py, where Java 21 and an R5 jar
are available) can be added as a second :class:`RoutingEngine` without touching the rest.

What the engine models: walking on the OpenStreetMap ways it deems walkable at 1.4 m/s (no
stairs, slope or crossing penalties), every scheduled trip of the prepared feeds, transfers as
footpaths between stops within the transfer radius, RAPTOR rounds bounded by the number of
vehicles. What it does not model, and what this adapter does about it (the characterisation
tests in ``tests/analysis/test_routing_tiny.py`` and ``test_routing_feeds.py`` pin them):

* blank stop times, calendar dates, frequencies, time zones, colliding ids: the engine mishandles
  them, so feeds are prepared first (:mod:`equityplanner.analysis.routing.feeds`);
* a trip duration limit: none, so times beyond the cutoff are made unreachable by the provider;
* ``max_transfers`` means the most *vehicles*: the adapter passes ``max_rides``;
* access from an origin only through its single nearest stop (other stops only by a footpath
  from that stop), so a few origins are slower than a multi-stop router would find;
* results change slightly from one build to another (hash order, parallel reading): the
  assessment reports a noise floor from a second build of the baseline;
* ``find_route`` prunes away better journeys: only the matrix call is used;
* walking omits the legs between a point and the street node it is snapped to.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt

from equityplanner.errors import InputError

__all__ = [
    "ENGINE_VERSION",
    "EngineModel",
    "FerrobusEngine",
    "RoutingEngine",
    "check_osm_pbf",
]

ENGINE_VERSION: Final[str] = "0.2.1"
"""The ferrobus version the adapter is tested with (pinned in pyproject.toml)."""

WALK_SPEED_M_S: Final[float] = 1.4
"""ferrobus' walking speed (a constant of the engine)."""

_MAX_EGRESS_STOPS: Final[int] = 10


class EngineModel(Protocol):
    """A built network: street graph and one service day of timetables."""

    def snap(
        self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], max_walk_s: int
    ) -> tuple[list[Any], npt.NDArray[np.bool_]]:
        """Engine points for the coordinates within ``max_walk_s`` of the streets, and which."""

    def matrix(
        self, points: Sequence[Any], departure_s: int, max_rides: int
    ) -> npt.NDArray[np.float32]:
        """(n, n) seconds from every point to every point leaving at ``departure_s``; NaN if none."""


class RoutingEngine(Protocol):
    """Something that builds an :class:`EngineModel` from a street network and GTFS folders."""

    name: str

    @property
    def version(self) -> str:
        """The engine's version."""

    def build(
        self, osm: Path, feed_dirs: Sequence[Path], date: dt.date, max_transfer_s: int
    ) -> EngineModel:
        """Build the network for ``date`` (the feeds are prepared folders)."""


def check_osm_pbf(path: Path) -> None:
    """Refuse a file that is not an OpenStreetMap PBF extract, before the engine reads it.

    A PBF file starts with a 4-byte length and a ``BlobHeader`` whose type is ``OSMHeader``.

    Raises
    ------
    InputError
        When the file is missing, empty, XML (``.osm``) or anything else.
    """
    if not path.is_file():
        raise InputError("not found", path=path, location="network.osm", remedy="Check the path")
    with path.open("rb") as handle:
        head = handle.read(64)
    if b"OSMHeader" in head[:32]:
        return
    stripped = head.lstrip()
    hint = ""
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<osm"):
        hint = " (it is OSM XML; convert it with 'osmium cat FILE.osm -o FILE.osm.pbf')"
    raise InputError(
        f"is not an OpenStreetMap PBF file{hint}",
        path=path,
        location="network.osm",
        remedy="Give an .osm.pbf extract covering the study area and every stop, e.g. cut "
        "from a Geofabrik download with 'osmium extract'",
    )


class FerrobusEngine:
    """:class:`RoutingEngine` on ferrobus (imported when a network is built)."""

    name = "ferrobus"

    @property
    def version(self) -> str:
        """The installed ferrobus version."""
        try:
            return importlib.metadata.version("ferrobus")
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def build(
        self, osm: Path, feed_dirs: Sequence[Path], date: dt.date, max_transfer_s: int
    ) -> _FerrobusModel:
        """Build the ferrobus model; engine failures become one-line input errors."""
        check_osm_pbf(osm)
        ferrobus = _import()
        try:
            model = ferrobus.create_transit_model(
                str(osm), [str(d) for d in feed_dirs], date, int(max_transfer_s)
            )
        except BaseException as exc:  # pyo3 panics derive from BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise InputError(
                f"the routing engine could not build the network ({_first_line(exc)})",
                path=osm,
                location="network",
                remedy="Check that the .osm.pbf holds streets and the GTFS feeds are valid",
            ) from None
        return _FerrobusModel(model)


class _FerrobusModel:
    def __init__(self, model: Any) -> None:
        self._model = model

    def snap(
        self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], max_walk_s: int
    ) -> tuple[list[Any], npt.NDArray[np.bool_]]:
        ferrobus = _import()
        points: list[Any] = []
        ok = np.zeros(len(lat), dtype=bool)
        for k, (y, x) in enumerate(zip(lat.tolist(), lon.tolist(), strict=True)):
            try:
                points.append(
                    ferrobus.create_transit_point(
                        float(y), float(x), self._model, int(max_walk_s), _MAX_EGRESS_STOPS
                    )
                )
                ok[k] = True
            except ValueError:  # further than max_walk_s from the street network
                continue
        return points, ok

    def matrix(
        self, points: Sequence[Any], departure_s: int, max_rides: int
    ) -> npt.NDArray[np.float32]:
        ferrobus = _import()
        if not points:
            return np.empty((0, 0), dtype=np.float32)
        rows = ferrobus.travel_time_matrix(
            self._model, list(points), int(departure_s), int(max_rides)
        )
        return np.array(rows, dtype=np.float32)  # None (unreachable) becomes NaN


def _import() -> Any:
    try:
        import ferrobus
    except ImportError as exc:  # a broken install: ferrobus is a dependency
        raise InputError(
            f"the routing engine ferrobus cannot be imported ({exc})",
            location="network",
            remedy=f"Install it with: pip install ferrobus=={ENGINE_VERSION}",
        ) from exc
    return ferrobus


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
