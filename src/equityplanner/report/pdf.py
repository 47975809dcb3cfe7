"""The council print set as a PDF, exported with LibreOffice (``soffice``) when it is installed.

The workbook is written with its appendices hidden (``print_set=True``: hidden sheets still
calculate but are not printed), converted by LibreOffice headless in a profile of its own and
under a time limit, and the PDF is checked to exist (LibreOffice exits 0 even when it
converted nothing) before it replaces the target. Without LibreOffice an
:class:`~equityplanner.errors.InputError` says so; the workbook's own print setup still
gives the same pages from Excel or LibreOffice (print the visible sheets).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from equityplanner.errors import InputError
from equityplanner.model.results import Assessment, ProposalResult
from equityplanner.report.community_summary import CommunitySummary
from equityplanner.report.workbook import write_workbook

__all__ = ["find_soffice", "write_community_pdfs", "write_council_pdf", "xlsx_to_pdf"]

TIMEOUT_S = 300


def find_soffice() -> str | None:
    """The LibreOffice program (``soffice`` or ``libreoffice``) on the PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_council_pdf(
    assessment: Assessment,
    path: str | Path,
    *,
    map_field: str | None = None,
    compare: bool | Sequence[str | ProposalResult] | None = None,
    community_summary: bool = True,
) -> Path:
    """Write the council print set (Decision, Summary, Distribution, Housing, Map,
    Methodology) as one PDF; with ``community_summary``, the residents' summaries too, beside
    it as ``<stem>.summary.en.pdf`` and ``<stem>.summary.es.pdf``
    (:func:`write_community_pdfs`).

    Raises
    ------
    InputError
        When LibreOffice is not installed, the conversion fails or times out, or the target
        cannot be written.
    """
    target = Path(path)
    with tempfile.TemporaryDirectory(prefix="equityplanner_pdf_") as tmp:
        folder = Path(tmp)
        workbook = write_workbook(
            assessment,
            folder / f"{target.stem or 'council'}.xlsx",
            map_field=map_field,
            compare=compare,
            print_set=True,
            community_summary=False,
        )
        pdf = xlsx_to_pdf(workbook, folder)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf, target)
        except OSError as exc:
            raise InputError(
                f"the PDF could not be written ({exc.strerror or exc})",
                path=target,
                remedy="Check that the file is not open and the folder can be written",
            ) from exc
    if community_summary:
        write_community_pdfs(assessment, target)
    return target


def write_community_pdfs(assessment: Assessment, beside: str | Path) -> list[Path]:
    """The residents' summaries as PDFs beside ``beside``: ``<stem>.summary.<language>.pdf``.

    Each HTML summary is printed by LibreOffice Writer; where LibreOffice has no Writer (a
    Calc-only install), the summary's workbook sheet is printed instead. Each PDF is written
    atomically. Returns the paths written, English first.
    """
    from equityplanner.io.atomic import atomic_write_bytes
    from equityplanner.report.community_summary import (
        build_community_summary,
        community_summary_html,
        community_summary_paths,
    )

    written = []
    targets = community_summary_paths(beside, "pdf")
    with tempfile.TemporaryDirectory(prefix="equityplanner_summary_") as tmp:
        folder = Path(tmp)
        for code, target in targets.items():
            summary = build_community_summary(assessment, code)
            page = folder / f"{target.stem}.html"
            page.write_text(community_summary_html(summary), encoding="utf-8")
            try:
                pdf = xlsx_to_pdf(page, folder / "writer")
            except InputError:
                pdf = xlsx_to_pdf(_summary_workbook(assessment, summary, folder), folder / "calc")
            try:
                written.append(atomic_write_bytes(target, pdf.read_bytes()))
            except OSError as exc:
                raise InputError(
                    f"the summary PDF could not be written ({exc.strerror or exc})",
                    path=target,
                    remedy="Check that the file is not open and the folder can be written",
                ) from exc
    return written


def _summary_workbook(assessment: Assessment, summary: CommunitySummary, folder: Path) -> Path:
    """A workbook of the summary's sheet alone, for LibreOffice Calc to print."""
    from equityplanner.report.layout import DocumentProperties, WorkbookSpec, autofit_rows
    from equityplanner.report.sheets import BookContext
    from equityplanner.report.sheets.community import COMMUNITY_STYLES, build_community_sheet
    from equityplanner.report.writer import save_workbook

    sheet = build_community_sheet(
        BookContext(assessment=assessment, header=assessment.metadata.title),
        summary,
    )
    autofit_rows(sheet, COMMUNITY_STYLES)
    spec = WorkbookSpec(
        [sheet], dict(COMMUNITY_STYLES), DocumentProperties(assessment.metadata.title, "", "")
    )
    return save_workbook(spec, folder / f"summary_{summary.language}.xlsx")


def xlsx_to_pdf(workbook: Path, folder: Path) -> Path:
    """Convert a workbook to PDF with LibreOffice headless into ``folder``; the PDF's path."""
    soffice = find_soffice()
    if soffice is None:
        raise InputError(
            "LibreOffice (soffice) is not installed, so no PDF can be exported",
            remedy="Install LibreOffice, or print the workbook's visible sheets from Excel",
        )
    profile = folder / "lo_profile"
    out = folder / "pdf"
    command = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(workbook),
    ]
    env = {**os.environ, "HOME": str(folder)}  # LibreOffice writes its caches under HOME
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(
            f"LibreOffice did not finish the PDF within {TIMEOUT_S} s",
            remedy="Try again; close other LibreOffice windows first",
        ) from exc
    pdf = out / f"{workbook.stem}.pdf"
    if not pdf.exists():
        raise InputError(
            f"LibreOffice wrote no PDF (exit {done.returncode}): {done.stderr.strip()[-300:]}",
            remedy="Check that LibreOffice Calc is installed (libreoffice-calc)",
        )
    return pdf
