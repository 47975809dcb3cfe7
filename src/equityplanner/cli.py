"""Command-line interface: ``equityplanner assess | validate | open``.

Exit codes: 0 success, 2 usage or input error (one line on stderr naming the file and the
fault), 130 cancelled, 1 internal error. Running out of memory is an input error too (the
inputs are too large for the machine): one line naming the step and what was too large, and
what to do (issue 12.3).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from equityplanner._version import __version__
from equityplanner.errors import Cancelled, InputError, MethodError
from equityplanner.model.concepts import IndicatorFamily, ResultKind
from equityplanner.model.indicator_ids import IndicatorId

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_CANCELLED = 0, 1, 2, 130


class OutOfMemory(InputError):
    """The machine ran out of memory while doing something: what, and on what data."""


_MORE_MEMORY = "or run it on a machine with more memory"


@contextmanager
def _step(what: str, remedy: str) -> Iterator[None]:
    """Turn a MemoryError inside into :class:`OutOfMemory` naming ``what`` and ``remedy``."""
    try:
        yield
    except MemoryError:
        raise OutOfMemory(f"out of memory while {what}", remedy=remedy) from None


def _size(path: Path | None) -> str:
    try:
        return f"{path.stat().st_size / 1e6:,.0f} MB" if path is not None else "?"
    except OSError:
        return "?"


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
    a.add_argument(
        "--pdf",
        type=Path,
        metavar="OUT.pdf",
        help="write the council print set (Decision, Summary, Distribution, Housing, Map, "
        "Methodology) as a PDF; needs LibreOffice (soffice)",
    )
    a.add_argument("--map-field", default=None, help="field or group shaded on the workbook's map")
    a.add_argument(
        "--weights",
        type=Path,
        metavar="FILE",
        help="apportion by population: census blocks or points with a count (e.g. a TIGER/Line "
        "tabblock20 .zip, or points with P1_001N); replaces a project file's weights",
    )
    a.add_argument("--weights-count", metavar="COLUMN", help="count column of --weights")
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
    quick.add_argument("--sheet", help="sheet of an Excel table (default: the first visible sheet)")
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
    _add_language(a)

    v = sub.add_parser("validate", help="check a project file and its data, listing every problem")
    v.add_argument("project", type=Path)
    _add_language(v)

    o = sub.add_parser("open", help="start the desktop app")
    o.add_argument("project", nargs="?", type=Path)
    o.add_argument("--run", action="store_true", help="run the assessment after opening")
    o.add_argument(
        "--screenshot", type=Path, metavar="OUT.png", help="save a picture of the window and exit"
    )
    return parser


def _add_language(parser: argparse.ArgumentParser) -> None:
    """``--language``: the language of findings and rating words (ids and keys stay English)."""
    from equityplanner.i18n import LANGUAGES

    parser.add_argument(
        "--language",
        metavar="{" + ",".join(LANGUAGES) + "}",
        default=os.environ.get("EQUITYPLANNER_LANGUAGE") or "en",
        help="language of the findings (default: en, or $EQUITYPLANNER_LANGUAGE)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``equityplanner`` command.

    Every fault a user can cause is one line on stderr and exit 2; anything else is a bug,
    reported in one line with exit 1 (``EQUITYPLANNER_TRACEBACK=1`` shows the traceback).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    if not args_list or (
        args_list[0] not in {"assess", "validate", "open", "-h", "--help", "--version"}
    ):
        args_list = ["open", *args_list]  # `equityplanner` or `equityplanner FILE` starts the app
    args = parser.parse_args(args_list)
    if getattr(args, "language", None) is not None:
        from equityplanner.i18n import set_language

        try:
            set_language(args.language)
        except ValueError as exc:  # an unknown code: the choices, in one line
            _say(f"equityplanner: error: {exc}")
            return EXIT_INPUT
    try:
        if args.command == "assess":
            return _assess(args)
        if args.command == "validate":
            return _validate(args)
        return _open(args)
    except InputError as exc:
        _say(f"equityplanner: error: {exc.message}")
        return EXIT_INPUT
    except MethodError as exc:  # the data do not meet a method's preconditions
        _say(f"equityplanner: error: the data do not allow this assessment: {exc}")
        return EXIT_INPUT
    except (Cancelled, KeyboardInterrupt):
        _say("equityplanner: cancelled")
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK  # the reader of the output went away (e.g. `| head`)
    except MemoryError:  # a step without its own message (_step)
        _say(
            f"equityplanner: error: out of memory while running '{args.command}': the inputs "
            "are too large for this machine. Clip the neighbourhood layer to the study area "
            f"(the counties the projects serve), {_MORE_MEMORY}."
        )
        return EXIT_INPUT
    except Exception as exc:
        if os.environ.get("EQUITYPLANNER_TRACEBACK"):
            raise
        _say(
            f"equityplanner: internal error: {type(exc).__name__}: {str(exc)[:300]}. This is a "
            "bug: please report it with the input that caused it (set EQUITYPLANNER_TRACEBACK=1 "
            "to see where it happened)."
        )
        return EXIT_INTERNAL


def _say(text: str, stream: TextIO | None = None) -> None:
    """Print one line whatever characters it holds (lone surrogates are escaped)."""
    out = stream if stream is not None else sys.stderr
    line = " ".join(text.splitlines()) if stream is None else text
    encoding = getattr(out, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding, "replace"), file=out)


def _read_json_file(path: Path, what: str) -> Any:
    from equityplanner.io.files import read_json

    return read_json(path, f"{what} file", limit=16 * 1024 * 1024)


def _quick_parameters(args: argparse.Namespace) -> Any:
    from equityplanner.model.parameter_schema import parameters_from_dict

    raw: dict[str, Any] = {}
    if args.params:
        raw = _read_json_file(args.params, "parameters")
        if not isinstance(raw, dict):
            raise InputError(
                "parameters file must hold a JSON object",
                path=args.params,
                remedy='Write an object such as {"catchment_m": {"bus": 400}}',
            )
    if args.catchment:
        catchment = raw.get("catchment_m") or {}
        if not isinstance(catchment, dict):
            raise InputError(
                'catchment_m must be an object such as {"bus": 400}',
                path=args.params,
                location="catchment_m",
            )
        catchment = dict(catchment)
        for item in args.catchment:
            kind, sep, metres = item.partition("=")
            if not sep:
                raise InputError(f"--catchment '{item}' must look like bus=400")
            catchment[kind.strip()] = metres.strip()
        raw["catchment_m"] = catchment
    if args.threshold_pp is not None:
        title_vi = raw.get("title_vi") or {}
        if not isinstance(title_vi, dict):
            raise InputError("title_vi must be an object", path=args.params, location="title_vi")
        raw["title_vi"] = {**title_vi, "threshold_pp": args.threshold_pp}
    problems: list[str] = []
    params = parameters_from_dict(raw, problems)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise InputError(problems[0] + more, path=args.params)
    return params


def _quick_mapping(args: argparse.Namespace) -> dict[str, Any] | None:
    from equityplanner.model.schema import INVALID, ColumnMapping

    if not args.mapping:
        return None
    raw = _read_json_file(args.mapping, "mapping")
    problems: list[str] = []
    mapping = ColumnMapping().read(raw, "mapping", problems, None)
    if problems or mapping is INVALID:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise InputError(
            (problems[0] if problems else "not a column mapping") + more,
            path=args.mapping,
            remedy='Write an object such as {"total_population": "B01003_001E"}',
        )
    return dict(mapping)


def _assess(args: argparse.Namespace) -> int:
    from equityplanner.io.atomic import check_output_target

    # Refuse an output that cannot be written before the long part, not after it.
    targets = [
        check_output_target(t, create_folder=True) for t in (args.json, args.xlsx) if t is not None
    ]
    if len(targets) == 2 and targets[0] == targets[1]:
        raise InputError("--json and --xlsx name the same file", path=targets[0])
    if args.pdf is not None:
        pdf = check_output_target(args.pdf, create_folder=True)
        if pdf in targets:
            raise InputError("--pdf names the same file as --json or --xlsx", path=pdf)
    assessment = _run_assessment(args)
    size = f"{len(assessment.baseline):,} neighbourhoods, {len(assessment.results)} result(s)"
    if args.json:
        from equityplanner.report.json_output import write_json

        with _step(
            f"writing the JSON results {args.json} ({size})",
            f"Clip the neighbourhood layer to the study area, {_MORE_MEMORY}",
        ):
            write_json(assessment, args.json)
    if args.compare is None:
        scenarios = [r.id for r in assessment.results if r.kind is ResultKind.SCENARIO]
        compare: Any = scenarios if len(scenarios) >= 2 else None
    else:
        compare = args.compare or True
    if args.xlsx:
        from equityplanner.report.workbook import write_workbook

        with _step(
            f"writing the workbook {args.xlsx} ({size})",
            "Write the results as JSON (--json) instead, or clip the neighbourhood layer to the "
            f"study area (the counties the projects serve), {_MORE_MEMORY}",
        ):
            write_workbook(assessment, args.xlsx, map_field=args.map_field, compare=compare)
    if args.pdf:
        from equityplanner.report.pdf import write_council_pdf

        with _step(
            f"writing the council PDF {args.pdf} ({size})",
            "Write the workbook (--xlsx) or the JSON results (--json) instead, or clip the "
            f"neighbourhood layer to the study area, {_MORE_MEMORY}",
        ):
            write_council_pdf(assessment, args.pdf, map_field=args.map_field, compare=compare)
    if not args.quiet:
        _print_summary(assessment, args)
    return EXIT_OK


def _weights(args: argparse.Namespace) -> Any:
    """The --weights layer, or None (then a project file's own weights, if any, are used)."""
    if args.weights is None:
        return None
    from equityplanner.io.weights import read_weights

    with _step(
        f"reading the weights layer {args.weights} ({_size(args.weights)})",
        "Use the blocks of the counties the projects serve only (clip the weights layer to the "
        f"study area), {_MORE_MEMORY}",
    ):
        return read_weights(args.weights, count_column=args.weights_count)


_CLIP_LAYER = (
    "Clip the neighbourhood layer to the study area (the counties or the state the projects "
    f"serve), {_MORE_MEMORY}"
)


# The options of an assessment without a project file, and the project file's key for each.
_QUICK_OPTION_KEYS = {
    "table": ("--table", "baseline.table"),
    "layer": ("--layer", "baseline.layer"),
    "sheet": ("--sheet", "baseline.sheet"),
    "id_column": ("--id-column", "baseline.id_column"),
    "table_id_column": ("--table-id-column", "baseline.table_id_column"),
    "crs": ("--crs", "baseline.crs"),
    "mapping": ("--mapping", "baseline.mapping"),
    "params": ("--params", "parameters"),
    "catchment": ("--catchment", "parameters.catchment_m"),
    "threshold_pp": ("--threshold-pp", "parameters.title_vi.threshold_pp"),
    "title": ("--title", "metadata.title"),
}


def _refuse_quick_options(args: argparse.Namespace) -> None:
    """Refuse the options that apply without a project file only, rather than ignore them."""
    given = [pair for dest, pair in _QUICK_OPTION_KEYS.items() if getattr(args, dest)]
    if not given:
        return
    options = ", ".join(option for option, _key in given)
    keys = ", ".join(key for _option, key in given)
    raise InputError(
        f"{options} {'applies' if len(given) == 1 else 'apply'} only without a project file",
        path=args.project,
        remedy=f"Set {keys} in the project file instead, or leave the project file out",
    )


def _run_assessment(args: argparse.Namespace) -> Any:
    """The assessment of a project file, or of the quick options' files."""
    from equityplanner.analysis.assess import assess, assess_projects, load_baseline
    from equityplanner.io.files import regular_file, relative_inputs
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
        _refuse_quick_options(args)
        document = load_project(args.project)
        source = document.baseline.neighbourhoods if document.baseline is not None else None
        where = document.resolve(source) if source is not None else None
        with _step(
            f"reading the neighbourhood layer {where} ({_size(where)})",
            _CLIP_LAYER,
        ):
            nb = load_baseline(document, progress.subrange(0, 0.3), defer_validity=True)
        weights = _weights(args)
        with _step(f"assessing {len(nb.frame):,} neighbourhoods", _CLIP_LAYER):
            return assess(
                document,
                neighbourhoods=nb,
                weights=weights,
                progress=progress.subrange(0.3, 1.0),
            )
    if not args.neighbourhoods or not args.projects:
        raise InputError(
            "nothing to assess",
            remedy="Give a project file, or --neighbourhoods FILE and --projects FILE",
        )
    mapping = _quick_mapping(args)
    params = _quick_parameters(args)
    projects_path = regular_file(args.projects, "projects file")
    with _step(
        f"reading the neighbourhood layer {args.neighbourhoods} ({_size(args.neighbourhoods)})",
        _CLIP_LAYER,
    ):
        nb = read_neighbourhoods(
            args.neighbourhoods,
            table=args.table,
            layer=args.layer,
            id_column=args.id_column,
            table_id_column=args.table_id_column,
            crs=args.crs,
            mapping=mapping,
            progress=progress.subrange(0, 0.4),
            sheet=args.sheet,
            defer_validity=True,  # checked for the neighbourhoods the catchments touch
        )
    projects = read_projects(projects_path)
    weights = _weights(args)
    with _step(f"assessing {len(nb.frame):,} neighbourhoods", _CLIP_LAYER):
        assessment = assess_projects(
            nb,
            projects,
            parameters=params,
            metadata=Metadata(title=args.title or f"Assessment of {projects_path.name}"),
            progress=progress.subrange(0.4, 1.0),
            inputs=[
                InputFile("projects", str(projects_path.absolute()), sha256_file(projects_path))
            ],
            weights=weights,
        )
    assessment.inputs = relative_inputs(assessment.inputs, None)
    return assessment


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
    _say(f"{assessment.metadata.title}", out)
    for notice in assessment.notices:
        _say(f"\n{notice.severity.upper()}: {notice.message} {notice.remedy}.", out)
    for result in assessment.results:
        _say(f"\n== {ResultKind(result.kind).label}: {result.name}", out)
        for ind in result.indicators:
            if ind.category in _HEADLINE_FAMILIES or ind.key in _HEADLINE_INDICATORS:
                _say(f"  [{ind.rating_label}] {ind.finding}", out)
    if assessment.warnings:
        _say(f"\n{len(assessment.warnings)} warning(s):", out)
        for w in assessment.warnings:
            _say(f"  - {w}", out)
    written = [str(p) for p in (args.json, args.xlsx, args.pdf) if p]
    if args.xlsx:
        from equityplanner.report.sheets.neighbourhoods import FULL_TABLE_LIMIT

        if len(assessment.baseline) > FULL_TABLE_LIMIT:  # its full table is beside it
            written.append(str(args.xlsx.with_name(f"{args.xlsx.stem}.neighbourhoods.csv")))
    if written:
        _say(f"\nWrote {', '.join(written)}", out)
    _print_community_summaries(assessment, args, out)


def _print_community_summaries(assessment: Any, args: argparse.Namespace, out: Any) -> None:
    """Where the residents' summaries went, and what the planner must fill in first."""
    from equityplanner.report.community_summary import community_summary_paths, planner_notices

    files = [
        str(path)
        for target, extension in ((args.xlsx, "html"), (args.pdf, "pdf"))
        if target
        for path in community_summary_paths(target, extension).values()
    ]
    if files:
        _say(f"Community summaries for residents (English, Spanish): {', '.join(files)}", out)
        for notice in planner_notices(assessment):
            _say(notice, out)


_LISTED = 200  # problems listed by validate; a file with more has one fault many times


def _validate(args: argparse.Namespace) -> int:
    """Check a project file and its data by running the assessment ``assess`` would run.

    The same loading, the same checks and the same computation: a project ``validate``
    accepts, ``assess`` accepts. Nothing is written.
    """
    from equityplanner.analysis.assess import assess, load_baseline
    from equityplanner.analysis.weights import load_weights
    from equityplanner.io.project_file import ProjectFileError, load_project

    try:
        document = load_project(args.project)
    except ProjectFileError as exc:
        _say(f"{args.project}: {len(exc.problems)} problem(s):")
        for problem in exc.problems[:_LISTED]:
            _say(f"  - {problem}")
        if len(exc.problems) > _LISTED:
            _say(f"  - and {len(exc.problems) - _LISTED} more")
        return EXIT_INPUT
    nb = load_baseline(document)
    assessment = assess(document, neighbourhoods=nb)
    extra = (
        f", {len(document.opportunities)} opportunity layer(s)" if document.opportunities else ""
    )
    extra += ", 2 GTFS feeds" if document.gtfs is not None else ""
    if document.network is not None:
        extra += (
            f", a street network and {len(document.network.gtfs)} GTFS feed(s) for routed access"
        )
    weights = load_weights(document)
    extra += f", weights: {weights.description}" if weights is not None else ""
    _say(
        f"{args.project}: valid. {len(nb.frame)} neighbourhoods ({len(nb.fields)} fields mapped), "
        f"{len(document.projects)} project(s), {len(document.scenarios)} scenario(s){extra}.",
        sys.stdout,
    )
    for notice in assessment.notices:
        _say(f"  {notice.severity.upper()}: {notice.message} {notice.remedy}.", sys.stdout)
    noted = {f"{n.message} {n.remedy}." for n in assessment.notices}
    for warning in assessment.warnings:
        if warning not in noted:
            _say(f"  warning: {warning}", sys.stdout)
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
