"""Qt-free autosave: one autosave per window, recovered after a crash, never lost to another window.

Where the autosaves live
    A saved project's autosave sits next to it: ``plan.eqp.json.autosave`` (the *plain*
    sidecar, taken by the first window that autosaves the project) or
    ``plan.eqp.json.<instance>.autosave`` (a second window with the same project open). A
    project never saved is autosaved in the user's data folder (:func:`user_data_folder`):
    ``autosave/untitled-<instance>.eqp.json``.

Who owns them
    Each window is an :class:`Instance`: a small record ``instances/<instance>.json`` in the
    data folder, locked by the OS while the window's process runs (so a crash releases it),
    naming the project the window has open and its autosave. An autosave belongs to the
    instance whose record names it; it is *live* while that instance runs. A window deletes
    only its own autosaves, and those whose owner is gone (closed or crashed), never those of a
    window still running (:func:`find_autosaves` says whose each one is).

Permissions
    An autosave gets the project file's permission bits (a project readable by its owner only
    gives an autosave readable by its owner only); an untitled project's is ``0600``. The file
    is created with those bits before anything is written, so its content is never readable by
    more people than the project's.

Every file is written atomically with :func:`~equityplanner.io.project_file.save_project`, so a
crash while autosaving never leaves a broken file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import glob
import json
import os
import socket
import stat
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from equityplanner import i18n
from equityplanner.io.project_file import save_project
from equityplanner.model.project import ProjectDocument

__all__ = [
    "AutosaveFile",
    "Instance",
    "find_autosaves",
    "has_newer_autosave",
    "project_group",
    "project_mode",
    "remove_autosave",
    "sidecar_path",
    "user_data_folder",
    "write_autosave",
]

SUFFIX = ".autosave"
DATA_FOLDER_VARIABLE = "EQUITYPLANNER_DATA_DIR"
UNTITLED_MODE = 0o600
_LOCK_OFFSET = 1 << 20  # Windows locks a byte range: lock one far past the record's text


def user_data_folder() -> Path:
    """The user's data folder for equityplanner (``$EQUITYPLANNER_DATA_DIR`` when set).

    ``%LOCALAPPDATA%\\equityplanner`` on Windows, ``~/Library/Application Support/equityplanner``
    on macOS, ``$XDG_DATA_HOME/equityplanner`` (``~/.local/share/equityplanner``) elsewhere.
    """
    if os.environ.get(DATA_FOLDER_VARIABLE):
        return Path(os.environ[DATA_FOLDER_VARIABLE])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "equityplanner"


def sidecar_path(project_path: str | Path, instance: str | None = None) -> Path:
    """``/x/plan.eqp.json`` → ``/x/plan.eqp.json.autosave`` (``….<instance>.autosave``)."""
    path = Path(project_path)
    middle = f".{instance}" if instance else ""
    return path.with_name(f"{path.name}{middle}{SUFFIX}")


def project_mode(project_path: str | Path | None) -> int:
    """The permission bits an autosave of this project gets: the file's, else ``0600``."""
    try:
        return stat.S_IMODE(Path(project_path).stat().st_mode) & 0o666 if project_path else 0o600
    except OSError:
        return UNTITLED_MODE


def write_autosave(
    document: ProjectDocument, project_path: str | Path, target: str | Path | None = None
) -> Path:
    """Save ``document`` as an autosave of ``project_path`` (atomically, with its permissions).

    ``target`` is where (the plain sidecar by default).
    """
    target = Path(target) if target is not None else sidecar_path(project_path)
    return write_private(document, target, project_mode(project_path), project_group(project_path))


def write_private(
    document: ProjectDocument, target: Path, mode: int, group: int | None = None
) -> Path:
    """Save ``document`` to ``target`` with exactly the permission bits ``mode``.

    The file is made with those bits before the document is written, and the atomic write
    keeps the bits of the file it replaces, so no copy is ever more readable than ``mode``.
    ``group`` (POSIX) gives it the project file's group too, when the user may.
    """
    # Until the file has the project's group, only its owner may read it.
    regroup = group is not None and hasattr(os, "chown")
    first = mode & 0o700 if regroup else mode
    if not target.exists():
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, first)
        os.close(fd)
    os.chmod(target, first)  # the umask may have taken bits away; an old file may have others
    written = save_project(document, target)
    if regroup and group is not None:
        with contextlib.suppress(OSError):  # not a member of that group: the folder's stays
            os.chown(written, -1, group)
        os.chmod(written, mode)
    return written


