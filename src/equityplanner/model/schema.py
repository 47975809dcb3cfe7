"""A small schema language: tables of fields, each with a rule that reads and checks a value.

The project's parameters (:mod:`equityplanner.model.parameter_schema`) and the travel model's
(:mod:`equityplanner.model.travel_model`) are tables of :class:`Field`; reading a JSON object
against a table checks every value, collects one problem per fault and builds the values.
The whole project document is such a table too (:mod:`equityplanner.model.document_schema`),
read by the one validation pass that ``validate`` and ``assess`` share (issue 12): every rule
says what it accepts (:meth:`Rule.describe`), bounds the size of what it takes (texts, lists,
numbers), and every problem names the key, the fault and, for a value of the wrong type, the
fix.

A problem is one line, ``"<key>: <fault>"``, where the key is the dotted path in the project
file (``parameters.catchment_m.bus``); the desktop app maps the key to its form's label.

Examples
--------
>>> table = (Field("speed_kmh", Number(), default=4.8),)
>>> problems: list[str] = []
>>> read_object({"speed_kmh": "fast"}, table, "walk", problems)
{}
>>> problems
["walk.speed_kmh: 'fast' is not a number; give a number greater than zero, e.g. 4.8"]
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "INVALID",
    "MAX_TEXT",
    "AnyCrs",
    "Boolean",
    "Choice",
    "ClockWindow",
    "ColumnMapping",
    "ColumnName",
    "Field",
    "IsoDate",
    "Keyed",
    "MetricCrs",
    "Number",
    "NumberList",
    "NumberMapping",
    "Object",
    "ObjectList",
    "PathText",
    "Rule",
    "Subset",
    "Text",
    "TextList",
    "read_object",
    "show",
]


class _Invalid:
    """The result of reading a value with a fault (the fault is in the problems)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
"""What :meth:`Rule.read` returns for a value with a fault."""


MAX_TEXT: Final = 100_000
"""The longest text a field takes, in characters (a description; names are far shorter)."""


def show(value: Any, limit: int = 60) -> str:
    """A value as a message shows it: its repr, cut to ``limit`` characters, printable."""
    try:
        text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
    except ValueError:  # an int beyond the interpreter's digit limit
        text = "a huge number"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def key_path(where: str, key: str) -> str:
    """``where.key``, or ``key`` at the top (``where`` empty)."""
    return f"{where}.{key}" if where else key


class Rule(ABC):
    """How one value is read and checked (each kind of value has its rule)."""

    @abstractmethod
    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        """The value as the model holds it, or :data:`INVALID` with a problem added.

        ``where`` is the key path for the message; ``example`` a valid value (the default)
        for the fix of a wrong type.
        """

    @abstractmethod
    def describe(self) -> str:
        """What the rule accepts, as words after "give": ``"a number greater than zero"``."""


def _wrong_type(
    value: Any, where: str, problems: list[str], rule: Rule, example: Any, what: str
) -> _Invalid:
    fix = f"give {rule.describe()}" + (
        f", e.g. {_json_words(example)}" if example is not None else ""
    )
    problems.append(f"{where}: {show(value)} is not {what}; {fix}")
    return INVALID


