"""Indicator ids, families and sides: built and parsed here, and nowhere else.

An indicator id is a stable string of the JSON output (``docs/json_output.md``), such as
``"served.low_income"``, ``"title_vi.disparate_impact"`` or
``"title_vi.access.jobs_45min.disproportionate_burden.burdens"``. :class:`IndicatorId` is its
typed form: code builds ids with it and reads them back with :meth:`IndicatorId.parse`
instead of splitting strings.

The grammar, by family (``<...>`` are variable parts; ``[.burdens]`` ends every id of the
burden side of a result that has both sides, see :class:`Side`)::

    served.population                     topic "population"
    served.<group>                        group (resources/groups.toml)
    title_vi.<test>                       topic: a TitleViTest
    title_vi.access.<measure>.<test>      measure (an access measure), topic: a TitleViTest
    title_vi.fare.<test>                  fare (a fare change), topic: a TitleViTest
    distribution.q<n>                     topic "q1" .. "q5" (see IndicatorId.quintile)
    distribution.lowest_two_quintiles     topic
    displacement.vulnerable_population    topic
    segregation.catchment_minority_share  topic
    segregation.<index>.<group>           topic "dissimilarity" or "isolation", group
    housing.<test>                        topic, e.g. "recap"
    access.<measure>                      measure, e.g. "jobs_45min", "clinics_time"
    access.<measure>.<group>              measure, group
    affordability.<topic>                 topic, e.g. "h_plus_t", "transport_cost"
    screening.<topic>                     topic, e.g. "cejst_served", "ejscreen_p_pm25"

Parts are separated by dots; a dot followed by a digit is a decimal point inside a part
(``access.jobs_22.5min`` is the measure ``jobs_22.5min``), since no part starts with a digit.

The families, sides and Title VI tests are the enums of :mod:`equityplanner.model.concepts`
(re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from equityplanner.model.concepts import BURDENS_SUFFIX, IndicatorFamily, Side, TitleViTest

__all__ = [
    "BURDENS_SUFFIX",
    "IndicatorFamily",
    "IndicatorId",
    "Side",
    "TitleViTest",
    "base_id",
    "is_burdens_id",
]

_PART = re.compile(r"[a-z0-9_]+(?:\.[0-9][a-z0-9_]*)*\Z")
_SEPARATOR = re.compile(r"\.(?![0-9])")
_RESERVED = BURDENS_SUFFIX.lstrip(".")
_ACCESS_OF = "access"  # title_vi.access.<measure>.<test>: a Title VI test of an access change
_FARE_OF = "fare"  # title_vi.fare.<test>: a Title VI test of a fare change


@dataclass(frozen=True)
class IndicatorId:
    """The typed form of an indicator id; ``str(id)`` is the string of the outputs.

    Attributes
    ----------
    family
        The indicator family (the id's first part).
    topic
        What is measured within the family (``"population"``, ``"disparate_impact"``,
        ``"q1"``, ``"dissimilarity"``, ``"recap"``, ...); None for a group share
        (``served.<group>``) and for an access measure (``access.<measure>[.<group>]``).
    measure
        The access measure (``"jobs_45min"``, ``"schools_time"``, ``"clinics_2sfca"``) of
        an access indicator or of a Title VI test of an access change.
    group
        The population group (``resources/groups.toml``) the indicator is about, when the id
        names one.
    burdens
        True on the burden side of a result with both sides (the ``.burdens`` suffix).
    fare
        True for a Title VI test of a fare change (``title_vi.fare.<test>``).

    Examples
    --------
    >>> str(IndicatorId(IndicatorFamily.SERVED, group="low_income"))
    'served.low_income'
    >>> IndicatorId.parse("title_vi.access.jobs_22.5min.disparate_impact.burdens").measure
    'jobs_22.5min'
    """

    family: IndicatorFamily
    topic: str | None = None
    measure: str | None = None
    group: str | None = None
    burdens: bool = False
    fare: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", IndicatorFamily(self.family))
        parts = [p for p in (self.topic, self.measure, self.group) if p is not None]
        bad = [p for p in parts if not _PART.match(p)]
        if bad:
            raise ValueError(
                f"indicator id part {bad[0]!r}: use lower-case letters, digits and _ "
                "(a dot only before a digit)"
            )
        if _RESERVED in parts:
            raise ValueError(f"indicator id part {_RESERVED!r} is reserved for the side's suffix")
        if self._parts() is None:
            raise ValueError(f"no {self.family.value} indicator has this shape: {self!r}")

    def _parts(self) -> list[str] | None:
        """The id's parts after the family, or None when the family has no such shape."""
        family, topic, measure, group = self.family, self.topic, self.measure, self.group
        if family is IndicatorFamily.ACCESS:
            return [measure, *([group] if group else [])] if measure and not topic else None
        if family is IndicatorFamily.TITLE_VI:
            if group or not topic or (self.fare and measure):
                return None
            if self.fare:
                return [_FARE_OF, topic]
            return [_ACCESS_OF, measure, topic] if measure else [topic]
        if measure or self.fare:
            return None
        if family is IndicatorFamily.SERVED:
            return [topic] if topic and not group else ([group] if group else None)
        if family is IndicatorFamily.SEGREGATION and topic and group:
            return [topic, group]
        return [topic] if topic and not group else None

    def __str__(self) -> str:
        parts = self._parts()
        assert parts is not None  # checked in __post_init__
        return ".".join([self.family.value, *parts]) + (BURDENS_SUFFIX if self.burdens else "")

    @classmethod
    def parse(cls, text: str) -> IndicatorId:
        """The typed form of an id string (the inverse of ``str()``).

        Raises
        ------
        ValueError
            When the text is not an indicator id of one of the shapes above.
        """
        burdens = text.endswith(BURDENS_SUFFIX)
        base = text[: -len(BURDENS_SUFFIX)] if burdens else text
        family_text, *rest = _SEPARATOR.split(base)
        try:
            family = IndicatorFamily(family_text)
        except ValueError:
            raise ValueError(f"{text!r} is not an indicator id (unknown family)") from None
        fields: dict[str, str] = {}
        is_fare = False
        if family is IndicatorFamily.ACCESS and len(rest) in (1, 2):
            fields = dict(zip(("measure", "group"), rest, strict=False))
        elif family is IndicatorFamily.TITLE_VI and len(rest) == 3 and rest[0] == _ACCESS_OF:
            fields = {"measure": rest[1], "topic": rest[2]}
        elif family is IndicatorFamily.TITLE_VI and len(rest) == 2 and rest[0] == _FARE_OF:
            fields = {"topic": rest[1]}
            is_fare = True
        elif family is IndicatorFamily.SERVED and len(rest) == 1:
            fields = {"topic" if rest[0] in _SERVED_TOPICS else "group": rest[0]}
        elif family is IndicatorFamily.SEGREGATION and len(rest) == 2:
            fields = {"topic": rest[0], "group": rest[1]}
        elif len(rest) == 1 and family is not IndicatorFamily.ACCESS:
            fields = {"topic": rest[0]}
        try:
            parsed = cls(family, burdens=burdens, fare=is_fare, **fields) if fields else None
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an indicator id ({exc})") from None
        if parsed is None or str(parsed) != text:
            raise ValueError(f"{text!r} is not an indicator id of the {family.value} family")
        return parsed

    @property
    def base(self) -> IndicatorId:
        """The same indicator without the burdens suffix."""
        return replace(self, burdens=False)

    def on_side(self, side: Side, *, mixed: bool) -> IndicatorId:
        """This indicator on ``side`` of a result with both sides (``mixed``) or one."""
        return replace(self, burdens=bool(side.id_suffix(mixed=mixed)))

    @property
    def title_vi_test(self) -> TitleViTest | None:
        """The Title VI test of a ``title_vi`` indicator, else None."""
        if self.family is IndicatorFamily.TITLE_VI and self.topic in _TITLE_VI_TESTS:
            return TitleViTest(self.topic)
        return None

    @property
    def quintile(self) -> int | None:
        """The income quintile (1-5) of a ``distribution.q<n>`` indicator, else None."""
        if self.family is IndicatorFamily.DISTRIBUTION and self.topic:
            match = re.fullmatch(r"q([1-9])", self.topic)
            if match:
                return int(match.group(1))
        return None


_SERVED_TOPICS = frozenset({"population"})
_TITLE_VI_TESTS = frozenset(t.value for t in TitleViTest)


def base_id(text: str) -> str:
    """An id string without the burdens suffix.

    >>> base_id("served.minority.burdens")
    'served.minority'
    """
    return text.removesuffix(BURDENS_SUFFIX)


def is_burdens_id(text: str) -> bool:
    """True for an id (or neighbourhood column) of the burden side of a result with both."""
    return text.endswith(BURDENS_SUFFIX)
