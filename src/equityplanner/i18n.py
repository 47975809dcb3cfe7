"""The translation layer: every sentence a user reads goes through here.

Messages are marked in the code with :func:`_` (``ngettext`` for plurals, ``pgettext`` where one
English word needs two translations). Catalogs are gettext ``.po`` files in
``resources/locale/<language>/`` (several files per language are merged, so the core and the app
keep their own); they are read with Babel at first use, so no compiled ``.mo`` file is kept in
git. English is the source language and needs no catalog.

The language is a process setting (:func:`set_language`, chosen in the app or with
``--language``) that a block can override with :func:`language` (the workbook writes its English
and Spanish community summaries in one run). The override is a context variable, so it does not
leak into other threads; worker threads see the process setting.

Numbers, money and dates are formatted per language with :func:`format_number`,
:func:`format_percent`, :func:`format_money` and :func:`format_date` (1,234.5 and 12.3% in
English; 1.234,5 and 12,3 % in Spanish).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from equityplanner.catalog import resource_path

__all__ = [
    "LANGUAGES",
    "SOURCE_LANGUAGE",
    "Catalog",
    "_",
    "current_language",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "gettext",
    "language",
    "load_catalog",
    "ngettext",
    "pgettext",
    "set_language",
]

SOURCE_LANGUAGE = "en"
#: The languages a user can choose, by code, with their own names.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}

_process_language = SOURCE_LANGUAGE
_override: ContextVar[str | None] = ContextVar("equityplanner_language", default=None)
_lock = threading.Lock()


@dataclass(frozen=True)
class Catalog:
    """The translations of one language: plain, plural and context-qualified messages."""

    language: str
    messages: dict[str, str] = field(default_factory=dict)
    plurals: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    contextual: dict[tuple[str, str], str] = field(default_factory=dict)
    plural_rule: object | None = None

    def plural_index(self, n: int) -> int:
        """Which plural form ``n`` takes in this language (0 = singular in en and es)."""
        if self.plural_rule is None:
            return 0 if n == 1 else 1
        return int(self.plural_rule(n))  # type: ignore[operator]


def _check_language(code: str) -> str:
    if code not in LANGUAGES:
        known = ", ".join(f"{c} ({name})" for c, name in LANGUAGES.items())
        message = gettext("language {code} is not available; choose one of {known}")
        raise ValueError(message.format(code=repr(code), known=known))
    return code


def set_language(code: str) -> None:
    """Set the language of this process (the app's choice, or ``--language``)."""
    global _process_language
    with _lock:
        _process_language = _check_language(code)


def current_language() -> str:
    """The language in force here: a :func:`language` block's, else the process's."""
    return _override.get() or _process_language


@contextmanager
def language(code: str) -> Iterator[None]:
    """Write in ``code`` inside the block (this thread and context only)."""
    token = _override.set(_check_language(code))
    try:
        yield
    finally:
        _override.reset(token)


@cache
def load_catalog(code: str) -> Catalog:
    """Read and merge every ``.po`` file of a language (empty for English); cached."""
    from gettext import c2py  # the C plural expression of a .po header, as gettext reads it

    from babel.messages.pofile import read_po

    catalog = Catalog(code)
    if code == SOURCE_LANGUAGE:
        return catalog
    folder = resource_path("locale").joinpath(code)
    rule = None
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            po = read_po(handle, locale=code)
        if rule is None and po.plural_expr:
            rule = c2py(po.plural_expr)
        for message in po:
            if not message.id or message.fuzzy or not message.string:
                continue
            if isinstance(message.id, tuple | list):
                forms = tuple(message.string)
                if all(forms):
                    catalog.plurals[(message.id[0], message.id[1])] = forms
            elif message.context:
                catalog.contextual[(message.context, message.id)] = str(message.string)
            else:
                catalog.messages[message.id] = str(message.string)
    return Catalog(code, catalog.messages, catalog.plurals, catalog.contextual, rule)


def gettext(message: str) -> str:
    """``message`` in the current language (the English itself when no translation exists)."""
    code = current_language()
    if code == SOURCE_LANGUAGE:
        return message
    return load_catalog(code).messages.get(message, message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    code = current_language()
    if code != SOURCE_LANGUAGE:
        catalog = load_catalog(code)
        forms = catalog.plurals.get((singular, plural))
        if forms:
            return forms[min(catalog.plural_index(n), len(forms) - 1)]
    return singular if n == 1 else plural


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (one English word, two translations)."""
    code = current_language()
    if code == SOURCE_LANGUAGE:
        return message
    return load_catalog(code).contextual.get((context, message), message)


def _babel_locale() -> str:
    return current_language()


def format_number(value: float, digits: int = 0) -> str:
    """A number with the current language's grouping and decimal marks (1,234.5 / 1.234,5)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(value, pattern, locale=_babel_locale()))


def format_percent(share: float, digits: int = 1) -> str:
    """A share (0.123) as a percentage in the current language (12.3% / 12,3 %)."""
    from babel.numbers import format_percent as babel_percent

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return str(babel_percent(share, pattern, locale=_babel_locale()))


def format_money(value: float, currency: str = "USD", digits: int = 0) -> str:
    """An amount of money in the current language ($1,235 / 1.235 US$)."""
    from babel import Locale
    from babel.numbers import format_currency

    code = _babel_locale()
    pattern = Locale.parse(code).currency_formats["standard"].pattern.split(";")[0]
    # The language's own pattern (where the symbol goes), with the decimals asked for.
    pattern = pattern.replace(".00", "." + "0" * digits if digits > 0 else "")
    return str(format_currency(value, currency, pattern, locale=code, currency_digits=False))


def format_date(value: datetime.date, style: str = "long") -> str:
    """A date in words in the current language (November 30, 2026 / 30 de noviembre de 2026)."""
    from babel.dates import format_date as babel_date

    return str(babel_date(value, style, locale=_babel_locale()))
