"""Every message marked for translation has a Spanish translation, with the same placeholders.

The messages are found the way a translator's tool finds them (Babel's extractor over the
source), so a new ``_("...")`` without a catalog entry fails here, not in front of a resident.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from equityplanner import i18n

SOURCE = Path(__file__).resolve().parents[2] / "src" / "equityplanner"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def marked_messages() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    found = []
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.append((filename, lineno, message, context))
    return found


def test_the_source_marks_messages() -> None:
    # The extractor must see the marked strings at all (a broken keyword map would pass vacuously).
    assert len(marked_messages()) > 0


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != i18n.SOURCE_LANGUAGE])
def test_every_marked_message_is_translated(code: str) -> None:
    catalog = i18n.load_catalog(code)
    missing = []
    for filename, lineno, message, context in marked_messages():
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            if context is not None:
                singular, plural = message[1], message[2]
            ok = (singular, plural) in catalog.plurals
        elif context is not None:
            ok = (context, message) in catalog.contextual
        else:
            ok = message in catalog.messages
        if not ok:
            missing.append(f"{filename}:{lineno}: {message!r}")
    assert not missing, f"{len(missing)} messages lack a {code} translation:\n" + "\n".join(
        missing[:40]
    )


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != i18n.SOURCE_LANGUAGE])
def test_translations_keep_the_placeholders(code: str) -> None:
    catalog = i18n.load_catalog(code)
    wrong = [
        f"{source!r} -> {target!r}"
        for source, target in catalog.messages.items()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target))
    ]
    for (_singular, plural), forms in catalog.plurals.items():
        expected = sorted(PLACEHOLDER.findall(plural))
        wrong += [
            f"{plural!r} -> {form!r}"
            for form in forms[1:]
            if sorted(PLACEHOLDER.findall(form)) != expected
        ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong[:40])


def test_spanish_is_used_inside_a_language_block_only() -> None:
    catalog = i18n.load_catalog("es")
    if not catalog.messages:
        pytest.fail("the Spanish catalog is empty")
    source, target = next(iter(catalog.messages.items()))
    assert i18n._(source) == source
    with i18n.language("es"):
        assert i18n._(source) == target
    assert i18n._(source) == source


def test_numbers_follow_the_language() -> None:
    assert i18n.format_percent(0.1234) == "12.3%"
    assert i18n.format_number(1234567.25, 1) == "1,234,567.2"
    with i18n.language("es"):
        assert i18n.format_percent(0.1234) == "12,3%"
        assert i18n.format_number(1234567.25, 1) == "1.234.567,2"


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="choose one of en"):
        i18n.set_language("xx")


def test_no_message_is_marked_inside_an_f_string() -> None:
    # The extractor cannot see a _("...") inside an f-string's braces, so such a message
    # would escape the test above (one did: "Edit scenario…" showed in English).
    import ast

    hidden = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in KEYWORDS
                ):
                    hidden.append(f"{path.relative_to(SOURCE)}:{inner.lineno}")
    assert not hidden, "mark these outside the f-string:\n" + "\n".join(hidden)
