"""``--language``: the findings in the chosen language, the JSON's ids and keys unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "EQUITYPLANNER_LANGUAGE"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "equityplanner", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="the sample project is not generated")
def test_assess_in_spanish_writes_spanish_findings(tmp_path: Path) -> None:
    out = tmp_path / "es.json"
    proc = run_cli("assess", str(SAMPLE_PROJECT), "--language", "es", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    units = {u["id"]: u for u in data["results"]}
    cut = {i["id"]: i for i in units["route-14"]["indicators"]}
    impact = cut["title_vi.disparate_impact"]
    # Stable ids and keys; Spanish words and numbers.
    assert impact["rating"] == "disparate_impact" and impact["tone"] == "adverse"
    assert impact["rating_label"] == "Posible impacto dispar"
    assert impact["name"] == "Título VI: impacto dispar (minorías)"
    assert impact["finding"].startswith(
        "Entre las personas afectadas por el recorte, el 92,5% pertenece a minorías, frente "
        "al 77,1% en Magnolia City (+15,4 ±1,8 puntos porcentuales)."
    )
    assert impact["value"] == pytest.approx(0.925, abs=0.0005)  # numbers stay numbers
    # The printed summary is in Spanish too.
    assert "[Posible impacto dispar] Entre las personas afectadas por el recorte" in proc.stdout


@pytest.mark.parametrize("command", ["assess", "validate"])
def test_an_unknown_language_fails_in_one_line(command: str) -> None:
    proc = run_cli(command, str(SAMPLE_PROJECT), "--language", "xx")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "'xx'" in lines[0] and "en (English)" in lines[0] and "es (Español)" in lines[0]


def test_the_environment_chooses_the_default_language() -> None:
    proc = run_cli("validate", str(SAMPLE_PROJECT), env={"EQUITYPLANNER_LANGUAGE": "zz"})
    assert proc.returncode == 2 and "'zz'" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("assess", "--help", env={"EQUITYPLANNER_LANGUAGE": "zz"})
    assert proc.returncode == 0 and "--language {en,es}" in proc.stdout


@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="the sample project is not generated")
def test_the_option_wins_over_the_environment() -> None:
    proc = run_cli(
        "validate", str(SAMPLE_PROJECT), "--language", "en", env={"EQUITYPLANNER_LANGUAGE": "zz"}
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="the sample project is not generated")
def test_validate_accepts_a_language_from_the_environment() -> None:
    proc = run_cli("validate", str(SAMPLE_PROJECT), env={"EQUITYPLANNER_LANGUAGE": "es"})
    assert proc.returncode == 0, proc.stderr
