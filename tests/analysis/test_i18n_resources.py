"""Every user-facing string of the findings' data files has a Spanish translation.

The English ``resources/*.toml`` stay the source; ``resources/locale/es/<same name>`` holds the
translated leaves under the same keys. Every leaf a person reads must be there with the same
{placeholders}; the leaves listed in ``NOT_USER_FACING`` are stable keys, symbols, file and
column names or citations (kept in their original language) and are read from English.
Also: the lookups follow the language of the moment (nothing cached keeps another language),
the numbers follow it too, and one finding is checked word for word in Spanish.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from equityplanner import i18n
from equityplanner.analysis import words
from equityplanner.analysis.indicators import rating_words, text
from equityplanner.analysis.indicators.title_vi import verdict_sentence
from equityplanner.analysis.title_vi import title_vi_test
from equityplanner.model.concepts import TitleViTest
from equityplanner.model.project import TitleViPolicy

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SPANISH = RESOURCES / "locale" / "es"
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# The files whose strings end up in findings, names and rating words, and which leaves
# (by the last key of their path, or by a pattern on the whole dotted path) are not read
# by a person as prose: they are ids, units, method ids, tones, symbols, published column
# names, thresholds, or citations kept in the original language.
FILES = ("indicators.toml", "ratings.toml", "groups.toml", "screening.toml", "reliability.toml")
NOT_USER_FACING: dict[str, tuple[str, ...]] = {
    # ids ("served.population"), units ("share"), method ids ("title_vi")
    "indicators.toml": (r"\.id$", r"\.unit$", r"\.method$"),
    # tone drives the colour; symbol is the TAG scale's ✓/✗ marks
    "ratings.toml": (r"\.tone$", r"\.symbol$"),
    # field names, units, the Title VI test a group drives, numerators and denominators
    "groups.toml": (
        r"\.numerator(\.\d+)?$",
        r"\.minus(\.\d+)?$",
        r"\.denominator$",
        r"\.fallback_denominator$",
        r"\.unit$",
        r"\.title_vi_test$",
    ),
    # tool names (CEJST, EJScreen, USDOT ETC) and published column names stay as published;
    # release and reference are citations; geography and vintage are keys; the relationship
    # file and thresholds are settings. Only the burden percentiles' labels are prose.
    "screening.toml": (r"^(?!layers\.[a-z0-9_]+\.percentiles\.)",),
    # source is a citation; name is the band's key; max_cv a number
    "reliability.toml": (r"\.source$", r"\.name$", r"\.max_cv$"),
}


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        for n, value in enumerate(node):  # arrays of tables: by position
            yield from _leaves(value, (*path, str(n)))
    else:
        yield ".".join(path), node


def _user_facing(name: str) -> list[tuple[str, Any]]:
    data = tomllib.loads((RESOURCES / name).read_text(encoding="utf-8"))
    skip = [re.compile(p) for p in NOT_USER_FACING[name]]
    return [
        (path, value)
        for path, value in _leaves(data)
        if isinstance(value, str | list) and not any(p.search(path) for p in skip)
    ]


def _spanish(name: str) -> dict[str, Any]:
    return dict(_leaves(tomllib.loads((SPANISH / name).read_text(encoding="utf-8"))))


@pytest.mark.parametrize("name", FILES)
def test_every_user_facing_leaf_has_a_spanish_translation(name: str) -> None:
    english = _user_facing(name)
    assert english, f"{name}: no user-facing leaf found (a broken filter passes vacuously)"
    spanish = _spanish(name)
    missing, wrong = [], []
    for path, value in english:
        if path not in spanish:
            missing.append(path)
            continue
        target = spanish[path]
        pairs = zip(value, target, strict=False) if isinstance(value, list) else [(value, target)]
        if isinstance(value, list) and (not isinstance(target, list) or len(target) != len(value)):
            wrong.append(f"{path}: {len(value)} items in English, {target!r} in Spanish")
            continue
        for source, translated in pairs:
            # A translation may name a thing once where English names it twice: compare sets.
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(translated)):
                wrong.append(f"{path}: {source!r} -> {translated!r}")
            if translated == source and PLACEHOLDER.sub("", source).strip(" .:,;()"):
                wrong.append(f"{path}: left in English: {source!r}")
    assert not missing, f"{name}: {len(missing)} leaves lack Spanish:\n" + "\n".join(missing)
    assert not wrong, f"{name}: placeholders differ or untranslated:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", FILES)
def test_the_spanish_files_hold_no_stray_keys(name: str) -> None:
    english = {path for path, _value in _user_facing(name)}
    stray = sorted(set(_spanish(name)) - english)
    assert not stray, f"{name}: Spanish leaves with no user-facing English leaf: {stray}"


def test_templates_have_no_format_specs() -> None:
    # Numbers are formatted in the code for the language; a spec would format them in English.
    specs = [
        f"{path}: {value!r}"
        for path, value in _user_facing("indicators.toml")
        for item in (value if isinstance(value, list) else [value])
        if any(":" in p or "!" in p for p in PLACEHOLDER.findall(item))
    ]
    assert not specs, "\n".join(specs)


def test_lookups_follow_the_language_of_the_moment() -> None:
    # No cache may keep the language of the first call: en, es, en again.
    assert text("served_population.name") == "People inside the catchment"
    assert rating_words("title_vi", "disparate_impact") == ("Potential disparate impact", "adverse")
    with i18n.language("es"):
        assert text("served_population.name") == "Personas dentro del área de influencia"
        assert rating_words("title_vi", "disparate_impact") == ("Posible impacto dispar", "adverse")
        assert text("distribution.quintile_labels")[0] == "ingresos más bajos"
        assert text("served_population.unit") == "persons"  # a key, from English
    assert text("served_population.name") == "People inside the catchment"
    assert rating_words("tag", "large_adverse") == ("Large adverse", "adverse")


@pytest.mark.parametrize(
    ("helper", "value", "english", "spanish"),
    [
        (words.pct, 0.123, "12.3%", "12,3%"),
        (words.num, 1234.4, "1,234", "1.234"),
        (words.num, 23796.0, "23,796", "23.796"),
        (words.signed, 15.4, "+15.4", "+15,4"),
        (words.signed, -0.04, "-0.0", "-0,0"),
        (words.signed_pct, -0.062, "-6.2%", "-6,2%"),
        (words.ratio, 0.775, "0.78", "0,78"),
        (words.money, 1450.0, "$1,450", "1.450\xa0US$"),
        (words.money, 45288.4, "$45,288", "45.288\xa0US$"),
        (words.short, 7.5, "7.5", "7,5"),
    ],
)
def test_numbers_follow_the_language(helper, value, english, spanish) -> None:
    assert helper(value) == english
    with i18n.language("es"):
        assert helper(value) == spanish


def test_english_helpers_match_the_format_specs_they_replace() -> None:
    # The English output must stay exactly what the templates' format specs gave.
    for value in (0.0, 0.1235, 0.5, 12.345, -3.25, 2.675, 1234567.891, -0.0):
        assert words.pct(value) == f"{value:.1%}"
        assert words.num(value) == f"{value:,.0f}"
        assert words.signed(value) == f"{value:+.1f}"
        assert words.ratio(value) == f"{value:.2f}"
        assert words.money(value) == f"${value:,.0f}"


def test_a_title_vi_verdict_in_spanish_word_for_word() -> None:
    # Worked by hand: 925 of 1,000 people affected are minority against 771 of 1,000 in the
    # comparison; the difference is +15.4 points, beyond the 10-point threshold (no margins
    # given, so the percentage-point test decides alone and no margin is named).
    policy = TitleViPolicy()
    outcome = title_vi_test(925, 1000, 771, 1000, is_benefit=False, policy=policy)
    with i18n.language("es"):
        sentence = verdict_sentence(
            outcome, TitleViTest.DISPARATE_IMPACT, is_benefit=False, policy=policy
        )
    assert sentence == (
        "Según la prueba de puntos porcentuales, una diferencia de +15,4 puntos porcentuales "
        "frente a un umbral de 10 puntos supera el umbral adoptado: un posible impacto dispar. "
        "La política exige entonces que la agencia demuestre una justificación legítima "
        "sustancial y que ninguna alternativa menos discriminatoria cumpliría los mismos "
        "objetivos."
    )
    english = verdict_sentence(
        outcome, TitleViTest.DISPARATE_IMPACT, is_benefit=False, policy=policy
    )
    assert english.startswith(
        "Under the percentage-point test, +15.4 points against a threshold of 10 points is "
        "beyond the adopted threshold: a potential disparate impact."
    )
