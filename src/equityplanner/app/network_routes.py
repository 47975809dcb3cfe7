"""The street network's routes on the map, in grey under the proposals (issue 10).

:class:`NetworkRoutes` watches the document's ``network`` block: when it is set or changed it
reads the network's routes in a worker (``TaskKind.NETWORK`` through the window's
:class:`~equityplanner.app.task_controller.TaskController`, so the status bar shows its
progress and Cancel stops it) and gives them to the map; when it is removed, the map drops
them. A new neighbourhood layer (a new map projection) draws them again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from shapely.geometry.base import BaseGeometry

from equityplanner.app.map_canvas import MapCanvas
from equityplanner.app.session import ProjectSession
from equityplanner.app.state import Change
from equityplanner.app.task_controller import Task, TaskController, TaskKind
from equityplanner.app.tasks import network_routes_task
from equityplanner.i18n import _
from equityplanner.model.network import NetworkSource

__all__ = ["NetworkRoutes"]


class NetworkRoutes(QObject):
    """Keeps the map's grey network routes in step with the document.

    Signals
    -------
    routes_loaded(count)
        After the routes of a network were read and drawn.
    """

    routes_loaded = Signal(int)

    def __init__(
        self,
        session: ProjectSession,
        tasks: TaskController,
        canvas: MapCanvas,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = session.state
        self.tasks = tasks
        self.canvas = canvas
        self.network: NetworkSource | None = None  # the network whose routes are drawn
        self.failed: NetworkSource | None = None  # the network that could not be read
        self.lines: list[BaseGeometry] = []
        self._read: dict[NetworkSource, list[BaseGeometry]] = {}  # routes read, by network
        # After the window's own handler, which abandons every task when a project opens.
        session.document_changed.connect(self._on_document_changed)
        self.state.changed.connect(self._on_state_changed)

    def _on_document_changed(self, _document: object, _reason: str) -> None:
        self.refresh()

    def _on_state_changed(self, change: Change) -> None:
        if change & (Change.BASELINE | Change.RESET):
            self.canvas.set_network_lines(self.lines)  # another layer: another projection

    def refresh(self) -> None:
        """Read the document's network routes when its network changed; drop them without one."""
        network = self.state.document.network
        if network is None:
            if self.network is not None or self.lines:
                self.network, self.lines = None, []
                self.canvas.set_network_lines([])
            self.tasks.abandon(TaskKind.NETWORK)
            return
        if network in (self.network, self.failed) or self.tasks.subject(TaskKind.NETWORK) == (
            network
        ):
            return  # drawn, known to fail, or being read
        if network in self._read:  # read before (an undo, a redo): drawn at once
            self.tasks.abandon(TaskKind.NETWORK)
            self.network, self.lines = network, self._read[network]
            self.canvas.set_network_lines(self.lines)
            return

        def on_success(lines: list[BaseGeometry]) -> None:
            if self.state.document.network != network:
                return  # the document moved on meanwhile
            self.network, self.lines = network, lines
            self._read = {network: lines}  # the last one only: routes can be many
            self.canvas.set_network_lines(lines)
            self.routes_loaded.emit(len(lines))

        def on_failure(_exc: BaseException) -> None:
            self.failed = network  # reported once; not read again until it is changed

        self.tasks.start(
            Task(
                TaskKind.NETWORK,
                network_routes_task,
                (self.state.document,),
                _("Reading the street network"),
                _("reading the street network's routes"),
                on_success=on_success,
                on_failure=on_failure,
                subject=network,
            )
        )
