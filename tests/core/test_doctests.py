"""The examples in the core's docstrings stay true (they double as documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import equityplanner.analysis
import equityplanner.io

MODULES = sorted(
    f"{package.__name__}.{info.name}"
    for package in (equityplanner.analysis, equityplanner.io)
    for info in pkgutil.iter_modules(package.__path__)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0
