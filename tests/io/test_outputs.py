"""Outputs that respect the target (issue 12, item 4).

Symbolic links are written through, FIFOs written into (never renamed over), devices and
folders refused, permissions kept, temporary files removed on failure and on the next run.
The cases that differ for root run as the unprivileged user ``nobody`` (via ``setpriv``)
when the suite runs as root, and directly otherwise. No test writes to a real device: a
device is only ever looked at and refused.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from equityplanner.errors import InputError
from equityplanner.io.atomic import atomic_write, atomic_write_text, check_output_target

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
SRC = Path(__file__).resolve().parents[2] / "src"


def _as_normal_user(script: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run a Python snippet as ``nobody`` when root (the folder made theirs), else as is."""
    command = [sys.executable, "-c", textwrap.dedent(script)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    if IS_ROOT:
        if SETPRIV is None:
            pytest.skip("running as root without setpriv to drop privileges")
        os.chmod(folder, 0o777)
        for parent in folder.parents:  # nobody must reach the folder
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(parent, mode | stat.S_IXOTH)
        command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_a_new_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert atomic_write_text(target, "{}") == target
    assert target.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real" / "book.xlsx"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["book.xlsx"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


def test_the_mode_of_a_replaced_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o604)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604 and target.read_text() == "new"


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader)
    thread.start()
    # The reader must have opened its end before the write: retry briefly until it has.
    for _ in range(200):
        try:
            atomic_write_text(fifo, "through the pipe")
            break
        except InputError as exc:
            assert "no program reads from" in exc.message
            threading.Event().wait(0.01)
    thread.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe, not a file renamed over it


def test_a_fifo_without_a_reader_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe \\(FIFO\\) that no program reads from"):
        atomic_write_text(fifo, "x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_devices_are_refused_and_left_alone(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    before = os.stat(device)
    link = tmp_path / "out.json"
    link.symlink_to(device)  # through a link as well as directly
    for target in (Path(device), link):
        with pytest.raises(InputError, match="is a character device"):
            atomic_write_text(target, "x")
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; an output is written to a file"):
        check_output_target(tmp_path)


def test_a_name_too_long_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="more than the 255 a file name can have"):
        check_output_target(tmp_path / ("x" * 300 + ".json"))


def test_a_long_name_within_the_limit_gets_a_short_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / ("y" * 250 + ".json")
    atomic_write_text(target, "ok")
    assert target.read_text() == "ok"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def fails(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match="the disk is full") as info:
        atomic_write(target, fails)
    assert str(target) in info.value.message and "\n" not in info.value.message
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    left = tmp_path / f".out.json.{int(dead.stdout)}.0123456789ab.tmp"
    left.write_text("killed mid-write")
    live = tmp_path / f".out.json.{os.getppid()}.ba9876543210.tmp"  # a writer still running
    live.write_text("in progress")
    other = tmp_path / ".other.json.1.0123456789ab.tmp"  # another target's: not ours to touch
    other.write_text("x")
    atomic_write_text(target, "new")
    assert not left.exists() and live.exists() and other.exists()
    assert target.read_text() == "new"


def test_as_a_normal_user_outputs_respect_links_pipes_and_permissions(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    script = f"""
        import os, stat, threading
        from pathlib import Path
        from equityplanner.io.atomic import atomic_write_text
        from equityplanner.errors import InputError
        folder = Path({str(folder)!r})
        real = folder / "real.json"
        real.write_text("old")
        link = folder / "link.json"
        link.symlink_to(real)
        atomic_write_text(link, "new")
        assert link.is_symlink() and real.read_text() == "new", "symlink"
        fifo = folder / "pipe"
        os.mkfifo(fifo)
        try:
            atomic_write_text(fifo, "x")
        except InputError as exc:
            assert "no program reads from" in exc.message
        else:
            raise AssertionError("FIFO without a reader written")
        assert stat.S_ISFIFO(fifo.stat().st_mode), "fifo replaced"
        locked = folder / "locked.json"
        locked.write_text("keep")
        os.chmod(locked, 0o444)
        try:
            atomic_write_text(locked, "x")
        except InputError as exc:
            assert "read-only" in exc.message, exc.message
        else:
            raise AssertionError("read-only file replaced")
        assert locked.read_text() == "keep"
        # An input the user cannot read: one line, exit 2 (root reads any file).
        import contextlib, io
        from equityplanner.cli import main
        secret = folder / "secret.eqp.json"
        secret.write_text("{{}}")
        os.chmod(secret, 0)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["validate", str(secret)])
        assert code == 2 and "cannot be read (Permission denied)" in err.getvalue(), err.getvalue()
        assert len(err.getvalue().strip().splitlines()) == 1
        print("ok", os.geteuid())
    """
    proc = _as_normal_user(script, folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "ok"
    if IS_ROOT:
        assert proc.stdout.split()[1] == "65534"
