"""The ex-ante equity assessment of projects and scenarios.

:func:`assess` runs a whole project document; :func:`assess_projects` takes the pieces
directly (the CLI's quick mode and scripts). Both return an
:class:`~equityplanner.model.results.Assessment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner._version import __version__
from equityplanner.analysis import distribution, housing, segregation
from equityplanner.analysis.access_assessment import (
    AccessInputs,
    access_indicators,
    travel_model_description,
)
from equityplanner.analysis.baseline import Baseline, prepare_baseline
from equityplanner.analysis.catchment import catchment_geometry, catchment_shares, to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.indicators import make_indicator, rating_words, reliability, text
from equityplanner.analysis.moe import z_difference
from equityplanner.analysis.service_change import compare_service
from equityplanner.analysis.title_vi import policy_words, title_vi_test
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.io.gtfs import GtfsFeed, read_gtfs
from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import Neighbourhoods, read_neighbourhoods
from equityplanner.io.opportunities import read_lodes_wac, read_points
from equityplanner.io.sources import crs_label
from equityplanner.model.project import (
    HousingProject,
    Metadata,
    Parameters,
    Project,
    ProjectDocument,
    Scenario,
    TransitProject,
)
from equityplanner.model.results import Assessment, Indicator, InputFile, UnitResult
from equityplanner.progress import NullProgress, Progress

__all__ = [
    "ServiceChangeInputs",
    "assess",
    "assess_projects",
    "load_baseline",
    "load_opportunities",
    "load_service_change",
]

_RACE_FIELDS = ("hispanic", "nh_black", "nh_asian", "nh_aian", "nh_nhpi", "nh_other")
_SEGREGATION_GROUPS = ("nh_black", "hispanic", "nh_asian")
_WGS84 = CRS.from_epsg(4326)


@dataclass(frozen=True)
class ServiceChangeInputs:
    """Two GTFS feeds compared on a service date (peak window as "HH:MM" strings)."""

    baseline: GtfsFeed
    proposed: GtfsFeed
    date: str
    peak: tuple[str, str] = ("07:00", "09:00")


def load_baseline(document: ProjectDocument, progress: Progress | None = None) -> Neighbourhoods:
    """Read the neighbourhood data a project file refers to."""
    source = document.baseline
    if source is None:
        raise InputError(
            "has no neighbourhood data",
            path=document.path,
            location="baseline",
            remedy="Import a neighbourhood layer (census tracts or block groups) first",
        )
    return read_neighbourhoods(
        document.resolve(source.neighbourhoods),
        table=document.resolve(source.table) if source.table else None,
        layer=source.layer,
        id_column=source.id_column,
        table_id_column=source.table_id_column,
        crs=source.crs,
        mapping=source.mapping or None,
        progress=progress,
    )


def assess(
    document: ProjectDocument,
    *,
    neighbourhoods: Neighbourhoods | None = None,
    progress: Progress | None = None,
) -> Assessment:
    """Assess every project and scenario of a project document.

    Parameters
    ----------
    document
        The project (from :func:`equityplanner.load_project`).
    neighbourhoods
        The baseline layer if already loaded (the app keeps it); read from the document's
        baseline otherwise.
    progress
        Progress and cancellation; see :mod:`equityplanner.progress`.
    """
    progress = progress or NullProgress()
    nb = neighbourhoods or load_baseline(document, progress.subrange(0.0, 0.3))
    inputs: list[InputFile] = []
    if document.path is not None and document.path.exists():
        inputs.append(InputFile("project", str(document.path), sha256_file(document.path)))
    access = load_opportunities(document, nb)
    service = load_service_change(document, progress.subrange(0.3, 0.4))
    for layer in [access.jobs, *access.facilities.values()]:
        if layer is not None:
            inputs += [InputFile(role, path, sha) for role, path, sha in layer.sources]
    if service is not None:
        inputs += [
            InputFile(f"gtfs_{role}", str(feed.path), feed.sha256)
            for role, feed in (("baseline", service.baseline), ("proposed", service.proposed))
        ]
    return assess_projects(
        nb,
        document.projects,
        parameters=document.parameters,
        metadata=document.metadata,
        scenarios=document.scenarios,
        progress=progress.subrange(0.4, 1.0),
        inputs=inputs,
        vintage=document.baseline.vintage if document.baseline else "",
        access=access,
        service_change=service,
    )


def load_opportunities(document: ProjectDocument, neighbourhoods: Neighbourhoods) -> AccessInputs:
    """Read the opportunity layers a project file refers to (jobs, schools, childcare, clinics)."""
    inputs = AccessInputs()
    for kind, source in document.opportunities.items():
        path = document.resolve(source.path)
        if kind == "jobs":
            inputs.jobs = read_lodes_wac(
                path,
                blocks=document.resolve(source.blocks) if source.blocks else None,
                neighbourhoods=neighbourhoods,
            )
        else:
            inputs.facilities[kind] = read_points(
                path, kind=kind, capacity_column=source.capacity_column
            )
    return inputs


def load_service_change(
    document: ProjectDocument, progress: Progress | None = None
) -> ServiceChangeInputs | None:
    """Read the baseline and proposed GTFS feeds a project file refers to."""
    if document.gtfs is None:
        return None
    progress = progress or NullProgress()
    base = _read_gtfs_once(document.resolve(document.gtfs.baseline), progress.subrange(0, 0.5))
    proposed = _read_gtfs_once(document.resolve(document.gtfs.proposed), progress.subrange(0.5, 1))
    return ServiceChangeInputs(base, proposed, document.gtfs.date, document.gtfs.peak)


def _read_gtfs_once(path: Path, progress: Progress) -> GtfsFeed:
    """A feed read once per version of the file: re-running (in the app) need not re-read it.

    The cache key holds the file's modification time and size, so an edited feed is read anew.
    """
    try:
        stat = path.stat()
    except OSError:
        return read_gtfs(path, progress=progress)  # read_gtfs names the missing file
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    feed = _GTFS_CACHE.get(key)
    if feed is None:
        feed = read_gtfs(path, progress=progress)
        if len(_GTFS_CACHE) >= 4:
            _GTFS_CACHE.pop(next(iter(_GTFS_CACHE)))
        _GTFS_CACHE[key] = feed
    return feed


_GTFS_CACHE: dict[tuple[str, int, int], GtfsFeed] = {}  # feeds are frozen: safe to share


def assess_projects(
    neighbourhoods: Neighbourhoods,
    projects: tuple[Project, ...] | list[Project],
    *,
    parameters: Parameters | None = None,
    metadata: Metadata | None = None,
    scenarios: tuple[Scenario, ...] | list[Scenario] = (),
    progress: Progress | None = None,
    inputs: list[InputFile] | None = None,
    vintage: str = "",
    access: AccessInputs | None = None,
    service_change: ServiceChangeInputs | None = None,
) -> Assessment:
    """Assess projects (each alone) and scenarios (projects together) on a baseline layer.

    With ``access`` (opportunity layers), transit projects also get access-to-opportunity
    indicators; with ``service_change`` (two GTFS feeds), a unit of kind ``service_change``
    tests the neighbourhoods whose service falls or grows by the major-change threshold.
    """
    parameters = parameters or Parameters()
    access = access or AccessInputs()
    metadata = metadata or Metadata()
    progress = progress or NullProgress()
    if not projects:
        raise InputError(
            "there is no proposed project to assess",
            remedy="Add a housing or transit project, or pass --projects",
        )
    progress.report(0.0, "Preparing neighbourhoods")
    baseline = prepare_baseline(neighbourhoods, parameters)
    warnings = [*neighbourhoods.warnings, *baseline.warnings]
    local = local_projected_crs(_projects_bounds(projects), parameters.projected_crs)
    study = _segregation_indicators(baseline, parameters)
    by_id = {p.id: p for p in projects}
    units: list[tuple[str, str, str, tuple[Project, ...]]] = [
        (p.id, p.name, "project", (p,)) for p in projects
    ]
    units += [(s.id, s.name, "scenario", tuple(by_id[i] for i in s.project_ids)) for s in scenarios]
    results = []
    access_cache: dict[Any, Any] = {}  # transit project ids -> access measures
    steps = len(units) + (1 if service_change is not None else 0)
    for n, (uid, name, kind, members) in enumerate(units):
        sub = progress.subrange(0.05 + 0.95 * n / steps, 0.05 + 0.95 * (n + 1) / steps)
        sub.report(0.0, f"Assessing {name}")
        results.append(
            _assess_unit(
                baseline,
                uid,
                name,
                kind,
                members,
                parameters,
                local,
                warnings,
                access,
                sub,
                access_cache,
            )
        )
    if service_change is not None:
        progress.report(0.05 + 0.95 * len(units) / steps, "Comparing GTFS service")
        results.append(_service_change_unit(baseline, service_change, parameters, local, warnings))
    travel_model = ""
    if not access.is_empty and any(isinstance(p, TransitProject) for p in projects):
        travel_model = travel_model_description(parameters)
    progress.report(1.0, "Assessment complete")
    all_inputs = [*(inputs or []), *(InputFile(r, p, s) for r, p, s in neighbourhoods.sources)]
    comparison_label = parameters.comparison.label
    return Assessment(
        metadata=metadata,
        parameters=parameters,
        results=results,
        study_indicators=study,
        baseline=baseline.table,
        warnings=list(dict.fromkeys(warnings)),
        inputs=all_inputs,
        software_version=__version__,
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        projected_crs=crs_label(local),
        comparison_label=comparison_label,
        vintage=vintage,
        baseline_geometries=baseline.geometries,
        baseline_crs=baseline.crs,
        projects=tuple(projects),
        travel_model=travel_model,
    )


def _projects_bounds(
    projects: tuple[Project, ...] | list[Project],
) -> tuple[float, float, float, float]:
    geoms = []
    for p in projects:
        if isinstance(p, HousingProject):
            geoms.append(p.site)
        else:
            geoms.extend(s.geometry for s in p.stations)
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geoms, dtype=object))
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _is_benefit(project: Project) -> bool:
    return True if isinstance(project, HousingProject) else project.change.is_benefit


# --------------------------------------------------------------------------------------
# One project or scenario


def _assess_unit(
    baseline: Baseline,
    uid: str,
    name: str,
    kind: str,
    members: tuple[Project, ...],
    params: Parameters,
    local: CRS,
    warnings: list[str],
    access: AccessInputs | None = None,
    progress: Progress | None = None,
    access_cache: dict[Any, Any] | None = None,
) -> UnitResult:
    progress = progress or NullProgress()
    benefits = [p for p in members if _is_benefit(p)]
    burdens = [p for p in members if not _is_benefit(p)]
    sides: list[tuple[list[Project], bool, str]] = []
    if benefits:
        sides.append((benefits, True, ""))
    if burdens:
        sides.append((burdens, False, ".burdens" if benefits else ""))
    n = len(baseline.table)
    indicators: list[Indicator] = []
    tables: list[pd.DataFrame] = []
    quintiles = pd.DataFrame()
    catchment_lonlat = None
    catchments: dict[str, Any] = {}
    access_frames: list[pd.DataFrame] = []
    for side_projects, is_benefit, suffix in sides:
        catchment = catchment_geometry(side_projects, params, local)
        shares = catchment_shares(
            baseline.geometries, baseline.tree, baseline.crs, catchment, local
        )
        label = _describe(side_projects)
        if shares.index.size == 0:
            raise InputError(
                "lies outside the study area: no neighbourhood falls within its catchment",
                location=label,
                remedy="Check its coordinates (GeoJSON must be longitude/latitude) "
                "or load the neighbourhood layer that covers it",
            )
        if shares.covered_fraction < 0.98:
            warnings.append(
                f"{label}: {1 - shares.covered_fraction:.0%} of the catchment lies outside the "
                "neighbourhood layer; people living there are not counted."
            )
        weights = np.zeros(n)
        weights[shares.index] = shares.share
        transit = [p for p in side_projects if isinstance(p, TransitProject)]
        if len(transit) == len(side_projects):
            transit_weights: np.ndarray | None = weights
        elif transit:  # Title VI concerns transit service: measure it on the transit catchment
            transit_shares = catchment_shares(
                baseline.geometries,
                baseline.tree,
                baseline.crs,
                catchment_geometry(transit, params, local),
                local,
            )
            transit_weights = np.zeros(n)
            transit_weights[transit_shares.index] = transit_shares.share
        else:
            transit_weights = None
        context = _SideContext(
            baseline, params, weights, is_benefit, suffix, label, side_projects, transit_weights
        )
        side_indicators, side_quintiles = _side_indicators(context, warnings)
        indicators += side_indicators
        if access is not None and not access.is_empty:
            access_list, access_table = access_indicators(
                baseline,
                side_projects,
                access,
                params,
                local,
                suffix=suffix,
                comparison_label=params.comparison.label,
                progress=progress.subrange(0.2, 1.0),
                cache=access_cache,
            )
            indicators += access_list
            if not access_table.empty:
                renamed = access_table.set_index("id").add_suffix(suffix.replace(".", "_"))
                access_frames.append(renamed)
        table = _neighbourhood_table(baseline, shares.index, shares.share, suffix)
        if transit_weights is not None and transit_weights is not weights:
            # The catchment the side's Title VI tests were measured on (transit projects only).
            table["share_in_transit_catchment" + suffix] = transit_weights[shares.index]
        tables.append(table)
        side_name = "benefits" if is_benefit else "burdens"
        catchments[side_name] = to_crs(np.array([catchment], dtype=object), local, _WGS84)[0]
        if not suffix:
            quintiles = side_quintiles
            catchment_lonlat = catchments[side_name]
    if kind == "project" and isinstance(members[0], HousingProject):
        indicators += _housing_indicators(baseline, members[0], params, warnings)
    merged = tables[0]
    for extra in tables[1:]:
        merged = merged.merge(
            extra[["id", *[c for c in extra if c.endswith(".burdens")]]], on="id", how="outer"
        )
    return UnitResult(
        id=uid,
        name=name,
        kind=kind,
        project_ids=tuple(p.id for p in members),
        is_benefit=True
        if benefits and not burdens
        else (False if burdens and not benefits else None),
        indicators=indicators,
        neighbourhoods=merged,
        quintiles=quintiles,
        catchment=catchment_lonlat,
        catchments=catchments,
        catchment_m={p.id: params.catchment_for(p) for p in members},
        access=pd.concat(access_frames, axis=1).reset_index() if access_frames else pd.DataFrame(),
    )


def _describe(projects: list[Project]) -> str:
    names = ", ".join(f"'{p.name}'" for p in projects)
    return f"project {names}" if len(projects) == 1 else f"projects {names}"


class _SideContext:
    """The benefit side or the burden side of a unit: its catchment weights and words."""

    def __init__(
        self,
        baseline: Baseline,
        params: Parameters,
        weights: np.ndarray,
        is_benefit: bool,
        suffix: str,
        label: str,
        projects: list[Project],
        transit_weights: np.ndarray | None,
    ) -> None:
        self.baseline = baseline
        self.transit_weights = transit_weights
        self.params = params
        self.weights = weights
        self.is_benefit = is_benefit
        self.suffix = suffix
        self.label = label
        self.projects = projects
        self.comparison = baseline.comparison.astype(float)
        self.comparison_label = params.comparison.label
        self.project_name = " and ".join(p.name for p in projects) or label

    @property
    def verb(self) -> str:
        return (
            "the people the project serves are"
            if self.is_benefit
            else "the people the cut affects are"
        )


def _side_indicators(
    ctx: _SideContext, warnings: list[str]
) -> tuple[list[Indicator], pd.DataFrame]:
    b = ctx.baseline
    indicators: list[Indicator] = []
    pop, pop_moe = b.field_total("total_population", ctx.weights)
    comp_pop, _ = b.field_total("total_population", ctx.comparison)
    households, _ = b.field_total("households", ctx.weights)
    nobody = not pop > 0.5
    if nobody:
        warnings.append(
            f"{ctx.label}: nobody lives inside the catchment, so no share can be computed."
        )
    scheme = ctx.params.reliability_bands
    indicators.append(
        make_indicator(
            id="served.population" + ctx.suffix,
            name=text("served_population.name"),
            category="served",
            value=pop,
            comparison=comp_pop,
            difference=None,
            unit="persons",
            rating_family="served",
            rating="context" if not nobody else "not_assessed",
            finding=text("served_population.finding").format(
                value=pop,
                share=pop / comp_pop if comp_pop > 0 else 0.0,
                comparison=ctx.comparison_label,
                project=ctx.project_name,
                households_clause=f", in {households:,.0f} households"
                if math.isfinite(households)
                else "",
            ),
            method="catchment",
            reliability=reliability(pop, pop_moe, scheme),
            details={
                "households": households,
                "catchment_m": {p.id: ctx.params.catchment_for(p) for p in ctx.projects},
            },
        )
    )
    similar_pp = float(load_resource("thresholds.toml")["served"]["similar_pp"])
    for gid, spec in b.groups.items():
        inside = b.totals(gid, ctx.weights)
        reference = b.totals(gid, ctx.comparison)
        ind_id = f"served.{gid}{ctx.suffix}"
        name = text("served.name").format(group=spec.label)
        if inside.universe <= 0 or reference.universe <= 0:
            indicators.append(
                make_indicator(
                    id=ind_id,
                    name=name,
                    category="served",
                    value=None,
                    comparison=reference.share,
                    difference=None,
                    unit="share",
                    rating_family="served",
                    rating="not_assessed",
                    finding=text("served.findings.not_assessed").format(
                        group=spec.label,
                        reason="nobody in this group's universe lives inside the catchment",
                    ),
                    method="apportionment",
                )
            )
            if spec.title_vi_test and ctx.transit_weights is not None:
                transit_inside = b.totals(gid, ctx.transit_weights)
                indicators.append(
                    _title_vi_indicator(ctx, spec.title_vi_test, transit_inside, reference, scheme)
                )
            continue
        diff_pp = (inside.share - reference.share) * 100
        z = float(
            z_difference(inside.share, inside.share_moe, reference.share, reference.share_moe)
        )
        if abs(diff_pp) < similar_pp:
            rating = "similar"
        elif ctx.is_benefit:
            rating = "progressive" if diff_pp > 0 else "regressive"
        else:
            rating = "burden_more" if diff_pp > 0 else "burden_less"
        finding = text(f"served.findings.{rating}").format(
            group=spec.label,
            value=inside.share,
            comparison_value=reference.share,
            comparison=ctx.comparison_label,
            difference_pp=diff_pp,
        )
        if math.isfinite(z) and abs(z) < ctx.params.significance_z and rating != "similar":
            finding += " The difference is within the margins of error (not significant at 90%)."
        indicators.append(
            make_indicator(
                id=ind_id,
                name=name,
                category="served",
                value=inside.share,
                comparison=reference.share,
                difference=diff_pp,
                unit="share",
                rating_family="served",
                rating=rating,
                finding=finding,
                method="apportionment",
                reliability=reliability(inside.share, inside.share_moe, scheme),
                details={
                    "count_inside": inside.count,
                    "count_inside_moe": inside.count_moe,
                    "universe_inside": inside.universe,
                    "count_comparison": reference.count,
                    "universe_comparison": reference.universe,
                    "comparison_share_moe": reference.share_moe,
                    "z": z,
                    "group": gid,
                },
            )
        )
        if spec.title_vi_test and ctx.transit_weights is not None:
            # FTA Title VI tests concern transit service changes; housing is judged by HUD's tests.
            transit_inside = (
                inside if ctx.transit_weights is ctx.weights else b.totals(gid, ctx.transit_weights)
            )
            indicators.append(
                _title_vi_indicator(ctx, spec.title_vi_test, transit_inside, reference, scheme)
            )
    dist_indicators, table = _distribution(ctx, nobody)
    indicators += dist_indicators
    if ctx.is_benefit:
        indicators.append(_displacement_indicator(ctx, pop))
    indicators.append(_position_indicator(ctx))
    return indicators, table


def _title_vi_indicator(
    ctx: _SideContext, test: str, inside: Any, reference: Any, scheme: str
) -> Indicator:
    outcome = title_vi_test(
        inside.count,
        inside.universe,
        reference.count,
        reference.universe,
        is_benefit=ctx.is_benefit,
        policy=ctx.params.title_vi,
        moe_share_affected=inside.share_moe,
        moe_share_reference=reference.share_moe,
    )
    policy = ctx.params.title_vi
    rating = {"finding": test, "no_finding": "no_finding"}.get(outcome.outcome, outcome.outcome)
    key = "finding" if outcome.outcome == "finding" else outcome.outcome
    verb = ctx.verb
    fields = dict(
        verb_capital=verb[0].upper() + verb[1:],
        value=outcome.share_affected if math.isfinite(outcome.share_affected) else 0.0,
        comparison_value=outcome.share_reference if math.isfinite(outcome.share_reference) else 0.0,
        comparison=ctx.comparison_label,
        difference_pp=outcome.difference_pp,
        rate_ratio=outcome.rate_ratio,
        rules=policy_words(policy),
        reason="nobody lives inside the catchment"
        if outcome.total_affected == 0
        else "the comparison population is empty",
    )
    return make_indicator(
        id=f"title_vi.{test}{ctx.suffix}",
        name=text(f"title_vi::{test}::name"),
        category="title_vi",
        value=outcome.share_affected,
        comparison=outcome.share_reference,
        difference=outcome.difference_pp,
        unit="share",
        rating_family="title_vi",
        rating=rating,
        finding=text(f"title_vi::{test}::findings::{key}").format(**fields),
        method="title_vi",
        reliability=reliability(inside.share, inside.share_moe, scheme),
        details={
            "is_benefit": ctx.is_benefit,
            "forms": list(policy.forms),
            "flags": outcome.flags,
            "relative_difference": outcome.relative_difference,
            "rate_ratio": outcome.rate_ratio,
            "moe_difference_pp": outcome.moe_difference_pp,
            "threshold_pp": policy.threshold_pp,
            "threshold_relative": policy.threshold_relative,
            "four_fifths_ratio": policy.four_fifths_ratio,
            "group_affected": outcome.group_affected,
            "total_affected": outcome.total_affected,
            "group_reference": outcome.group_reference,
            "total_reference": outcome.total_reference,
        },
    )


def _distribution(ctx: _SideContext, nobody: bool) -> tuple[list[Indicator], pd.DataFrame]:
    b = ctx.baseline
    if "median_household_income" not in b.table:
        return [], pd.DataFrame()
    population = b.table["total_population"].fillna(0).to_numpy()
    quintile = b.table["quintile"].to_numpy()
    table = distribution.quintile_table(
        quintile, population * ctx.comparison, population * ctx.weights
    )
    threshold = ctx.params.distribution_threshold_pp
    effect = "benefit" if ctx.is_benefit else "burden"
    labels = text("distribution.quintile_labels")
    ratings = []
    for q in table.index:
        row = table.loc[q]
        ratings.append(
            "neutral"
            if nobody
            else str(
                distribution.tag_rating(
                    row["population_share"],
                    row["benefit_share"],
                    is_benefit=ctx.is_benefit,
                    threshold_pp=threshold,
                )
            )
        )
    table["rating"] = ratings
    tag = load_resource("ratings.toml")["tag"]
    table["rating_label"] = [tag[r]["label"] for r in ratings]
    table["rating_symbol"] = [tag[r]["symbol"] for r in ratings]
    indicators = []
    for q, rating in zip(table.index, ratings, strict=True):
        row = table.loc[q]
        label = tag[rating]["label"]
        indicators.append(
            make_indicator(
                id=f"distribution.q{q}{ctx.suffix}",
                name=text("distribution.name").format(
                    quintile=q, quintile_label=labels[q - 1], effect=effect
                ),
                category="distribution",
                value=row["benefit_share"],
                comparison=row["population_share"],
                difference=row["difference_pp"],
                unit="share",
                rating_family="tag",
                rating=rating,
                finding=text("distribution.finding").format(
                    quintile=q,
                    quintile_label=labels[q - 1],
                    effect=effect,
                    value=_zero(row["benefit_share"]),
                    comparison_value=_zero(row["population_share"]),
                    difference_pp=_zero(row["difference_pp"]),
                    rating_label=label.lower(),
                ),
                method="tag_a42",
                details={
                    "population": row["population"],
                    "benefit": row["benefit"],
                    "threshold_pp": threshold,
                },
            )
        )
    low_benefit = _zero(table.loc[[1, 2], "benefit_share"].sum(min_count=1))
    low_pop = _zero(table.loc[[1, 2], "population_share"].sum(min_count=1))
    diff_pp = (low_benefit - low_pop) * 100
    if nobody:
        rating, direction = "not_assessed", "not assessed"
    elif abs(diff_pp) <= threshold:
        rating, direction = "similar", "broadly in line with population"
    elif ctx.is_benefit:
        rating = "progressive" if diff_pp > 0 else "regressive"
        direction = (
            "progressive (tilted to lower incomes)"
            if diff_pp > 0
            else "regressive (tilted to higher incomes)"
        )
    else:
        rating = "burden_more" if diff_pp > 0 else "burden_less"
        direction = (
            "regressive (borne more by lower incomes)"
            if diff_pp > 0
            else "borne less by lower incomes"
        )
    indicators.append(
        make_indicator(
            id="distribution.lowest_two_quintiles" + ctx.suffix,
            name=text("distribution_summary.name").format(effect=effect),
            category="distribution",
            value=low_benefit,
            comparison=low_pop,
            difference=diff_pp,
            unit="share",
            rating_family="served",
            rating=rating,
            finding=text("distribution_summary.finding").format(
                comparison_value=low_pop, value=low_benefit, effect=effect, direction=direction
            ),
            method="tag_a42",
            details={"threshold_pp": threshold},
        )
    )
    return indicators, table


def _zero(value: float) -> float:
    return float(value) if value is not None and math.isfinite(value) else 0.0


def _displacement_indicator(ctx: _SideContext, pop_inside: float) -> Indicator:
    b = ctx.baseline
    vulnerable = b.table["is_vulnerable"].to_numpy(dtype=bool) & (ctx.weights > 0)
    population = b.table["total_population"].fillna(0).to_numpy()
    value = float(np.dot(ctx.weights[vulnerable], population[vulnerable]))
    count = int(vulnerable.sum())
    amenity_projects = [p for p in ctx.projects if p.adds_amenity]
    amenity = " and ".join(_amenity_words(p) for p in amenity_projects)
    min_flags = ctx.params.displacement_min_flags
    if count == 0:
        rating, key = "low_risk", "none"
    elif amenity_projects:
        rating, key = "risk", "risk"
    else:
        rating, key = "low_risk", "low_risk"
    finding = text(f"displacement.findings.{key}").format(
        count=count,
        min_flags=min_flags,
        value=value,
        share=value / pop_inside if pop_inside > 0 else 0.0,
        amenity=amenity[0].upper() + amenity[1:] if amenity else "",
        amenity_none="adds no new amenity such as a station or market-rate homes",
    )
    return make_indicator(
        id="displacement.vulnerable_population" + ctx.suffix,
        name=text("displacement.name"),
        category="displacement",
        value=value,
        comparison=pop_inside,
        difference=None,
        unit="persons",
        rating_family="test",
        rating=rating,
        finding=finding,
        method="displacement",
        details={
            "vulnerable_neighbourhoods": b.table.loc[vulnerable, "id"].tolist(),
            "min_flags": min_flags,
            "adds_amenity": bool(amenity_projects),
        },
    )


def _amenity_words(project: Project) -> str:
    if isinstance(project, HousingProject):
        return f"{project.units_by_band.get('market', 0)} new market-rate homes at {project.name}"
    return f"new {project.mode.value.upper() if project.mode.value == 'brt' else project.mode.value} service on {project.name}"


def _position_indicator(ctx: _SideContext) -> Indicator:
    b = ctx.baseline
    if "minority" not in b.groups:
        return make_indicator(
            id="segregation.catchment_minority_share" + ctx.suffix,
            name=text("segregation_position.name"),
            category="segregation",
            value=None,
            comparison=None,
            difference=None,
            unit="share",
            rating_family="segregation",
            rating="context",
            finding="Not assessed: the data has no race and ethnicity counts.",
            method="segregation",
        )
    inside = b.totals("minority", ctx.weights)
    reference = b.totals("minority", ctx.comparison)
    shares = b.table["minority_share"].to_numpy()
    comp = b.comparison & np.isfinite(shares)
    ranks = (
        np.searchsorted(np.sort(shares[comp]), np.nan_to_num(shares), side="right")
        / max(comp.sum(), 1)
        * 100
    )
    people = ctx.weights * b.table["total_population"].fillna(0).to_numpy()
    percentile = float(np.dot(people, ranks) / people.sum()) if people.sum() > 0 else float("nan")
    value = inside.share
    return make_indicator(
        id="segregation.catchment_minority_share" + ctx.suffix,
        name=text("segregation_position.name"),
        category="segregation",
        value=value,
        comparison=reference.share,
        difference=(value - reference.share) * 100 if math.isfinite(value) else None,
        unit="share",
        rating_family="segregation",
        rating="context",
        finding=text("segregation_position.finding").format(
            value=_zero(value),
            comparison_value=_zero(reference.share),
            comparison=ctx.comparison_label,
            percentile=_zero(percentile),
        ),
        method="segregation",
        details={"percentile": percentile},
    )


# --------------------------------------------------------------------------------------
# Service change between two GTFS feeds


def _service_change_unit(
    baseline: Baseline,
    service: ServiceChangeInputs,
    params: Parameters,
    local: CRS,
    warnings: list[str],
) -> UnitResult:
    """Title VI tests on the neighbourhoods whose service is cut or improved (whole areas)."""
    peak = tuple(_seconds(t) for t in service.peak)
    table = compare_service(
        service.baseline,
        service.proposed,
        baseline.geometries,
        baseline.crs,
        local,
        date=service.date,
        walk_m=params.service_walk_m,
        peak=peak,  # type: ignore[arg-type]
        major_change_threshold=params.major_change_threshold,
    )
    classes = table["classification"].to_numpy()
    indicators: list[Indicator] = []
    frames = []
    sides = [("improvement", True), ("reduction", False)]
    present = [(c, b) for c, b in sides if (classes == c).any()]
    for k, (cls, is_benefit) in enumerate(present):
        weights = (classes == cls).astype(float)
        suffix = ".burdens" if (k == 1 or (not is_benefit and len(present) > 1)) else ""
        label = (
            f"the stops whose service {'grows' if is_benefit else 'falls'} by "
            f"{params.major_change_threshold:.0%} or more"
        )
        ctx = _SideContext(baseline, params, weights, is_benefit, suffix, label, [], weights)
        side_indicators, _ = _side_indicators(ctx, warnings)
        indicators += [
            i for i in side_indicators if not i.id.startswith(("displacement.", "distribution.q"))
        ]
        index = np.flatnonzero(weights)
        frames.append(_neighbourhood_table(baseline, index, weights[index], suffix))
    if not present:
        warnings.append(
            "The proposed GTFS feed changes no neighbourhood's service by the major-change threshold."
        )
    merged = frames[0] if frames else pd.DataFrame({"id": []})
    for extra in frames[1:]:
        merged = merged.merge(
            extra[["id", *[c for c in extra if c.endswith(".burdens")]]], on="id", how="outer"
        )
    service_table = table.copy()
    service_table.insert(0, "id", baseline.table["id"].to_numpy())
    return UnitResult(
        id="gtfs-service-change",
        name="Service change between the GTFS feeds",
        kind="service_change",
        project_ids=(),
        is_benefit=None if len(present) == 2 else (present[0][1] if present else None),
        indicators=indicators,
        neighbourhoods=merged,
        quintiles=pd.DataFrame(),
        catchment=None,
        catchment_m={},
        access=service_table,
    )


def _seconds(text: str) -> int:
    hours, _, minutes = str(text).partition(":")
    return int(hours) * 3600 + int(minutes or 0) * 60


# --------------------------------------------------------------------------------------
# Study-area context


def _segregation_indicators(b: Baseline, params: Parameters) -> list[Indicator]:
    t = b.table[b.comparison]
    if "nh_white" not in t:
        return []
    labels = {
        "nh_black": "Black",
        "hispanic": "Hispanic or Latino",
        "nh_asian": "Asian",
        "minority": "Minority",
    }
    indicators = []
    white = t["nh_white"].fillna(0).to_numpy()
    total = t["total_population"].fillna(0).to_numpy()
    series = {g: t[g].fillna(0).to_numpy() for g in _SEGREGATION_GROUPS if g in t}
    if "minority_count" in t:
        series["minority"] = t["minority_count"].to_numpy()
    for gid, counts in series.items():
        if counts.sum() < max(100.0, 0.01 * total.sum()):
            continue  # HUD does not report indices for very small groups
        d = float(segregation.dissimilarity(counts, white))
        band = str(segregation.dissimilarity_band(d))
        label = text("segregation.dissimilarity_name").format(group=labels[gid])
        band_label, _ = rating_words("segregation", band)
        indicators.append(
            make_indicator(
                id=f"segregation.dissimilarity.{gid}",
                name=label,
                category="segregation",
                value=d,
                comparison=None,
                difference=None,
                unit="index",
                rating_family="segregation",
                rating=band,
                finding=text("segregation.dissimilarity_finding").format(
                    value=d,
                    rating_label_lower=band_label.lower(),
                    share_to_move=d / 100,
                    group=labels[gid],
                    comparison=params.comparison.label,
                ),
                method="segregation",
                details={
                    "group": gid,
                    "group_total": float(counts.sum()),
                    "white_total": float(white.sum()),
                },
            )
        )
        iso = float(segregation.isolation(counts, total))
        overall = float(counts.sum() / total.sum()) if total.sum() > 0 else float("nan")
        indicators.append(
            make_indicator(
                id=f"segregation.isolation.{gid}",
                name=text("segregation.isolation_name").format(group=labels[gid]),
                category="segregation",
                value=iso,
                comparison=overall,
                difference=(iso - overall) * 100,
                unit="share",
                rating_family="segregation",
                rating="context",
                finding=text("segregation.isolation_finding").format(
                    value=iso,
                    comparison_value=overall,
                    group=labels[gid],
                    comparison=params.comparison.label,
                ),
                method="segregation",
                details={"group": gid},
            )
        )
    return indicators


# --------------------------------------------------------------------------------------
# Housing


def _site_row(b: Baseline, project: HousingProject) -> int:
    site = to_crs(np.array([project.site], dtype=object), _WGS84, b.crs)[0]
    hits = b.tree.query(site, predicate="intersects")
    if hits.size == 0:
        raise InputError(
            "its site lies outside the study area (in no neighbourhood)",
            location=f"housing project '{project.name}'",
            remedy="Check the site's coordinates or load the neighbourhood layer that covers it",
        )
    if hits.size == 1:
        return int(hits[0])
    overlap = shapely.area(shapely.intersection(b.geometries[hits], site.buffer(1e-9)))
    return int(hits[int(np.argmax(overlap))])


def _housing_indicators(
    b: Baseline, project: HousingProject, params: Parameters, warnings: list[str]
) -> list[Indicator]:
    row = _site_row(b, project)
    site = b.table.iloc[row]
    comparison = b.comparison.astype(float)
    comp_label = params.comparison.label
    out: list[Indicator] = []
    details_site = {"site_neighbourhood": site["id"], "site_name": site["name"]}

    # Affordable share against local need.
    affordable_share = project.affordable_units / project.total_units
    if "rent_burdened" in b.groups and site["rent_burdened_universe"] > 0:
        need = float(site["rent_burdened_share"])
        rating = "meets" if affordable_share >= need else "falls_short"
        out.append(
            make_indicator(
                id="housing.affordable_share",
                name=text("housing::affordable_share::name"),
                category="housing",
                value=affordable_share,
                comparison=need,
                difference=(affordable_share - need) * 100,
                unit="share",
                rating_family="test",
                rating=rating,
                finding=text(f"housing::affordable_share::findings::{rating}").format(
                    value=affordable_share, total_units=project.total_units, comparison_value=need
                ),
                method="affordability",
                details={**details_site, "affordable_units": project.affordable_units},
            )
        )
    # Market rent against incomes.
    market_rent = project.proposed_rents_usd.get("market")
    if market_rent is not None and "median_household_income" in b.table:
        site_income = float(site["median_household_income"])
        weights = (
            comparison * b.table["households"].fillna(0).to_numpy()
            if "households" in b.table
            else comparison
        )
        incomes = b.table["median_household_income"].to_numpy()
        ok = np.isfinite(incomes) & (weights > 0)
        city_income = (
            float(np.average(incomes[ok], weights=weights[ok])) if ok.any() else float("nan")
        )
        for key, income, where in (
            ("market_rent_burden_site", site_income, "site"),
            ("market_rent_burden_city", city_income, "comparison"),
        ):
            if not (math.isfinite(income) and income > 0):
                warnings.append(
                    f"housing project '{project.name}': no median household income for the {where}; rent affordability not assessed there."
                )
                continue
            share = market_rent * 12 / income
            rating = (
                "affordable" if housing.is_affordable(market_rent, income) else "not_affordable"
            )
            out.append(
                make_indicator(
                    id=f"housing.{key}",
                    name=text(f"housing::{key}::name"),
                    category="housing",
                    value=share,
                    comparison=0.30,
                    difference=(share - 0.30) * 100,
                    unit="share",
                    rating_family="test",
                    rating=rating,
                    finding=text(f"housing::{key}::findings::{rating}").format(
                        rent=market_rent, value=share, income=income, comparison=comp_label
                    ),
                    method="affordability",
                    details={**details_site, "income_usd": income, "rent_usd": market_rent},
                )
            )
    # Income-restricted rents against band limits.
    checked = {band: rent for band, rent in project.proposed_rents_usd.items() if band != "market"}
    fractions = load_resource("thresholds.toml")["affordability"]["band_ami_fraction"]
    if checked:
        if params.area_median_income_usd is None:
            out.append(
                make_indicator(
                    id="housing.band_rents",
                    name=text("housing::band_rents::name"),
                    category="housing",
                    value=None,
                    comparison=None,
                    difference=None,
                    unit="count",
                    rating_family="test",
                    rating="not_assessed",
                    finding=text("housing::band_rents::findings::not_assessed").format(
                        reason="set the area median income (AMI) in the parameters"
                    ),
                    method="affordability",
                )
            )
        else:
            limits = {
                band: float(
                    housing.max_affordable_rent(fractions[band], params.area_median_income_usd)
                )
                for band in checked
            }
            failing = [band for band, rent in checked.items() if rent > limits[band] + 0.5]
            details = "; ".join(
                f"{band.replace('ami_', '')}% AMI ${checked[band]:,.0f} vs ${limits[band]:,.0f}"
                for band in checked
            )
            rating = "not_affordable" if failing else "affordable"
            out.append(
                make_indicator(
                    id="housing.band_rents",
                    name=text("housing::band_rents::name"),
                    category="housing",
                    value=len(checked) - len(failing),
                    comparison=len(checked),
                    difference=None,
                    unit="count",
                    rating_family="test",
                    rating=rating,
                    finding=text(f"housing::band_rents::findings::{rating}").format(
                        checked=len(checked), failing=len(failing), details=details
                    ),
                    method="affordability",
                    details={
                        "limits_usd": limits,
                        "rents_usd": checked,
                        "ami_usd": params.area_median_income_usd,
                    },
                )
            )
    # Concentration tests.
    if "poverty" in b.groups:
        rate = float(site["poverty_share"])
        area_rate = b.totals("poverty", comparison).share
        threshold = min(0.40, 3 * area_rate)
        concentrated = bool(housing.poverty_concentration(rate, area_rate))
        rating = "concentrated" if concentrated else "not_concentrated"
        out.append(
            make_indicator(
                id="housing.poverty_concentration",
                name=text("housing::poverty_concentration::name"),
                category="housing",
                value=rate,
                comparison=area_rate,
                difference=(rate - area_rate) * 100,
                unit="share",
                rating_family="test",
                rating=rating,
                finding=text(f"housing::poverty_concentration::findings::{rating}").format(
                    value=rate,
                    threshold=threshold,
                    comparison_value=area_rate,
                    comparison=comp_label,
                ),
                method="poverty_concentration",
                details={**details_site, "threshold": threshold},
            )
        )
    if "minority" in b.groups:
        total_site = float(site["total_population"])
        comp_total = float(np.dot(comparison, b.table["total_population"].fillna(0)))
        race = [f for f in _RACE_FIELDS if f in b.table]
        site_shares = {f: float(site[f]) / total_site if total_site > 0 else 0.0 for f in race}
        area_shares = {
            f: float(np.dot(comparison, b.table[f].fillna(0))) / comp_total for f in race
        }
        minority_site = float(site["minority_share"]) if total_site > 0 else 0.0
        minority_area = b.totals("minority", comparison).share
        result = housing.minority_concentration(
            site_shares, area_shares, minority_site, minority_area
        )
        tests = [
            name
            for key, name in (
                ("group_excess", "a group 20+ points above its city share"),
                ("minority_excess", "minority share 20+ points above the city's"),
                ("minority_majority", "more than 50% minority"),
            )
            if result[key]
        ]
        rating = "concentrated" if result["is_concentrated"] else "not_concentrated"
        out.append(
            make_indicator(
                id="housing.minority_concentration",
                name=text("housing::minority_concentration::name"),
                category="housing",
                value=minority_site,
                comparison=minority_area,
                difference=(minority_site - minority_area) * 100,
                unit="share",
                rating_family="test",
                rating=rating,
                finding=text(f"housing::minority_concentration::findings::{rating}").format(
                    value=minority_site,
                    comparison_value=minority_area,
                    comparison=comp_label,
                    tests="; ".join(tests),
                ),
                method="minority_concentration",
                details={
                    **details_site,
                    **{k: v for k, v in result.items() if k != "groups_in_excess"},
                    "groups_in_excess": list(result["groups_in_excess"]),
                },
            )
        )
        if "poverty" in b.groups and math.isfinite(b.recap_threshold):
            is_recap = bool(site["is_recap"])
            rating = "concentrated" if is_recap else "not_concentrated"
            out.append(
                make_indicator(
                    id="housing.recap",
                    name=text("housing::recap::name"),
                    category="housing",
                    value="yes" if is_recap else "no",
                    comparison=None,
                    difference=None,
                    unit="flag",
                    rating_family="test",
                    rating=rating,
                    finding=text(f"housing::recap::findings::{rating}").format(
                        nonwhite=minority_site,
                        poverty=float(site["poverty_share"]),
                        threshold=b.recap_threshold,
                    ),
                    method="recap",
                    details={
                        **details_site,
                        "poverty_rate": float(site["poverty_share"]),
                        "nonwhite_share": minority_site,
                        "threshold": b.recap_threshold,
                    },
                )
            )
    net = project.affordable_units - project.affordable_units_demolished
    rating = "gain" if net > 0 else ("loss" if net < 0 else "no_change")
    out.append(
        make_indicator(
            id="housing.net_affordable_units",
            name=text("housing::net_affordable_units::name"),
            category="housing",
            value=float(net),
            comparison=float(project.affordable_units_demolished),
            difference=None,
            unit="units",
            rating_family="test",
            rating=rating,
            finding=text(f"housing::net_affordable_units::findings::{rating}").format(
                affordable=project.affordable_units,
                demolished=project.affordable_units_demolished,
                value=net,
                displaced=project.households_displaced,
            ),
            method="net_affordable_units",
            details={
                "units_by_band": dict(project.units_by_band),
                "total_units": project.total_units,
                "units_demolished": project.units_demolished,
                "households_displaced": project.households_displaced,
            },
        )
    )
    return out


# --------------------------------------------------------------------------------------
# Neighbourhood table


def _neighbourhood_table(
    b: Baseline, index: np.ndarray, share: np.ndarray, suffix: str
) -> pd.DataFrame:
    t = b.table.iloc[index]
    out = pd.DataFrame({"id": t["id"].to_numpy(), "name": t["name"].to_numpy()})
    out["share_in_catchment" + suffix] = share
    if suffix:
        return out
    for field in ("total_population", "households"):
        if field in t:
            out[field] = t[field].to_numpy()
            out[f"{field}_in_catchment"] = share * t[field].fillna(0).to_numpy()
    for gid in b.groups:
        out[f"{gid}_count"] = t[f"{gid}_count"].to_numpy()
        out[f"{gid}_universe"] = t[f"{gid}_universe"].to_numpy()
        out[f"{gid}_in_catchment"] = share * t[f"{gid}_count"].to_numpy()
    for col in ("quintile", "vulnerability_score", "is_vulnerable", "is_recap", "in_comparison"):
        out[col] = t[col].to_numpy()
    return out.reset_index(drop=True)
