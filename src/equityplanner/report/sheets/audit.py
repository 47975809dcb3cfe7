"""The Audit sheet: software version, times, inputs with SHA-256, parameters, every warning."""

from __future__ import annotations

import json
import ntpath
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import PurePath

from equityplanner.io.project_file import parameters_to_dict
from equityplanner.report.layout import SheetSpec
from equityplanner.report.sheets import BookContext, page_setup

__all__ = ["SHEET_NAME", "build_audit"]

SHEET_NAME = "Audit"
_ROLES = {"gtfs_baseline": "GTFS feed (baseline)", "gtfs_proposed": "GTFS feed (proposed)"}


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


def _meanings() -> dict[str, str]:
    """Each parameter key's meaning, from the parameter table."""
    from equityplanner.model.parameter_schema import (
        COMPARISON_FIELDS,
        PARAMETER_FIELDS,
        TITLE_VI_FIELDS,
    )
    from equityplanner.model.travel_model import TRAVEL_MODEL_FIELDS

    out = {f.key: f.doc for f in PARAMETER_FIELDS}
    for prefix, fields in (
        ("title_vi", TITLE_VI_FIELDS),
        ("comparison", COMPARISON_FIELDS),
        ("travel_model", TRAVEL_MODEL_FIELDS),
    ):
        out.update({f"{prefix}.{f.key}": f.doc for f in fields})
    return out


def _base_folder(paths: list[str], by_role: dict[str, str]) -> str | None:
    """The folder input paths are shown relative to: the project file's, else their common one."""
    if "project" in by_role:
        return os.path.dirname(by_role["project"])
    try:
        return os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else None
    except ValueError:  # different drives on Windows
        return None


def _relative(path: str, base: str | None) -> str:
    """A path relative to ``base`` with forward slashes (the file name alone if it cannot be)."""
    if base is None:
        return PurePath(path).name or ntpath.basename(path)
    try:
        return PurePath(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return PurePath(path).name


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
    base = _base_folder([item.path for item in a.inputs], {i.role: i.path for i in a.inputs})
    where = (
        "paths relative to the project file's folder"
        if any(i.role == "project" for i in a.inputs)
        else "paths relative to the inputs' common folder"
    )
    sheet.put_row(row, 1, ["Role", f"File ({where})", "SHA-256"], "header")
    row += 1
    for item in a.inputs:
        role = _ROLES.get(item.role, item.role.replace("_", " ").capitalize())
        sheet.put_row(row, 1, [role, _relative(item.path, base), item.sha256], "wrap")
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
    sheet.put_row(
        row, 1, ["Parameter (its key in the project file)", "Value as saved", "Meaning"], "header"
    )
    row += 1
    meanings = _meanings()
    for key, value in _flatten("", parameters_to_dict(a.parameters)):
        sheet.put(row, 1, key, "text")
        sheet.put(row, 2, value, "wrap")
        sheet.put(row, 3, meanings.get(key, meanings.get(key.split(".")[0], "")), "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, f"Warnings ({len(a.warnings)})", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    for number, warning in enumerate(a.warnings, 1):
        sheet.put(row, 1, f"Warning {number}", "label")
        if base:  # the same relative paths as the inputs above
            warning = warning.replace(base.rstrip("/\\") + os.sep, "")
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
