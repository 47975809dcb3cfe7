"""Qt-free task functions the app runs in workers: load the baseline, assess, export.

Each takes a :class:`~equityplanner.progress.Progress` first and immutable inputs (a frozen
document, an assessment), and returns plain objects; the worker hands them to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from equityplanner.errors import InputError
from equityplanner.i18n import _
from equityplanner.model.project import BaselineSource, ProjectDocument
from equityplanner.progress import Progress

if TYPE_CHECKING:  # the analysis is imported by the tasks, not by the first window
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from equityplanner.io.neighbourhoods import Neighbourhoods
    from equityplanner.model.results import Assessment
    from equityplanner.render.geometry import LayerGeometry

__all__ = [
    "AssessOutcome",
    "BaselineOutcome",
    "assess_task",
    "export_task",
    "load_baseline_task",
    "network_routes_task",
    "prepare_baseline_task",
]


@dataclass
class BaselineOutcome:
    """The neighbourhood layer read, drawn and prepared (group shares, quintiles, flags)."""

    source: BaselineSource | None  # what it was read from (the document's, paths absolute)
    neighbourhoods: Neighbourhoods
    layer: LayerGeometry
    table: pd.DataFrame
    warnings: list[str]


@dataclass
class AssessOutcome:
    """An assessment, and the baseline when the task had to read it."""

    document: ProjectDocument
    assessment: Assessment
    baseline: BaselineOutcome | None


def prepared_table(nb: Neighbourhoods, document: ProjectDocument) -> tuple[pd.DataFrame, list[str]]:
    """The per-neighbourhood table the map shades before any assessment.

    Falls back to the plain fields when the parameters do not fit the layer (for example a
    comparison prefix that selects nothing); the warning says so.
    """
    import pandas as pd

    from equityplanner.analysis.baseline import baseline_for

    try:
        # The remembered baseline: the first assessment of this layer then prepares nothing.
        baseline = baseline_for(nb, document.parameters)
    except InputError as exc:
        table = pd.DataFrame(nb.frame.drop(columns=nb.frame.geometry.name))
        return table, [_("Group shares are not shown: {problem}").format(problem=exc.message)]
    # A shallow copy: columns the window adds must not reach the shared baseline.
    return baseline.table.copy(deep=False), list(baseline.warnings)


def load_baseline_task(progress: Progress, document: ProjectDocument) -> BaselineOutcome:
    """Read the document's neighbourhoods and prepare them for the map."""
    from equityplanner.analysis.assess import load_baseline

    nb = load_baseline(document, progress.subrange(0.0, 0.7))
    return prepare_baseline_task(progress, document, nb)


def prepare_baseline_task(
    progress: Progress, document: ProjectDocument, nb: Neighbourhoods
) -> BaselineOutcome:
    """Prepare neighbourhoods already read (by the import wizard) for the map."""
    from equityplanner.render.geometry import LayerGeometry

    progress.report(0.75, _("Preparing the map"))
    layer = LayerGeometry(nb.frame.geometry.to_numpy(), nb.crs)
    _index = layer.tree  # the hit-test index, built here rather than on the first hover
    progress.report(0.9, _("Computing group shares"))
    table, warnings = prepared_table(nb, document)
    progress.report(1.0, _("Neighbourhoods loaded"))
    return BaselineOutcome(document.baseline, nb, layer, table, [*nb.warnings, *warnings])


def assess_task(
    progress: Progress, document: ProjectDocument, neighbourhoods: Neighbourhoods | None
) -> AssessOutcome:
    """Assess ``document``, reading its neighbourhoods unless they are given."""
    from equityplanner.analysis.assess import assess

    loaded = None
    if neighbourhoods is None:
        loaded = load_baseline_task(progress.subrange(0.0, 0.4), document)
        neighbourhoods = loaded.neighbourhoods
        progress = progress.subrange(0.4, 1.0)
    assessment = assess(document, neighbourhoods=neighbourhoods, progress=progress)
    return AssessOutcome(document, assessment, loaded)


def export_task(
    progress: Progress,
    assessment: Assessment,
    path: Path,
    map_field: str | None,
    compare: bool | list[str] = True,
) -> Path:
    """Write the Excel workbook of ``assessment`` to ``path`` (with a Comparison sheet)."""
    from equityplanner.report.workbook import write_workbook

    progress.report(0.05, _("Writing the workbook"))
    written = write_workbook(assessment, path, map_field=map_field, compare=compare)
    progress.report(1.0, _("Workbook written"))
    return Path(written)


def network_routes_task(progress: Progress, document: ProjectDocument) -> list[BaseGeometry]:
    """The routes of the document's street network as lon/lat lines (none without one)."""
    from equityplanner.analysis.inputs import load_network

    network = load_network(document, progress)
    return [line.geometry for line in network.route_lines()] if network is not None else []
