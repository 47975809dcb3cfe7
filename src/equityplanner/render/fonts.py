"""The map's typeface: one set of TrueType files, used by both surfaces.

Both the picture (Pillow) and the canvas (Qt, through ``QFontDatabase.addApplicationFont``)
load the same files, so text has the same shapes and nearly the same widths in both, and the
legend lays out the same. Carlito is first: it has the metrics of Calibri, Excel's default
font, so the picture sits well in the workbook. When none of the families is installed,
:func:`font_files` returns None and each surface falls back to its own default font
(Pillow's bundled one, Qt's application font).

Both surfaces also take the height of a line from the same place (:func:`line_metrics`),
so that wrapped text and legend rows are spaced alike.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FAMILIES", "FontFiles", "font_files", "line_metrics"]

FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    # family: style -> file names (the first found is used)
    "Carlito": {
        "regular": ("Carlito-Regular.ttf",),
        "bold": ("Carlito-Bold.ttf",),
        "italic": ("Carlito-Italic.ttf",),
        "bold_italic": ("Carlito-BoldItalic.ttf",),
    },
    "Calibri": {
        "regular": ("calibri.ttf", "Calibri.ttf"),
        "bold": ("calibrib.ttf", "Calibri Bold.ttf"),
        "italic": ("calibrii.ttf", "Calibri Italic.ttf"),
        "bold_italic": ("calibriz.ttf", "Calibri Bold Italic.ttf"),
    },
    "Liberation Sans": {
        "regular": ("LiberationSans-Regular.ttf",),
        "bold": ("LiberationSans-Bold.ttf",),
        "italic": ("LiberationSans-Italic.ttf",),
        "bold_italic": ("LiberationSans-BoldItalic.ttf",),
    },
    "DejaVu Sans": {
        "regular": ("DejaVuSans.ttf",),
        "bold": ("DejaVuSans-Bold.ttf",),
        "italic": ("DejaVuSans-Oblique.ttf",),
        "bold_italic": ("DejaVuSans-BoldOblique.ttf",),
    },
}


@dataclass(frozen=True)
class FontFiles:
    """The TrueType files of one family, by style."""

    family: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

    def path(self, *, bold: bool = False, italic: bool = False) -> Path:
        """The file of a style."""
        if bold and italic:
            return self.bold_italic
        return self.bold if bold else self.italic if italic else self.regular

    def all(self) -> tuple[Path, ...]:
        """Every file, regular first."""
        return (self.regular, self.bold, self.italic, self.bold_italic)


def _font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [
        home / ".local" / "share" / "fonts",
        home / ".fonts",
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path("/Library/Fonts"),
        home / "Library" / "Fonts",
        Path("/System/Library/Fonts"),
    ]
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        dirs.insert(0, windir / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.insert(0, Path(local) / "Microsoft" / "Windows" / "Fonts")
    return [d for d in dirs if d.is_dir()]


@cache
def font_files() -> FontFiles | None:
    """The first family of :data:`FAMILIES` with all four styles installed, or None.

    ``EQUITYPLANNER_FONT_DIR`` names a folder searched first (for a bundled or a test font).
    """
    dirs = _font_dirs()
    extra = os.environ.get("EQUITYPLANNER_FONT_DIR")
    if extra:
        dirs.insert(0, Path(extra))
    index: dict[str, Path] = {}
    for folder in dirs:
        for path in sorted(folder.rglob("*.[tT][tT][fF]")):
            index.setdefault(path.name.lower(), path)
    for family, styles in FAMILIES.items():
        found: dict[str, Path] = {}
        for style, names in styles.items():
            for name in names:
                if name.lower() in index:
                    found[style] = index[name.lower()]
                    break
        if len(found) == 4:
            return FontFiles(family, **found)
    return None


_REFERENCE_PX = 1000  # metrics read at a large size, then scaled: no rounding to whole pixels


@cache
def _em_metrics(bold: bool, italic: bool) -> tuple[float, float] | None:
    files = font_files()
    if files is None:
        return None
    face = ImageFont.truetype(str(files.path(bold=bold, italic=italic)), _REFERENCE_PX)
    ascent, descent = face.getmetrics()
    return ascent / _REFERENCE_PX, descent / _REFERENCE_PX


def line_metrics(
    size_px: float, *, bold: bool = False, italic: bool = False
) -> tuple[float, float] | None:
    """Ascent and descent of a line of the map's font at ``size_px`` pixels (None when the
    map's font files are missing and each surface uses its own default font)."""
    em = _em_metrics(bold, italic)
    return None if em is None else (em[0] * size_px, em[1] * size_px)
