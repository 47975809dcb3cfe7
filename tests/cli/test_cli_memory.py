"""Running out of memory is one line naming the step and what was too large, exit 2 (issue 12.3).

A MemoryError is injected at the seams of ``equityplanner assess`` (reading the neighbourhood
layer, assessing, writing the JSON and the workbook); one raised where no step names itself
still becomes one line. Then a real one: a subprocess whose address space is limited
(``RLIMIT_AS``) before it asks for more than the limit.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.cli import EXIT_INPUT, main

pytestmark = pytest.mark.skipif(
    not SAMPLE_PROJECT.exists(), reason="the Magnolia sample project has not been generated"
)


def _out_of_memory(*_args, **_kwargs):
    raise MemoryError


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


def test_the_workbook_running_out_of_memory_is_one_line(tmp_path, capsys, monkeypatch):
    import equityplanner.report.workbook as workbook

    monkeypatch.setattr(workbook, "write_workbook", _out_of_memory)
    out = tmp_path / "out.xlsx"
    code = main(["assess", str(SAMPLE_PROJECT), "--xlsx", str(out), "--quiet"])
    assert code == EXIT_INPUT == 2
    line = _one_line(capsys)
    assert line.startswith("equityplanner: error: ")
    assert f"out of memory while writing the workbook {out} (180 neighbourhoods" in line
    assert "--json" in line and "clip the neighbourhood layer" in line


def test_reading_the_layer_running_out_of_memory_names_the_file(tmp_path, capsys, monkeypatch):
    import equityplanner.analysis.inputs as inputs

    monkeypatch.setattr(inputs, "read_neighbourhoods", _out_of_memory)
    code = main(["assess", str(SAMPLE_PROJECT), "--json", str(tmp_path / "a.json"), "--quiet"])
    assert code == 2
    line = _one_line(capsys)
    assert "out of memory while reading the neighbourhood layer " in line
    assert "tracts.gpkg (" in line and " MB)" in line
    assert "Clip the neighbourhood layer to the study area" in line


def test_assessing_running_out_of_memory_says_how_many_neighbourhoods(
    tmp_path, capsys, monkeypatch
):
    import equityplanner.analysis.assess as assess

    monkeypatch.setattr(assess, "assess_projects", _out_of_memory)
    code = main(["assess", str(SAMPLE_PROJECT), "--json", str(tmp_path / "a.json"), "--quiet"])
    assert code == 2
    assert "out of memory while assessing 180 neighbourhoods" in _one_line(capsys)


def test_a_step_without_a_name_still_gives_one_line(tmp_path, capsys, monkeypatch):
    import equityplanner.io.project_file as project_file

    monkeypatch.setattr(project_file, "load_project", _out_of_memory)
    code = main(["validate", str(SAMPLE_PROJECT)])
    assert code == 2
    line = _one_line(capsys)
    assert "out of memory while running 'validate'" in line and "more memory" in line


def test_a_real_memory_error_under_an_address_space_limit(tmp_path):
    """The limit is set once everything is imported, then the layer is read and assessed with
    2 GB of address space less than a 3 GB array needs (the array stands for a layer's
    columns): the process says so in one line and exits 2."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        import numpy as np
        import equityplanner.cli as cli
        import equityplanner.analysis.assess as assess

        real = assess.assess_projects

        def greedy(*args, **kwargs):
            np.ones(3 * 1024**3 // 8)  # 3 GB
            return real(*args, **kwargs)

        assess.assess_projects = greedy
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        limit = size + 2 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sys.exit(cli.main(["assess", {str(SAMPLE_PROJECT)!r}, "--json",
                           {str(tmp_path / "a.json")!r}, "--quiet"]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "out of memory while assessing 180 neighbourhoods" in proc.stderr