def project_group(project_path: str | Path | None) -> int | None:
    """The group of the project file (POSIX), or None."""
    try:
        return Path(project_path).stat().st_gid if project_path else None
    except OSError:
        return None


def has_newer_autosave(project_path: str | Path) -> bool:
    """True when the plain sidecar exists and is newer than the project file (or it is gone)."""
    return _is_newer(sidecar_path(project_path), Path(project_path))


def remove_autosave(project_path: str | Path | None, instance: str | None = None) -> None:
    """Delete the plain sidecar (or the instance's) if there is one."""
    if project_path is None:
        return
    with contextlib.suppress(FileNotFoundError):
        sidecar_path(project_path, instance).unlink()


def _is_newer(autosave: Path, project: Path) -> bool:
    try:
        info = autosave.stat()
    except OSError:
        return False
    if info.st_size == 0:  # made, never written (a crash in between)
        return False
    try:
        return info.st_mtime > project.stat().st_mtime
    except OSError:
        return True  # the project file is gone: the autosave is all there is


# Instances ---------------------------------------------------------------------------------


def _lock(handle: IO[str], *, blocking: bool) -> bool:
    """Lock the record open in ``handle``; False when another handle holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            handle.seek(0)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            handle.seek(_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Instance:
    """One running window: its record in ``<data>/instances``, locked while it lives.

    Parameters
    ----------
    data_folder
        The user's data folder (:func:`user_data_folder` by default).

    Raises
    ------
    OSError
        When the data folder cannot be made or written.
    """

    def __init__(self, data_folder: str | Path | None = None) -> None:
        self.data_folder = Path(data_folder) if data_folder is not None else user_data_folder()
        self.id = uuid.uuid4().hex[:12]
        self.project: Path | None = None
        self.autosave: Path | None = None
        for folder in (self.data_folder, self.instances_folder, self.autosave_folder):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.record = self.instances_folder / f"{self.id}.json"
        fd = os.open(self.record, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self._handle: IO[str] | None = os.fdopen(fd, "r+", encoding="utf-8")
        _lock(self._handle, blocking=True)
        self._write_record()
        clean_dead_records(self.data_folder)

    @property
    def instances_folder(self) -> Path:
        """Where the records of running windows are."""
        return self.data_folder / "instances"

    @property
    def autosave_folder(self) -> Path:
        """Where projects never saved are autosaved."""
        return self.data_folder / "autosave"

    @property
    def untitled_path(self) -> Path:
        """This window's autosave of a project never saved."""
        return self.autosave_folder / f"untitled-{self.id}.eqp.json"

    @property
    def alive(self) -> bool:
        """True until :meth:`release`."""
        return self._handle is not None

    def claim(self, project: Path | None, autosave: Path | None) -> None:
        """Record the project this window has open and its autosave (None: none)."""
        project = Path(project).resolve() if project is not None else None
        autosave = Path(autosave).resolve() if autosave is not None else None
        if (project, autosave) != (self.project, self.autosave):
            self.project, self.autosave = project, autosave
            self._write_record()

    def release(self) -> None:
        """The window closes: unlock and delete the record (its autosaves are its to delete)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            self.record.unlink()
        _unlock(handle)
        handle.close()

    def _write_record(self) -> None:
        if self._handle is None:
            return
        data = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": _user(),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "project": str(self.project) if self.project else None,
            "autosave": str(self.autosave) if self.autosave else None,
        }
        handle = self._handle
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(data))
        handle.flush()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


@dataclass(frozen=True)
class InstanceRecord:
    """What a window's record says, and whether that window still runs."""

    id: str
    alive: bool
    project: Path | None
    autosave: Path | None
    pid: int | None = None
    host: str = ""


