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
from equityplanner.report.workbook import write_workbook

__all__ = ["find_soffice", "write_council_pdf", "xlsx_to_pdf"]

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
) -> Path:
    """Write the council print set (Decision, Summary, Distribution, Housing, Map,
    Methodology) as one PDF.

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
    return target


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
