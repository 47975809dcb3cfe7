"""Routed travel times: the OpenStreetMap street network and every trip of GTFS timetables.

The modules, bottom up:

* :mod:`~equityplanner.analysis.routing.feeds`: each feed prepared for one service day
  (the date's trips, blank times interpolated by distance, frequencies expanded, overtaking
  trips split, ids namespaced), with a report of what each step did;
* :mod:`~equityplanner.analysis.routing.scenario`: proposals as modifications of the baseline
  timetable (new lines, headway changes, removals of named routes);
* :mod:`~equityplanner.analysis.routing.engine`: the only module importing the routing engine
  (ferrobus 0.2.1), behind the :class:`~equityplanner.analysis.routing.engine.RoutingEngine`
  protocol so that another engine (r5py) can be added;
* :mod:`~equityplanner.analysis.routing.provider`: routing over a departure window and its
  percentiles, and the :class:`~equityplanner.analysis.travel_time.TravelTimeProvider`
  interface;
* :mod:`~equityplanner.analysis.routing.network`: :class:`RoutedNetwork`, what a project's
  ``network`` block names once read and prepared: builds, the kept windows, the stops away
  from the streets, and the baseline's routes as lines for the map.

For the desktop app: :func:`equityplanner.analysis.inputs.load_network` reads a document's
network (None without one); :meth:`RoutedNetwork.route_lines` gives the routes to draw in grey
under the proposals; :func:`equityplanner.analysis.assess.assess` routes in the worker with the
:class:`~equityplanner.progress.Progress` it is given (one report per departure time, and
cancellation checked there).
"""

from __future__ import annotations

from equityplanner.analysis.routing.network import RoutedNetwork, RouteLine
from equityplanner.analysis.routing.provider import RoutedTravelTimes, WindowTimes

__all__ = ["RouteLine", "RoutedNetwork", "RoutedTravelTimes", "WindowTimes"]
