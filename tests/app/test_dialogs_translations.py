"""The dialogs in Spanish: built inside a Spanish block, they show the catalog's Spanish.

Each dialog is built as a user meets it (the import wizard on GeoDa's Sacramento tracts, the
project dialogs on the sample project) inside ``i18n.language("es")``; its titles and key
labels are the catalog's, and no label, button, group, tooltip or placeholder is left with an
English message that has a Spanish translation. Two checks keep it so: every label the
dialogs take from resources/*.toml has a Spanish entry, and no string literal reaches a Qt
text setter in app/dialogs/ without going through ``_()``.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from helpers import shared_data
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
    QWizard,
)

from equityplanner import i18n
from equityplanner.app.dialogs.import_wizard import ImportWizard
from equityplanner.app.dialogs.parameters_dialog import ParametersDialog
from equityplanner.app.dialogs.project_dialogs import (
    DetailsDialog,
    GtfsDialog,
    NetworkDialog,
    OpportunityDialog,
    ScenarioDialog,
    WeightsDialog,
)
from equityplanner.app.dialogs.project_form import NewProjectDialog, ProjectForm
from equityplanner.app.dialogs.proposals_import import ProposalsImportDialog
from equityplanner.io.project_file import load_project
from equityplanner.model.project import HousingProject, Parameters, TransitProject

REPO = Path(__file__).resolve().parents[2]
DIALOGS = REPO / "src" / "equityplanner" / "app" / "dialogs"
RESOURCES = REPO / "resources"


def _spanish() -> dict[str, str]:
    return i18n.load_catalog("es").messages


def _texts(widget: QWidget) -> list[str]:
    """Every text the widget and its children show: captions, titles, tooltips, placeholders,
    combo items and table headers."""
    texts = [widget.windowTitle(), widget.toolTip()]
    for child in widget.findChildren(QWidget):
        texts.append(child.toolTip())
        if isinstance(child, QLabel | QAbstractButton):
            texts.append(child.text())
        if isinstance(child, QGroupBox):
            texts.append(child.title())
        if isinstance(child, QLineEdit | QPlainTextEdit):
            texts.append(child.placeholderText())
        if isinstance(child, QComboBox):
            texts += [child.itemText(i) for i in range(child.count())]
        if isinstance(child, QTableWidget):
            for column in range(child.columnCount()):
                header = child.horizontalHeaderItem(column)
                texts.append(header.text() if header is not None else "")
    if isinstance(widget, QWizard):
        for page_id in widget.pageIds():
            page = widget.page(page_id)
            texts += [page.title(), page.subTitle()]
        texts += [widget.buttonText(b) for b in QWizard.WizardButton if 0 <= b.value <= 4]
    return [text for text in texts if text]


def _english_left(widget: QWidget) -> list[str]:
    """Texts shown in English although the catalog has them in Spanish."""
    spanish = _spanish()
    return sorted({t for t in _texts(widget) if t in spanish and spanish[t] != t})


# --- the dialogs in Spanish ------------------------------------------------------------------


def test_the_import_wizard_speaks_spanish_page_by_page(qtbot):
    path = shared_data("geoda-tracts", "sacramento1.gpkg")
    with i18n.language("es"):
        wizard = ImportWizard()
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.windowTitle() == "Importar datos de vecindarios"
        assert wizard.files_page.title() == "Elija los archivos de vecindarios"
        assert wizard.files_page.polygon_button.text() == "Examinar…"
        assert wizard.buttonText(QWizard.WizardButton.NextButton) == "&Siguiente >"
        assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Cancelar"

        wizard.files_page.polygon_edit.setText(str(path.with_name("missing.gpkg")))
        assert wizard.files_page.message_label.text().endswith(
            "missing.gpkg: no se encontró el archivo."
        )
        wizard.files_page.polygon_edit.setText(str(path))
        wizard.next()
        preview = wizard.preview_page
        assert preview.title() == "Revise los datos y las columnas de identificador"
        assert preview.subTitle().startswith("Las primeras 20 filas de cada archivo.")
        assert preview.id_combo.currentText() == "FIPS"  # a column name: never translated

        wizard.next()
        mapping = wizard.mapping_page
        table = mapping.mapping_table
        headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        spanish = ["Campo", "Columna(s)", "Margen de error", "Encontrada por", "Primeros valores"]
        assert headers == spanish
        assert table.item(0, mapping.FIELD).text() == "Población total *"  # fields.toml
        assert table.item(0, mapping.FIELD).toolTip() == "total_population (personas) — obligatorio"
        assert mapping.field_combo("total_population").currentText() == "Detectado: TOT_POP"
        assert mapping.field_combo("households").itemText(0) == "— sin asignar —"
        assert table.item(0, mapping.ORIGIN).text() == "nombre de GeoDa"
        # Numbers as Spanish writes them: a point groups the thousands.
        assert table.item(0, mapping.SAMPLE).text() == "5.501 · 2.072 · 3.633"
        assert mapping.reset_button.text() == "Restablecer lo detectado"

        wizard.next()
        assert wizard.crs_page.title() == "Sistema de referencia de coordenadas"
        assert wizard.crs_page.crs_edit.placeholderText() == "p. ej., EPSG:4269"
        wizard.next()
        check = wizard.check_page
        assert check.title() == "Verifique la importación"
        assert check.summary_label.text().startswith("<b>403 vecindarios importados</b> con ")
        assert check.recheck_button.text() == "Verificar de nuevo"
        assert wizard.button(QWizard.WizardButton.FinishButton).text() == "&Finalizar"
        assert _english_left(wizard) == []
        wizard.next()
        assert wizard.weights_page.title() == "Ponderaciones de población (opcional)"
        assert wizard.weights_page.read_button.text() == "Leer y sumar"
        assert _english_left(wizard) == []


def test_a_required_field_left_out_is_said_in_spanish(qtbot):
    path = shared_data("geoda-tracts", "sacramento1.gpkg")
    with i18n.language("es"):
        wizard = ImportWizard()
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.files_page.polygon_edit.setText(str(path))
        wizard.next()
        wizard.next()
        combo = wizard.mapping_page.field_combo("total_population")
        combo.setCurrentIndex(combo.findText("— sin asignar —"))
        message = wizard.mapping_page.message_label.text()
    assert message == "Campo obligatorio sin asignar: Población total."


def test_the_parameters_dialog_speaks_spanish(qtbot):
    with i18n.language("es"):
        dialog = ParametersDialog(Parameters())
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Parámetros de la evaluación"
        boxes = [box.title() for box in dialog.findChildren(QGroupBox)]
        assert "Título VI: impacto dispar y carga desproporcionada" in boxes
        assert "Población de comparación" in boxes
        assert dialog.form_checks["absolute"].text() == "Diferencia absoluta"
        assert dialog.ami_spin.specialValueText() == "Sin definir"
        assert dialog.displacement_spin.prefix() == "al menos "
        assert dialog.displacement_spin.suffix() == " de 5 indicadores"
        assert dialog.threshold_pp_spin.suffix() == " p. p."
        # 800 m is 0.50 mile: a decimal comma.
        assert dialog._miles_labels["rail"].text() == "≈ 0,50 mi"
        assert dialog.reliability_combo.itemText(0).startswith("Esri: alta ≤ 12% CV")
        assert "King County Metro usa 10 puntos" in dialog.threshold_pp_spin.toolTip()
        assert "(inquilinos, bajos ingresos" in dialog.displacement_spin.toolTip()
        assert _english_left(dialog) == []

        # The problem is said in Spanish, and still marks the field it points to.
        dialog.comparison_label_edit.setText(" ")
        assert dialog.problems() == [
            "Población de comparación: póngale un nombre, p. ej., 'Condado de Cook'."
        ]
        assert "border" in dialog.comparison_label_edit.styleSheet()
        dialog.comparison_label_edit.setText("Condado de Cook")
        dialog.crs_edit.setText("EPSG:2285")  # State Plane, in feet: the core says why
        assert dialog.problems()[0].startswith("CRS proyectado: 'EPSG:2285' ")
        assert "border" in dialog.crs_edit.styleSheet()
        assert "border" not in dialog.comparison_label_edit.styleSheet()


@pytest.fixture
def document(project_file: Path):
    return load_project(project_file)


def test_the_project_dialogs_speak_spanish(qtbot, document):
    expected = {
        ScenarioDialog: "Nuevo escenario",
        DetailsDialog: "Detalles del proyecto",
        OpportunityDialog: "Capa de oportunidades",
        GtfsDialog: "Feeds GTFS",
        WeightsDialog: "Ponderaciones de población",
        NetworkDialog: "Red vial",
    }
    with i18n.language("es"):
        for cls, title in expected.items():
            dialog = cls(document)
            qtbot.addWidget(dialog)
            assert dialog.windowTitle() == title
            assert _english_left(dialog) == [], cls.__name__
            ok, cancel = dialog.button_box.buttons()[:2]
            assert {ok.text(), cancel.text()} == {"Aceptar", "Cancelar"}

        details = DetailsDialog(document)
        qtbot.addWidget(details)
        labels = {label.text() for label in details.findChildren(QLabel)}
        assert {"&Título:", "&Autor:", "&Descripción:", "&Período de los datos:"} <= labels
        details.date_edit.setText("10/03/2026")
        assert details.message_label.text().startswith(
            "La fecha '10/03/2026' no es válida: escríbala como "
        )

        weights = WeightsDialog(document)
        qtbot.addWidget(weights)
        weights.path_row.edit.setText("")
        assert weights.message_label.text() == "Elija el archivo de ponderaciones."
        weights.path_row.edit.setText("/no/such/blocks.zip")
        assert weights.message_label.text() == (
            "El archivo de ponderaciones /no/such/blocks.zip no existe: elija el archivo con "
            "Examinar…."
        )

        network = NetworkDialog(document)
        qtbot.addWidget(network)
        combo = network.percentile_combo
        assert [combo.itemText(i) for i in range(combo.count())][:3] == [
            "Percentil 25 (un buen día)",
            "Mediana",
            "Percentil 75 (un mal día)",
        ]


def test_the_project_form_speaks_spanish(qtbot, document):
    housing = next(p for p in document.projects if isinstance(p, HousingProject))
    transit = next(p for p in document.projects if isinstance(p, TransitProject))
    with i18n.language("es"):
        form = ProjectForm(housing)
        qtbot.addWidget(form)
        assert form.kind_label.text() == "Desarrollo de vivienda"
        labels = {label.text() for label in form.findChildren(QLabel)}
        assert {"Hasta 30 % del AMI:", "Total de unidades:", "Tenencia:"} <= labels
        assert _english_left(form) == []
        form.total_spin.setValue(housing.total_units + 1234)
        assert form.band_sum_label.text().startswith("✗ Las franjas suman ")
        assert "(faltan 1.234)" in form.band_sum_label.text()

        form.set_project(transit)
        assert form.kind_label.text() == "Línea de transporte público o cambio de servicio"
        modes = [form.mode_combo.itemText(i) for i in range(form.mode_combo.count())]
        assert modes == ["Tren", "Autobús de tránsito rápido (BRT)", "Autobús"]
        form.station_list.item(0).setText(" ")
        assert form.problem() == "La estación 1 no tiene nombre. Póngale nombre a cada estación."

        dialog = NewProjectDialog()
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Nuevo proyecto"
        assert dialog.transit_radio.text() == "Línea de transporte público o cambio de servicio"
        assert _english_left(dialog) == []


def test_the_proposals_import_speaks_spanish(qtbot, tmp_path: Path):
    def feature(kind: str, coordinates: list, **properties: str) -> dict:
        geometry = {"type": kind, "coordinates": coordinates}
        return {"type": "Feature", "geometry": geometry, "properties": properties}

    a, b = [-86.80, 33.50], [-86.79, 33.51]
    features = [
        feature("LineString", [a, b], LINE_NAME="Crosstown BRT"),
        feature("Point", a, STOP="First Street"),
        feature("Point", b, STOP="Last Street"),
    ]
    with i18n.language("es"):
        dialog = ProposalsImportDialog(tmp_path / "drawn.geojson", features)
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Importar proyectos de drawn.geojson"
        intro = dialog.findChildren(QLabel)[0].text()
        assert intro.startswith("<b>drawn.geojson</b> tiene 1 línea, 2 puntos, sin los atributos")
        assert dialog.transit_radio.text() == "&Transporte público"
        assert dialog.grouping_combo.itemText(2) == "Entidades con el mismo LINE_NAME"
        dialog.name_combo.setCurrentIndex(dialog.name_combo.findData("LINE_NAME"))
        dialog.station_combo.setCurrentIndex(dialog.station_combo.findData("STOP"))
        assert dialog.message_label.text().startswith(
            "Crea 1 proyecto: Crosstown BRT (2 estaciones, BRT, nuevo). Edite sus atributos"
        )
        assert _english_left(dialog) == []


def test_the_language_stays_inside_its_block(qtbot):
    with i18n.language("es"):
        spanish = ParametersDialog(Parameters())
        qtbot.addWidget(spanish)
    english = ParametersDialog(Parameters())
    qtbot.addWidget(english)
    assert spanish.windowTitle() == "Parámetros de la evaluación"
    assert english.windowTitle() == "Assessment parameters"
    assert english._miles_labels["rail"].text() == "≈ 0.50 mile"


# --- nothing left out --------------------------------------------------------------------------


def _toml_labels() -> dict[str, list[str]]:
    """The strings of resources/*.toml that the dialogs show, by file."""

    def read(name: str) -> dict:
        with (RESOURCES / name).open("rb") as handle:
            return tomllib.load(handle)

    fields = read("fields.toml")["fields"].values()
    styles = read("column_styles.toml")["styles"].values()
    bands = read("reliability.toml")["bands"].values()
    return {
        "fields.toml": [f["label"] for f in fields] + sorted({f["unit"] for f in fields}),
        "column_styles.toml": [s[k] for s in styles for k in ("label", "note") if k in s],
        "reliability.toml": [b["source"] for b in bands],
    }


def test_every_label_the_dialogs_take_from_resources_is_translated():
    spanish = _spanish()
    labels = _toml_labels()
    assert all(labels.values()), labels  # the files still hold what the dialogs show
    missing = [f"{name}: {text!r}" for name, texts in labels.items() for text in texts]
    missing = [m for m in missing if m.split(": ", 1)[1][1:-1] not in spanish]
    assert not missing, "no Spanish for:\n" + "\n".join(missing)


# Qt calls that put their (first, or named) argument on screen.
_SETTERS = {
    "setText",
    "setWindowTitle",
    "setTitle",
    "setSubTitle",
    "setToolTip",
    "setPlaceholderText",
    "setLabelText",
    "setHeaderLabels",
    "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels",
    "setSpecialValueText",
    "setPrefix",
    "setSuffix",
    "setAccessibleName",
    "setStatusTip",
    "setWhatsThis",
    "addRow",
    "addItem",
    "addItems",
}
_SECOND_ARGUMENT = {"setItemText", "setButtonText", "insertItem", "setTabText", "addTab"}
_CONSTRUCTORS = {
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QToolButton",
    "QAction",
    "QListWidgetItem",
    "QTableWidgetItem",
}
_MESSAGE_BOXES = {"information", "warning", "critical", "question", "about"}


def _plain_text(node: ast.expr) -> bool:
    """A string literal or f-string with words in it, not passed through a translation call."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_plain_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, ast.IfExp):
        return _plain_text(node.body) or _plain_text(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_plain_text(e) for e in node.elts)
    return False


def _untranslated(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _SETTERS or name in _CONSTRUCTORS:
            shown = node.args[:1]
        elif name in _SECOND_ARGUMENT:
            shown = node.args[1:2]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "QMessageBox"
            and name in _MESSAGE_BOXES
        ):
            shown = node.args[1:3]
        else:
            continue
        shown += [k.value for k in node.keywords if k.arg in ("text", "title", "label")]
        found += [(node.lineno, ast.unparse(arg)) for arg in shown if _plain_text(arg)]
    return found


def test_the_scan_finds_a_string_left_untranslated():
    source = (
        'label = QLabel("Name:")\n'
        'box.setTitle(f"{n} rows")\n'
        'form.addRow(_("Kind:"), combo)\n'
        "QMessageBox.warning(self, 'Oops', _('fine'))\n"
        'edit.setPlaceholderText("e.g. " + example)\n'
        'combo.setItemText(0, "automatic")\n'
        'label.setText("")\n'
    )
    assert [line for line, _text in _untranslated(source)] == [1, 2, 4, 5, 6]


def test_no_string_reaches_the_screen_untranslated_in_the_dialogs():
    left = [
        f"{path.name}:{line}: {text}"
        for path in sorted(DIALOGS.glob("*.py"))
        for line, text in _untranslated(path.read_text(encoding="utf-8"))
    ]
    assert not left, "wrap these in _():\n" + "\n".join(left)
