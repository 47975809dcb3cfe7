"""The map: the choropleth canvas and the bar above it that chooses how it is shaded.

:class:`MapPanel` observes the application state and draws it on its
:class:`~equityplanner.app.map_canvas.MapCanvas`: the layer, its classes and legend, the
projects, the selected result's catchments, the selected neighbourhood and feature. What the
user picks on the map (a neighbourhood, a feature, a field to shade by) goes to the state.
Placing and moving features is :class:`~equityplanner.app.map_editing.MapEditor`'s.

The classification style (method, number of classes, palette), the basemap and the units
(metric or imperial) are preferences kept in the settings, not part of the state. The basemap
is OpenStreetMap by default, none in windows drawn offscreen (tests, unattended screenshots)
unless the settings name one; when its tiles cannot be had the bar says so once, and the map
goes on without them. After a run the map zooms to the projects and their catchments.
"""

from __future__ import annotations

import html
import threading
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from equityplanner import i18n
from equityplanner.app.basemap import NO_BASEMAP, BasemapProvider, custom_provider, providers
from equityplanner.app.editing import FeatureRef
from equityplanner.app.map_canvas import LegendEntry, MapCanvas
from equityplanner.app.presentation import (
    MapField,
    classify_field,
    field_values,
    map_colour,
    palette_choices,
    tooltip_html,
)
from equityplanner.app.settings import AppSettings
from equityplanner.app.state import AppState, Change
from equityplanner.app.translated import LazyLabels, palette_label, resource_label
from equityplanner.i18n import _, ngettext, pgettext
from equityplanner.model.project import HousingProject, Project, ProjectDocument
from equityplanner.render.geometry import SceneTransform

__all__ = ["MapPanel"]

_METHODS = LazyLabels(
    lambda: {
        "quantile": _("Quantiles"),
        "equal": _("Equal intervals"),
        "natural": _("Natural breaks"),
    }
)
_SHARE_IN_CATCHMENT = MapField("share_in_catchment", "", "share", "result")
_BASEMAPS = LazyLabels(
    lambda: {
        NO_BASEMAP: pgettext("basemap", "None"),
        "osm": "OpenStreetMap",
        "carto-light": _("Carto light"),
        "custom": _("Own tile server"),
    }
)
_UNITS = (("metric", "km, m"), ("imperial", "mi, ft"))  # unit symbols, the same in Spanish
_ZOOM_MARGIN_M = 600.0  # around the projects and catchments when a run finishes
_METRES_PER_MILE = 1609.344


_WARMED = threading.Event()


def warm_up() -> None:
    """Import in the background what opening a project will need (once per process).

    The first window imports only what it shows (issue 14); pandas, geopandas, pyproj and
    the analysis load here, on a thread of their own, while the planner looks at the
    window, so that opening a project does not wait for them on the GUI thread.
    """
    if _WARMED.is_set():
        return
    _WARMED.set()

    def work() -> None:
        import importlib

        # pyarrow: every layer is read through it; GTFS: transit projects read feeds.
        for name in (
            "pandas",
            "pyarrow",
            "equityplanner.analysis.assess",
            "equityplanner.io.gtfs",
        ):
            try:
                importlib.import_module(name)
            except Exception:  # only a head start: the tasks import what they need anyway
                continue
        try:
            from equityplanner.analysis.crs import local_projected_crs

            local_projected_crs((-87.0, 33.4, -86.6, 33.6))  # opens PROJ's database
        except Exception:
            return
        from equityplanner.app.pyside_compat import freeze_long_lived

        freeze_long_lived()  # modules live as long as the app: out of full collections

    threading.Thread(target=work, name="equityplanner-warm-up", daemon=True).start()


def distance_text(metres: float, units: str) -> str:
    """A distance as the map writes it: ``800 m``, or ``0.5 mi`` / ``1,320 ft`` in imperial.

    Examples
    --------
    >>> distance_text(800, "metric"), distance_text(804.672, "imperial")
    ('800 m', '0.5 mi')
    >>> distance_text(200, "imperial")
    '656 ft'

    Numbers follow the current language (``0,5 mi`` in Spanish).
    """
    if units != "imperial":
        return f"{_decimal(metres)} m"
    miles = metres / _METRES_PER_MILE
    if miles >= 0.245:
        return f"{_decimal(round(miles, 2))} mi"
    return f"{i18n.format_number(metres / 0.3048)} ft"


