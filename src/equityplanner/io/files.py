"""Input files opened honestly: regular files only, read within a bound, JSON within limits.

Every file a user names (a project, a feed, a table, a layer, a ``--mapping`` or ``--params``
file) goes through :func:`regular_file` before anything reads it, so that a folder, a named
pipe (FIFO), a device such as ``/dev/zero``, a path with a part longer than the system allows
or an unreadable file is one clear :class:`~equityplanner.errors.InputError` instead of a
blocked process, memory exhaustion or a traceback. JSON documents are read with
:func:`read_json`: a size bound, UTF-8 only, no ``NaN``/``Infinity``, numbers of sane size,
bounded nesting and no lone surrogates, each fault named with its key path.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> regular_file(folder, "project file")
Traceback (most recent call last):
...
equityplanner.errors.InputError: ...: project file is a folder, not a file. Give the path of a file.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from equityplanner.errors import InputError
from equityplanner.model.results import InputFile

__all__ = [
    "MAX_DIGITS",
    "MAX_JSON_BYTES",
    "MAX_NAME_BYTES",
    "MAX_NESTING",
    "MAX_STRING",
    "check_json_value",
    "check_path_text",
    "file_kind",
    "read_bounded",
    "read_json",
    "regular_file",
    "relative_inputs",
]

MAX_JSON_BYTES: Final[int] = 256 * 1024 * 1024
"""The largest JSON document read (a project file with many detailed project geometries)."""

MAX_NESTING: Final[int] = 64
"""The deepest nesting of JSON arrays and objects accepted (GeoJSON needs about 8)."""

MAX_DIGITS: Final[int] = 30
"""The most digits a JSON integer may have (beyond, it is no count a project can mean)."""

MAX_STRING: Final[int] = 1_000_000
"""The longest JSON string accepted, in characters."""

MAX_NAME_BYTES: Final[int] = 255
"""The longest part of a path most file systems allow, in bytes (NAME_MAX)."""

_MAX_PATH_BYTES: Final[int] = 4096


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words: ``"a folder"``, ``"a named pipe (FIFO)"``..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a file"
    return "not a regular file"


def check_path_text(path: str | os.PathLike[str], role: str) -> Path:
    """``path`` as a :class:`Path`, refused when no file system could hold it.

    Raises
    ------
    InputError
        For an empty path, a NUL character, a character that cannot be a file name here (a
        lone surrogate), a part longer than :data:`MAX_NAME_BYTES` bytes or a path longer
        than 4096 bytes.
    """
    text = os.fspath(path)
    shown = _shown(text)
    if not text:
        raise InputError(f"{role}: the path is empty", remedy="Give the path of a file")
    if "\0" in text:
        raise InputError(
            f"{role}: the path {shown} holds a NUL character", remedy="Correct the path"
        )
    try:
        raw = os.fsencode(text)
    except UnicodeError:
        raise InputError(
            f"{role}: the path {shown} holds characters no file name can have here",
            remedy="Correct the path",
        ) from None
    if len(raw) > _MAX_PATH_BYTES:
        raise InputError(
            f"{role}: the path is {len(raw)} bytes long, more than the {_MAX_PATH_BYTES} a "
            "path can have",
            path=shown[:80] + "…",
            remedy="Give a shorter path",
        )
    for part in raw.split(b"/"):
        if len(part) > MAX_NAME_BYTES:
            name = part.decode(errors="replace")
            raise InputError(
                f"{role}: a part of the path is {len(part)} bytes long, more than the "
                f"{MAX_NAME_BYTES} a file name can have ({name[:40]}…)",
                remedy="Give a shorter file or folder name",
            )
    return Path(text)


def regular_file(path: str | os.PathLike[str], role: str, *, allow_folder: bool = False) -> Path:
    """``path`` if it names a readable regular file (or, with ``allow_folder``, a folder).

    Symbolic links are followed. Nothing is opened except to check that it can be read.

    Parameters
    ----------
    path
        The path as given.
    role
        What the file is, for the message (``"project file"``, ``"GTFS feed"``).
    allow_folder
        A folder is accepted too (a GTFS feed as its folder of ``.txt`` files).

    Raises
    ------
    InputError
        For a missing path, a folder (unless allowed), a FIFO, a device, a socket, a path
        no file system can hold, or a file that cannot be read.
    """
    file = check_path_text(path, role)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InputError(f"{role} not found", path=file, remedy="Check the path") from None
    except OSError as exc:
        raise InputError(
            f"{role} cannot be reached ({_reason(exc)})", path=file, remedy="Check the path"
        ) from None
    if stat.S_ISDIR(info.st_mode) and allow_folder:
        if not os.access(file, os.R_OK | os.X_OK):
            raise InputError(
                f"{role} is a folder that cannot be read (permission denied)",
                path=file,
                remedy="Check the folder's permissions",
            )
        return file
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{role} is {file_kind(info.st_mode)}, not a file",
            path=file,
            remedy="Give the path of a file"
            + (" or of the folder of its files" if allow_folder else ""),
        )
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(
            f"{role} cannot be read ({_reason(exc)})",
            path=file,
            remedy="Check the file's permissions",
        ) from None
    os.close(fd)
    return file


def read_bounded(path: str | os.PathLike[str], role: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking and checked once open, so a path swapped for a FIFO
    or a device between the check and the read is refused all the same.

    Raises
    ------
    InputError
        As :func:`regular_file`, and for a file larger than ``limit``.
    """
    file = regular_file(path, role)
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{role} cannot be read ({_reason(exc)})", path=file) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{role} is {file_kind(info.st_mode)}, not a file", path=file)
        if info.st_size > limit:
            raise InputError(
                f"{role} is {info.st_size:,} bytes, more than the {limit:,} read",
                path=file,
                remedy="Check that this is the right file",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputError(f"{role} is larger than the {limit:,} bytes read", path=file)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"{role} cannot be read ({_reason(exc)})", path=file) from None
    finally:
        os.close(fd)


