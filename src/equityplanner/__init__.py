"""equityplanner: ex-ante equity assessment of proposed housing and transit projects.

The small public API::

    import equityplanner as ep
    doc = ep.load_project("sample_projects/magnolia/sample.eqp.json")
    result = ep.assess(doc)
    ep.write_json(result, "out.json")

Heavy modules are imported on first use so that ``import equityplanner`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from equityplanner._version import __version__

_API = {
    "assess": "equityplanner.analysis.assess",
    "assess_projects": "equityplanner.analysis.assess",
    "load_baseline": "equityplanner.analysis.assess",
    "load_project": "equityplanner.io.project_file",
    "save_project": "equityplanner.io.project_file",
    "read_neighbourhoods": "equityplanner.io.neighbourhoods",
    "read_projects": "equityplanner.io.projects",
    "read_weights": "equityplanner.io.weights",
    "catchment_table": "equityplanner.analysis.apportion",
    "write_json": "equityplanner.report.json_output",
    "write_workbook": "equityplanner.report.workbook",
    "Assessment": "equityplanner.model.results",
    "Indicator": "equityplanner.model.results",
    "HousingProject": "equityplanner.model.project",
    "TransitProject": "equityplanner.model.project",
    "Parameters": "equityplanner.model.project",
    "ProjectDocument": "equityplanner.model.project",
    "InputError": "equityplanner.errors",
    "Cancelled": "equityplanner.errors",
    "Progress": "equityplanner.progress",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'equityplanner' has no attribute {name!r}")