def read_records(data_folder: str | Path | None = None) -> list[InstanceRecord]:
    """The records of the windows of this user, running or not."""
    folder = Path(data_folder or user_data_folder()) / "instances"
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            handle = open(path, "r+", encoding="utf-8")
        except OSError:
            continue
        with handle:
            dead = _lock(handle, blocking=False)
            try:
                data: dict[str, Any] = json.loads(handle.read() or "{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                data = {}
            if dead:
                _unlock(handle)
        records.append(
            InstanceRecord(
                id=path.stem,
                alive=not dead,
                project=Path(data["project"]) if data.get("project") else None,
                autosave=Path(data["autosave"]) if data.get("autosave") else None,
                pid=data.get("pid"),
                host=str(data.get("host") or ""),
            )
        )
    return records


def clean_dead_records(data_folder: str | Path | None = None) -> None:
    """Delete the records of windows gone whose autosave is gone too."""
    folder = Path(data_folder or user_data_folder()) / "instances"
    for record in read_records(data_folder):
        if not record.alive and (record.autosave is None or not record.autosave.exists()):
            with contextlib.suppress(OSError):
                (folder / f"{record.id}.json").unlink()


# Finding autosaves -------------------------------------------------------------------------


@dataclass(frozen=True)
class AutosaveFile:
    """An autosave found for a project, and whose it is.

    ``owner`` is the instance that wrote it (None when no record names it: a window of an older
    version, or of another user); ``owner_alive`` is True while that window runs. ``mine``
    says whether this user may delete it: its owner is gone and the file is the user's.
    """

    path: Path
    project: Path | None
    owner: str | None
    owner_alive: bool
    mtime: float

    @property
    def deletable(self) -> bool:
        """True when nobody running owns it and the file is this user's."""
        if self.owner_alive:
            return False
        if hasattr(os, "getuid"):
            try:
                return self.path.stat().st_uid == os.getuid()
            except OSError:
                return False
        return True

    @property
    def when(self) -> str:
        """When it was written, as people read it in the current language (Nov 30, 2026 14:05;
        30 nov 2026 14:05)."""
        moment = dt.datetime.fromtimestamp(self.mtime)
        return f"{i18n.format_date(moment.date(), 'medium')} {moment:%H:%M}"


def _owners(records: list[InstanceRecord]) -> dict[Path, InstanceRecord]:
    return {r.autosave.resolve(): r for r in records if r.autosave is not None}


def _found(path: Path, project: Path | None, owners: dict[Path, InstanceRecord]) -> AutosaveFile:
    record = owners.get(path.resolve())
    return AutosaveFile(
        path=path,
        project=project,
        owner=record.id if record is not None else None,
        owner_alive=record.alive if record is not None else False,
        mtime=path.stat().st_mtime,
    )


def find_autosaves(
    project_path: str | Path,
    *,
    data_folder: str | Path | None = None,
    exclude: tuple[Path, ...] = (),
    newer_only: bool = True,
) -> list[AutosaveFile]:
    """The autosaves of a project (plain and per window), newest first.

    ``exclude`` leaves out the caller's own; ``newer_only`` keeps those newer than the file.
    """
    project = Path(project_path).resolve()
    pattern = glob.escape(project.name)
    names = [*project.parent.glob(pattern + SUFFIX), *project.parent.glob(f"{pattern}.*{SUFFIX}")]
    owners = _owners(read_records(data_folder))
    skip = {p.resolve() for p in exclude}
    found = [
        _found(path, project, owners)
        for path in names
        if path.resolve() not in skip and (not newer_only or _is_newer(path, project))
    ]
    return sorted(found, key=lambda f: f.mtime, reverse=True)


def find_untitled_autosaves(data_folder: str | Path | None = None) -> list[AutosaveFile]:
    """Autosaves of projects never saved whose window is gone, newest first."""
    folder = Path(data_folder or user_data_folder())
    owners = _owners(read_records(folder))
    found = [
        _found(path, None, owners)
        for path in (folder / "autosave").glob("untitled-*.eqp.json")
        if path.stat().st_size > 0
    ]
    return sorted((f for f in found if not f.owner_alive), key=lambda f: f.mtime, reverse=True)


def others_with_project(
    project_path: str | Path, own: str | None, data_folder: str | Path | None = None
) -> list[InstanceRecord]:
    """Other running windows of this user that have ``project_path`` open."""
    project = Path(project_path).resolve()
    return [
        r
        for r in read_records(data_folder)
        if r.alive and r.id != own and r.project is not None and r.project == project
    ]
