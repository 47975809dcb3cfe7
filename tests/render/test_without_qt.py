"""The command line and the Python API write the workbook, map included, where Qt cannot load.

Each test runs a fresh interpreter whose import system refuses PySide6 and shiboken6 (a
``sys.meta_path`` finder raising ImportError), as on a server without the ``app`` extra.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
from helpers import SAMPLE_PROJECT
from PIL import Image

from equityplanner.render.classify import palette

BLOCK_QT = """
import importlib.abc, sys

class _NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, _NoQt())
try:
    import PySide6  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the Qt blocker did not block")
"""

QT_ABSENT = """
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
"""


def _run_without_qt(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT + code + QT_ABSENT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _map_picture(path: Path) -> Image.Image:
    book = openpyxl.load_workbook(path)
    images = book["Map"]._images
    assert len(images) >= 1, "the Map sheet holds the map picture (the low-income map beside it)"
    return Image.open(io.BytesIO(images[0]._data()))


def _assert_is_the_sample_map(picture: Image.Image) -> None:
    assert picture.format == "PNG" and picture.size == (1600, 1100)
    pixels = np.asarray(picture.convert("RGB")).reshape(-1, 3)
    present = {tuple(int(v) for v in p) for p in np.unique(pixels, axis=0)}
    for colour in palette("YlGnBu", 5):  # the five quantile classes of the minority share
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in present, colour


def test_cli_writes_the_workbook_with_its_map_without_qt(tmp_path: Path) -> None:
    out = tmp_path / "sample.xlsx"
    _run_without_qt(
        "from equityplanner.cli import main\n"
        f"code = main(['assess', {str(SAMPLE_PROJECT)!r}, '--xlsx', {str(out)!r}, '--quiet'])\n"
        "assert code == 0, code\n"
    )
    _assert_is_the_sample_map(_map_picture(out))


def test_python_api_writes_the_workbook_with_its_map_without_qt(tmp_path: Path) -> None:
    out = tmp_path / "api.xlsx"
    _run_without_qt(
        "import equityplanner as ep\n"
        f"result = ep.assess(ep.load_project({str(SAMPLE_PROJECT)!r}))\n"
        f"ep.write_workbook(result, {str(out)!r})\n"
    )
    _assert_is_the_sample_map(_map_picture(out))


def test_importing_the_workbook_writer_loads_no_qt() -> None:
    _run_without_qt("import equityplanner.report.workbook, equityplanner.render.map_image\n")
