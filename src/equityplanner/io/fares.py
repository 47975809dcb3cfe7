"""The fare of a GTFS feed, for the transport-cost model: ``fare_attributes.txt``'s price."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

from equityplanner.errors import InputError

__all__ = ["gtfs_fare"]

_LIMIT = 10_000_000  # bytes of fare_attributes.txt read at most


def gtfs_fare(feed: Path) -> float | None:
    """The most common ``price`` of the feed's ``fare_attributes.txt`` (None without one).

    Raises
    ------
    InputError
        When the file exists but has no ``price`` column or a price that is not a number.
    """
    name = "fare_attributes.txt"
    try:
        if feed.is_dir():
            path = feed / name
            if not path.is_file():
                return None
            data = path.read_bytes()[:_LIMIT]
        else:
            with zipfile.ZipFile(feed) as archive:
                members = [m for m in archive.namelist() if m.rsplit("/", 1)[-1] == name]
                if not members:
                    return None
                with archive.open(members[0]) as handle:
                    data = handle.read(_LIMIT)
    except (OSError, zipfile.BadZipFile):
        return None  # the GTFS reader reports an unreadable feed
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
    if not rows:
        return None
    if "price" not in rows[0]:
        raise InputError(
            "has no column 'price'", path=feed, location=name, remedy="Fix the feed's fares"
        )
    prices = []
    for n, row in enumerate(rows):
        try:
            prices.append(round(float(row["price"]), 2))
        except (TypeError, ValueError):
            raise InputError(
                f"{row['price']!r} in column 'price' is not a number",
                path=feed,
                location=f"{name} row {n + 2}",
                remedy="Fix the feed's fares",
            ) from None
    return Counter(prices).most_common(1)[0][0]
