"""The project file: one human-readable JSON document (see ``docs/project_file.md``).

Loading checks the whole document and reports every problem with its JSON location; saving is
atomic and rewrites the baseline paths relative to the new location.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from equityplanner.errors import InputError
from equityplanner.io.atomic import atomic_write_text
from equityplanner.io.projects import projects_from_features, projects_to_features
from equityplanner.model.network import NetworkSource
from equityplanner.model.parameter_schema import (
    network_from_dict,
    network_to_dict,
    parameters_from_dict,
)
from equityplanner.model.project import (
    BaselineSource,
    GtfsSource,
    Metadata,
    OpportunitySource,
    Parameters,
    ProjectDocument,
    Scenario,
)
from equityplanner.model.travel_model import TravelModelParameters

__all__ = [
    "FORMAT_NAME",
    "SCHEMA_VERSION",
    "ProjectFileError",
    "document_to_dict",
    "load_project",
    "parameters_from_dict",
    "save_project",
]

FORMAT_NAME = "equityplanner-project"
SCHEMA_VERSION = 2


class ProjectFileError(InputError):
    """A project file with one or more problems; ``problems`` lists each one."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(
            fault=first + more,
            path=path,
            remedy="Run 'equityplanner validate' to list every problem" if more else None,
        )


def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 0 (pre-release drafts) kept the baseline path and catchments at the top level."""
    out = {
        k: v for k, v in data.items() if k not in ("version", "neighbourhood_file", "catchment_m")
    }
    baseline = dict(out.get("baseline") or {})
    if "neighbourhood_file" in data:
        baseline.setdefault("neighbourhoods", data["neighbourhood_file"])
    out["baseline"] = baseline
    params = dict(out.get("parameters") or {})
    if "catchment_m" in data:
        params.setdefault("catchment_m", data["catchment_m"])
    out["parameters"] = params
    out["format"] = FORMAT_NAME
    out["schema_version"] = 1
    return out


def _migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 adds the optional ``network`` block (routed access); schema 1 had none, so a
    schema 1 project keeps the straight-line sketch model and says so in every output."""
    return {**data, "schema_version": 2}


# Each step migrates from the key version to the next one.
_MIGRATIONS = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def load_project(path: str | Path) -> ProjectDocument:
    """Read and check a project file.

    Raises
    ------
    ProjectFileError
        Listing every problem found, each with its location in the file.
    """
    path = Path(path).resolve()
    if not path.exists():
        raise InputError("project file not found", path=path, remedy="Check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("is not a UTF-8 text file", path=path) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            path=path,
            remedy="Fix the JSON syntax or restore the previous copy",
        ) from exc
    if not isinstance(data, dict):
        raise InputError("is not an equityplanner project (expected a JSON object)", path=path)
    data = _upgrade(data, path)
    return _parse_document(data, path)


def _upgrade(data: dict[str, Any], path: Path) -> dict[str, Any]:
    version = data.get("schema_version", data.get("version"))
    if data.get("format") not in (FORMAT_NAME, None) or version is None:
        raise InputError(
            "is not an equityplanner project (no 'format' and 'schema_version')", path=path
        )
    if not isinstance(version, int) or version < 0:
        raise InputError(f"has an invalid schema_version {version!r}", path=path)
    if version > SCHEMA_VERSION:
        raise InputError(
            f"was written by a newer equityplanner (schema version {version}; this version "
            f"reads up to {SCHEMA_VERSION})",
            path=path,
            remedy="Update equityplanner to open it",
        )
    while version < SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


