"""Labels the app shows, translated when they are read (not when the module is imported).

Every user-facing string of the app goes through :func:`equityplanner.i18n._`; one catalog
(``resources/locale/es/*.po``) serves the core and the app. A table of labels kept in a module
constant (tool names, category headings, kinds of opportunity…) is a :class:`LazyLabels`: its
values are written as ``_("…")`` calls in a function, so Babel's extractor finds them, and they
are looked up in the language in force each time they are read.

Labels that come from the resource files (``resources/fields.toml``, ``palettes.toml``…) are
English in the TOML and translated where the app shows them with :func:`resource_label`,
through catalog entries of ``resources/locale/es/app.po``; ``tests/app/test_ui_strings_translated.py``
checks that every such label has a Spanish translation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from equityplanner.i18n import gettext

__all__ = ["LazyLabels", "palette_label", "resource_label", "resource_labels"]


class LazyLabels(Mapping[str, str]):
    """A read-only mapping whose values are written in the current language when read.

    Parameters
    ----------
    make
        Builds the mapping (``lambda: {"jobs": _("Jobs"), …}``); called at every read, so a
        change of language shows at once.
    """

    def __init__(self, make: Callable[[], dict[str, str]]) -> None:
        self._make = make

    def __getitem__(self, key: str) -> str:
        return self._make()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._make())

    def __len__(self) -> int:
        return len(self._make())


def resource_label(text: str) -> str:
    """A label read from a resource file (English), in the current language."""
    return gettext(text) if text else text


def palette_label(text: str) -> str:
    """A palette's label of :func:`~equityplanner.render.fields.palette_choices` (``Viridis…``,
    or ``Viridis…, reversed``), in the current language."""
    base, comma, _rest = text.partition(", reversed")
    if comma and not _rest:
        return gettext("{palette}, reversed").format(palette=resource_label(base))
    return resource_label(text)


def resource_labels() -> list[str]:
    """Every label from the resource files that the app shows (English, as in the files).

    The map's fields and their groups (for a table with every canonical column), the access
    measures, the palettes, the rating tones, the quintile words, the population groups and
    the reliability bands. The completeness test checks each against the Spanish catalog.
    """
    import numpy as np
    import pandas as pd

    from equityplanner.catalog import load_resource
    from equityplanner.model.fields import field_specs, group_specs
    from equityplanner.render.classify import QUINTILE_WORDS
    from equityplanner.render.fields import ACCESS_LABELS, available_fields, palette_choices

    columns = [*field_specs(), *(f"{g}_share" for g in group_specs())]
    columns += ["quintile", "vulnerability_score", "is_vulnerable", "is_recap"]
    table = pd.DataFrame({c: np.zeros(1) for c in dict.fromkeys(columns)})
    out: list[str] = []
    for f in available_fields(table, has_result=True):
        out += [f.label, f.group]
    out += [f"{label}: change" for label in ACCESS_LABELS.values()]
    out += ["Access to opportunity", "Other"]
    out += [label for _key, label in palette_choices() if not label.endswith(", reversed")]
    out += [t["label"] for t in load_resource("palettes.toml").get("tones", {}).values()]
    out += list(QUINTILE_WORDS)
    out += [spec.label for spec in group_specs().values()]
    for scheme in load_resource("reliability.toml").get("bands", {}).values():
        out += [band["label"] for band in scheme.get("band", [])]
    return [label for label in dict.fromkeys(out) if label]
