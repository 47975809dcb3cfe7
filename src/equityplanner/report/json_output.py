"""The JSON output of an assessment: a documented, stable contract (``docs/json_output.md``).

NaN and infinities are written as ``null``; shares are fractions (0..1); differences of
shares are percentage points.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from equityplanner.io.atomic import atomic_write_text
from equityplanner.io.project_file import parameters_to_dict
from equityplanner.model.equity_questions import answers_to_dict, count_answered, questions
from equityplanner.model.results import Assessment, Indicator

__all__ = ["OUTPUT_FORMAT", "OUTPUT_SCHEMA_VERSION", "assessment_to_dict", "write_json"]

OUTPUT_FORMAT = "equityplanner-assessment"
OUTPUT_SCHEMA_VERSION = 1


def indicator_to_dict(indicator: Indicator) -> dict[str, Any]:
    """An indicator as plain JSON types (its ``value_unit`` under the contract's key ``unit``)."""
    out = {("unit" if k == "value_unit" else k): v for k, v in asdict(indicator).items()}
    return _plain(out)


def _records(frame: pd.DataFrame, index_name: str | None = None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    if index_name:
        frame = frame.reset_index().rename(columns={"index": index_name})
    return [_plain(r) for r in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _round_geometry(geo: Any, digits: int = 6) -> Any:
    if isinstance(geo, dict):
        return {k: _round_geometry(v, digits) for k, v in geo.items()}
    if isinstance(geo, list | tuple):
        return [_round_geometry(v, digits) for v in geo]
    if isinstance(geo, float):
        return round(geo, digits)
    return geo


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The JSON document of an assessment."""
    results = []
    for result in assessment.results:
        effect = {True: "benefit", False: "burden", None: "mixed"}[result.is_benefit]
        results.append(
            {
                "id": result.id,
                "name": result.name,
                "kind": result.kind,
                "projects": list(result.project_ids),
                "effect": effect,
                "catchment_m": dict(result.catchment_m),
                "catchment": _round_geometry(mapping(result.catchment))
                if result.catchment is not None
                else None,
                "indicators": [indicator_to_dict(i) for i in result.indicators],
                "neighbourhoods": _records(result.neighbourhoods),
                "quintiles": _records(result.quintiles, "quintile"),
                "access": _records(result.access),
            }
        )
    return {
        "format": OUTPUT_FORMAT,
        "schema_version": OUTPUT_SCHEMA_VERSION,
        "software": {"name": "equityplanner", "version": assessment.software_version},
        "created": assessment.created,
        "metadata": asdict(assessment.metadata),
        "parameters": _plain(parameters_to_dict(assessment.parameters)),
        "comparison_population": assessment.comparison_label,
        "projected_crs": assessment.projected_crs,
        "data_vintage": assessment.vintage,
        "travel_model": assessment.travel_model or None,
        "routing": _routing(assessment) or None,
        "inputs": [asdict(i) for i in assessment.inputs],
        "study_area": {"indicators": [indicator_to_dict(i) for i in assessment.study_indicators]},
        "results": results,
        "warnings": list(assessment.warnings),
        "notices": [asdict(n) for n in assessment.notices],
        "equity_questions": {
            "answered": count_answered(assessment.equity_questions),
            "total": len(questions()),
            "answers": answers_to_dict(assessment.equity_questions),
        },
    }


def _routing(assessment: Assessment) -> dict[str, Any]:
    """The routed-access settings, with the street network and feeds as published paths.

    The paths are shown as the inputs list shows them (relative to the project file), so a
    published pack does not reveal a planner's folders; the full paths are in ``inputs``.
    """
    if not assessment.routing:
        return {}
    published = {i.path: i.relative_path or i.path for i in assessment.inputs}
    routing = dict(assessment.routing)
    if routing.get("osm"):
        routing["osm"] = published.get(str(routing["osm"]), Path(str(routing["osm"])).name)
    routing["gtfs"] = [published.get(str(f), Path(str(f)).name) for f in routing.get("gtfs", [])]
    return _plain(routing)


def write_json(assessment: Assessment, path: str | Path) -> Path:
    """Write the assessment's JSON document atomically."""
    text = json.dumps(assessment_to_dict(assessment), indent=2, ensure_ascii=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")
