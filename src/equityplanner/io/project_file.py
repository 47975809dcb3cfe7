"""The project file: one human-readable JSON document (see ``docs/project_file.md``).

Loading checks the whole document and reports every problem with its JSON location; saving is
atomic and rewrites the baseline paths relative to the new location.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from equityplanner.errors import InputError
from equityplanner.io.atomic import atomic_write_text
from equityplanner.io.projects import projects_from_features, projects_to_features
from equityplanner.model.crs import is_metric_projected
from equityplanner.model.project import (
    BaselineSource,
    ComparisonPopulation,
    GtfsSource,
    Metadata,
    OpportunitySource,
    Parameters,
    ProjectDocument,
    Scenario,
    TitleViPolicy,
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
SCHEMA_VERSION = 1
_TITLE_VI_FORMS = ("absolute", "relative", "four_fifths")
_COMPARISON_KINDS = ("all", "prefix", "ids")


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


# Each step migrates from the key version to the next one.
_MIGRATIONS = {0: _migrate_0_to_1}


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
    )


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


def _positive(
    value: Any, where: str, problems: list[str], *, allow_zero: bool = False
) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{where}: {value!r} is not a number")
        return None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        problems.append(
            f"{where}: {value!r} must be {'zero or more' if allow_zero else 'greater than zero'}"
        )
        return None
    return number


def parameters_from_dict(raw: dict[str, Any], problems: list[str] | None = None) -> Parameters:
    """Parameters from their JSON form; unknown or bad values are added to ``problems``.

    Raises
    ------
    InputError
        When ``problems`` is not given and a value is bad.
    """
    collect = problems if problems is not None else []
    defaults = Parameters()
    kwargs: dict[str, Any] = {}
    known = {
        "catchment_m",
        "title_vi",
        "distribution_threshold_pp",
        "comparison",
        "projected_crs",
        "area_median_income_usd",
        "reliability_bands",
        "displacement_min_flags",
        "significance_z",
        "travel_model",
        "job_thresholds_min",
        "facility_catchment_min",
        "major_change_threshold",
        "service_walk_m",
    }
    for key in raw:
        if key not in known:
            collect.append(
                f"parameters.{key}: unknown parameter (known: {', '.join(sorted(known))})"
            )
    if "catchment_m" in raw:
        catchment = dict(defaults.catchment_m)
        if not isinstance(raw["catchment_m"], dict):
            collect.append('parameters.catchment_m: must be an object such as {"bus": 400}')
        else:
            for key, value in raw["catchment_m"].items():
                if key not in catchment:
                    collect.append(
                        f"parameters.catchment_m.{key}: unknown (use {', '.join(catchment)})"
                    )
                    continue
                number = _positive(value, f"parameters.catchment_m.{key}", collect)
                if number is not None:
                    if number > 10_000:
                        collect.append(
                            f"parameters.catchment_m.{key}: {value} m is more than 10 km"
                        )
                    catchment[key] = number
        kwargs["catchment_m"] = catchment
    if "title_vi" in raw:
        tv = raw["title_vi"] or {}
        policy = defaults.title_vi
        forms = tuple(tv.get("forms", policy.forms))
        bad = [f for f in forms if f not in _TITLE_VI_FORMS]
        if bad or not forms:
            collect.append(
                f"parameters.title_vi.forms: {bad or 'empty'}; use some of {', '.join(_TITLE_VI_FORMS)}"
            )
            forms = policy.forms
        pp = _positive(
            tv.get("threshold_pp", policy.threshold_pp), "parameters.title_vi.threshold_pp", collect
        )
        rel = _positive(
            tv.get("threshold_relative", policy.threshold_relative),
            "parameters.title_vi.threshold_relative",
            collect,
        )
        ratio = _positive(
            tv.get("four_fifths_ratio", policy.four_fifths_ratio),
            "parameters.title_vi.four_fifths_ratio",
            collect,
        )
        if ratio is not None and ratio >= 1:
            collect.append("parameters.title_vi.four_fifths_ratio: must be below 1 (e.g. 0.8)")
            ratio = None
        if pp is not None and pp >= 100:
            collect.append("parameters.title_vi.threshold_pp: must be below 100 percentage points")
            pp = None
        kwargs["title_vi"] = TitleViPolicy(
            forms=forms,
            threshold_pp=pp if pp is not None else policy.threshold_pp,
            threshold_relative=rel if rel is not None else policy.threshold_relative,
            four_fifths_ratio=ratio if ratio is not None else policy.four_fifths_ratio,
        )
    if "distribution_threshold_pp" in raw:
        value = _positive(
            raw["distribution_threshold_pp"], "parameters.distribution_threshold_pp", collect
        )
        if value is not None:
            kwargs["distribution_threshold_pp"] = value
    if "comparison" in raw:
        comp = raw["comparison"] or {}
        kind = comp.get("kind", "all")
        if kind not in _COMPARISON_KINDS:
            collect.append(
                f"parameters.comparison.kind: '{kind}'; use one of {', '.join(_COMPARISON_KINDS)}"
            )
            kind = "all"
        if kind == "prefix" and not comp.get("prefix"):
            collect.append(
                "parameters.comparison.prefix: needed when kind is 'prefix' (e.g. a county FIPS code)"
            )
            kind = "all"
        if kind == "ids" and not comp.get("ids"):
            collect.append(
                "parameters.comparison.ids: needed when kind is 'ids' (a list of neighbourhood ids)"
            )
            kind = "all"
        kwargs["comparison"] = ComparisonPopulation(
            kind=kind,
            label=str(comp.get("label") or "Study area"),
            prefix=str(comp["prefix"]) if comp.get("prefix") else None,
            ids=tuple(str(i) for i in comp.get("ids") or ()),
        )
    if raw.get("projected_crs"):
        try:
            crs = CRS.from_user_input(raw["projected_crs"])
        except CRSError:
            collect.append(f"parameters.projected_crs: '{raw['projected_crs']}' is not a known CRS")
        else:
            if not is_metric_projected(crs):
                collect.append(
                    f"parameters.projected_crs: '{raw['projected_crs']}' is not projected in "
                    "metres; catchments are in metres (use e.g. a UTM zone), or leave it empty "
                    "to choose one"
                )
            else:
                kwargs["projected_crs"] = str(raw["projected_crs"])
    if raw.get("area_median_income_usd") is not None:
        value = _positive(
            raw["area_median_income_usd"], "parameters.area_median_income_usd", collect
        )
        if value is not None:
            kwargs["area_median_income_usd"] = value
    if "reliability_bands" in raw:
        if raw["reliability_bands"] not in ("esri", "census"):
            collect.append("parameters.reliability_bands: use 'esri' or 'census'")
        else:
            kwargs["reliability_bands"] = raw["reliability_bands"]
    if "displacement_min_flags" in raw:
        value = raw["displacement_min_flags"]
        if not isinstance(value, int) or not 1 <= value <= 5:
            collect.append("parameters.displacement_min_flags: a whole number from 1 to 5")
        else:
            kwargs["displacement_min_flags"] = value
    if "significance_z" in raw:
        value = _positive(raw["significance_z"], "parameters.significance_z", collect)
        if value is not None:
            kwargs["significance_z"] = value
    if "travel_model" in raw:
        try:
            chosen = TravelModelParameters.from_dict(raw["travel_model"] or {}).to_dict()
            model_defaults = TravelModelParameters().to_dict()
            # Kept as the differences from the defaults, so that parameters compare equal
            # however they were written; saving writes every value.
            kwargs["travel_model"] = {k: v for k, v in chosen.items() if v != model_defaults[k]}
        except InputError as exc:
            collect.append(f"parameters.travel_model: {exc.fault}")
    if "job_thresholds_min" in raw:
        values = raw["job_thresholds_min"]
        if not isinstance(values, list | tuple) or not values:
            collect.append("parameters.job_thresholds_min: a list of minutes such as [30, 45]")
        else:
            minutes = [_positive(v, "parameters.job_thresholds_min", collect) for v in values]
            if all(m is not None for m in minutes):
                kwargs["job_thresholds_min"] = tuple(sorted(set(minutes)))  # type: ignore[arg-type]
    for key in ("facility_catchment_min", "service_walk_m"):
        if key in raw:
            value = _positive(raw[key], f"parameters.{key}", collect)
            if value is not None:
                kwargs[key] = value
    if "major_change_threshold" in raw:
        value = _positive(
            raw["major_change_threshold"], "parameters.major_change_threshold", collect
        )
        if value is not None and value >= 1:
            collect.append(
                "parameters.major_change_threshold: a fraction below 1, e.g. 0.25 for 25%"
            )
        elif value is not None:
            kwargs["major_change_threshold"] = value
    if problems is None and collect:
        raise InputError(fault="; ".join(collect), location="parameters")
    return Parameters(**{**asdict_shallow(defaults), **kwargs})


def asdict_shallow(params: Parameters) -> dict[str, Any]:
    """Parameters as a shallow dict (nested dataclasses kept as objects)."""
    return {name: getattr(params, name) for name in params.__dataclass_fields__}


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
