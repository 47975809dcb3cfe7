"""Qt-free verdict overview: what each project, scenario and service change finds, adverse first.

:func:`verdicts` sorts the indicators of every result by tone — adverse findings first (the
Title VI tests and displacement ahead of the rest), then those needing attention, then the
beneficial ones, then those finding no difference — and :func:`overview_html` writes the
overview the Results panel shows: a table of every result with its counts, then one section
per result with each adverse and attention-needing finding under its full indicator name, the
rating in words and its tone colour. Text wraps; nothing is cut to a prefix.

Links in the HTML are ``indicator:<result id>:<indicator id>`` and ``result:<result id>``
(:func:`parse_link`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from equityplanner import i18n
from equityplanner.app.presentation import tone
from equityplanner.app.translated import LazyLabels
from equityplanner.i18n import _, ngettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.results import Assessment, Indicator, ProposalResult

__all__ = ["Verdict", "kind_words", "overview_html", "parse_link", "verdicts"]

_ORDER = {"adverse": 0, "caution": 1, "beneficial": 2, "neutral": 3}
_FIRST_FAMILIES = (IndicatorFamily.TITLE_VI, IndicatorFamily.DISPLACEMENT)
_KIND_WORDS = LazyLabels(
    lambda: {
        "project": _("Project"),
        "scenario": _("Scenario"),
        "service_change": _("Service change"),
    }
)


def kind_words(kind: str) -> str:
    """``Project``, ``Scenario`` or ``Service change`` in the current language."""
    return _KIND_WORDS.get(str(kind), str(kind).replace("_", " ").capitalize())


@dataclass(frozen=True)
class Verdict:
    """The findings of one result, sorted: adverse, caution, beneficial, neutral."""

    result: ProposalResult
    adverse: list[Indicator] = field(default_factory=list)
    caution: list[Indicator] = field(default_factory=list)
    beneficial: list[Indicator] = field(default_factory=list)
    neutral: list[Indicator] = field(default_factory=list)

    @property
    def ordered(self) -> list[Indicator]:
        """Every rated indicator, adverse first (context-only indicators left out)."""
        return [*self.adverse, *self.caution, *self.beneficial, *self.neutral]

    @property
    def kind_words(self) -> str:
        """``Project``, ``Scenario`` or ``Service change``."""
        return kind_words(str(self.result.kind))


def _rank(ind: Indicator) -> int:
    return 0 if ind.category in _FIRST_FAMILIES else 1


def verdicts(assessment: Assessment) -> list[Verdict]:
    """One :class:`Verdict` per result, in the assessment's order."""
    out = []
    for result in assessment.results:
        buckets: dict[str, list[Indicator]] = {name: [] for name in _ORDER}
        for ind in result.indicators:
            if ind.tone in buckets:
                buckets[ind.tone].append(ind)
        for name in ("adverse", "caution"):
            buckets[name].sort(key=_rank)  # stable: the indicators' own order within a rank
        out.append(Verdict(result, **buckets))
    return out


def parse_link(link: str) -> tuple[str, str, str]:
    """``indicator:r:i`` → ``("indicator", "r", "i")``; ``result:r`` → ``("result", "r", "")``."""
    kind, _, rest = link.partition(":")
    result_id, _, indicator_id = rest.partition(":")
    return kind, result_id, indicator_id


def _chip(ind: Indicator) -> str:
    t = tone(ind.tone)
    return (
        f'<td width="34%" style="background-color:{t.fill}; color:{t.text}; padding:3px 6px;">'
        f'<span style="color:{t.strong};">■</span> {html.escape(ind.rating_label)}</td>'
    )


def _finding_row(verdict: Verdict, ind: Indicator, *, with_finding: bool) -> str:
    link = f"indicator:{verdict.result.id}:{ind.id}"
    text = f'<a href="{html.escape(link)}">{html.escape(ind.name)}</a>'
    if with_finding and ind.finding:
        text += f'<br><span style="color:#404040;">{html.escape(ind.finding)}</span>'
    return f'<tr>{_chip(ind)}<td style="padding:3px 6px;">{text}</td></tr>'


def _count(text: str, n: int, tone_name: str | None = None) -> str:
    text = html.escape(text.format(count=i18n.format_number(n)))
    if tone_name and n:
        t = tone(tone_name)
        return f'<span style="color:{t.text}; background-color:{t.fill};">&nbsp;{text}&nbsp;</span>'
    return text


