"""Edits of the project as a whole, as undoable edits: scenarios, details, access data.

:class:`ProjectEditor` runs the dialogs of :mod:`equityplanner.app.dialogs.project_dialogs`
for the explorer's and the Edit menu's commands and pushes what they give back on the
session's undo stack (with :mod:`equityplanner.app.editing`), so that every change to the
project can be undone and reaches the saved file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from equityplanner.app import editing
from equityplanner.app.session import ProjectSession
from equityplanner.errors import InputError
from equityplanner.i18n import _
from equityplanner.io.projects import FieldMapping, needs_mapping, read_layer_features
from equityplanner.model.network import NetworkSource
from equityplanner.model.project import (
    GtfsSource,
    Metadata,
    OpportunitySource,
    Scenario,
    WeightsSource,
)

__all__ = ["ProjectEditor"]

ShowStatus = Callable[[str, int], None]


class ProjectEditor(QObject):
    """Scenario, details and access-data commands of one window.

    Parameters
    ----------
    window
        Parent of the dialogs.
    session
        Where the edits go.
    show_status
        How short messages reach the user.
    """

    def __init__(
        self, window: QWidget, session: ProjectSession, *, show_status: ShowStatus
    ) -> None:
        super().__init__(window)
        self._window = window
        self.session = session
        self.state = session.state
        self._show_status = show_status

    def run_command(self, command: str, item_id: str = "") -> None:
        """Carry out an explorer command (``new-scenario``, ``edit-scenario`` …) on ``item_id``."""
        commands: dict[str, Callable[[], object]] = {
            "new-scenario": self.new_scenario,
            "edit-scenario": lambda: self.edit_scenario(item_id),
            "delete-scenario": lambda: self.delete_scenario(item_id),
            "details": self.edit_details,
            "add-opportunity": lambda: self.edit_opportunity(None),
            "edit-opportunity": lambda: self.edit_opportunity(item_id),
            "remove-opportunity": lambda: self.remove_opportunity(item_id),
            "edit-gtfs": self.edit_gtfs,
            "remove-gtfs": self.remove_gtfs,
            "edit-weights": self.edit_weights,
            "remove-weights": self.remove_weights,
            "edit-network": self.edit_network,
            "remove-network": self.remove_network,
        }
        commands[command]()

    # Scenarios -----------------------------------------------------------------------------

    def new_scenario(self) -> str | None:
        """Ask for a new scenario; returns its id when one was made."""
        from equityplanner.app.dialogs.project_dialogs import ScenarioDialog

        dialog = ScenarioDialog(self.session.document, None, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        scenario = dialog.scenario()
        doc, sid = editing.add_scenario(self.session.document, scenario.name, scenario.project_ids)
        self.session.apply(doc, _("New scenario {name}").format(name=scenario.name))
        return sid

    def edit_scenario(self, scenario_id: str) -> bool:
        """Edit a scenario's name and projects; True when it changed."""
        from equityplanner.app.dialogs.project_dialogs import ScenarioDialog

        scenario = next((s for s in self.session.document.scenarios if s.id == scenario_id), None)
        if scenario is None:
            return False
        dialog = ScenarioDialog(self.session.document, scenario, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_scenario(dialog.scenario(), scenario_id)

    def apply_scenario(self, scenario: Scenario, old_id: str) -> bool:
        """Replace the scenario ``old_id`` (an undoable edit)."""
        doc = editing.replace_scenario(self.session.document, scenario, old_id)
        return self.session.apply(doc, _("Edit scenario {name}").format(name=scenario.name))

    def delete_scenario(self, scenario_id: str) -> bool:
        """Delete a scenario (its projects stay); undoable."""
        scenario = next((s for s in self.session.document.scenarios if s.id == scenario_id), None)
        if scenario is None:
            return False
        doc = editing.delete_scenario(self.session.document, scenario_id)
        return self.session.apply(doc, _("Delete scenario {name}").format(name=scenario.name))

    # Details -------------------------------------------------------------------------------

    def edit_details(self) -> bool:
        """Edit the title, authors, date, description and data vintage; True when changed."""
        from equityplanner.app.dialogs.project_dialogs import DetailsDialog

        dialog = DetailsDialog(self.session.document, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_details(dialog.metadata(), dialog.vintage())

    def apply_details(self, metadata: Metadata, vintage: str | None = None) -> bool:
        """Use new details (and vintage, when the project has neighbourhoods); undoable."""
        doc = editing.set_metadata(self.session.document, metadata)
        if vintage is not None and doc.baseline is not None:
            doc = editing.set_data_vintage(doc, vintage)
        return self.session.apply(doc, _("Edit project details"))

    # Access data ---------------------------------------------------------------------------

    def edit_opportunity(self, kind: str | None) -> bool:
        """Add (``kind`` None) or change an opportunity layer; True when changed."""
        from equityplanner.app.dialogs.project_dialogs import OpportunityDialog

        dialog = OpportunityDialog(self.session.document, kind, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_opportunity(dialog.kind(), dialog.source(), replacing=kind)

    def apply_opportunity(
        self, kind: str, source: OpportunitySource, *, replacing: str | None = None
    ) -> bool:
        """Set the layer of ``kind`` (removing ``replacing`` when the kind changed); undoable."""
        doc = self.session.document
        if replacing is not None and replacing != kind:
            doc = editing.set_opportunity(doc, replacing, None)
        doc = editing.set_opportunity(doc, kind, source)
        label = editing.OPPORTUNITY_KINDS[kind].lower()
        return self.session.apply(doc, _("Set the {layer} layer").format(layer=label))

    def remove_opportunity(self, kind: str) -> bool:
        """Remove an opportunity layer; undoable."""
        if kind not in self.session.document.opportunities:
            return False
        doc = editing.set_opportunity(self.session.document, kind, None)
        label = editing.OPPORTUNITY_KINDS.get(kind, kind).lower()
        return self.session.apply(doc, _("Remove the {layer} layer").format(layer=label))

    def edit_gtfs(self) -> bool:
        """Set the baseline and proposed GTFS feeds; True when changed."""
        from equityplanner.app.dialogs.project_dialogs import GtfsDialog

        dialog = GtfsDialog(self.session.document, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_gtfs(dialog.source())

    def apply_gtfs(self, source: GtfsSource | None) -> bool:
        """Set (None: remove) the GTFS feeds; undoable."""
        doc = editing.set_gtfs(self.session.document, source)
        text = _("Set the GTFS feeds") if source else _("Remove the GTFS feeds")
        return self.session.apply(doc, text)

    def remove_gtfs(self) -> bool:
        """Remove the GTFS feeds; undoable."""
        return self.apply_gtfs(None) if self.session.document.gtfs is not None else False

    def edit_weights(self) -> bool:
        """Set the population weights; True when changed."""
        from equityplanner.app.dialogs.project_dialogs import WeightsDialog

        dialog = WeightsDialog(self.session.document, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_weights(dialog.source())

    def apply_weights(self, source: WeightsSource | None) -> bool:
        """Set (None: remove) the population weights; undoable."""
        doc = editing.set_weights(self.session.document, source)
        text = _("Set the population weights") if source else _("Remove the population weights")
        return self.session.apply(doc, text)

    def remove_weights(self) -> bool:
        """Remove the population weights (catchments shared by area again); undoable."""
        return self.apply_weights(None) if self.session.document.weights is not None else False

    def edit_network(self) -> bool:
        """Set the street network of routed access; True when changed."""
        from equityplanner.app.dialogs.project_dialogs import NetworkDialog

        dialog = NetworkDialog(self.session.document, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.apply_network(dialog.source())

    def apply_network(self, source: NetworkSource | None) -> bool:
        """Set (None: remove) the street network; undoable."""
        doc = editing.set_network(self.session.document, source)
        text = _("Set the street network") if source else _("Remove the street network")
        return self.session.apply(doc, text)

    def remove_network(self) -> bool:
        """Remove the street network (access from the sketch model again); undoable."""
        return self.apply_network(None) if self.session.document.network is not None else False

    # Importing proposals drawn elsewhere -----------------------------------------------------

    def ask_mapping(self, path: Path) -> tuple[bool, FieldMapping | None]:
        """The field mapping a file needs: (True, None) for a file in equityplanner's own form
        (or one that cannot be read: the import reports why), (True, mapping) once chosen,
        (False, None) when the user cancels."""
        from equityplanner.app.dialogs.proposals_import import ProposalsImportDialog

        try:
            features = read_layer_features(path)
        except InputError:
            return True, None
        if not needs_mapping(features) or not any(
            f.get("geometry") for f in features if isinstance(f, dict)
        ):
            return True, None  # nothing to map: the import says what is wrong
        dialog = ProposalsImportDialog(path, features, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False, None
        return True, dialog.mapping()