def _parse_document(data: dict[str, Any], path: Path) -> ProjectDocument:
    problems: list[str] = []
    meta_raw = data.get("metadata") or {}
    if not isinstance(meta_raw, dict):
        problems.append("metadata: must be an object")
        meta_raw = {}
    metadata = Metadata(
        **{
            k: str(meta_raw.get(k, "") or "")
            for k in ("title", "author", "organisation", "date", "description")
        }
    )
    if not metadata.title:
        metadata = Metadata(**{**asdict(metadata), "title": path.stem})

    baseline = _parse_baseline(data.get("baseline"), path, problems)
    parameters = parameters_from_dict(data.get("parameters") or {}, problems)

    projects: tuple[Any, ...] = ()
    raw_projects = data.get("projects") or {"type": "FeatureCollection", "features": []}
    if not isinstance(raw_projects, dict) or not isinstance(raw_projects.get("features"), list):
        problems.append("projects: must be a GeoJSON FeatureCollection")
    else:
        try:
            projects = projects_from_features(raw_projects["features"])
        except InputError as exc:
            problems.append(f"projects: {exc.location + ': ' if exc.location else ''}{exc.fault}")
    ids = [p.id for p in projects]
    scenarios = _parse_scenarios(data.get("scenarios") or [], set(ids), problems)
    opportunities = _parse_opportunities(data.get("opportunities") or {}, path, problems)
    gtfs = _parse_gtfs(data.get("gtfs"), path, problems)
    network = _parse_network(data.get("network"), path, problems)
    if problems:
        raise ProjectFileError(path, problems)
    return ProjectDocument(
        metadata=metadata,
        baseline=baseline,
        projects=projects,
        scenarios=scenarios,
        parameters=parameters,
        path=path,
        opportunities=opportunities,
        gtfs=gtfs,
        network=network,
    )


def _parse_network(raw: Any, path: Path, problems: list[str]) -> NetworkSource | None:
    """The ``network`` block (``model/network.py``), its files checked next to the project."""
    network = network_from_dict(raw, problems)
    if network is None:
        return None
    for where, rel in [("network.osm", network.osm)] + [
        (f"network.gtfs[{k}]", g) for k, g in enumerate(network.gtfs)
    ]:
        if not (path.parent / rel).exists():
            problems.append(f"{where}: file '{rel}' not found next to the project file")
    return network


_OPPORTUNITY_KINDS = ("jobs", "schools", "childcare", "clinics")


def _parse_opportunities(raw: Any, path: Path, problems: list[str]) -> dict[str, OpportunitySource]:
    if not isinstance(raw, dict):
        problems.append('opportunities: must be an object such as {"jobs": {"path": "jobs.csv"}}')
        return {}
    out: dict[str, OpportunitySource] = {}
    for kind, item in raw.items():
        where = f"opportunities.{kind}"
        if kind not in _OPPORTUNITY_KINDS:
            problems.append(f"{where}: unknown kind (use {', '.join(_OPPORTUNITY_KINDS)})")
            continue
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict) or not item.get("path"):
            problems.append(f"{where}: needs a path")
            continue
        source = OpportunitySource(
            path=str(item["path"]),
            capacity_column=item.get("capacity_column"),
            blocks=item.get("blocks"),
        )
        for key in ("path", "blocks"):
            rel = getattr(source, key)
            if rel and not (path.parent / rel).exists():
                problems.append(f"{where}.{key}: file '{rel}' not found next to the project file")
        out[kind] = source
    return out


def _parse_gtfs(raw: Any, path: Path, problems: list[str]) -> GtfsSource | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict) or not raw.get("baseline") or not raw.get("proposed"):
        problems.append("gtfs: needs 'baseline' and 'proposed' feed paths and a service 'date'")
        return None
    date = str(raw.get("date") or "")
    try:
        _dt.date.fromisoformat(date)
    except ValueError:
        problems.append(f"gtfs.date: '{date}' is not a date such as 2026-03-10")
    peak = tuple(raw.get("peak") or ("07:00", "09:00"))
    if len(peak) != 2:
        problems.append('gtfs.peak: two times such as ["07:00", "09:00"]')
        peak = ("07:00", "09:00")
    for key in ("baseline", "proposed"):
        if not (path.parent / raw[key]).exists():
            problems.append(f"gtfs.{key}: file '{raw[key]}' not found next to the project file")
    return GtfsSource(
        baseline=str(raw["baseline"]),
        proposed=str(raw["proposed"]),
        date=date,
        peak=(str(peak[0]), str(peak[1])),
    )


