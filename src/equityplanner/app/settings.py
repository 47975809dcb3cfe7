"""User preferences stored with QSettings: recent files, window layout, export folder, map style,
basemap, units and the language of the app.

Nothing here affects results. Every number that does (catchments, thresholds…) lives in the
project file, so an assessment can be reproduced from the file alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from equityplanner import i18n

__all__ = ["LANGUAGE_ENV", "AppSettings"]

#: An environment variable that overrides the saved language (tests, screenshots).
LANGUAGE_ENV = "EQUITYPLANNER_LANGUAGE"

_MAX_RECENT = 8


class AppSettings:
    """Typed access to the app's QSettings.

    Parameters
    ----------
    settings
        The store; defaults to the application's (organisation and application names set by
        :func:`equityplanner.app.main.create_application`). Tests pass an INI file.
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings()

    @classmethod
    def from_file(cls, path: str | Path) -> AppSettings:
        """Settings kept in an INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    # Recent files ------------------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Recently opened project files that still exist, newest first."""
        raw = self.qsettings.value("recent/files", [])
        if isinstance(raw, str):  # QSettings returns a lone string for a one-item list
            raw = [raw]
        names = [str(p) for p in raw if p] if isinstance(raw, list) else []
        return [Path(p) for p in names if Path(p).exists()][:_MAX_RECENT]

    def add_recent_file(self, path: str | Path) -> None:
        """Put ``path`` first in the recent files."""
        text = str(Path(path).resolve())
        files = [text, *(str(p) for p in self.recent_files() if str(p) != text)]
        self.qsettings.setValue("recent/files", files[:_MAX_RECENT])

    def clear_recent_files(self) -> None:
        """Forget the recent files."""
        self.qsettings.setValue("recent/files", [])

    # Window layout -----------------------------------------------------------------------

    def window_geometry(self) -> QByteArray | None:
        """The saved main-window geometry, or None."""
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        """The saved dock and toolbar layout, or None."""
        value = self.qsettings.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the window's geometry and dock/toolbar layout."""
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    # Folders and map style ---------------------------------------------------------------

    def last_folder(self, kind: str) -> str:
        """The folder last used for ``kind`` (``project``, ``export``, ``import``)."""
        return str(self.qsettings.value(f"folders/{kind}", "") or "")

    def set_last_folder(self, kind: str, folder: str | Path) -> None:
        """Remember a folder for the next file dialog of this kind."""
        self.qsettings.setValue(f"folders/{kind}", str(folder))

    def map_style(self) -> dict[str, object]:
        """Classification method, palette and number of classes last used on the map."""
        return {
            "method": str(self.qsettings.value("map/method", "quantile")),
            "palette": str(self.qsettings.value("map/palette", "")),
            "k": _int(self.qsettings.value("map/k", 5), 5),
        }

    def set_map_style(self, method: str, palette: str, k: int) -> None:
        """Remember the map's classification."""
        self.qsettings.setValue("map/method", method)
        self.qsettings.setValue("map/palette", palette)
        self.qsettings.setValue("map/k", int(k))

    # Basemap and units ------------------------------------------------------------------

    def basemap(self, default: str) -> str:
        """The basemap chosen (``osm``, ``carto-light``, ``custom`` or ``none``), or ``default``."""
        return str(self.qsettings.value("basemap/provider", default) or default)

    def set_basemap(self, key: str) -> None:
        """Remember the basemap chosen."""
        self.qsettings.setValue("basemap/provider", key)

    def custom_tiles(self) -> tuple[str, str]:
        """The URL (with ``{z}/{x}/{y}``) and attribution of the user's own tile server."""
        return (
            str(self.qsettings.value("basemap/url", "") or ""),
            str(self.qsettings.value("basemap/attribution", "") or ""),
        )

    def set_custom_tiles(self, url: str, attribution: str) -> None:
        """Remember the user's own tile server."""
        self.qsettings.setValue("basemap/url", url)
        self.qsettings.setValue("basemap/attribution", attribution)

    def api_keys(self) -> dict[str, str]:
        """API keys of tile providers that need one (``carto``)."""
        key = str(self.qsettings.value("basemap/carto_key", "") or "")
        return {"carto": key} if key else {}

    def tile_cache_dir(self) -> Path | None:
        """Where basemap tiles are cached, when not in the user's cache folder."""
        value = str(self.qsettings.value("basemap/cache_dir", "") or "")
        return Path(value) if value else None

    def set_tile_cache_dir(self, folder: str | Path) -> None:
        """Cache basemap tiles in ``folder`` (portable installs, tests)."""
        self.qsettings.setValue("basemap/cache_dir", str(folder))

    def units(self) -> str:
        """``metric`` or ``imperial``: the map's scale bar and catchment distances."""
        value = str(self.qsettings.value("map/units", "metric") or "metric")
        return value if value in ("metric", "imperial") else "metric"

    def set_units(self, units: str) -> None:
        """Remember the units of the map."""
        self.qsettings.setValue("map/units", units)

    # Language ---------------------------------------------------------------------------

    def language(self) -> str:
        """The language chosen for the app (a code of :data:`equityplanner.i18n.LANGUAGES`)."""
        value = str(self.qsettings.value("app/language", i18n.SOURCE_LANGUAGE) or "")
        return value if value in i18n.LANGUAGES else i18n.SOURCE_LANGUAGE

    def set_language(self, code: str) -> None:
        """Remember the language of the app (it applies from the next start)."""
        if code not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {code!r}")  # a programmer error
        self.qsettings.setValue("app/language", code)

    def startup_language(self) -> str:
        """The language to start in: ``EQUITYPLANNER_LANGUAGE`` when set and known, else the
        saved choice."""
        override = os.environ.get(LANGUAGE_ENV, "").strip().lower()
        return override if override in i18n.LANGUAGES else self.language()

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.qsettings.sync()


def _int(value: object, default: int) -> int:
    """A whole number stored in the settings (INI files give text), or ``default``."""
    try:
        return int(str(value))
    except ValueError:
        return default
