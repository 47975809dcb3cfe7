"""The inputs an assessment reads from a project document: neighbourhoods, opportunities, GTFS.

:func:`~equityplanner.analysis.assess.assess` calls these; the app calls
:func:`load_baseline` alone to show the neighbourhoods before any assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from equityplanner.analysis.access_measures import AccessInputs
from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import Neighbourhoods, read_neighbourhoods
from equityplanner.io.opportunities import read_lodes_wac, read_points
from equityplanner.model.project import ProjectDocument
from equityplanner.progress import NullProgress, Progress

if TYPE_CHECKING:  # the GTFS reader is imported only by the runs that read feeds
    from equityplanner.analysis.routing.network import RoutedNetwork
    from equityplanner.io.gtfs import GtfsFeed

__all__ = [
    "ServiceChangeInputs",
    "load_baseline",
    "load_network",
    "load_opportunities",
    "load_service_change",
]


@dataclass(frozen=True)
class ServiceChangeInputs:
    """Two GTFS feeds compared on a service date (peak window as "HH:MM" strings)."""

    baseline: GtfsFeed
    proposed: GtfsFeed
    date: str
    peak: tuple[str, str] = ("07:00", "09:00")


def load_baseline(
    document: ProjectDocument, progress: Progress | None = None, *, defer_validity: bool = False
) -> Neighbourhoods:
    """Read the neighbourhood data a project file refers to (``defer_validity``: see
    :func:`~equityplanner.io.neighbourhoods.read_neighbourhoods`)."""
    source = document.baseline
    if source is None:
        raise InputError(
            "has no neighbourhood data",
            path=document.path,
            location="baseline",
            remedy="Import a neighbourhood layer (census tracts or block groups) first",
        )
    return read_neighbourhoods(
        document.resolve(source.neighbourhoods),
        table=document.resolve(source.table) if source.table else None,
        layer=source.layer,
        id_column=source.id_column,
        table_id_column=source.table_id_column,
        crs=source.crs,
        mapping=source.mapping or None,
        progress=progress,
        sheet=source.sheet,
        defer_validity=defer_validity,
        crs_named_by='the project file\'s baseline "crs"',
    )


def load_opportunities(document: ProjectDocument, neighbourhoods: Neighbourhoods) -> AccessInputs:
    """Read the opportunity layers a project file refers to (jobs, schools, childcare, clinics)."""
    inputs = AccessInputs()
    for kind, source in document.opportunities.items():
        path = document.resolve(source.path)
        if kind == "jobs":
            inputs.jobs = read_lodes_wac(
                path,
                blocks=document.resolve(source.blocks) if source.blocks else None,
                neighbourhoods=neighbourhoods,
            )
        else:
            inputs.facilities[kind] = read_points(
                path, kind=kind, capacity_column=source.capacity_column
            )
    return inputs


def load_service_change(
    document: ProjectDocument, progress: Progress | None = None
) -> ServiceChangeInputs | None:
    """Read the baseline and proposed GTFS feeds a project file refers to."""
    if document.gtfs is None:
        return None
    progress = progress or NullProgress()
    base = _read_gtfs_once(document.resolve(document.gtfs.baseline), progress.subrange(0, 0.5))
    proposed = _read_gtfs_once(document.resolve(document.gtfs.proposed), progress.subrange(0.5, 1))
    return ServiceChangeInputs(base, proposed, document.gtfs.date, document.gtfs.peak)


def load_network(
    document: ProjectDocument, progress: Progress | None = None
) -> RoutedNetwork | None:
    """Read the street network and prepare the GTFS feeds the ``network`` block names.

    None without a ``network`` block (the straight-line sketch model gives the times).
    """
    if document.network is None:
        return None
    from equityplanner.analysis.routing.network import RoutedNetwork

    base = document.path.parent if document.path is not None else None
    return RoutedNetwork.load(document.network, base=base, read=_read_gtfs_once, progress=progress)


def _read_gtfs_once(path: Path, progress: Progress) -> GtfsFeed:
    """A feed read once per version of the file: re-running (in the app) need not re-read it.

    The cache key holds the file's modification time and size, so an edited feed is read anew.
    """
    from equityplanner.io.gtfs import read_gtfs

    try:
        stat = path.stat()
    except OSError:
        return read_gtfs(path, progress=progress)  # read_gtfs names the missing file
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    feed = _GTFS_CACHE.get(key)
    if feed is None:
        feed = read_gtfs(path, progress=progress)
        if len(_GTFS_CACHE) >= 4:
            _GTFS_CACHE.pop(next(iter(_GTFS_CACHE)))
        _GTFS_CACHE[key] = feed
    return feed


_GTFS_CACHE: dict[tuple[str, int, int], GtfsFeed] = {}  # feeds are frozen: safe to share
