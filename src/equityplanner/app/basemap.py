"""The basemap: web map tiles under the neighbourhoods, fetched in the background and cached.

* **Providers** (:func:`providers`) come from the ``xyzservices`` catalogue: OpenStreetMap's
  standard tiles by default, Carto's light tiles (streets under the neighbourhoods, place
  names drawn above them) when an API key is set, a tile server of the user's own (a URL with
  ``{z}/{x}/{y}``), or none. Each carries the attribution its provider requires, which the
  map shows in its lower right corner whenever tiles are drawn.
* :class:`TileLoader` fetches tiles with ``QNetworkAccessManager`` (two at a time, as
  OpenStreetMap's tile policy asks, the current view's first, identified by the app's
  User-Agent), keeps them in a ``QNetworkDiskCache`` under the user's cache folder
  (``…/equityplanner/tiles``, 250 MB) and the decoded ones in memory. Nothing waits for the
  network: a tile that has not arrived is drawn from a coarser one already there, or not at
  all.
* **Offline or blocked**: the first failure that is not a missing tile (no network, host not
  found, refused, HTTP 401/403/429/5xx) makes :attr:`TileLoader.unavailable` say so once, with
  what to do; the map goes on without tiles and the loader tries again a minute later,
  silently.
* :class:`BasemapItem` is the canvas's item that draws the tiles of the view
  (:mod:`equityplanner.render.tiles` places them in the map's projection), under the
  neighbourhoods, or above them for a provider's label layer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, QStandardPaths, QTimer, QUrl, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from equityplanner._version import __version__
from equityplanner.app.qt_surface import QtSurface
from equityplanner.i18n import _
from equityplanner.render.geometry import Affine, SceneTransform
from equityplanner.render.tiles import TILE_SIZE, TileKey, draw_tiles, tiles_for_view

__all__ = [
    "NO_BASEMAP",
    "BasemapItem",
    "BasemapProvider",
    "TileLoader",
    "custom_provider",
    "default_cache_dir",
    "providers",
]

NO_BASEMAP = "none"
_MAX_ACTIVE = 2  # OpenStreetMap's tile usage policy: at most two connections
_MEMORY_TILES = 384  # decoded tiles kept (about 100 MB at most)
_DISK_CACHE_BYTES = 250 * 1024 * 1024
_RETRY_AFTER_S = 60.0
_TIMEOUT_MS = 15_000
_ANCESTORS = 5  # a missing tile is drawn from a coarser one up to this many levels out


@dataclass(frozen=True)
class BasemapProvider:
    """A source of XYZ tiles.

    ``url`` holds ``{z}``, ``{x}``, ``{y}`` (and ``{s}`` for a subdomain from ``subdomains``);
    ``labels_url``, when given, is a layer of names drawn above the neighbourhoods.
    """

    key: str
    name: str
    url: str
    attribution: str
    max_zoom: int = 19
    subdomains: str = ""
    labels_url: str | None = None
    note: str = ""

    def tile_url(self, key: TileKey, *, labels: bool = False) -> str:
        """The URL of one tile (of the label layer when ``labels``)."""
        template = self.labels_url if labels and self.labels_url else self.url
        text = template.replace("{z}", str(key.z)).replace("{x}", str(key.x))
        text = text.replace("{y}", str(key.y))
        if "{s}" in text:
            subs = self.subdomains or "a"
            text = text.replace("{s}", subs[(key.x + key.y) % len(subs)])
        return text


def _attribution(text: str) -> str:
    return text.replace("(C)", "©").replace("&copy;", "©").strip()


def _template(provider: Any, **values: str) -> str:
    """An xyzservices provider's URL with every placeholder but z, x, y and s filled in."""
    url = str(provider.url)
    for name, value in {**{k: str(v) for k, v in provider.items()}, **values}.items():
        if name not in {"url", "x", "y", "z", "s"}:
            url = url.replace("{" + name + "}", value)
    if "?key=" in url and url.endswith("?key="):
        url = url[: -len("?key=")]
    return url


def providers(api_keys: dict[str, str] | None = None) -> dict[str, BasemapProvider]:
    """The basemaps offered, by key: OpenStreetMap, and Carto light with an API key."""
    import xyzservices.providers as xyz  # only when a basemap is wanted: not at start-up

    keys = api_keys or {}
    osm = xyz.OpenStreetMap.Mapnik
    out = {
        "osm": BasemapProvider(
            "osm",
            "OpenStreetMap",
            _template(osm),
            _attribution(str(osm.attribution)),
            int(osm.get("max_zoom", 19)),
        )
    }
    carto, labels = xyz.CartoDB.PositronNoLabels, xyz.CartoDB.PositronOnlyLabels
    key = keys.get("carto", "")
    out["carto-light"] = BasemapProvider(
        "carto-light",
        _("Carto light"),
        _template(carto, r="", apikey=key),
        _attribution(str(carto.attribution)),
        int(carto.get("max_zoom", 20)),
        str(carto.get("subdomains", "abcd")),
        _template(labels, r="", apikey=key),
        note="" if key else _("Carto's tiles need an API key (carto.com/basemaps)."),
    )
    return out