def overview_html(assessment: Assessment, *, stale: str | None = None) -> str:
    """The verdict overview of ``assessment`` as HTML (for a QTextBrowser)."""
    all_verdicts = verdicts(assessment)
    parts = ['<html><body style="font-size:10pt;">']
    if stale:
        words = _(
            "These results are out of date: {reason}. Press F5 to run the assessment again."
        ).format(reason=stale)
        parts.append(
            f'<p style="color:#5c4500; background-color:#fff1b0;">⚠ {html.escape(words)}</p>'
        )
    flagged = [v for v in all_verdicts if v.adverse]
    headline = ngettext(
        "{flagged} of {count} proposal has adverse findings.",
        "{flagged} of {count} proposals have adverse findings.",
        len(all_verdicts),
    ).format(flagged=i18n.format_number(len(flagged)), count=i18n.format_number(len(all_verdicts)))
    compared = _("Compared with {population}.").format(population=assessment.comparison_label)
    parts.append(f"<p><b>{html.escape(headline)}</b> {html.escape(compared)}</p>")
    parts.append('<table width="100%" cellspacing="0" cellpadding="3" border="0">')
    headings = [
        _("Proposal"),
        _("Adverse"),
        _("Attention"),
        _("Beneficial"),
        _("No difference"),
    ]
    cells = [f'<th align="left">{html.escape(headings[0])}</th>'] + [
        f'<th align="right">{html.escape(h)}</th>' for h in headings[1:]
    ]
    parts.append('<tr style="background-color:#ececec;">' + "".join(cells) + "</tr>")
    for v in all_verdicts:
        a, c = tone("adverse"), tone("caution")
        adverse = (
            f'<td align="right" style="background-color:{a.fill}; color:{a.text};"><b>'
            f"{len(v.adverse)}</b></td>"
            if v.adverse
            else '<td align="right">0</td>'
        )
        caution = (
            f'<td align="right" style="background-color:{c.fill}; color:{c.text};">'
            f"{len(v.caution)}</td>"
            if v.caution
            else '<td align="right">0</td>'
        )
        parts.append(
            f'<tr><td><a href="#{html.escape(v.result.id)}">{html.escape(v.result.name)}</a>'
            f' <span style="color:#595959;">({v.kind_words.lower()})</span></td>{adverse}'
            f'{caution}<td align="right">{len(v.beneficial)}</td>'
            f'<td align="right">{len(v.neutral)}</td></tr>'
        )
    parts.append("</table>")
    for v in all_verdicts:
        parts.append(f'<a name="{html.escape(v.result.id)}"></a>')
        parts.append(
            f'<h3 style="margin-bottom:2px;">{html.escape(v.kind_words)}: '
            f"{html.escape(v.result.name)}</h3>"
        )
        parts.append(
            "<p style='margin-top:0px;'>"
            + " · ".join(
                [
                    _count(
                        ngettext("{count} adverse", "{count} adverse", len(v.adverse)),
                        len(v.adverse),
                        "adverse",
                    ),
                    _count(
                        ngettext(
                            "{count} needs attention", "{count} need attention", len(v.caution)
                        ),
                        len(v.caution),
                        "caution",
                    ),
                    _count(
                        ngettext("{count} beneficial", "{count} beneficial", len(v.beneficial)),
                        len(v.beneficial),
                    ),
                    _count(
                        ngettext("{count} no difference", "{count} no difference", len(v.neutral)),
                        len(v.neutral),
                    ),
                ]
            )
            + f' · <a href="result:{html.escape(v.result.id)}">'
            + html.escape(_("every indicator and chart"))
            + "</a></p>"
        )
        rows = [
            _finding_row(v, ind, with_finding=ind.category in _FIRST_FAMILIES) for ind in v.adverse
        ] + [_finding_row(v, ind, with_finding=True) for ind in v.caution]
        if rows:
            parts.append('<table width="100%" cellspacing="0" cellpadding="0" border="0">')
            parts.extend(rows)
            parts.append("</table>")
        else:
            parts.append("<p>" + html.escape(_("No adverse finding.")) + "</p>")
        if v.beneficial:
            names = "; ".join(
                f'<a href="indicator:{html.escape(v.result.id)}:{html.escape(i.id)}">'
                f"{html.escape(i.name)}</a> ({html.escape(i.rating_label.lower())})"
                for i in v.beneficial
            )
            label = html.escape(_("Beneficial:"))
            parts.append(f'<p style="color:#404040;"><b>{label}</b> {names}.</p>')
    parts.append("</body></html>")
    return "".join(parts)
