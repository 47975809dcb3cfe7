"""The Excel workbook of an assessment, from which council staff decide.

:func:`write_workbook` lays out every sheet (:mod:`equityplanner.report.sheets`) into a
neutral :class:`~equityplanner.report.layout.WorkbookSpec` (:func:`build_workbook`) and
hands it to :mod:`equityplanner.report.writer`, which saves it atomically.

Sheets, in order: the council print set (Decision, Summary, Distribution, Housing when a
housing project is assessed, Map, Methodology), the residents' Community summary and Resumen
comunitario (portrait, plain words; hidden in the print set), then the appendices, each marked
so on its printed pages: Comparison (when asked), Indicators, Title VI tests, Fare equity (with
a fare change), Equity questions, Neighbourhoods, Methods and sources, Audit.
With ``print_set=True`` the appendices are hidden, so that printing the workbook (or
exporting it to PDF, :mod:`equityplanner.report.pdf`) gives the print set alone.

A layer of more than :data:`~equityplanner.report.sheets.neighbourhoods.FULL_TABLE_LIMIT`
neighbourhoods is paged on the Neighbourhoods sheet (those touching a catchment listed, the
others summed by the flags the formulas weigh by), and :func:`write_workbook` writes the full
table as a CSV file beside the workbook (``<name>.neighbourhoods.csv``), which the sheet names.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from equityplanner.errors import InputError, MethodError
from equityplanner.io.atomic import atomic_write
from equityplanner.model.results import Assessment, ProposalResult
from equityplanner.render.fields import resolve_field, short_label
from equityplanner.render.map_image import render_map_png
from equityplanner.report.layout import (
    DocumentProperties,
    SheetSpec,
    WorkbookSpec,
    autofit_rows,
    build_styles,
    sheet_name,
)
from equityplanner.report.sheets import BookContext
from equityplanner.report.sheets import audit as audit_sheet
from equityplanner.report.sheets import community as community_sheet
from equityplanner.report.sheets import comparison as comparison_sheet
from equityplanner.report.sheets import equity_questions as questions_sheet
from equityplanner.report.sheets import fare_equity as fare_sheet
from equityplanner.report.sheets import indicators as indicators_sheet
from equityplanner.report.sheets import methodology as methodology_sheet
from equityplanner.report.sheets import neighbourhoods as neighbourhoods_sheet
from equityplanner.report.sheets import title_vi as title_vi_sheet
from equityplanner.report.sheets.audit import build_audit
from equityplanner.report.sheets.comparison import Alternative, build_comparison
from equityplanner.report.sheets.decision import build_decision
from equityplanner.report.sheets.distribution import build_distribution
from equityplanner.report.sheets.housing import build_housing
from equityplanner.report.sheets.indicators import build_indicators
from equityplanner.report.sheets.map import build_map
from equityplanner.report.sheets.methodology import build_methodology, build_sources
from equityplanner.report.sheets.neighbourhoods import (
    FULL_TABLE_LIMIT,
    build_neighbourhoods,
    full_table,
)
from equityplanner.report.sheets.summary import build_summary
from equityplanner.report.sheets.title_vi import build_title_vi, plan_rows
from equityplanner.report.writer import save_workbook

__all__ = [
    "build_comparison_workbook",
    "build_workbook",
    "write_comparison_workbook",
    "write_full_table",
    "write_workbook",
]

Compare = bool | Sequence[str | ProposalResult] | None


def write_workbook(
    assessment: Assessment,
    path: str | Path,
    *,
    map_field: str | None = None,
    compare: Compare = None,
    print_set: bool = False,
    neighbourhood_limit: int | None = FULL_TABLE_LIMIT,
    community_summary: bool = True,
) -> Path:
    """Write the Excel workbook of an assessment (atomically).

    Parameters
    ----------
    assessment
        The assessment (from :func:`equityplanner.assess`).
    path
        Target ``.xlsx`` file.
    map_field
        Baseline column or group id shading the map (default ``minority_share``).
    compare
        Add a Comparison sheet: ``True`` for every project and scenario, or a list of result
        ids (or ProposalResults) to set side by side.
    print_set
        Hide the appendices (data sheets), so that the workbook prints the council print set
        alone; they still calculate and can be shown again.
    neighbourhood_limit
        A layer of more neighbourhoods is paged on the Neighbourhoods sheet, and its full
        table written beside the workbook as ``<name>.neighbourhoods.csv`` (None: never).
    community_summary
        Add the residents' summary sheets (English and Spanish) and write the summaries
        beside the workbook as ``<name>.summary.en.html`` and ``<name>.summary.es.html``
        (:mod:`equityplanner.report.community_summary`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        When ``map_field`` or a compared result does not exist, or the target cannot be
        replaced (open in Excel, read-only, a folder); the old file is kept.
    """
    target = Path(path)
    table = target.with_name(f"{target.stem}.neighbourhoods.csv")
    spec = build_workbook(
        assessment,
        map_field=map_field,
        compare=compare,
        print_set=print_set,
        neighbourhood_limit=neighbourhood_limit,
        full_table_name=table.name,
        community_summary=community_summary,
    )
    written = save_workbook(spec, target)
    if neighbourhood_limit is not None and len(assessment.baseline) > neighbourhood_limit:
        write_full_table(assessment, table)
    if community_summary:
        from equityplanner.report.community_summary import write_community_summaries

        write_community_summaries(assessment, target)
    return written


def write_full_table(assessment: Assessment, path: str | Path) -> Path:
    """The Neighbourhoods sheet's full table, one row per neighbourhood, as CSV (atomically).

    Its columns are the sheet's, with the engine's values where the sheet has formulas.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    frame = full_table(assessment)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)

    def write(tmp: Path) -> None:
        pa_csv.write_csv(arrow, str(tmp))

    try:
        return atomic_write(path, write)
    except OSError as exc:
        raise InputError(
            f"the neighbourhood table could not be written ({exc.strerror or exc})",
            path=path,
            remedy="Check that the disk is not full, then try again",
        ) from exc