def custom_provider(url: str, attribution: str, max_zoom: int = 19) -> BasemapProvider:
    """A tile server of the user's own: ``url`` with ``{z}``, ``{x}`` and ``{y}``."""
    return BasemapProvider("custom", _("Own tile server"), url, attribution or url, max_zoom)


def default_cache_dir() -> Path:
    """Where tiles are cached: the user's cache folder for the app, then ``tiles``."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(base or Path.home() / ".cache" / "equityplanner") / "tiles"


@dataclass
class _Request:
    url: str
    key: TileKey
    reply: Any = None
    started: float = field(default_factory=time.monotonic)


class TileLoader(QObject):
    """Fetches and caches the tiles of one provider at a time; see the module docstring.

    Signals
    -------
    tile_arrived()
        New tiles can be drawn (several arrivals close together are told once).
    unavailable(message)
        The provider cannot be reached; said once per provider.
    """

    tile_arrived = Signal()
    unavailable = Signal(str)

    def __init__(self, cache_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache_dir = cache_dir
        self.provider: BasemapProvider | None = None
        self._manager: Any = None  # created with the first request (QtNetwork loads lazily)
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._queue: list[_Request] = []
        self._active: dict[str, _Request] = {}
        self._missing: set[str] = set()
        self._down_until = 0.0
        self._told = False
        self.requests_made = 0
        self.failure: str | None = None
        self._notify = QTimer(self)
        self._notify.setSingleShot(True)
        self._notify.setInterval(30)
        self._notify.timeout.connect(self.tile_arrived)

    # Provider ------------------------------------------------------------------------------

    def set_provider(self, provider: BasemapProvider | None) -> None:
        """Load tiles of ``provider`` from now on (None: none); pending requests stop."""
        if provider == self.provider:
            return
        self.provider = provider
        self._queue.clear()
        for request in list(self._active.values()):
            if request.reply is not None:
                request.reply.abort()
        self._active.clear()
        self._down_until = 0.0
        self._told = False
        self.failure = None

    @property
    def busy(self) -> bool:
        """True while tiles are being fetched or wait their turn."""
        return bool(self._queue or self._active)

    @property
    def is_down(self) -> bool:
        """True while the provider is not tried after a failure."""
        return time.monotonic() < self._down_until

    # Tiles ---------------------------------------------------------------------------------

    def image(self, url: str) -> QImage | None:
        """The decoded tile at ``url`` if it has arrived."""
        image = self._images.get(url)
        if image is not None:
            self._images.move_to_end(url)
        return image

    def want(self, requests: list[tuple[str, TileKey]]) -> None:
        """Fetch these tiles (those of the view), in this order, before any asked earlier."""
        if self.provider is None or self.is_down:
            return
        fresh = [
            _Request(url, key)
            for url, key in requests
            if url not in self._images and url not in self._missing and url not in self._active
        ]
        self._queue = fresh  # tiles of views left behind are not fetched any more
        self._pump()

    def _network(self) -> Any:
        if self._manager is None:
            from PySide6.QtNetwork import QNetworkAccessManager, QNetworkDiskCache

            self._manager = QNetworkAccessManager(self)
            folder = self.cache_dir or default_cache_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
                cache = QNetworkDiskCache(self._manager)
                cache.setCacheDirectory(str(folder))
                cache.setMaximumCacheSize(_DISK_CACHE_BYTES)
                self._manager.setCache(cache)
            except OSError:
                pass  # no cache folder: tiles are fetched each session
        return self._manager

    def _pump(self) -> None:
        from PySide6.QtNetwork import QNetworkRequest

        while self._queue and len(self._active) < _MAX_ACTIVE:
            request = self._queue.pop(0)
            qrequest = QNetworkRequest(QUrl(request.url))
            qrequest.setHeader(
                QNetworkRequest.KnownHeaders.UserAgentHeader,
                f"equityplanner/{__version__} (desktop app for equity assessments)",
            )
            qrequest.setAttribute(
                QNetworkRequest.Attribute.CacheLoadControlAttribute,
                QNetworkRequest.CacheLoadControl.PreferCache,
            )
            qrequest.setTransferTimeout(_TIMEOUT_MS)
            reply = self._network().get(qrequest)
            request.reply = reply
            self._active[request.url] = request
            self.requests_made += 1
            reply.finished.connect(lambda r=request: self._finished(r))

    def _finished(self, request: _Request) -> None:
        from PySide6.QtNetwork import QNetworkReply, QNetworkRequest

        reply = request.reply
        if self._active.get(request.url) is not request:  # another provider since, or aborted
            reply.deleteLater()
            return
        del self._active[request.url]
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        error = reply.error()
        data = bytes(reply.readAll().data()) if error == QNetworkReply.NetworkError.NoError else b""
        reason = reply.errorString()
        reply.deleteLater()
        if error == QNetworkReply.NetworkError.OperationCanceledError:
            pass
        elif status == 404 or error == QNetworkReply.NetworkError.ContentNotFoundError:
            self._missing.add(request.url)  # beyond the provider's area or zoom: not an outage
        elif error != QNetworkReply.NetworkError.NoError:
            self._fail(request.url, reason, status)
        else:
            image = QImage.fromData(data)
            if image.isNull():
                self._missing.add(request.url)
            else:
                if image.format() != QImage.Format.Format_ARGB32_Premultiplied:
                    image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
                self._images[request.url] = image
                while len(self._images) > _MEMORY_TILES:
                    self._images.popitem(last=False)
                self._notify.start()
        self._pump()

    def _fail(self, url: str, reason: str, status: Any) -> None:
        self._down_until = time.monotonic() + _RETRY_AFTER_S
        self._queue.clear()
        provider = self.provider
        name = provider.name if provider is not None else _("the basemap")
        host = QUrl(url).host() or url
        detail = f"HTTP {status}" if isinstance(status, int) and status else reason
        fix = _("The map works without it and tries again in a minute")
        if provider is not None and provider.note:
            fix = f"{provider.note} {fix}"
        self.failure = _(
            "Basemap {name}: {host} could not be reached ({detail}). {fix}; choose None in the "
            "Basemap list above the map to turn it off."
        ).format(name=name, host=host, detail=detail, fix=fix)
        if not self._told:
            self._told = True
            self.unavailable.emit(self.failure)


class BasemapItem(QGraphicsItem):
    """The tiles of the view, in the map's projection (see the module docstring).

    Parameters
    ----------
    loader
        Where tiles come from.
    transform
        The map's scene transform (changes with the layer: a callable that gives the current).
    labels
        True for the provider's label layer (drawn above the neighbourhoods).
    """

    def __init__(
        self,
        loader: TileLoader,
        transform: Callable[[], SceneTransform | None],
        *,
        labels: bool = False,
    ) -> None:
        super().__init__()
        self.loader = loader
        self._transform = transform
        self.labels = labels
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.tiles_drawn = 0
        self.zoom_level = -1

    def boundingRect(self) -> QRectF:
        return QRectF(-5e6, -5e6, 1e7, 1e7)  # scene metres: 10,000 km around the study area

    def _image_for(self, key: TileKey) -> tuple[QImage, tuple[float, float, float, float]] | None:
        provider = self.loader.provider
        if provider is None:
            return None
        for up in range(_ANCESTORS + 1):
            if key.z - up < 0:
                break
            ancestor = TileKey(key.z - up, key.x >> up, key.y >> up)
            image = self.loader.image(provider.tile_url(ancestor, labels=self.labels))
            if image is not None:
                size = TILE_SIZE / 2**up
                w = image.width() / TILE_SIZE  # @2x tiles are 512 pixels wide
                sx = (key.x - (ancestor.x << up)) * size * w
                sy = (key.y - (ancestor.y << up)) * size * w
                return image, (sx, sy, size * w, size * w)
        return None

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        provider, transform = self.loader.provider, self._transform()
        self.tiles_drawn = 0
        if provider is None or transform is None or (self.labels and not provider.labels_url):
            return
        visible = option.exposedRect
        if visible.isEmpty():
            return
        t = painter.worldTransform()
        view = Affine(t.m11(), t.dx(), t.dy())
        z, tiles = tiles_for_view(
            transform,
            (visible.left(), visible.top(), visible.right(), visible.bottom()),
            view.scale,
            max_zoom=provider.max_zoom,
        )
        self.zoom_level = z
        # Nearest the centre first: what the user looks at arrives first.
        cx, cy = visible.center().x(), visible.center().y()
        tiles.sort(key=lambda tile: float(((tile.corners.mean(axis=0) - (cx, cy)) ** 2).sum()))
        self.loader.want(
            [(provider.tile_url(tile.key, labels=self.labels), tile.key) for tile in tiles]
        )
        painter.save()
        painter.resetTransform()
        self.tiles_drawn = draw_tiles(QtSurface(painter), tiles, view, self._image_for)
        painter.restore()
