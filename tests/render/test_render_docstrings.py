"""The examples in the renderer's docstrings stay true (they double as documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import equityplanner.render

MODULES = sorted(
    f"equityplanner.render.{info.name}"
    for info in pkgutil.iter_modules(equityplanner.render.__path__)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0
