"""Command-line interface: ``equityplanner assess | validate | open``.

Exit codes: 0 success, 2 usage or input error (one line on stderr naming the file and the
fault), 130 cancelled, 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from equityplanner._version import __version__
from equityplanner.errors import Cancelled, InputError
from equityplanner.model.concepts import IndicatorFamily, ResultKind
from equityplanner.model.indicator_ids import IndicatorId

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_CANCELLED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, as for input errors
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="equityplanner",
        description="Ex-ante equity assessment of proposed housing and transit projects.",
    )
    parser.add_argument("--version", action="version", version=f"equityplanner {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    a = sub.add_parser(
        "assess",
        help="assess a project file, or neighbourhoods and projects given directly",
        description="Assess a project file (PROJECT), or a neighbourhood layer (--neighbourhoods) "
        "with proposed projects (--projects) without a project file.",
    )
    a.add_argument("project", nargs="?", type=Path, help="project file (.eqp.json)")
    a.add_argument("--json", type=Path, metavar="OUT.json", help="write the results as JSON")
    a.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="write the Excel workbook")
    a.add_argument("--map-field", default=None, help="field or group shaded on the workbook's map")
    a.add_argument(
        "--compare",
        nargs="*",
        metavar="ID",
        help="add a Comparison sheet setting these projects or scenarios side by side "
        "(no ids: all of them; default: the scenarios, when there are two or more)",
    )
    quick = a.add_argument_group("without a project file")
    quick.add_argument(
        "--neighbourhoods",
        type=Path,
        metavar="FILE",
        help="polygons (GeoPackage, Shapefile or .zip, GeoJSON, FlatGeobuf)",
    )
    quick.add_argument(
        "--table", type=Path, metavar="FILE", help="attribute table (CSV or XLSX) joined on GEOID"
    )
    quick.add_argument("--layer", help="layer name in a GeoPackage")
    quick.add_argument(
        "--id-column", help="id column of the neighbourhood file (default: GEOID or similar)"
    )
    quick.add_argument("--table-id-column", help="id column of the table")
    quick.add_argument(
        "--crs", metavar="EPSG", help="CRS of a neighbourhood file that has none, e.g. EPSG:4269"
    )
    quick.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.json",
        help="JSON object mapping canonical fields to columns",
    )
    quick.add_argument(
        "--projects", type=Path, metavar="FILE", help="proposed projects (GeoJSON or GeoPackage)"
    )
    quick.add_argument(
        "--params",
        type=Path,
        metavar="FILE.json",
        help="parameters (as in a project file's 'parameters')",
    )
    quick.add_argument(
        "--catchment",
        action="append",
        default=[],
        metavar="KIND=METRES",
        help="catchment radius, e.g. bus=400 or housing=800 (repeatable; kinds rail, brt, bus, housing)",
    )
    quick.add_argument("--threshold-pp", type=float, help="Title VI threshold in percentage points")
    quick.add_argument("--title", help="title of the assessment")
    a.add_argument("--quiet", action="store_true", help="print no summary")

    v = sub.add_parser("validate", help="check a project file and its data, listing every problem")
    v.add_argument("project", type=Path)

    o = sub.add_parser("open", help="start the desktop app")
    o.add_argument("project", nargs="?", type=Path)
    o.add_argument("--run", action="store_true", help="run the assessment after opening")
    o.add_argument(
        "--screenshot", type=Path, metavar="OUT.png", help="save a picture of the window and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``equityplanner`` command."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    if not args_list or (
        args_list[0] not in {"assess", "validate", "open", "-h", "--help", "--version"}
    ):
        args_list = ["open", *args_list]  # `equityplanner` or `equityplanner FILE` starts the app
    args = parser.parse_args(args_list)
    try:
        if args.command == "assess":
            return _assess(args)
        if args.command == "validate":
            return _validate(args)
        return _open(args)
    except InputError as exc:
        print(f"equityplanner: error: {exc.message}", file=sys.stderr)
        return EXIT_INPUT
    except (Cancelled, KeyboardInterrupt):
        print("equityplanner: cancelled", file=sys.stderr)
        return EXIT_CANCELLED


def _read_json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} file not found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} file is not valid JSON ({exc})", path=path) from None


def _quick_parameters(args: argparse.Namespace) -> Any:
    from equityplanner.io.project_file import parameters_from_dict

    raw: dict[str, Any] = {}
    if args.params:
        raw = _read_json_file(args.params, "parameters")
        if not isinstance(raw, dict):
            raise InputError("parameters file must hold a JSON object", path=args.params)
    catchment = dict(raw.get("catchment_m") or {})
    for item in args.catchment:
        kind, sep, metres = item.partition("=")
        if not sep:
            raise InputError(f"--catchment '{item}' must look like bus=400")
        catchment[kind.strip()] = metres.strip()
    if catchment:
        raw["catchment_m"] = catchment
    if args.threshold_pp is not None:
        raw["title_vi"] = {**(raw.get("title_vi") or {}), "threshold_pp": args.threshold_pp}
    problems: list[str] = []
    params = parameters_from_dict(raw, problems)
    if problems:
        raise InputError(problems[0], path=args.params)
    return params


def _assess(args: argparse.Namespace) -> int:
    from equityplanner.analysis.assess import assess, assess_projects
    from equityplanner.io.hashing import sha256_file
    from equityplanner.io.neighbourhoods import read_neighbourhoods
    from equityplanner.io.project_file import load_project
    from equityplanner.io.projects import read_projects
    from equityplanner.model.project import Metadata
    from equityplanner.model.results import InputFile
    from equityplanner.progress import TextProgress

    progress = TextProgress(sys.stderr)
    if args.project is not None:
        if args.neighbourhoods or args.projects:
            raise InputError(
                "give either a project file or --neighbourhoods with --projects, not both"
            )
        document = load_project(args.project)
        assessment = assess(document, progress=progress)
    else:
        if not args.neighbourhoods or not args.projects:
            raise InputError(
                "nothing to assess",
                remedy="Give a project file, or --neighbourhoods FILE and --projects FILE",
            )
        mapping = _read_json_file(args.mapping, "mapping") if args.mapping else None
        params = _quick_parameters(args)
        nb = read_neighbourhoods(
            args.neighbourhoods,
            table=args.table,
            layer=args.layer,
            id_column=args.id_column,
            table_id_column=args.table_id_column,
            crs=args.crs,
            mapping=mapping,
            progress=progress.subrange(0, 0.4),
        )
        projects = read_projects(args.projects)
        assessment = assess_projects(
            nb,
            projects,
            parameters=params,
            metadata=Metadata(title=args.title or f"Assessment of {args.projects.name}"),
            progress=progress.subrange(0.4, 1.0),
            inputs=[
                InputFile("projects", str(args.projects.resolve()), sha256_file(args.projects))
            ],
        )
    for target in (args.json, args.xlsx):
        if target is not None:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot create the folder ({exc.strerror})", path=target.parent
                ) from exc
    if args.json:
        from equityplanner.report.json_output import write_json

        write_json(assessment, args.json)
    if args.xlsx:
        from equityplanner.report.workbook import write_workbook

        if args.compare is None:
            scenarios = [r.id for r in assessment.results if r.kind is ResultKind.SCENARIO]
            compare: Any = scenarios if len(scenarios) >= 2 else None
        else:
            compare = args.compare or True
        write_workbook(assessment, args.xlsx, map_field=args.map_field, compare=compare)
    if not args.quiet:
        _print_summary(assessment, args)
    return EXIT_OK


# The findings printed for each result: every Title VI, housing and displacement finding, and
# the context and income-distribution lines of its first side (benefits, or a cut's burdens).
_HEADLINE_FAMILIES = frozenset(
    {IndicatorFamily.TITLE_VI, IndicatorFamily.HOUSING, IndicatorFamily.DISPLACEMENT}
)
_HEADLINE_INDICATORS = frozenset(
    {
        IndicatorId(IndicatorFamily.SERVED, "population"),
        IndicatorId(IndicatorFamily.DISTRIBUTION, "lowest_two_quintiles"),
    }
)


def _print_summary(assessment: Any, args: argparse.Namespace) -> None:
    out = sys.stdout
    print(f"{assessment.metadata.title}", file=out)
    for result in assessment.results:
        print(f"\n== {ResultKind(result.kind).label}: {result.name}", file=out)
        for ind in result.indicators:
            if ind.category in _HEADLINE_FAMILIES or ind.key in _HEADLINE_INDICATORS:
                print(f"  [{ind.rating_label}] {ind.finding}", file=out)
    if assessment.warnings:
        print(f"\n{len(assessment.warnings)} warning(s):", file=out)
        for w in assessment.warnings:
            print(f"  - {w}", file=out)
    written = [str(p) for p in (args.json, args.xlsx) if p]
    if written:
        print(f"\nWrote {', '.join(written)}", file=out)


def _validate(args: argparse.Namespace) -> int:
    from equityplanner.analysis.assess import (
        load_baseline,
        load_network,
        load_opportunities,
        load_service_change,
    )
    from equityplanner.io.project_file import ProjectFileError, load_project

    try:
        document = load_project(args.project)
    except ProjectFileError as exc:
        print(f"{args.project}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INPUT
    nb = load_baseline(document)
    access = load_opportunities(document, nb)
    service = load_service_change(document)
    network = load_network(document)
    layers = [layer for layer in [access.jobs, *access.facilities.values()] if layer is not None]
    extra = f", {len(layers)} opportunity layer(s)" if layers else ""
    extra += ", 2 GTFS feeds" if service is not None else ""
    if network is not None:
        extra += f", a street network and {len(network.feeds)} GTFS feed(s) for routed access"
    print(
        f"{args.project}: valid. {len(nb.frame)} neighbourhoods ({len(nb.fields)} fields mapped), "
        f"{len(document.projects)} project(s), {len(document.scenarios)} scenario(s){extra}."
    )
    warnings = [*nb.warnings, *(w for layer in layers for w in layer.warnings)]
    if service is not None:
        warnings += [*service.baseline.warnings, *service.proposed.warnings]
    if network is not None:
        warnings += network.warnings
    for warning in warnings:
        print(f"  warning: {warning}")
    return EXIT_OK


def _open(args: argparse.Namespace) -> int:
    try:
        from equityplanner.app.main import run_app
    except ImportError as exc:  # Qt missing (a headless install) or broken
        raise InputError(
            f"the desktop app cannot start: {exc}",
            remedy="Install the app's Qt dependencies with: pip install 'equityplanner[app]' "
            "(the command line's 'assess' and 'validate' need no Qt)",
        ) from exc
    return run_app(project=args.project, run=args.run, screenshot=args.screenshot)


if __name__ == "__main__":
    sys.exit(main())
