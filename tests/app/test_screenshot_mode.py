"""``equityplanner open PROJECT --run --screenshot OUT.png``: unattended, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from equityplanner.app.main import run_app


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "equityplanner", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_cli_screenshot_opens_runs_and_saves_a_png(project_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "shots" / "window.png"
    result = _cli("open", str(project_file), "--run", "--screenshot", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull() and (image.width(), image.height()) == (1400, 900)
    assert not list(project_file.parent.glob("*.autosave"))


def test_cli_screenshot_of_a_broken_project_exits_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.eqp.json"
    broken.write_text("{ not json", encoding="utf-8")
    out = tmp_path / "never.png"
    result = _cli("open", str(broken), "--run", "--screenshot", str(out), cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("equityplanner:")]
    assert len(lines) == 1 and "not valid JSON" in lines[0]
    assert not out.exists()


def test_run_app_in_process_writes_the_picture(qapp, project_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "inprocess.png"
    assert run_app(project=project_file, run=True, screenshot=out) == 0
    assert QImage(str(out)).width() == 1400


def test_run_app_without_projects_fails_cleanly(qapp, project_file: Path, capsys) -> None:
    from dataclasses import replace

    from equityplanner.io.project_file import load_project, save_project

    doc = load_project(project_file)
    target = project_file.with_name("empty.eqp.json")
    save_project(replace(doc, projects=(), scenarios=()), target)
    assert run_app(project=target, run=True, screenshot=project_file.with_name("x.png")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no proposed project" in err[0]