def build_workbook(
    assessment: Assessment,
    *,
    map_field: str | None = None,
    compare: Compare = None,
    map_png: bytes | None = None,
    print_set: bool = False,
    neighbourhood_limit: int | None = FULL_TABLE_LIMIT,
    full_table_name: str | None = None,
    community_summary: bool = True,
) -> WorkbookSpec:
    """The neutral layout of the workbook (no file is written).

    ``map_png`` supplies a ready map picture; by default the map is rendered with
    :func:`equityplanner.render.map_image.render_map_png` (no Qt needed). ``print_set``
    hides the appendices (see :func:`write_workbook`). A layer of more than
    ``neighbourhood_limit`` neighbourhoods is paged on the Neighbourhoods sheet, which names
    ``full_table_name`` as the file holding its full table. ``community_summary`` adds the
    residents' summary sheets after the Methodology (hidden in the print set).
    """
    header = assessment.metadata.title
    ctx = BookContext(
        assessment=assessment,
        header=header,
        print_set=print_set,
        neighbourhood_limit=neighbourhood_limit,
        full_table_name=full_table_name,
    )
    _prepare_map(ctx, map_field, map_png)
    alternatives = _alternatives(assessment, compare)
    ctx.compare_results = [alt.result for alt in alternatives]
    tv_rows = plan_rows(ctx)
    ctx.fare_blocks = fare_sheet.plan_fares(ctx)
    appendices = [
        comparison_sheet.SHEET_NAME if len(alternatives) >= 2 else None,
        indicators_sheet.SHEET_NAME,
        title_vi_sheet.SHEET_NAME if tv_rows else None,
        fare_sheet.SHEET_NAME if ctx.fare_blocks else None,
        questions_sheet.SHEET_NAME,
        neighbourhoods_sheet.SHEET_NAME,
        methodology_sheet.SOURCES_SHEET_NAME,
        audit_sheet.SHEET_NAME,
    ]
    letters = "ABCDEFGHIJKL"
    ctx.appendix = {
        name: f"Appendix {letters[i]}"
        for i, name in enumerate(n for n in appendices if n is not None)
    }

    neighbourhoods = build_neighbourhoods(ctx)
    indicators = build_indicators(ctx)
    title_vi = build_title_vi(ctx, tv_rows)
    fares = fare_sheet.build_fare_equity(ctx, ctx.fare_blocks)
    questions = questions_sheet.build_equity_questions(ctx)  # links the Indicators rows
    housing = build_housing(ctx)
    distribution = build_distribution(ctx)
    comparison = (
        build_comparison(alternatives, header, ctx, assessment.comparison_label)
        if len(alternatives) >= 2
        else None
    )
    summary = build_summary(ctx)
    decision = build_decision(ctx, _expected_by_row(title_vi))
    _collect_maps(ctx)
    sheets = [
        decision,
        summary,
        distribution,
        housing,
        build_map(ctx),
        build_methodology(ctx),
        *(community_sheet.build_community_sheets(ctx) if community_summary else []),
        comparison,
        indicators,
        title_vi,
        fares,
        questions,
        neighbourhoods,
        build_sources(ctx),
        build_audit(ctx),
    ]
    md = assessment.metadata
    properties = DocumentProperties(
        title=md.title,
        creator=md.author or md.organisation or "equityplanner",
        subject="Equity assessment of proposed projects: Title VI, income distribution, "
        "concentration, displacement",
        description=md.description
        or f"Made with equityplanner {assessment.software_version} on {assessment.created}.",
        keywords="equity; Title VI; disparate impact; disproportionate burden; TAG A4.2; R/ECAP; "
        "displacement",
        category="Equity assessment",
    )
    styles = build_styles()
    styles.update(community_sheet.COMMUNITY_STYLES)
    kept = [s for s in sheets if s is not None]
    for sheet in kept:
        autofit_rows(sheet, styles)
        first = sheet.cells.get((1, 1))
        if first is not None and first.style == "title":
            sheet.row_heights.setdefault(1, 28)  # an 18 pt title above the note below it
    return WorkbookSpec(kept, styles, properties)


