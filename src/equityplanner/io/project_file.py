"""The project file: one human-readable JSON document (see ``docs/project_file.md``).

Loading checks the whole document and reports every problem with its JSON location; saving is
atomic and rewrites the baseline paths relative to the new location.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from equityplanner.errors import InputError
from equityplanner.io.atomic import atomic_write_text
from equityplanner.io.files import check_path_text, read_json, regular_file
from equityplanner.io.projects import projects_from_features, projects_to_features
from equityplanner.model.document_schema import read_document
from equityplanner.model.equity_questions import answers_to_dict
from equityplanner.model.network import NetworkSource, network_to_dict
from equityplanner.model.parameter_schema import parameters_from_dict
from equityplanner.model.project import (
    BaselineSource,
    GtfsSource,
    Metadata,
    OpportunitySource,
    Parameters,
    ProjectDocument,
    Scenario,
    WeightsSource,
)
from equityplanner.model.schema import show
from equityplanner.model.transport_cost import TransportCostParameters
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
    baseline = out.get("baseline") or {}
    if "neighbourhood_file" in data and isinstance(baseline, dict):
        baseline = {**baseline}
        baseline.setdefault("neighbourhoods", data["neighbourhood_file"])
    out["baseline"] = baseline
    params = out.get("parameters") or {}
    if "catchment_m" in data and isinstance(params, dict):
        params = {**params}
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
    """Read and check a project file: the one validation pass of ``validate`` and ``assess``.

    The document is read within the limits of :func:`~equityplanner.io.files.read_json`
    (a regular file, UTF-8, sane numbers and nesting), upgraded to the current schema, read
    with the table of :mod:`equityplanner.model.document_schema`, and every path it names is
    checked to be a readable regular file (or, for a GTFS feed, a folder) next to it.

    Raises
    ------
    ProjectFileError
        Listing every problem found, each with its location in the file.
    InputError
        When the file itself cannot be read as a project (missing, not a regular file, not
        JSON, not an equityplanner project, or from a newer version).
    """
    path = _absolute(check_path_text(path, "project file"))
    data = read_json(path, "project file")
    if not isinstance(data, dict):
        raise InputError(
            "is not an equityplanner project (expected a JSON object)",
            path=path,
            remedy="Open the project file (.eqp.json), not another JSON file",
        )
    data = _upgrade(data, path)
    return _parse_document(data, path)


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links: regular_file names it
        return path.absolute()


def _upgrade(data: dict[str, Any], path: Path) -> dict[str, Any]:
    version = data.get("schema_version", data.get("version"))
    if data.get("format") not in (FORMAT_NAME, None) or version is None:
        raise InputError(
            "is not an equityplanner project (no 'format' and 'schema_version')",
            path=path,
            remedy=f'A project file starts with "format": "{FORMAT_NAME}", "schema_version": 1',
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise InputError(
            f"has an invalid schema_version {show(version)}",
            path=path,
            remedy=f"Write schema_version {SCHEMA_VERSION}",
        )
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
    values = read_document(data, problems)
    metadata: Metadata = values.get("metadata", Metadata())
    if not metadata.title:
        metadata = Metadata(**{**asdict(metadata), "title": path.stem})
    folder = path.parent

    baseline: BaselineSource | None = values.get("baseline")
    if baseline is not None:
        for key in ("neighbourhoods", "table"):
            _check_file(folder, getattr(baseline, key), f"baseline.{key}", problems)
    parameters: Parameters = values.get("parameters", Parameters())

    projects: tuple[Any, ...] = ()
    projects_read = True
    if "projects" in values:
        try:
            projects = projects_from_features(values["projects"])
        except InputError as exc:
            problems.append(f"projects: {exc.location + ': ' if exc.location else ''}{exc.fault}")
            projects_read = False
    scenarios: tuple[Scenario, ...] = values.get("scenarios", ())
    if projects_read:  # else every scenario would name "unknown" projects: one fault, once
        _check_scenarios(scenarios, [p.id for p in projects], problems)
    opportunities: dict[str, OpportunitySource] = values.get("opportunities", {})
    for kind, source in opportunities.items():
        for key in ("path", "blocks"):
            _check_file(folder, getattr(source, key), f"opportunities.{kind}.{key}", problems)
    gtfs: GtfsSource | None = values.get("gtfs")
    if gtfs is not None:
        for key in ("baseline", "proposed"):
            _check_file(folder, getattr(gtfs, key), f"gtfs.{key}", problems, allow_folder=True)
    weights: WeightsSource | None = values.get("weights")
    if weights is not None:
        for key in ("path", "table"):
            _check_file(folder, getattr(weights, key), f"weights.{key}", problems)
    screening = values.get("screening")
    if screening is not None:
        for kind, layer in screening.layers.items():
            _check_file(folder, layer.path, f"screening.{kind}.path", problems)
        _check_file(folder, screening.relationship, "screening.relationship", problems)
    network: NetworkSource | None = values.get("network")
    if network is not None:
        _check_file(folder, network.osm, "network.osm", problems)
        for k, feed in enumerate(network.gtfs):
            _check_file(folder, feed, f"network.gtfs[{k}]", problems, allow_folder=True)
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
        weights=weights,
        screening=screening,
        fare_change=values.get("fare_change"),
        network=network,
        equity_questions=values.get("equity_questions", {}),
    )


def _check_file(
    folder: Path, relative: str | None, key: str, problems: list[str], *, allow_folder: bool = False
) -> None:
    """Add a problem unless ``relative`` names a readable regular file (or allowed folder)."""
    if not relative:
        return
    try:
        regular_file(folder / relative, f"file {show(relative)}", allow_folder=allow_folder)
    except InputError as exc:
        fault = exc.fault.rstrip(".")
        if fault.endswith(" not found"):
            fault += " next to the project file"
        problems.append(f"{key}: {fault}")


def _check_scenarios(
    scenarios: tuple[Scenario, ...], project_ids: list[str], problems: list[str]
) -> tuple[Scenario, ...]:
    """The scenarios, each id used once and naming known projects only."""
    ids = set(project_ids)
    seen: set[str] = set()
    for n, scenario in enumerate(scenarios):
        where = f"scenarios[{n}]"
        if scenario.id in seen or scenario.id in ids:
            problems.append(f"{where}: id {show(scenario.id)} is used twice")
        seen.add(scenario.id)
        unknown = [p for p in scenario.project_ids if p not in ids]
        if unknown:
            problems.append(
                f"{where}: unknown project(s) {', '.join(unknown[:10])} "
                f"(known: {', '.join(sorted(ids)[:20]) or 'none'})"
            )
        if not scenario.project_ids:
            problems.append(f"{where}: lists no projects")
    return scenarios


def parameters_to_dict(params: Parameters) -> dict[str, Any]:
    """The JSON form of the parameters."""
    out = asdict(params)
    out["title_vi"]["forms"] = list(params.title_vi.forms)
    out["comparison"]["ids"] = list(params.comparison.ids)
    out["job_thresholds_min"] = list(params.job_thresholds_min)
    # Saved in full, so that the file shows every assumption of the travel model.
    out["travel_model"] = TravelModelParameters.from_dict(params.travel_model or {}).to_dict()
    out["transport_cost"] = TransportCostParameters.from_dict(params.transport_cost or {}).to_dict()
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
    if doc.weights is not None:
        paths = {"path": relative(doc.weights.path), "table": relative(doc.weights.table)}
        extra["weights"] = {
            k: v for k, v in {**asdict(doc.weights), **paths}.items() if v is not None
        }
    if doc.screening is not None:
        screening: dict[str, Any] = {
            kind: {
                k: v
                for k, v in {**asdict(layer), "path": relative(layer.path)}.items()
                if v not in (None, "", {}) and k != "kind"
            }
            for kind, layer in doc.screening.layers.items()
        }
        screening["neighbourhood_vintage"] = doc.screening.neighbourhood_vintage
        if doc.screening.relationship:
            screening["relationship"] = relative(doc.screening.relationship)
        extra["screening"] = screening
    if doc.fare_change is not None:
        fc = doc.fare_change
        extra["fare_change"] = {
            "name": fc.name,
            "usage": fc.usage,
            "survey": fc.survey,
            "fares": [
                {
                    k: v
                    for k, v in {
                        "name": f.name,
                        "old_usd": f.old_usd,
                        "new_usd": f.new_usd,
                        "usage": f.usage or None,
                        "share": f.share,
                        "neighbourhoods": list(f.neighbourhoods) or None,
                    }.items()
                    if v is not None
                }
                for f in fc.fares
            ],
        }
    if doc.network is not None:
        network = network_to_dict(doc.network)
        network["osm"] = relative(doc.network.osm)
        network["gtfs"] = [relative(g) for g in doc.network.gtfs]
        extra["network"] = network
    if doc.equity_questions:
        extra["equity_questions"] = answers_to_dict(doc.equity_questions)
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
