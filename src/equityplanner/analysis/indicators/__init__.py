"""The indicator families: each module makes the :class:`~equityplanner.model.results.Indicator`
objects of one family, from the methods of :mod:`equityplanner.analysis`.

Two kinds of module share a subject's name, on purpose: ``analysis/<method>.py`` computes
(numbers in, numbers out: ``analysis.title_vi.title_vi_test``), and
``analysis/indicators/<family>.py`` turns the results into indicators with ids, ratings and
findings (``analysis.indicators.title_vi.catchment_test``).

=================  ========================================================================
``served``         people inside a catchment and each group's share
``title_vi``       FTA Title VI tests, on a catchment and on an access change
``distribution``   UK TAG distribution by income quintile
``displacement``   people in neighbourhoods vulnerable to displacement
``segregation``    study-area indices and the catchment's position
``housing``        HUD tests of a housing project's site
``access``         access to opportunity before and after a transit change
``side``           the benefit or burden side every family measures (:class:`SideContext`)
``make``           :func:`make_indicator` and the words from ``resources/*.toml``
=================  ========================================================================

The orchestration (which families apply to which side of which proposal) is in
:mod:`equityplanner.analysis.assess`.
"""

from equityplanner.analysis.indicators.make import (
    make_indicator,
    method_reference,
    rating_words,
    reliability,
    text,
)

__all__ = ["make_indicator", "method_reference", "rating_words", "reliability", "text"]
