"""The About box's text: version, methods and data credits."""

from __future__ import annotations

from equityplanner._version import __version__
from equityplanner.i18n import _

__all__ = ["about_html"]


def about_html() -> str:
    """Version, what the app does, data credits, methods, colours, Qt and PySide versions."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    return (
        f"<h3>equityplanner {__version__}</h3>"
        + _(
            "<p>Ex-ante equity assessment of proposed housing and transit projects: who gains "
            "and who bears the cost, before anything is built.</p>"
        )
        + _(
            "<p><b>Data credits.</b> Neighbourhood estimates: U.S. Census Bureau, American "
            "Community Survey 5-year estimates; boundaries: U.S. Census Bureau TIGER/Line. The "
            "Magnolia City sample is synthetic and describes no real people.</p>"
        )
        + _(
            "<p><b>Methods.</b> FTA Circular 4702.1B (Title VI), HUD AFFH data documentation "
            "(segregation, R/ECAP), UK DfT TAG unit A4.2 (distributional impacts), ACS "
            "margin-of-error formulas of the Census Bureau.</p>"
        )
        + _(
            "<p><b>Colours.</b> ColorBrewer 2.0 (Cynthia Brewer, Penn State), viridis "
            "(van der Walt and Smith), Okabe-Ito; all colour-blind safe, and every rating "
            "carries its words.</p>"
        )
        + f"<p style='color:#595959'>Qt {qVersion()} · PySide6 {pyside_version} · "
        + _("MIT licence")
        + "</p>"
    )
