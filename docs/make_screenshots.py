"""Make the screenshots in docs/: Sacramento's tracts over a basemap, with a BRT drawn along
Stockton Boulevard, as a planner sees the app.

There is no internet where this runs, so the basemap's tiles are drawn here, on the fly, by a
tile server on 127.0.0.1: a paper-coloured graticule (every 0.01°, labelled every 0.05°)
standing in for OpenStreetMap's tiles. The app fetches them exactly as it fetches real tiles
(QNetworkAccessManager, disk cache), and shows the attribution it is given.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [OUT_DIR]

The neighbourhoods are GeoDa's 2000-census Sacramento tracts (../shared/data/geoda-tracts).
"""

from __future__ import annotations

import io
import math
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
SACRAMENTO = REPO.parent / "shared" / "data" / "geoda-tracts" / "sacramento1.gpkg"
# Stockton Boulevard from Broadway to Florin Road (approximate, from memory of the street).
STOCKTON_BLVD = [
    ("Broadway", (-121.4655, 38.5617)),
    ("UC Davis Medical Center", (-121.4560, 38.5530)),
    ("14th Avenue", (-121.4490, 38.5370)),
    ("Fruitridge", (-121.4437, 38.5237)),
    ("47th Avenue", (-121.4380, 38.5093)),
    ("Florin", (-121.4316, 38.4953)),
]


def _tile_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2.0**z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def graticule_tile(z: int, x: int, y: int) -> bytes:
    """A 256-pixel tile: paper colour, faint lines every 0.01°, labels every 0.05°."""
    image = Image.new("RGB", (256, 256), (238, 236, 229))
    draw = ImageDraw.Draw(image)
    west, north = _tile_lonlat(x, y, z)
    east, south = _tile_lonlat(x + 1, y + 1, z)
    step = 0.01 if z >= 11 else 0.05 if z >= 9 else 0.5

    def px(lon: float, lat: float) -> tuple[float, float]:
        n = 2.0**z
        fx = (lon + 180.0) / 360.0 * n
        r = math.radians(lat)
        fy = (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n
        return (fx - x) * 256, (fy - y) * 256

    lon = math.floor(west / step) * step
    while lon <= east + step:
        major = abs(round(lon / 0.05) * 0.05 - lon) < 1e-9
        x0, _ = px(lon, north)
        draw.line([(x0, 0), (x0, 256)], fill=(205, 200, 190) if major else (224, 220, 212))
        if major and z >= 11:
            draw.text((x0 + 3, 3), f"{abs(lon):.2f}°W", fill=(150, 145, 135))
        lon += step
    lat = math.floor(south / step) * step
    while lat <= north + step:
        major = abs(round(lat / 0.05) * 0.05 - lat) < 1e-9
        _, y0 = px(west, lat)
        draw.line([(0, y0), (256, y0)], fill=(205, 200, 190) if major else (224, 220, 212))
        if major and z >= 11:
            draw.text((3, y0 + 2), f"{lat:.2f}°N", fill=(150, 145, 135))
        lat += step
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def serve_tiles() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = self.path.strip("/").removesuffix(".png").split("/")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                self.send_response(404)
                self.end_headers()
                return
            body = graticule_tile(*(int(p) for p in parts))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sacramento_project(folder: Path) -> Path:
    from shapely.geometry import Point

    from equityplanner.io.project_file import save_project
    from equityplanner.model.project import (
        BaselineSource,
        Metadata,
        Mode,
        ProjectDocument,
        ServiceChange,
        Station,
        TransitProject,
    )

    doc = ProjectDocument(
        metadata=Metadata(title="Sacramento: Stockton Boulevard BRT"),
        baseline=BaselineSource(neighbourhoods=str(SACRAMENTO), vintage="Census 2000 (GeoDa)"),
        projects=(
            TransitProject(
                "stockton-brt",
                "Stockton Blvd BRT",
                Mode.BRT,
                ServiceChange.NEW,
                tuple(Station(name, Point(xy)) for name, xy in STOCKTON_BLVD),
                peak_headway_min=10,
            ),
        ),
    )
    return save_project(doc, folder / "sacramento.eqp.json")


def draw_alignment(window: object, points: list[tuple[float, float]]) -> None:
    """Draw the BRT's alignment with the map's alignment tool, clicking as a planner would."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    canvas = window.canvas  # type: ignore[attr-defined]
    window.state.select_project("stockton-brt")  # type: ignore[attr-defined]
    canvas.set_tool("alignment")
    viewport = canvas.viewport()
    for lon, lat in points[:-1]:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=canvas.lonlat_to_view(lon, lat))
    last = canvas.lonlat_to_view(*points[-1])
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=last)
    canvas.set_tool("select")


def main(out_dir: Path) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    from equityplanner.app.main import create_application
    from equityplanner.app.main_window import MainWindow
    from equityplanner.app.settings import AppSettings

    out_dir.mkdir(parents=True, exist_ok=True)
    server = serve_tiles()
    url = f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = AppSettings.from_file(folder / "settings.ini")
        settings.set_custom_tiles(
            url, "Tiles drawn locally (graticule) in place of © OpenStreetMap"
        )
        settings.set_basemap("custom")
        settings.set_tile_cache_dir(folder / "tiles")
        settings.set_units("imperial")
        window = MainWindow(settings, interactive=False)
        window.resize(1400, 900)
        window.show()
        window.open_project(sacramento_project(folder))
        window.wait_for_tasks()
        draw_alignment(window, [xy for _name, xy in STOCKTON_BLVD])
        window.run_assessment()
        window.wait_for_tasks()

        def settle() -> None:
            loader = window.canvas.tile_loader
            for _ in range(100):
                loop = QEventLoop()
                QTimer.singleShot(100, loop.quit)
                loop.exec()
                if not loader.busy:
                    break
            window.canvas.viewport().repaint()
            app.processEvents()

        settle()
        window.grab().save(str(out_dir / "sacramento_basemap_brt.png"))
        window.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