def write_comparison_workbook(
    assessments_or_results: Sequence[Assessment | ProposalResult] | Assessment, path: str | Path
) -> Path:
    """Write a workbook comparing alternatives.

    Given one assessment, this is its full workbook with a Comparison sheet of every project
    and scenario (live references). Given several assessments, or ProposalResults, it holds the
    Comparison sheet (engine values), the Methodology of the first assessment if any, and an
    Audit listing where each alternative comes from.
    """
    items = (
        [assessments_or_results]
        if isinstance(assessments_or_results, Assessment)
        else list(assessments_or_results)
    )
    if len(items) == 1 and isinstance(items[0], Assessment):
        return write_workbook(items[0], path, compare=True)
    return save_workbook(build_comparison_workbook(items), path)


def build_comparison_workbook(items: Sequence[Assessment | ProposalResult]) -> WorkbookSpec:
    """The layout of a comparison-only workbook (see :func:`write_comparison_workbook`)."""
    from equityplanner.report.layout import PrintSpec, SheetSpec

    alternatives: list[Alternative] = []
    assessments = [item for item in items if isinstance(item, Assessment)]
    for item in items:
        if isinstance(item, Assessment):
            prefix = item.metadata.title if len(assessments) > 1 else ""
            for result in item.results:
                alternatives.append(
                    Alternative(
                        f"{prefix}: {result.name}" if prefix else result.name, result, False
                    )
                )
        elif isinstance(item, ProposalResult):
            alternatives.append(Alternative(item.name, item, False))
        else:
            raise InputError(
                f"cannot compare a {type(item).__name__}",
                remedy="Pass assessments or project results",
            )
    if len(alternatives) < 2:
        raise InputError(
            "a comparison needs at least two alternatives",
            remedy="Pass two or more projects or scenarios",
        )
    title = (
        " / ".join(dict.fromkeys(a.metadata.title for a in assessments))
        or "Comparison of alternatives"
    )
    label = assessments[0].comparison_label if assessments else "the comparison population"
    sheets = [build_comparison(alternatives, title, None, label)]
    if assessments:
        ctx = BookContext(assessment=assessments[0], header=title)
        sheets.append(build_methodology(ctx))
    audit = SheetSpec(sheet_name("Audit"), show_gridlines=False)
    audit.print = PrintSpec(header=title)
    audit.column_widths.update({1: 40, 2: 40, 3: 30, 4: 26})
    audit.put(1, 1, "Audit trail", "title")
    audit.put(
        2,
        1,
        "Values on the Comparison sheet are the engine's results of each alternative's assessment.",
        "note",
    )
    audit.put_row(4, 1, ["Alternative", "Assessment", "Software", "Assessment run (UTC)"], "header")
    row = 5
    owner = {id(result): a for a in assessments for result in a.results}
    for alt in alternatives:
        source = owner.get(id(alt.result))
        audit.put_row(
            row,
            1,
            [
                alt.label,
                source.metadata.title if source else "Not recorded",
                f"equityplanner {source.software_version}" if source else "",
                source.created if source else "",
            ],
            "wrap",
        )
        row += 1
    for source in assessments:
        row += 1
        audit.put(row, 1, f"Warnings of '{source.metadata.title}'", "heading")
        row += 1
        for warning in source.warnings or ["No warnings."]:
            audit.put(row, 1, warning, "wrap")
            audit.merge(row, 1, row, 4)
            row += 1
    sheets.append(audit)
    properties = DocumentProperties(
        title=title, creator="equityplanner", subject="Comparison of alternatives"
    )
    styles = build_styles()
    for sheet in sheets:
        autofit_rows(sheet, styles)
    return WorkbookSpec(sheets, styles, properties)


