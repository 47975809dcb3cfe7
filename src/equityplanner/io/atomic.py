"""Atomic file writing: write a temporary file beside the target, then rename it over.

A failure at any point leaves the previous file untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

from equityplanner.errors import InputError

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text"]


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then move the temporary file onto ``path`` (its result is ignored).

    Raises
    ------
    InputError
        When the folder is missing or not writable, or the target is locked (for example
        a workbook open in Excel on Windows). The old file is kept.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(
            "the folder does not exist", path=target, remedy="Choose an existing folder"
        )
    # A new file gets the usual permissions (0666 less the umask), a replaced file keeps its
    # own: opening with a mode, unlike tempfile.mkstemp's private 0600, respects the umask.
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666
    tmp = folder / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise InputError(
            f"cannot write in this folder ({exc.strerror})",
            path=target,
            remedy="Choose a folder you can write to",
        ) from exc
    os.close(fd)
    if target.is_file():
        with contextlib.suppress(OSError):  # the umask may have masked bits of the old mode
            os.chmod(tmp, mode)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists() and not os.access(target, os.W_OK):
            raise PermissionError(13, "Permission denied", str(target))
        os.replace(tmp, target)
    except PermissionError as exc:
        raise InputError(
            "the file is open in another program or read-only, so it was not replaced",
            path=target,
            remedy="Close it (for example in Excel) or choose another name, then try again",
        ) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
