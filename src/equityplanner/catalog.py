"""Read the method data shipped in ``resources/`` (TOML files), cached."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["load_resource", "resource_path"]


def resource_path(name: str) -> Any:
    """A :class:`importlib.resources.abc.Traversable` for a file in ``resources/``."""
    return files("equityplanner.resources").joinpath(name)


@cache
def load_resource(name: str) -> dict[str, Any]:
    """Parse a TOML file from ``resources/`` (cached; do not mutate the result)."""
    return tomllib.loads(resource_path(name).read_text(encoding="utf-8"))
