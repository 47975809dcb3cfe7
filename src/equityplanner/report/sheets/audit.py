"""The Audit sheet: software version, times, inputs with SHA-256, parameters, every warning."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata

from equityplanner.io.project_file import parameters_to_dict
from equityplanner.report.layout import SheetSpec
from equityplanner.report.sheets import BookContext, page_setup

__all__ = ["SHEET_NAME", "build_audit"]

SHEET_NAME = "Audit"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _flatten(prefix: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            out += _flatten(f"{prefix}.{key}" if prefix else str(key), item)
        return out
    if value is None:
        return [(prefix, "Not set")]
    if isinstance(value, str):
        return [(prefix, value)]
    return [(prefix, json.dumps(value, ensure_ascii=False, allow_nan=True))]


def build_audit(ctx: BookContext) -> SheetSpec:
    """Lay out the Audit sheet."""
    a = ctx.assessment
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="7F7F7F")
    page_setup(ctx, sheet, "Audit trail")
    for col, width in enumerate((36, 80, 70), 1):
        sheet.column_widths[col] = width
    sheet.put(1, 1, "Audit trail", "title")
    row = 3
    facts = [
        ("Software", f"equityplanner {a.software_version}"),
        ("Python", platform.python_version()),
        (
            "Libraries",
            f"pandas {_version('pandas')}, numpy {_version('numpy')}, shapely "
            f"{_version('shapely')}, "
            f"pyproj {_version('pyproj')}, openpyxl {_version('openpyxl')}",
        ),
        ("Assessment run (UTC)", a.created),
        ("Workbook written (UTC)", datetime.now(UTC).replace(microsecond=0).isoformat()),
        ("Title", a.metadata.title),
        ("Prepared by", a.metadata.author or "Not stated"),
        ("Organisation", a.metadata.organisation or "Not stated"),
        ("Comparison population", a.comparison_label),
        ("Projected CRS", a.projected_crs),
        ("Data vintage", a.vintage or "Not stated"),
    ]
    for label, value in facts:
        sheet.put(row, 1, label, "label")
        sheet.put(row, 2, value, "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, "Inputs", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put_row(row, 1, ["Role", "File", "SHA-256"], "header")
    row += 1
    for item in a.inputs:
        sheet.put_row(row, 1, [item.role, item.path, item.sha256], "wrap")
        row += 1
    if not a.inputs:
        sheet.put(
            row,
            1,
            "No input files were recorded (the assessment was made from data in memory).",
            "note",
        )
        row += 1
    row += 1
    sheet.put(row, 1, "Parameters", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put_row(row, 1, ["Parameter", "Value (as saved in the project file)"], "header")
    row += 1
    for key, value in _flatten("", parameters_to_dict(a.parameters)):
        sheet.put(row, 1, key, "text")
        sheet.put(row, 2, value, "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, f"Warnings ({len(a.warnings)})", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    for number, warning in enumerate(a.warnings, 1):
        sheet.put(row, 1, f"Warning {number}", "label")
        sheet.put(row, 2, warning, "wrap")
        sheet.merge(row, 2, row, 3)
        row += 1
    if not a.warnings:
        sheet.put(row, 1, "No warnings.", "note")
        row += 1
    if ctx.map_note:
        row += 1
        sheet.put(row, 1, "Map", "label")
        sheet.put(row, 2, ctx.map_note, "wrap")
    return sheet