class _JsonFault(ValueError):
    """A value JSON allows but a project cannot mean (raised from the parser's hooks)."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _JsonFault(f"a whole number of {digits} digits (at most {MAX_DIGITS} are read)")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonFault(f"the number {text[:40]} is too large to be read")
    return value


def _parse_constant(text: str) -> float:
    raise _JsonFault(f"{text} is not a JSON number (write null, or a number)")


def read_json(
    path: str | os.PathLike[str],
    role: str,
    *,
    limit: int = MAX_JSON_BYTES,
    remedy: str = "Fix the JSON syntax or restore the previous copy",
) -> Any:
    """A JSON document read from a regular file, within the limits of this module.

    Raises
    ------
    InputError
        For a path that is no readable file (:func:`regular_file`), a file over ``limit``
        bytes, text that is not UTF-8 or not JSON, ``NaN``/``Infinity``, a number too large
        (more than :data:`MAX_DIGITS` digits, or beyond a float), nesting deeper than
        :data:`MAX_NESTING`, a string longer than :data:`MAX_STRING` or holding a lone
        surrogate (``"\\ud800"``); the message names the key path where there is one.
    """
    data = read_bounded(path, role, limit)
    file = Path(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{role} is not UTF-8 text (byte {exc.start})",
            path=file,
            remedy="Save the file as UTF-8",
        ) from None
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{role} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            path=file,
            remedy=remedy,
        ) from None
    except _JsonFault as exc:
        raise InputError(f"{role} holds {exc}", path=file, remedy="Correct the value") from None
    except RecursionError:
        raise InputError(
            f"{role} nests arrays or objects too deeply",
            path=file,
            remedy=f"A project nests at most {MAX_NESTING} levels; check the file",
        ) from None
    check_json_value(value, file, role)
    return value


def check_json_value(value: Any, path: Path | None, role: str) -> None:
    """Refuse nesting deeper than :data:`MAX_NESTING`, over-long strings and lone surrogates.

    Walks the value without recursion, so that any depth is checked safely.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item, where, path, role)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_NESTING:
            raise InputError(
                f"{role} nests arrays or objects more than {MAX_NESTING} levels deep",
                path=path,
                location=where or None,
                remedy="Check the file; a project nests only a few levels",
            )
        if isinstance(item, dict):
            for key, child in item.items():
                _check_string(key, where, path, role)
                stack.append((child, f"{where}.{key}" if where else str(key), depth + 1))
        else:
            stack.extend((child, f"{where}[{n}]", depth + 1) for n, child in enumerate(item))


def _check_string(text: str, where: str, path: Path | None, role: str) -> None:
    if len(text) > MAX_STRING:
        raise InputError(
            f"{role} holds a text of {len(text):,} characters (at most {MAX_STRING:,})",
            path=path,
            location=where or None,
            remedy="Check the file",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"{role} holds a text with an invalid character (a lone surrogate such as \\ud800)",
            path=path,
            location=_shown(where) if where else None,
            remedy="Correct or remove the character",
        ) from None


def relative_inputs(inputs: Sequence[InputFile], base: Path | None) -> list[InputFile]:
    """The input records with ``relative_path`` set: relative to ``base``'s folder.

    ``base`` is the project file (None: the working folder). Paths on another drive keep an
    empty ``relative_path``; a published report then shows the file's name alone.
    """
    folder = base.parent if base is not None else Path.cwd()
    out = []
    for record in inputs:
        try:
            relative = Path(os.path.relpath(record.path, folder)).as_posix()
        except ValueError:
            relative = ""
        out.append(replace(record, relative_path=relative))
    return out


def _shown(text: str) -> str:
    """Text safe to print: lone surrogates and control characters escaped."""
    return repr(text.encode("utf-8", "backslashreplace").decode("utf-8"))[1:-1]


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is too long"
    if exc.errno == errno.ELOOP:
        return "too many symbolic links"
    return exc.strerror or type(exc).__name__
