"""Method data for equityplanner: indicator definitions, thresholds, rating words, presets.

This folder holds data, not code; it is installed as the ``equityplanner.resources`` package
so that it can be read with :mod:`importlib.resources`.
"""
