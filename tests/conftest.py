"""Shared fixtures. Qt runs offscreen so the suite needs no display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import grid_frame


@pytest.fixture
def write_grid(tmp_path: Path) -> Callable[..., Path]:
    """Write the grid (optionally changed rows / CRS / format) and return its path."""

    def _write(
        rows: dict[str, dict] | None = None, crs: str = "EPSG:32616", name: str = "grid.gpkg"
    ) -> Path:
        path = tmp_path / name
        grid_frame(rows, crs).to_file(path, engine="pyogrio")
        return path

    return _write
