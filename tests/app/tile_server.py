"""A tile server on 127.0.0.1 for the basemap tests: PNG tiles drawn on the fly, no internet.

Each tile is one flat colour (``colour``) with a darker border, so that a test can find tile
pixels on the map; ``status`` makes every answer an HTTP error instead. The server runs in a
thread and stops with :meth:`TileServer.close` (the tests' fixtures do it).
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw


class TileServer:
    """Serves ``/{z}/{x}/{y}.png`` on 127.0.0.1 at a free port."""

    def __init__(self, colour: tuple[int, int, int] = (40, 110, 200)) -> None:
        self.colour = colour
        self.status = 200
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.status != 200:
                    self.send_response(server.status)
                    self.end_headers()
                    return
                parts = self.path.strip("/").removesuffix(".png").split("/")
                if len(parts) != 3 or not all(p.isdigit() for p in parts):
                    self.send_response(404)
                    self.end_headers()
                    return
                body = server.tile()
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The URL template of its tiles."""
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def tile(self) -> bytes:
        image = Image.new("RGB", (256, 256), self.colour)
        dark = tuple(max(c - 60, 0) for c in self.colour)
        ImageDraw.Draw(image).rectangle((0, 0, 255, 255), outline=dark, width=2)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