def _json_words(value: Any) -> str:
    """A value as it is written in the project file (``true``, ``[30, 45]``, ``"esri"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_json_words(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Number(Rule):
    """A finite number, by default greater than zero.

    Attributes
    ----------
    allow_zero
        Zero is allowed (the number must be zero or more).
    minimum
        When given, the smallest value allowed (instead of "greater than zero").
    below
        When given, the value must be less than this; ``below_fault`` says so in words.
    maximum
        When given, the largest value allowed; ``above_fault`` says so, with ``{value}``.
    whole
        The number must be whole (a float such as 3.0 is read as 3).
    strict
        Only JSON numbers are numbers; otherwise text that reads as a number (``"400"``,
        as the command line's ``--catchment bus=400`` gives it) is one too.
    range_words
        Overrides the words of the range in :meth:`describe` and in range faults.
    """

    allow_zero: bool = False
    minimum: float | None = None
    below: float | None = None
    below_fault: str = ""
    maximum: float | None = None
    above_fault: str = ""
    whole: bool = False
    strict: bool = False
    range_words: str = ""

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        below = f" and below {self.below:g}" if self.below is not None else ""
        of = "of " if self.minimum is not None and self.maximum is None else ""
        return f"{kind} {of}{self._range_words()}{below}"

    def _range_words(self) -> str:
        if self.range_words:
            return self.range_words
        if self.minimum is not None and self.maximum is not None and not self.above_fault:
            return f"from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{self.minimum:g} or more"
        return "zero or more" if self.allow_zero else "greater than zero"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        what = "a whole number" if self.whole else "a number"
        if self.strict and (isinstance(value, bool) or not isinstance(value, int | float)):
            return _wrong_type(value, where, problems, self, example, what)
        if isinstance(value, list | tuple | dict | Mapping):
            return _wrong_type(value, where, problems, self, example, what)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return _wrong_type(value, where, problems, self, example, what)
        except OverflowError:
            problems.append(f"{where}: a number of {len(str(value))} digits is too large")
            return INVALID
        if self.whole and math.isfinite(number) and not number.is_integer():
            return _wrong_type(value, where, problems, self, example, what)
        if not self._in_range(number):
            problems.append(f"{where}: {show(value)} must be {self._range_words()}")
            return INVALID
        if self.below is not None and number >= self.below:
            problems.append(f"{where}: {self.below_fault}")
            return INVALID
        if self.maximum is not None and self.above_fault and number > self.maximum:
            problems.append(f"{where}: {self.above_fault.format(value=value)}")
            return INVALID
        return int(number) if self.whole else number

    def _in_range(self, number: float) -> bool:
        """Finite and within the range (the ``below`` and ``above_fault`` limits apart)."""
        if not math.isfinite(number):
            return False
        if self.minimum is not None:
            low_ok = number >= self.minimum
        else:
            low_ok = number >= 0 if self.allow_zero else number > 0
        high_ok = self.maximum is None or bool(self.above_fault) or number <= self.maximum
        return low_ok and high_ok


@dataclass(frozen=True)
class Boolean(Rule):
    """``true`` or ``false`` (JSON booleans only)."""

    def describe(self) -> str:
        return "true or false"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, bool):
            return _wrong_type(value, where, problems, self, example, "true or false")
        return value


@dataclass(frozen=True)
class Choice(Rule):
    """One of a few words."""

    options: tuple[str, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(self.options)

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, str) or value not in self.options:
            problems.append(f"{where}: {show(value)}; use {self.describe()}")
            return INVALID
        return value


@dataclass(frozen=True)
class Subset(Rule):
    """A non-empty list of some of a few words (kept as a tuple)."""

    options: tuple[str, ...]

    def describe(self) -> str:
        return "a list of some of " + ", ".join(self.options)

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, Sequence):
            return _wrong_type(value, where, problems, self, example, "a list")
        chosen = tuple(value)
        bad = [v for v in chosen if not isinstance(v, str) or v not in self.options]
        if bad or not chosen:
            said = show(bad) if bad else "empty"
            problems.append(f"{where}: {said}; use some of {', '.join(self.options)}")
            return INVALID
        return chosen


@dataclass(frozen=True)
class Text(Rule):
    """A text, or a number kept as text (an empty value is the default: see :class:`Field`).

    Lists, objects, ``true``/``false`` and texts longer than ``max_length`` are faults.
    """

    max_length: int = MAX_TEXT

    def describe(self) -> str:
        return "a text"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        return _text(value, where, problems, self.max_length, self, example)


def _text(
    value: Any, where: str, problems: list[str], max_length: int, rule: Rule, example: Any
) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return _wrong_type(value, where, problems, rule, example or "...", "a text")
    text = value if isinstance(value, str) else repr(value)
    if len(text) > max_length:
        problems.append(f"{where}: a text of {len(text):,} characters (at most {max_length:,})")
        return INVALID
    if _has_surrogate(text):
        problems.append(f"{where}: {show(text)} holds an invalid character (a lone surrogate)")
        return INVALID
    return text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class TextList(Rule):
    """A list of texts (numbers kept as text), as a tuple."""

    max_items: int = 100_000

    def describe(self) -> str:
        return "a list of texts"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            return _wrong_type(value, where, problems, self, ["..."], "a list")
        if len(value) > self.max_items:
            problems.append(f"{where}: a list of {len(value):,} items (at most {self.max_items:,})")
            return INVALID
        items = [
            _text(v, f"{where}[{n}]", problems, MAX_TEXT, Text(), "...")
            for n, v in enumerate(value)
        ]
        if any(item is INVALID for item in items):
            return INVALID
        return tuple(items)


@dataclass(frozen=True)
class PathText(Rule):
    """The path of a file as text, relative to the project file or absolute.

    Only the text is checked here (no NUL, no part longer than 255 bytes, at most 4096
    bytes); whether it names a readable regular file is checked where the project file's
    folder is known (:mod:`equityplanner.io.project_file`).
    """

    def describe(self) -> str:
        return "the path of a file, relative to the project file"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return _wrong_type(value, where, problems, self, example or "data.csv", "a path")
        if "\0" in value or _has_surrogate(value):
            problems.append(f"{where}: {show(value)} holds a character no path can have")
            return INVALID
        raw = value.encode("utf-8")
        if len(raw) > 4096:
            problems.append(f"{where}: a path of {len(raw):,} bytes (at most 4096)")
            return INVALID
        long = [part for part in raw.replace(b"\\", b"/").split(b"/") if len(part) > 255]
        if long:
            problems.append(
                f"{where}: a part of the path is {len(long[0])} bytes long, more than the 255 a "
                "file name can have; give a shorter name"
            )
            return INVALID
        return value


@dataclass(frozen=True)
class ColumnName(Rule):
    """The name of a column of a table or layer (a non-empty text)."""

    def describe(self) -> str:
        return "a column name"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return _wrong_type(value, where, problems, self, example or "GEOID", "a column name")
        return _text(value, where, problems, 1000, self, example)


@dataclass(frozen=True)
class ColumnMapping(Rule):
    """Canonical fields to columns: a column, a list of columns, ``{"estimate": [...],
    "moe": [...]}`` or ``null`` (drop the field). Whether the fields and columns exist is
    checked when the table is read."""

    def describe(self) -> str:
        return 'an object such as {"total_population": "B01003_001E"}'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, Mapping):
            problems.append(f"{where}: {show(value)} is not an object; give {self.describe()}")
            return INVALID
        out: dict[str, Any] = {}
        count = len(problems)
        for key, item in value.items():
            at = f"{where}.{key}"
            if item is None:
                out[key] = None
            elif isinstance(item, str):
                out[key] = ColumnName().read(item, at, problems, None)
            elif isinstance(item, list):
                out[key] = self._columns(item, at, problems)
            elif isinstance(item, Mapping):
                unknown = sorted(set(item) - {"estimate", "moe"})
                if unknown:
                    problems.append(
                        f"{at}: unknown key(s) {', '.join(unknown)} (use estimate, moe)"
                    )
                out[key] = {
                    part: self._columns(
                        [columns] if isinstance(columns, str) else columns, f"{at}.{part}", problems
                    )
                    for part, columns in item.items()
                    if part in ("estimate", "moe")
                }
            else:
                problems.append(
                    f"{at}: {show(item)} is not a column, a list of columns, "
                    '{"estimate": [...], "moe": [...]} or null'
                )
        return INVALID if len(problems) > count else out

    @staticmethod
    def _columns(items: Any, where: str, problems: list[str]) -> Any:
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: {show(items)} is not a non-empty list of column names")
            return INVALID
        return [
            ColumnName().read(item, f"{where}[{n}]", problems, None) for n, item in enumerate(items)
        ]


@dataclass(frozen=True)
class IsoDate(Rule):
    """A calendar date written ``YYYY-MM-DD``; kept as that text."""

    def describe(self) -> str:
        return "a date such as 2026-03-10"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            _dt.date.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {show(value)} is not a date such as 2026-03-10")
            return INVALID
        return value


@dataclass(frozen=True)
class ClockWindow(Rule):
    """Two times of day, start before end, as ``"HH:MM"`` or GTFS's ``"HH:MM:SS"``.

    Kept as ``("HH:MM", "HH:MM")`` (seconds must be 00); hours may pass 24 (GTFS service
    days run past midnight) up to 48.
    """

    def describe(self) -> str:
        return 'two times such as ["07:00", "09:00"]'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) != 2:
            problems.append(f"{where}: {show(value)} is not {self.describe()}")
            return INVALID
        minutes = [_clock_minutes(item) for item in value]
        if any(m is None for m in minutes):
            problems.append(
                f"{where}: {show(list(value))} is not {self.describe()} (HH:MM or HH:MM:00, "
                "hours up to 48)"
            )
            return INVALID
        start, end = (int(m) for m in minutes if m is not None)
        if start >= end:
            problems.append(f"{where}: the window {show(list(value))} ends before it starts")
            return INVALID
        return tuple(f"{m // 60:02d}:{m % 60:02d}" for m in (start, end))


_CLOCK = re.compile(r"^\s*(\d{1,2}):([0-5]\d)(?::(00))?\s*$")


def _clock_minutes(value: Any) -> int | None:
    """Minutes since midnight of ``"HH:MM"`` or ``"HH:MM:00"`` (hours up to 48), else None."""
    if not isinstance(value, str):
        return None
    match = _CLOCK.match(value)
    if match is None or int(match[1]) > 48:
        return None
    return int(match[1]) * 60 + int(match[2])


@dataclass(frozen=True)
class NumberList(Rule):
    """A non-empty list of numbers, kept sorted without repeats (a tuple)."""

    item: Number = field(default_factory=Number)
    fix: str = ""

    def describe(self) -> str:
        return f"a list of numbers, each {self.item.describe().removeprefix('a number ')}"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, list | tuple) or not value:
            problems.append(f"{where}: {self.fix or 'a non-empty list of numbers'}")
            return INVALID
        numbers = [self.item.read(v, where, problems, None) for v in value]
        if any(n is INVALID for n in numbers):
            return INVALID
        return tuple(sorted(set(numbers)))


@dataclass(frozen=True)
class NumberMapping(Rule):
    """An object of numbers by known keys, over the default (``{"bus": 400}``)."""

    keys: tuple[str, ...]
    item: Number = field(default_factory=Number)
    fix: str = ""

    def describe(self) -> str:
        return f"an object of numbers by {', '.join(self.keys)}"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        merged = dict(example)
        if not isinstance(value, Mapping):
            problems.append(f"{where}: {self.fix or 'must be ' + self.describe()}")
            return merged
        for key, item in value.items():
            if key not in self.keys:
                problems.append(f"{where}.{key}: unknown (use {', '.join(self.keys)})")
                continue
            number = self.item.read(item, f"{where}.{key}", problems, example.get(key))
            if number is not INVALID:
                merged[key] = number
        return merged


@dataclass(frozen=True)
class MetricCrs(Rule):
    """A projected CRS in metres, as any text pyproj reads (``"EPSG:26916"``); kept as text."""

    def describe(self) -> str:
        return "a projected CRS in metres such as EPSG:32616"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        from pyproj import CRS  # pyproj loads when a CRS is checked, not with the window
        from pyproj.exceptions import CRSError

        from equityplanner.model.crs import is_metric_projected

        if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > 10_000:
            return _wrong_type(value, where, problems, self, "EPSG:32616", "a CRS")
        try:
            crs = CRS.from_user_input(value)
        except (CRSError, TypeError, ValueError):
            problems.append(f"{where}: {show(value)} is not a known CRS")
            return INVALID
        if not is_metric_projected(crs):
            problems.append(
                f"{where}: {show(value)} is not projected in metres; catchments are in metres "
                "(use e.g. a UTM zone), or leave it empty to choose one"
            )
            return INVALID
        return str(value)


@dataclass(frozen=True)
class AnyCrs(Rule):
    """Any coordinate reference system pyproj reads (``"EPSG:4269"``); kept as text."""

    def describe(self) -> str:
        return "a coordinate reference system such as EPSG:4269"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > 10_000:
            return _wrong_type(value, where, problems, self, "EPSG:4269", "a CRS")
        from pyproj import CRS  # pyproj loads when a CRS is checked, not with the window
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(value.strip() if isinstance(value, str) else value)
        except (CRSError, TypeError, ValueError):
            problems.append(f"{where}: {show(value)} is not a known CRS; give e.g. EPSG:4269")
            return INVALID
        return str(value)


Builder = Callable[[dict[str, Any], str, list[str]], Any]
"""Builds a model value from the valid values read by key (and may add cross-field problems)."""


@dataclass(frozen=True)
class Object(Rule):
    """A nested JSON object read with its own table, then built into a model value.

    ``unknown`` is the fault of a key not in the table (None: such keys are ignored).
    """

    fields: tuple[Field, ...]
    build: Builder
    unknown: str | None = None
    fix: str = ""
    shorthand: str | None = None

    def describe(self) -> str:
        return self.fix or "an object"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if self.shorthand is not None and isinstance(value, str):
            value = {self.shorthand: value}
        if not isinstance(value, Mapping):
            problems.append(f"{where}: {show(value)} is not an object; give {self.describe()}")
            return INVALID
        values = read_object(value, self.fields, where, problems, unknown=self.unknown)
        return self.build(values, where, problems)


@dataclass(frozen=True)
class ObjectList(Rule):
    """A list of objects, each read with ``item`` (kept as a tuple of the built values)."""

    item: Object
    max_items: int = 10_000

    def describe(self) -> str:
        return f"a list of {self.item.describe()}"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, list | tuple):
            problems.append(f"{where}: {show(value)} is not a list; give {self.describe()}")
            return INVALID
        if len(value) > self.max_items:
            problems.append(f"{where}: a list of {len(value):,} items (at most {self.max_items:,})")
            return INVALID
        items = [self.item.read(v, f"{where}[{n}]", problems, None) for n, v in enumerate(value)]
        return tuple(item for item in items if item is not INVALID)


@dataclass(frozen=True)
class Keyed(Rule):
    """An object whose keys are among ``keys`` and whose values are read with ``item``."""

    keys: tuple[str, ...]
    item: Rule

    def describe(self) -> str:
        return f"an object by {', '.join(self.keys)}"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, Mapping):
            problems.append(f"{where}: {show(value)} is not an object; give {self.describe()}")
            return INVALID
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key not in self.keys:
                problems.append(f"{where}.{key}: unknown (use {', '.join(self.keys)})")
                continue
            read = self.item.read(item, f"{where}.{key}", problems, None)
            if read is not INVALID:
                out[key] = read
        return out


@dataclass(frozen=True)
class Field:
    """One key of a JSON object: its rule, default and meaning.

    Attributes
    ----------
    key
        The key in the JSON object (and the attribute of the model's dataclass).
    rule
        How the value is read and checked.
    default
        The value when the key is absent (and the example in a wrong type's fix).
    doc
        What the value means, in a sentence (for documentation and forms).
    blank_is_default
        ``null``, ``""``, ``{}`` and ``[]`` mean the default rather than a fault.
    """

    key: str
    rule: Rule
    default: Any = None
    doc: str = ""
    blank_is_default: bool = False


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | dict | list) and not value)


def read_object(
    raw: Mapping[str, Any],
    fields: Sequence[Field],
    where: str,
    problems: list[str],
    *,
    unknown: str | None = "unknown",
) -> dict[str, Any]:
    """The valid values of ``raw`` by key, read with the table ``fields``.

    Absent and blank (see :attr:`Field.blank_is_default`) keys are left out, as are values
    with a fault; each fault adds one problem. Keys not in the table add the problem
    ``"<key>: <unknown> (known: ...)"``, or are ignored when ``unknown`` is None.
    """
    by_key = {f.key: f for f in fields}
    if unknown is not None:
        known = ", ".join(sorted(by_key))
        problems += [
            f"{key_path(where, str(key))}: {unknown} (known: {known})"
            for key in raw
            if key not in by_key
        ]
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.key not in raw:
            continue
        value = raw[spec.key]
        if spec.blank_is_default and _is_blank(value):
            continue
        read = spec.rule.read(value, key_path(where, spec.key), problems, spec.default)
        if read is not INVALID:
            values[spec.key] = read
    return values
