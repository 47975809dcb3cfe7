"""Writing outputs that respect the target: atomic for files, never over a device.

A regular file (or a new one) is written to a temporary file beside it, flushed to disk and
renamed over the target, so that a failure at any point leaves the previous file untouched;
the target keeps its permissions (and, for root, its owner). A symbolic link is written
through: the file it points to is replaced, the link stays. A named pipe (FIFO) is written
into directly, once a program reads from it. A folder or a device (``/dev/null``,
``/dev/stdout`` on a terminal) is refused: renaming a file over it would replace the device.
Temporary files are removed on failure, and the ones a killed run left behind are removed by
the next write to the same target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from equityplanner.errors import InputError
from equityplanner.io.files import check_path_text, file_kind

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text", "check_output_target"]

# ".<name, cut>.<pid>.<random>.tmp"; the old form ".<name>.<random>.tmp" had no pid.
_TMP = r"^\.(?:{stems})\.(?:(?P<pid>\d+)\.)?(?P<hex>[0-9a-f]{{12}})\.tmp$"
_STEM_CHARS = 100  # of the target's name in the temporary file's, so it stays under NAME_MAX
_STALE_S = 3600.0  # a temporary file without a pid older than this was left by a killed run


def check_output_target(path: str | os.PathLike[str], *, create_folder: bool = False) -> Path:
    """The file an output to ``path`` will be written to.

    Symbolic links are followed to their target. Call it before a long computation so that
    an output that cannot be written is refused first (the command line does, with
    ``create_folder``).

    Parameters
    ----------
    path
        The output as given.
    create_folder
        Create the folder (and its parents) when it does not exist; otherwise a missing
        folder is refused.

    Raises
    ------
    InputError
        For a name no file system can hold, a folder, a device or a socket, a missing
        folder (or one that cannot be created), or a file that exists and cannot be written.
    """
    given = check_path_text(path, "output")
    target = Path(os.path.realpath(given))
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"cannot be written ({exc.strerror})", path=given) from None
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        kind = file_kind(info.st_mode)
        raise InputError(
            f"is {kind}{'' if target == given.absolute() else f' ({target})'}; an output is "
            "written to a file",
            path=given,
            remedy="Give the name of a file to write",
        )
    folder = target.parent
    if create_folder:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the folder ({exc.strerror})",
                path=folder,
                remedy="Choose a folder you can write to",
            ) from None
    if not folder.is_dir():
        raise InputError(
            "the folder does not exist", path=given, remedy="Choose an existing folder"
        )
    if info is not None and stat.S_ISREG(info.st_mode) and not os.access(target, os.W_OK):
        raise InputError(
            "is read-only, so it was not replaced",
            path=given,
            remedy="Make it writable or choose another name",
        )
    return target


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then move the temporary file onto ``path`` (its result is ignored).

    See the module docstring for symbolic links, FIFOs and devices.

    Returns
    -------
    Path
        ``path`` as given.

    Raises
    ------
    InputError
        When the target cannot be written (see :func:`check_output_target`), the folder is
        not writable, the disk is full, or the target is locked (for example a workbook open
        in Excel on Windows). The old file is kept, and no temporary file is left.
    """
    given = Path(path)
    target = check_output_target(given)
    if target.exists() and stat.S_ISFIFO(target.stat().st_mode):
        _write_to_fifo(target, given, write)
        return given
    _remove_stale(target)
    folder = target.parent
    existing = target.stat() if target.is_file() else None
    # A new file gets the usual permissions (0666 less the umask), a replaced file keeps its
    # own: opening with a mode, unlike tempfile.mkstemp's private 0600, respects the umask.
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666
    name = f".{target.name[:_STEM_CHARS]}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
    tmp = folder / name
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise InputError(
            f"cannot write in this folder ({exc.strerror})",
            path=given,
            remedy="Choose a folder you can write to",
        ) from exc
    os.close(fd)
    try:
        if existing is not None:
            with contextlib.suppress(OSError):  # the umask may have masked bits of the old mode
                os.chmod(tmp, mode)
            if hasattr(os, "chown"):  # keeps the owner where allowed (root); else a no-op
                with contextlib.suppress(OSError):
                    os.chown(tmp, existing.st_uid, existing.st_gid)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists() and not os.access(target, os.W_OK):
            raise PermissionError(13, "Permission denied", str(target))
        os.replace(tmp, target)
    except PermissionError as exc:
        raise InputError(
            "the file is open in another program or read-only, so it was not replaced",
            path=given,
            remedy="Close it (for example in Excel) or choose another name, then try again",
        ) from exc
    except OSError as exc:
        raise InputError(
            f"could not be written ({_reason(exc)}); the previous file, if any, is unchanged",
            path=given,
            remedy="Free some disk space or choose another folder, then try again"
            if exc.errno in (errno.ENOSPC, errno.EDQUOT)
            else "Choose another folder or name, then try again",
        ) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return given


def _write_to_fifo(fifo: Path, given: Path, write: Callable[[Path], object]) -> None:
    """Write the output into a named pipe a program reads from (never renamed over it)."""
    try:
        fd = os.open(fifo, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InputError(
                "is a named pipe (FIFO) that no program reads from",
                path=given,
                remedy="Start the program that reads from it first, or write to a file",
            ) from None
        raise InputError(f"cannot be written ({exc.strerror})", path=given) from None
    with tempfile.TemporaryDirectory(prefix="equityplanner-") as scratch:
        tmp = Path(scratch) / "output"
        try:
            write(tmp)
            os.set_blocking(fd, True)
            with open(tmp, "rb") as source, os.fdopen(fd, "wb", closefd=True) as sink:
                fd = -1
                shutil.copyfileobj(source, sink)
        except OSError as exc:
            raise InputError(f"could not be written ({_reason(exc)})", path=given) from exc
        finally:
            if fd >= 0:
                os.close(fd)


def _remove_stale(target: Path) -> None:
    """Remove the temporary files earlier writes to ``target`` left when they were killed."""
    stems = {re.escape(target.name[:_STEM_CHARS]), re.escape(target.name)}
    pattern = re.compile(_TMP.format(stems="|".join(sorted(stems))))
    try:
        names = [entry.name for entry in os.scandir(target.parent) if entry.name.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        stale_file = target.parent / name
        pid = match["pid"]
        if pid is not None:
            if int(pid) == os.getpid() or _alive(int(pid)):
                continue
        else:
            with contextlib.suppress(OSError):
                if now - stale_file.stat().st_mtime < _STALE_S:
                    continue
        with contextlib.suppress(OSError):
            if stale_file.is_file() and not stale_file.is_symlink():
                stale_file.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    return exc.strerror or type(exc).__name__


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