def _decimal(value: float) -> str:
    """``value`` with as many decimals as it has (0.5, 800), in the current language."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, "0.##", locale=i18n.current_language()))


def short_name(name: str) -> str:
    """A neighbourhood's name as written on the map: a tract's number from its GEOID, the
    first part of a census name (``Census Tract 20; Jefferson County; Alabama`` ->
    ``Tract 20``).

    Examples
    --------
    >>> short_name("Census Tract 20; Jefferson County; Alabama"), short_name("06061022001")
    ('Tract 20', 'Tract 220.01')
    """
    text = str(name).split(";")[0].split(",")[0].strip()
    if text.lower().startswith("census tract "):
        text = "Tract " + text[len("census tract ") :]
    return tract_label(text)


def tract_label(geoid: str) -> str:
    """A census tract's name from its 11-digit GEOID (``06067001101`` -> ``Tract 11.01``);
    other ids are returned unchanged.

    Examples
    --------
    >>> tract_label("06061022001"), tract_label("04013010100"), tract_label("A7")
    ('Tract 220.01', 'Tract 101', 'A7')
    """
    text = str(geoid)
    if len(text) != 11 or not text.isdigit():
        return text
    whole, part = int(text[5:9]), text[9:11]
    return f"Tract {whole}" + (f".{part}" if part != "00" else "")


# What draws on the canvas, and so what redraws it.
_SHADING = Change.BASELINE | Change.ASSESSMENT | Change.UNIT | Change.MAP_FIELD
_OVERLAYS = Change.DOCUMENT | Change.BASELINE | Change.ASSESSMENT | Change.UNIT | Change.PROJECT


class MapPanel(QWidget):
    """The map canvas and its shading bar, drawing ``state``.

    Signals
    -------
    notice(message)
        Something the user should read once (the basemap could not be loaded).

    Parameters
    ----------
    state
        The application state drawn, and told what the user selects on the map.
    settings
        Where the classification style is remembered.
    """

    notice = Signal(str)

    def __init__(
        self, state: AppState, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.canvas = MapCanvas()
        self.canvas.set_units(settings.units())
        self.canvas.tile_loader.cache_dir = settings.tile_cache_dir()
        self.canvas.tile_loader.unavailable.connect(self._on_basemap_unavailable)
        self.canvas.tooltip_provider = self.row_tooltip
        self.canvas.feature_tooltip_provider = self.feature_tooltip
        self._values: np.ndarray | None = None  # of the map field, per row, for tooltips
        self._catchment_share: np.ndarray | None = None  # share of each row inside the catchment
        self._projects_transform: SceneTransform | None = None
        self._layer_overdue = False  # the document's layer could not be read: projects alone
        self._build_bar()
        self._connect()
        state.changed.connect(self._on_state_changed)

    # Construction --------------------------------------------------------------------------

    def _build_bar(self) -> None:
        self.field_combo = QComboBox()
        self.field_combo.setObjectName("fieldCombo")
        self.field_combo.setMinimumContentsLength(16)
        self.field_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.field_combo.setToolTip(_("What the neighbourhoods are shaded by"))
        self.field_combo.setAccessibleName(_("Shade neighbourhoods by"))
        self.method_combo = QComboBox()
        for key, text in _METHODS.items():
            self.method_combo.addItem(text, key)
        self.method_combo.setToolTip(_("How values are split into classes"))
        self.method_combo.setAccessibleName(_("Classification method"))
        self.k_spin = QSpinBox()
        self.k_spin.setRange(3, 7)
        self.k_spin.setToolTip(_("Number of classes"))
        self.k_spin.setAccessibleName(_("Number of classes"))
        self.palette_combo = QComboBox()
        for key, text in palette_choices():
            self.palette_combo.addItem(palette_label(text), key)
        self.palette_combo.setToolTip(_("Colours of the classes (all colour-blind safe)"))
        self.palette_combo.setMinimumContentsLength(10)
        self.palette_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.palette_combo.setAccessibleName(_("Palette"))
        style = self.settings.map_style()
        self.method_combo.setCurrentIndex(max(self.method_combo.findData(style["method"]), 0))
        self.k_spin.setValue(int(str(style["k"])))
        if style["palette"]:
            self.palette_combo.setCurrentIndex(
                max(self.palette_combo.findData(style["palette"]), 0)
            )

        self.basemap_combo = QComboBox()
        self.basemap_combo.setAccessibleName(_("Basemap"))
        self.basemap_combo.setToolTip(
            _(
                "Streets and place names under the neighbourhoods (web map tiles, cached on this "
                "computer); None to draw the neighbourhoods alone"
            )
        )
        url, _attribution = self.settings.custom_tiles()
        for key, text in _BASEMAPS.items():
            if key != "custom" or url:
                self.basemap_combo.addItem(text, key)
        offscreen = QGuiApplication.platformName() == "offscreen"
        wanted = self.settings.basemap(NO_BASEMAP if offscreen else "osm")
        self.basemap_combo.setCurrentIndex(max(self.basemap_combo.findData(wanted), 0))
        self.units_combo = QComboBox()
        for key, text in _UNITS:
            self.units_combo.addItem(text, key)
        self.units_combo.setCurrentIndex(max(self.units_combo.findData(self.settings.units()), 0))
        self.units_combo.setAccessibleName(_("Units"))
        self.units_combo.setToolTip(_("Units of the scale bar and the catchment distances"))
        self.basemap_notice = QLabel()
        self.basemap_notice.setObjectName("basemapNotice")
        self.basemap_notice.setWordWrap(True)
        self.basemap_notice.setVisible(False)
        self.basemap_notice.setStyleSheet("color: #8a4b00;")

        # Two rows of controls that may shrink: one row of six did not, and its width (over
        # 1,000 px) squeezed the Project and Results docks to a sliver.
        for combo, chars in (
            (self.field_combo, 12),
            (self.method_combo, 8),
            (self.palette_combo, 13),
            (self.basemap_combo, 8),
            (self.units_combo, 5),
        ):
            combo.setMinimumContentsLength(chars)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        rows = QVBoxLayout()
        rows.setContentsMargins(8, 4, 8, 4)
        rows.setSpacing(2)
        for controls in (
            (
                (_("Sha&de by:"), self.field_combo),
                (_("&Classes:"), self.method_combo),
                (None, self.k_spin),
            ),
            (
                (_("&Palette:"), self.palette_combo),
                (_("&Basemap:"), self.basemap_combo),
                (_("&Units:"), self.units_combo),
            ),
        ):
            bar = QHBoxLayout()
            for caption, widget in controls:
                if caption:
                    label = QLabel(caption)
                    label.setBuddy(widget)
                    bar.addWidget(label)
                bar.addWidget(widget, 0 if widget is self.k_spin else 1)
                bar.addSpacing(6)
            bar.addStretch(1)
            rows.addLayout(bar)
        header = QWidget()
        header.setObjectName("mapHeader")
        header.setLayout(rows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.basemap_notice)
        layout.addWidget(self.canvas, 1)
        self._apply_basemap()

    def _connect(self) -> None:
        self.field_combo.currentIndexChanged.connect(self._on_field_combo_changed)
        self.method_combo.currentIndexChanged.connect(self._on_style_changed)
        self.k_spin.valueChanged.connect(self._on_style_changed)
        self.palette_combo.currentIndexChanged.connect(self._on_style_changed)
        self.basemap_combo.currentIndexChanged.connect(self._on_basemap_combo_changed)
        self.units_combo.currentIndexChanged.connect(self._on_units_combo_changed)
        self.canvas.row_clicked.connect(self.state.select_row)
        self.canvas.feature_selected.connect(self.state.select_feature)
        self.canvas.tool_changed.connect(lambda _tool: self.draw_overlays())

    # Drawing the state ---------------------------------------------------------------------

    def _on_state_changed(self, change: Change) -> None:
        if change & Change.RESET:
            self._projects_transform = None  # the next project's features set their own view
            self._layer_overdue = False
        if change & Change.FIELDS:
            self._fill_field_combo()
        if change & Change.MAP_FIELD:
            self._show_map_field()
        if change & Change.BASELINE:
            self._sync_layer()
            self._shade()
            if self.canvas.layer is not None:
                self.canvas.zoom_to_layer()  # after the legend exists, so that room is left
        elif change & _SHADING:
            self._shade()
        if change & _OVERLAYS:
            self.draw_overlays()
        if change & Change.ASSESSMENT and not change & Change.RESET:
            self.zoom_to_results()
        if change & Change.PROJECT:
            selection = self.state.selection
            self.canvas.active_project_id = selection.project_id
            if self.canvas.selected_feature != selection.feature:
                self.canvas.set_selected_feature(selection.feature)
        if change & (Change.ROW | Change.BASELINE):
            row = self.state.selection.row
            if self.canvas.selected_row != row:  # chosen elsewhere (the table): bring it in view
                self.canvas.set_selected_row(row, centre=True)

    def _sync_layer(self) -> None:
        """Put the state's layer on the canvas, unless it is there already.

        Every drawing of classes starts here, so classes are never set on another layer than
        the one they were computed for, whatever order the state's observers run in.
        """
        baseline = self.state.baseline
        wanted = baseline.layer if baseline is not None else None
        if self.canvas.layer is not wanted:
            self.canvas.set_layer(wanted, zoom=False)
            if baseline is not None:
                frame = baseline.neighbourhoods.frame
                names = frame["name"] if "name" in frame.columns else frame["id"]
                self.canvas.set_names(names.to_numpy(object), short_name)

    def _shade(self) -> None:
        """Classes and legend of the map field, on the neighbourhood table shown."""
        self._sync_layer()
        state = self.state
        table, field, baseline = state.neighbourhood_table(), state.map_field, state.baseline
        categorical = field is not None and field.is_categorical
        self.k_spin.setEnabled(not categorical)
        self.method_combo.setEnabled(not categorical)
        if table is None or field is None or baseline is None:
            self._values = self._catchment_share = None
            count = baseline.layer.count if baseline is not None else 0
            self.canvas.set_classes(np.full(count, -1, dtype=np.int64), [], "", [])
            return
        result = state.layer_result()
        values = field_values(field, table, areas_km2=baseline.layer.areas_km2, result=result)
        shading = classify_field(
            values,
            field,
            method=self.method_combo.currentData(),
            k=self.k_spin.value(),
            palette_name=self.palette_combo.currentData(),
        )
        self._values = values
        self._catchment_share = (
            field_values(_SHARE_IN_CATCHMENT, table, result=result) if result is not None else None
        )
        legend = [LegendEntry(label, colour) for colour, label in shading.legend]
        if shading.no_data_count:
            legend.append(
                LegendEntry(
                    _("No data ({count})").format(count=i18n.format_number(shading.no_data_count)),
                    map_colour("no_data", "#d9d9d9"),
                )
            )
        self.canvas.set_classes(
            shading.classes, shading.colours, resource_label(field.label), legend
        )

    def draw_overlays(self) -> None:
        """Projects, the selected result's catchments, their legend and the data credit."""
        doc = self.state.document
        canvas = self.canvas
        new_view = False
        # While the document's layer is read, it is to set the map's projection: the projects
        # wait for it (a projection of their own costs the GUI thread 0.25 s), unless it
        # could not be read (layer_failed).
        if canvas.layer is None and doc.projects and (doc.baseline is None or self._layer_overdue):
            # No neighbourhoods: draw the projects in their own local projection.
            transform = self._projects_scene_transform(doc)
            if transform is not None and canvas.transform_ is not transform:
                canvas.set_transform(transform)
                new_view = True
        result = self.state.layer_result()
        highlighted = (
            set(result.project_ids) if result is not None else {p.id for p in doc.projects}
        )
        canvas.set_projects(doc.projects, highlighted)
        catchments = []
        overlay: list[LegendEntry] = []
        if result is not None and result.catchment is not None:
            if result.catchments:  # a scenario mixing new service and cuts has one per side
                catchments += [
                    (geometry, side == "burdens") for side, geometry in result.catchments.items()
                ]
            else:
                catchments.append((result.catchment, result.is_benefit is False))
            units = self.settings.units()
            radius = [distance_text(m, units) for m in sorted(set(result.catchment_m.values()))]
            overlay.append(
                LegendEntry(
                    _("Catchment ({distances} walk)").format(distances=", ".join(radius)),
                    map_colour("line_burden" if result.is_benefit is False else "catchment"),
                    "burden_catchment" if result.is_benefit is False else "catchment",
                )
            )
        canvas.set_catchments(catchments)
        overlay += _project_legend(doc.projects)
        canvas.overlay_legend = overlay
        canvas.credit = (
            _("Data: {vintage}").format(vintage=doc.baseline.vintage)
            if doc.baseline and doc.baseline.vintage
            else ""
        )
        if new_view:
            canvas.zoom_to_layer()
        canvas.viewport().update()

    def layer_failed(self) -> None:
        """The document's layer could not be read: draw the projects on their own."""
        if self.canvas.layer is None:
            self._layer_overdue = True
            self.draw_overlays()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        warm_up()

    def _projects_scene_transform(self, doc: ProjectDocument) -> SceneTransform | None:
        import shapely

        geoms = [g for p in doc.projects for g in _project_points(p)]
        if not geoms:
            return None
        if self._projects_transform is None:
            xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geoms, dtype=object))
            self._projects_transform = SceneTransform.for_bounds((xmin, ymin, xmax, ymax))
        return self._projects_transform

    def zoom_to_results(self) -> None:
        """Show the projects and the catchments of the result shown (after a run)."""
        if self.state.assessment is None:
            return
        bounds = self.canvas.projects_bounds()
        if bounds is not None:
            self.canvas.zoom_to_bounds(bounds, _ZOOM_MARGIN_M)

    # Basemap and units ---------------------------------------------------------------------

    def basemap_provider(self, key: str) -> BasemapProvider | None:
        """The provider of a basemap key (None for ``none``, or an own server not set)."""
        if key == "custom":
            url, attribution = self.settings.custom_tiles()
            return custom_provider(url, attribution) if url else None
        if key == NO_BASEMAP:
            return None
        return providers(self.settings.api_keys()).get(key)

    def _apply_basemap(self) -> None:
        self.basemap_notice.setVisible(False)
        self.canvas.set_basemap(self.basemap_provider(str(self.basemap_combo.currentData())))

    def _on_basemap_combo_changed(self, _index: int) -> None:
        self.settings.set_basemap(str(self.basemap_combo.currentData()))
        self._apply_basemap()

    def _on_units_combo_changed(self, _index: int) -> None:
        units = str(self.units_combo.currentData())
        self.settings.set_units(units)
        self.canvas.set_units(units)
        self.draw_overlays()  # the catchment's distance in the legend

    def _on_basemap_unavailable(self, message: str) -> None:
        self.basemap_notice.setText(message)
        self.basemap_notice.setVisible(True)
        self.notice.emit(message)

    # The shading bar -----------------------------------------------------------------------

    def _fill_field_combo(self) -> None:
        combo = self.field_combo
        combo.blockSignals(True)
        combo.clear()
        model = combo.model()
        group = None
        for f in self.state.fields:
            if f.group != group:
                group = f.group
                combo.addItem(f"— {resource_label(group)} —")
                if isinstance(model, QStandardItemModel):
                    heading = model.item(combo.count() - 1)
                    heading.setEnabled(False)
            combo.addItem(resource_label(f.label), f.key)
        combo.blockSignals(False)
        self._show_map_field()

    def _show_map_field(self) -> None:
        field = self.state.map_field
        index = self.field_combo.findData(field.key) if field is not None else -1
        if index >= 0 and index != self.field_combo.currentIndex():
            self.field_combo.blockSignals(True)
            self.field_combo.setCurrentIndex(index)
            self.field_combo.blockSignals(False)

    def _on_field_combo_changed(self, index: int) -> None:
        key = self.field_combo.itemData(index)
        if key:
            self.state.shade_by(key)

    def _on_style_changed(self, *_args: Any) -> None:
        self.settings.set_map_style(
            self.method_combo.currentData(), self.palette_combo.currentData(), self.k_spin.value()
        )
        self._shade()

    # Commands and tooltips -----------------------------------------------------------------

    def zoom_to_project(self, project_id: str) -> None:
        """Centre the map on a project."""
        import shapely

        project = next((p for p in self.state.document.projects if p.id == project_id), None)
        if project is None or self.canvas.transform_ is None:
            return
        geoms = _project_points(project)
        if not geoms:
            return
        xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geoms, dtype=object))
        a = self.canvas.lonlat_to_view(xmin, ymax)
        b = self.canvas.lonlat_to_view(xmax, ymin)
        tl, br = self.canvas.mapToScene(a), self.canvas.mapToScene(b)
        rect = QRectF(tl, br).normalized().adjusted(-1500, -1500, 1500, 1500)
        self.canvas.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.canvas._after_zoom()  # the canvas has no public "zoom to rectangle" yet

    def row_tooltip(self, row: int) -> str:
        """Key figures of a neighbourhood (the map's hover tooltip)."""
        table = self.state.neighbourhood_table()
        if table is None or row >= len(table):
            return ""
        field = self.state.map_field
        values, shares = self._values, self._catchment_share
        value = (
            float(values[row])
            if field is not None and values is not None and row < len(values)
            else None
        )
        result = self.state.layer_result()
        share = (
            float(shares[row])
            if result is not None and shares is not None and row < len(shares)
            else None
        )
        return tooltip_html(
            table, row, field=field, value=value, result=result, catchment_share=share
        )

    def feature_tooltip(self, ref: FeatureRef) -> str:
        """What a project feature is, and what can be done with it."""
        project = next((p for p in self.state.document.projects if p.id == ref.project_id), None)
        if project is None:
            return ""
        name = html.escape(project.name)
        if isinstance(project, HousingProject):
            market = _("market")
            bands = ", ".join(
                f"{v} {k.replace('ami_', '≤')}% AMI" if k != "market" else f"{v} {market}"
                for k, v in project.units_by_band.items()
                if v
            )
            housing = _("Housing: {units} units ({bands})").format(
                units=i18n.format_number(project.total_units), bands=bands
            )
            hint = html.escape(_("Drag to move · double-click to edit"))
            return f"<b>{name}</b><br>{html.escape(housing)}<br><i>{hint}</i>"
        what = html.escape(f"{project.mode.value.upper()} · {project.change.value}")
        if ref.role == "station":
            station = html.escape(project.stations[ref.index].name)
            hint = html.escape(_("Drag to move · Delete to remove"))
            return f"<b>{station}</b><br>{name} ({what})<br><i>{hint}</i>"
        count = len(project.stations)
        stations = ngettext("{count} station", "{count} stations", count).format(count=count)
        hint = html.escape(_("Drag a vertex to reshape"))
        return f"<b>{name}</b><br>{what}, {html.escape(stations)}<br><i>{hint}</i>"


def _project_points(project: Project) -> list[Any]:
    """The points of a project: its site, or its stations."""
    if isinstance(project, HousingProject):
        return [project.site]
    return [s.geometry for s in project.stations]


def _project_legend(projects: tuple[Project, ...]) -> list[LegendEntry]:
    """Legend entries of the kinds of project drawn."""
    kinds = {
        "housing"
        if isinstance(p, HousingProject)
        else ("burden" if not p.change.is_benefit else "benefit")
        for p in projects
    }
    entries = []
    if "housing" in kinds:
        entries.append(LegendEntry(_("Housing site"), map_colour("housing_site"), "site"))
    if "benefit" in kinds:
        entries.append(
            LegendEntry(_("New or improved line, station"), map_colour("line_benefit"), "line")
        )
    if "burden" in kinds:
        entries.append(
            LegendEntry(_("Service cut or removal"), map_colour("line_burden"), "burden_line")
        )
    return entries
