"""No words reach a Qt widget without the translation layer.

An AST scan of every module of the desktop app (``src/equityplanner/app``, dialogs included)
finds string literals and f-strings with words in them passed straight to Qt's text setters
and constructors (``setText``, ``setToolTip``, ``QLabel``, ``QAction``, ``addItem``,
``QMessageBox.question``…). Each must be ``_("…")`` (or ``ngettext``/``pgettext``), so that
Babel's extractor sees it and ``tests/meta/test_translations.py`` checks its Spanish. One test
per file: a failure lists every ``file:line`` to fix.

What is not a word: single letters (the comparison's sides "A" and "B", compass points), unit
symbols, punctuation, HTML tags and entities, ``{placeholders}`` and the product's name. Anything
else that should stay as it is goes in :data:`ALLOWED` with its reason.

The labels the app reads from the resource files (map fields, palettes, rating tones, quintile
words, population groups, reliability bands; :func:`equityplanner.app.translated.resource_labels`)
are translated through catalog entries: :func:`test_every_resource_label_has_spanish` checks them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from equityplanner import i18n
from equityplanner.app.translated import resource_labels

APP = Path(__file__).resolve().parents[2] / "src" / "equityplanner" / "app"
FILES = sorted(APP.rglob("*.py"))

# Calls whose string arguments are shown to the user (any positional argument, and the keyword
# arguments below); a few have their own rule in _text_arguments.
TEXT_CALLS = {
    "setText",
    "setWindowTitle",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setPlaceholderText",
    "setTitle",
    "setSubTitle",
    "setAccessibleName",
    "setAccessibleDescription",
    "setLabelText",
    "setButtonText",
    "setHeaderLabels",
    "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels",
    "setItemText",
    "setTabText",
    "setTabToolTip",
    "setItemToolTip",
    "setInformativeText",
    "addMenu",
    "addAction",
    "addButton",
    "addRow",
    "addTab",
    "insertTab",
    "addItem",
    "addItems",
    "insertItem",
    "showMessage",
    "information",
    "warning",
    "critical",
    "question",
    "about",
    "QAction",
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QMenu",
    "QToolBar",
    "QDockWidget",
    "QMessageBox",
    "QStandardItem",
    "QTreeWidgetItem",
    "QListWidgetItem",
}
TEXT_KEYWORDS = {"text", "title", "label", "tip", "toolTip", "placeholderText"}
MESSAGE_BOX_STATICS = {"information", "warning", "critical", "question", "about"}
TRANSLATORS = {"_", "gettext", "ngettext", "pgettext"}

# Literal texts that may stay as they are, with the reason. (Keys: the text as written.)
ALLOWED: dict[str, str] = {
    "GeoJSON (*.geojson *.json)": "a format's own name and its file patterns",
    "GeoPackage (*.gpkg)": "a format's own name and its file patterns",
    "OpenStreetMap": "a proper name",
}

_WORD = re.compile(r"[^\W\d_]{2,}")
_NOT_WORDS = re.compile(r"<[^>]*>|&[a-z]+;|\{[^{}]*\}|\*\.[\w.]+|equityplanner|\bQt\b|\bF\d+\b")


def _has_words(text: str) -> bool:
    return bool(_WORD.search(_NOT_WORDS.sub(" ", text)))


def _literal_texts(node: ast.expr) -> list[str]:
    """The literal texts with words that ``node`` passes on untranslated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _has_words(node.value) and node.value not in ALLOWED else []
    if isinstance(node, ast.JoinedStr):
        parts = "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
        return [parts] if _has_words(parts) and parts not in ALLOWED else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _literal_texts(node.left) + _literal_texts(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return [t for element in node.elts for t in _literal_texts(element)]
    if isinstance(node, ast.IfExp):
        return _literal_texts(node.body) + _literal_texts(node.orelse)
    return []  # a name, a call (_("…") among them), an attribute: not a literal


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text_arguments(call: ast.Call, name: str) -> list[ast.expr]:
    args = list(call.args)
    if name in MESSAGE_BOX_STATICS:
        return args[1:3]  # (parent, title, text, …)
    if name == "QMessageBox":
        return args[1:3]  # (icon, title, text, buttons, parent)
    if name in ("addItem", "insertItem"):
        if name == "insertItem":
            args = args[1:]  # (index, …)
        # (text, data) or (icon, text, data): the data is a key, not a label.
        first = args[0] if args else None
        first_is_icon = isinstance(first, ast.Call) and "icon" in _call_name(first).lower()
        return args[1:2] if first_is_icon else args[:1]
    return args + [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]


def untranslated(path: Path) -> list[str]:
    """``file:line: call(text)`` for every literal text passed to a Qt text call in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in TEXT_CALLS or name in TRANSLATORS:
            continue
        for argument in _text_arguments(node, name):
            for text in _literal_texts(argument):
                where = path.relative_to(APP.parent.parent.parent)
                hits.append(f"{where}:{argument.lineno}: {name}({text!r})")
    return hits


def test_the_scan_finds_literals() -> None:
    # The scan must see a literal where there is one (a broken scan would pass everything).
    source = "w.setToolTip('Run it')\nQLabel(f'{n} rows')\nbox.addItem('Quantiles', 'quantile')\n"
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    found = [t for c in calls for a in _text_arguments(c, _call_name(c)) for t in _literal_texts(a)]
    assert found == ["Run it", "{} rows", "Quantiles"]
    assert not _has_words("⚠ ") and not _has_words("&A:") and not _has_words("<b>{}</b>")
    assert not _literal_texts(ast.parse("_('Run it')", mode="eval").body)


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(APP)) for f in FILES])
def test_no_untranslated_text_reaches_qt(path: Path) -> None:
    hits = untranslated(path)
    assert not hits, f"{len(hits)} texts without _():\n" + "\n".join(hits)


def test_every_resource_label_has_spanish() -> None:
    catalog = i18n.load_catalog("es")
    labels = resource_labels()
    assert len(labels) > 50, "the map's fields, palettes and tones are all listed"
    missing = [label for label in labels if label not in catalog.messages]
    assert not missing, f"{len(missing)} resource labels lack Spanish:\n" + "\n".join(missing)


def test_resource_labels_show_in_spanish() -> None:
    from equityplanner.app.presentation import tone
    from equityplanner.app.translated import palette_label, resource_label

    with i18n.language("es"):
        assert tone("adverse").label == "Adverso"
        assert resource_label("Minority (share)") == "Minoría (proporción)"
        assert palette_label("Purple-blue, reversed") == "Morado-azul, invertida"
    assert tone("adverse").label == "Adverse"
