"""The examples in the core's docstrings stay true (they double as documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import equityplanner.analysis
import equityplanner.io
import equityplanner.model

MODULES = sorted(
    info.name
    for package in (equityplanner.model, equityplanner.io, equityplanner.analysis)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0
