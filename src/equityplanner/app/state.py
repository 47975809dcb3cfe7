"""The application state: the open project and what the window shows of it, without Qt.

One :class:`AppState` per window holds

* the **document** being edited (the undo history that changes it is
  :class:`~equityplanner.app.session.ProjectSession`'s),
* the **baseline**: the neighbourhood layer read for the document, with its prepared table,
* the last **assessment run**, with the document and the layer it was made on,
* the **selection**: the project being edited, the map feature picked, the project or scenario
  whose results are shown and the neighbourhood selected,
* the **map field** the neighbourhoods are shaded by, among the fields the table offers,
* the **staleness** of the results: why they no longer match the document or the layer.

Widgets observe it: :attr:`AppState.changed` is emitted once per change, after every derived
value (fields, map field, staleness) has been brought up to date, with :class:`Change` flags
saying what changed. Widgets tell it what the user chose (``select_row``, ``shade_by`` …) and
redraw when it tells them; they keep no copy of it.

Everything shown per neighbourhood is read through :meth:`AppState.neighbourhood_table` and
:meth:`AppState.layer_result`, which only use a run's per-neighbourhood results when the run was
made on the layer shown. A new layer enters in one place, :meth:`AppState.set_baseline`, which
drops what belonged to the old one (the selected row, the fields of its table), so a table,
a selection or map classes of another layer cannot survive it.

Example::

    state = AppState()
    state.changed.connect(lambda change: print(change))
    state.set_baseline(outcome)         # Change.BASELINE|FIELDS|MAP_FIELD
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Flag, auto
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from equityplanner.app.editing import FeatureRef, new_document
from equityplanner.app.observable import Event
from equityplanner.i18n import _
from equityplanner.model.project import Project, ProjectDocument
from equityplanner.model.results import Assessment, ProposalResult

if TYPE_CHECKING:
    import pandas as pd

    from equityplanner.app.presentation import MapField
    from equityplanner.app.tasks import BaselineOutcome

__all__ = [
    "LAYER_CHANGED",
    "PROJECT_CHANGED",
    "RUN_FAILED",
    "AppState",
    "AssessmentRun",
    "Change",
    "Selection",
    "staleness_words",
]

# Why results are out of date, as the results panel completes "These results are out of date: …".
LAYER_CHANGED = "the neighbourhood layer changed since the last run"
PROJECT_CHANGED = "the project changed since the last run"
RUN_FAILED = "the last run failed"


def staleness_words(reason: str) -> str:
    """Why results are out of date, in the current language (the constants above are keys)."""
    words = {
        LAYER_CHANGED: _("the neighbourhood layer changed since the last run"),
        PROJECT_CHANGED: _("the project changed since the last run"),
        RUN_FAILED: _("the last run failed"),
    }
    return words.get(reason, reason)


class Change(Flag):
    """What an emission of :attr:`AppState.changed` is about."""

    NONE = 0
    RESET = auto()  # another project was opened or started: everything else changed too
    DOCUMENT = auto()  # an edit, undo, redo or save as
    BASELINE = auto()  # the neighbourhood layer was replaced or dropped
    ASSESSMENT = auto()  # a run was adopted or dropped
    UNIT = auto()  # the project or scenario whose results are shown
    FIELDS = auto()  # the fields the map can be shaded by
    MAP_FIELD = auto()  # the field the map is shaded by
    PROJECT = auto()  # the project being edited, or the feature picked on the map
    ROW = auto()  # the neighbourhood selected
    STALENESS = auto()  # whether (and why) the results are out of date


_EVERYTHING = reduce(or_, Change)


@dataclass(frozen=True)
class Selection:
    """What the user has chosen; ids refer to the document and the run, ``row`` to the layer."""

    project_id: str | None = None  # the project in the properties panel, Delete and Add station
    feature: FeatureRef | None = None  # a site, station or vertex picked on the map
    result_id: str | None = None  # the project or scenario whose results are shown
    row: int = -1  # the neighbourhood selected, as a row of the layer (-1: none)


@dataclass(frozen=True)
class AssessmentRun:
    """A finished assessment, with what it was made of.

    ``baseline`` is the neighbourhood layer assessed: the rows of ``assessment.baseline`` are
    its rows, and only with that layer on the map are they drawn.
    """

    document: ProjectDocument
    assessment: Assessment
    baseline: BaselineOutcome


class AppState:
    """The open project and what the window shows of it; see the module docstring.

    Parameters
    ----------
    document
        The document to start with (a new, empty one by default).
    """

    def __init__(self, document: ProjectDocument | None = None) -> None:
        self.changed: Event[Change] = Event()
        self._document = document if document is not None else new_document()
        self._baseline: BaselineOutcome | None = None
        self._run: AssessmentRun | None = None
        self._run_failed = False
        self._selection = Selection()
        self._fields: tuple[MapField, ...] = ()
        self._map_field: MapField | None = None
        self._wanted_field: str | None = None  # the user's choice, kept while not available
        self._staleness: str | None = None
        self._pending = Change.NONE
        self._batch_depth = 0

    # Reading -------------------------------------------------------------------------------

    @property
    def document(self) -> ProjectDocument:
        """The document being edited (frozen)."""
        return self._document

    @property
    def baseline(self) -> BaselineOutcome | None:
        """The neighbourhood layer shown, with its prepared table; None before one is read."""
        return self._baseline

    @property
    def run(self) -> AssessmentRun | None:
        """The last assessment run, even when out of date (see :attr:`staleness`)."""
        return self._run

    @property
    def assessment(self) -> Assessment | None:
        """The assessment of the last run, or None."""
        return self._run.assessment if self._run is not None else None

    @property
    def selection(self) -> Selection:
        """What the user has selected (a project and feature selected are in the document)."""
        return self._selection

    @property
    def fields(self) -> tuple[MapField, ...]:
        """The fields the map can be shaded by (those of :meth:`neighbourhood_table`)."""
        return self._fields

    @property
    def map_field(self) -> MapField | None:
        """The field the map is shaded by, or None when there is nothing to shade."""
        return self._map_field

    @property
    def staleness(self) -> str | None:
        """Why the results are out of date (``LAYER_CHANGED`` …), or None while they match."""
        return self._staleness

    def result(self) -> ProposalResult | None:
        """The result of the selected project or scenario, or None."""
        result_id = self._selection.result_id
        if self._run is None or result_id is None:
            return None
        try:
            return self._run.assessment.result(result_id)
        except KeyError:
            return None

    def assessed_this_layer(self) -> bool:
        """True when the run's per-neighbourhood results are rows of the layer shown."""
        run, layer = self._run, self._baseline
        return (
            run is not None
            and layer is not None
            and _same_layer(run.baseline, layer)
            and len(run.assessment.baseline) == layer.layer.count
        )

    def layer_result(self) -> ProposalResult | None:
        """:meth:`result` when it can be drawn on the layer shown (catchment, shares), else None."""
        return self.result() if self.assessed_this_layer() else None

    def neighbourhood_table(self) -> pd.DataFrame | None:
        """One row per neighbourhood of the layer shown: the run's when it assessed this layer."""
        if self._baseline is None:
            return None
        if self._run is not None and self.assessed_this_layer():
            return self._run.assessment.baseline
        return self._baseline.table

    def selected_project(self) -> Project | None:
        """The project being edited, or None (also when its id is no longer in the document)."""
        pid = self._selection.project_id
        return next((p for p in self._document.projects if p.id == pid), None)

    def warnings(self) -> list[str]:
        """Data warnings of the layer shown, or of the run made on it."""
        if self._run is not None and self.assessed_this_layer():
            return list(self._run.assessment.warnings)
        return list(self._baseline.warnings) if self._baseline is not None else []

    # Changing ------------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make several changes, then tell the observers once (derived values are updated then).

        Derived values (:attr:`fields`, :attr:`map_field`, :attr:`staleness`) are brought up
        to date when the outermost batch ends.
        """
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._flush()

    def reset(self, document: ProjectDocument) -> None:
        """Start over with another project: no layer, no results, nothing selected."""
        with self.batch():
            self._document = document
            self._baseline = None
            self._run = None
            self._run_failed = False
            self._selection = Selection()
            self._touch(_EVERYTHING)

    def set_document(self, document: ProjectDocument) -> None:
        """The document after an edit, undo, redo or save.

        A selected project that is no longer in it (deleted, undone) is no longer selected.
        """
        with self.batch():
            self._document = document
            self._touch(Change.DOCUMENT)
            selection = self._selection
            if selection.project_id is not None and all(
                p.id != selection.project_id for p in document.projects
            ):
                self._select(replace(selection, project_id=None, feature=None))

    def set_baseline(self, baseline: BaselineOutcome | None) -> None:
        """Show another neighbourhood layer (None: none). Everything of the old layer goes."""
        if baseline is self._baseline:
            return
        with self.batch():
            self._baseline = baseline
            self._touch(Change.BASELINE)
            if self._selection.row != -1:
                self._selection = replace(self._selection, row=-1)
                self._touch(Change.ROW)

    def adopt_run(self, run: AssessmentRun) -> None:
        """Show the results of a finished run.

        When the run read the document's layer itself (none was shown, or another), that layer
        is shown. The results show the selected result if the run has it, else the selected
        project, else the first scenario, else the first result.
        """
        with self.batch():
            if run.baseline.source == self._document.baseline and not _same_layer(
                run.baseline, self._baseline
            ):
                self.set_baseline(run.baseline)
            self._run = run
            self._run_failed = False
            ids = [r.id for r in run.assessment.results]
            result = self._selection.result_id
            if result not in ids:
                result = self._selection.project_id if self._selection.project_id in ids else None
            if result is None and ids:
                scenarios = [r.id for r in run.assessment.results if r.kind == "scenario"]
                result = scenarios[0] if scenarios else ids[0]
            self._selection = replace(self._selection, result_id=result)
            self._touch(Change.ASSESSMENT | Change.UNIT)

    def mark_run_failed(self) -> None:
        """A run failed: results shown from before are out of date."""
        self._run_failed = True
        self._touch(Change.NONE)

    def select_project(self, project_id: str | None, feature: FeatureRef | None = None) -> None:
        """Edit a project (None: none); its results are shown when the run has them."""
        selection = replace(self._selection, project_id=project_id, feature=feature)
        if project_id is not None and self._has_result(project_id):
            selection = replace(selection, result_id=project_id)
        self._select(selection)

    def select_feature(self, feature: FeatureRef | None) -> None:
        """A feature picked on the map selects its project; None just clears the feature."""
        if feature is None:
            self._select(replace(self._selection, feature=None))
        else:
            self.select_project(feature.project_id, feature)

    def select_result(self, result_id: str | None) -> None:
        """Show the results of a project or scenario."""
        self._select(replace(self._selection, result_id=result_id))

    def select_row(self, row: int) -> None:
        """Select a neighbourhood by layer row (-1, or a row the layer has not, clears)."""
        count = self._baseline.layer.count if self._baseline is not None else 0
        self._select(replace(self._selection, row=row if 0 <= row < count else -1))

    def shade_by(self, key: str) -> bool:
        """Shade the map by a field key of :attr:`fields`; False when there is no such field."""
        field = next((f for f in self._fields if f.key == key), None)
        if field is None:
            return False
        self._wanted_field = key
        if field != self._map_field:
            self._map_field = field
            self._touch(Change.MAP_FIELD)
        return True

    # Internals -----------------------------------------------------------------------------

    def _has_result(self, result_id: str) -> bool:
        return self._run is not None and any(
            r.id == result_id for r in self._run.assessment.results
        )

    def _select(self, selection: Selection) -> None:
        old = self._selection
        if selection == old:
            return
        self._selection = selection
        change = Change.NONE
        if (selection.project_id, selection.feature) != (old.project_id, old.feature):
            change |= Change.PROJECT
        if selection.result_id != old.result_id:
            change |= Change.UNIT
        if selection.row != old.row:
            change |= Change.ROW
        self._touch(change)

    def _touch(self, change: Change) -> None:
        self._pending |= change
        if self._batch_depth == 0:
            self._flush()

    def _flush(self) -> None:
        change, self._pending = self._pending, Change.NONE
        if change & (Change.BASELINE | Change.ASSESSMENT | Change.UNIT):
            change |= self._update_fields()
        change |= self._update_staleness()
        if change:
            self.changed.emit(change)

    def _update_fields(self) -> Change:
        """Fields of the table and result shown; the map field kept when still offered."""
        from equityplanner.app.presentation import available_fields, default_field

        result = self.layer_result()
        fields = tuple(
            available_fields(
                self.neighbourhood_table(), has_result=result is not None, result=result
            )
        )
        change = Change.FIELDS if fields != self._fields else Change.NONE
        self._fields = fields
        field = next((f for f in fields if f.key == self._wanted_field), None)
        if field is None:
            field = default_field(list(fields))
        if field != self._map_field:
            self._map_field = field
            change |= Change.MAP_FIELD
        return change

    def _update_staleness(self) -> Change:
        reason = self._stale_reason()
        if reason == self._staleness:
            return Change.NONE
        self._staleness = reason
        return Change.STALENESS

    def _stale_reason(self) -> str | None:
        run = self._run
        if run is None:
            return None
        if not self.assessed_this_layer():
            return LAYER_CHANGED
        # Where the document is saved is not what was assessed (Save As changes only that),
        # nor are the answers to the equity questions (no number depends on them).
        if replace(run.document, path=None, equity_questions={}) != replace(
            self._document, path=None, equity_questions={}
        ):
            return PROJECT_CHANGED
        return RUN_FAILED if self._run_failed else None


def _same_layer(a: BaselineOutcome | None, b: BaselineOutcome | None) -> bool:
    """The same layer object, or one read from the same source with as many rows."""
    if a is None or b is None:
        return a is b
    return a is b or (a.source == b.source and a.layer.count == b.layer.count)