def _expected_by_row(sheet: SheetSpec | None) -> dict[int, dict[str, object]]:
    """The values the Title VI tests sheet's formulas give, by row and column key."""
    if sheet is None:
        return {}
    names = {col: key for key, col in title_vi_sheet.COLUMNS.items()}
    out: dict[int, dict[str, object]] = {}
    for (row, col), formula in sheet.formula_cells():
        if col in names:
            out.setdefault(row, {})[names[col]] = formula.expected
    return out


def _alternatives(assessment: Assessment, compare: Compare) -> list[Alternative]:
    if not compare:
        return []
    if compare is True:
        chosen: list[ProposalResult] = list(assessment.results)
    else:
        chosen = []
        for item in compare:
            if isinstance(item, ProposalResult):
                chosen.append(item)
                continue
            try:
                chosen.append(assessment.result(str(item)))
            except KeyError:
                known = ", ".join(r.id for r in assessment.results)
                raise InputError(
                    f"there is no project or scenario '{item}' to compare",
                    remedy=f"Choose among: {known}",
                ) from None
    own = {id(r) for r in assessment.results}
    return [Alternative(u.name, u, id(u) in own) for u in chosen]


def _prepare_map(ctx: BookContext, map_field: str | None, map_png: bytes | None) -> None:
    """The maps of the Map sheet: the chosen field (minority share by default) and, beside it,
    the low-income share (the minority share when low-income was chosen): the two groups of
    the Title VI tests. A ready ``map_png`` stands alone."""
    a = ctx.assessment
    field = resolve_field(a.baseline, map_field)  # InputError for a field that does not exist
    ctx.map_description = _map_words(field)
    if map_png is not None:
        ctx.map_png = map_png
        return
    try:
        ctx.map_png = render_map_png(a, field=field)
    except MethodError as exc:
        ctx.map_note = f"No map: {exc}."
        return
    other = "minority_share" if "low_income" in field else "low_income"
    try:
        second = resolve_field(a.baseline, other)
    except InputError:  # the data lacks the group: one map
        return
    if second != field:
        # Drawn on a thread while the sheets are laid out (the drawing is mostly numpy, which
        # releases the interpreter); collected by _collect_maps before the Map sheet.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="equityplanner-map")
        ctx.pending_maps.append((pool.submit(render_map_png, a, field=second), _map_words(second)))
        pool.shutdown(wait=False)


def _collect_maps(ctx: BookContext) -> None:
    """The maps drawn on a thread, now on the context (an error leaves the map out, noted)."""
    for future, words in ctx.pending_maps:
        try:
            ctx.extra_maps.append((future.result(), words))
        except MethodError as exc:
            ctx.map_note = f"No second map: {exc}."
    ctx.pending_maps.clear()


def _map_words(field: str) -> str:
    what = short_label(field)
    return (
        f"Map of the {what[0].lower() + what[1:]} by neighbourhood (five classes, quantiles), "
        "with the walk catchments of the projects (new or better service hatched in pink, reduced "
        "service dashed and hatched in orange), the transit lines, their stations and the "
        "housing sites."
    )