def _parse_baseline(raw: Any, path: Path, problems: list[str]) -> BaselineSource | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict) or not raw.get("neighbourhoods"):
        problems.append("baseline.neighbourhoods: missing (the path of the neighbourhood file)")
        return None
    source = BaselineSource(
        neighbourhoods=str(raw["neighbourhoods"]),
        table=raw.get("table"),
        layer=raw.get("layer"),
        id_column=raw.get("id_column"),
        table_id_column=raw.get("table_id_column"),
        crs=raw.get("crs"),
        mapping=dict(raw.get("mapping") or {}),
        vintage=str(raw.get("vintage") or ""),
    )
    for key in ("neighbourhoods", "table"):
        rel = getattr(source, key)
        if rel and not (path.parent / rel).exists():
            problems.append(f"baseline.{key}: file '{rel}' not found next to the project file")
    return source


def _parse_scenarios(raw: Any, ids: set[str], problems: list[str]) -> tuple[Scenario, ...]:
    if not isinstance(raw, list):
        problems.append("scenarios: must be a list")
        return ()
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        where = f"scenarios[{n}]"
        if not isinstance(item, dict) or not item.get("id"):
            problems.append(f"{where}: needs an id")
            continue
        sid = str(item["id"])
        if sid in seen or sid in ids:
            problems.append(f"{where}: id '{sid}' is used twice")
        seen.add(sid)
        members = tuple(str(p) for p in item.get("projects") or ())
        unknown = [p for p in members if p not in ids]
        if unknown:
            problems.append(
                f"{where}: unknown project(s) {', '.join(unknown)} (known: {', '.join(sorted(ids))})"
            )
        if not members:
            problems.append(f"{where}: lists no projects")
        scenarios.append(Scenario(id=sid, name=str(item.get("name") or sid), project_ids=members))
    return tuple(scenarios)


def parameters_to_dict(params: Parameters) -> dict[str, Any]:
    """The JSON form of the parameters."""
    out = asdict(params)
    out["title_vi"]["forms"] = list(params.title_vi.forms)
    out["comparison"]["ids"] = list(params.comparison.ids)
    out["job_thresholds_min"] = list(params.job_thresholds_min)
    # Saved in full, so that the file shows every assumption of the travel model.
    out["travel_model"] = TravelModelParameters.from_dict(params.travel_model or {}).to_dict()
    return out


def document_to_dict(doc: ProjectDocument, target: Path | None = None) -> dict[str, Any]:
    """The JSON form of a project, with baseline paths relative to ``target``'s folder."""

    def relative(rel: str | None) -> str | None:
        if not rel or target is None:
            return rel
        absolute = doc.resolve(rel)
        try:
            return Path(os.path.relpath(absolute, target.parent)).as_posix()
        except ValueError:  # another drive on Windows
            return str(absolute)

    baseline = None
    if doc.baseline is not None:
        baseline = asdict(doc.baseline)
        for key in ("neighbourhoods", "table"):
            baseline[key] = relative(baseline.get(key))
    extra: dict[str, Any] = {}
    if doc.opportunities:
        extra["opportunities"] = {
            kind: {
                k: v
                for k, v in {
                    "path": relative(src.path),
                    "capacity_column": src.capacity_column,
                    "blocks": relative(src.blocks),
                }.items()
                if v is not None
            }
            for kind, src in doc.opportunities.items()
        }
    if doc.gtfs is not None:
        extra["gtfs"] = {
            "baseline": relative(doc.gtfs.baseline),
            "proposed": relative(doc.gtfs.proposed),
            "date": doc.gtfs.date,
            "peak": list(doc.gtfs.peak),
        }
    if doc.network is not None:
        network = network_to_dict(doc.network)
        network["osm"] = relative(doc.network.osm)
        network["gtfs"] = [relative(g) for g in doc.network.gtfs]
        extra["network"] = network
    return {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "metadata": asdict(doc.metadata),
        "baseline": baseline,
        "parameters": parameters_to_dict(doc.parameters),
        "projects": projects_to_features(doc.projects),
        "scenarios": [
            {"id": s.id, "name": s.name, "projects": list(s.project_ids)} for s in doc.scenarios
        ],
        **extra,
    }


def save_project(doc: ProjectDocument, path: str | Path) -> Path:
    """Write the project file atomically; the previous file survives any failure."""
    target = Path(path).resolve()
    text = json.dumps(document_to_dict(doc, target), indent=2, ensure_ascii=False) + "\n"
    return atomic_write_text(target, text)
