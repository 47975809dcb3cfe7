"""The first window imports only what it shows (issue 14 item 6): no pandas, geopandas,
pyproj, openpyxl, GTFS or analysis until a project is opened (they then load on a thread).
Its speed is measured in benchmarks/bench_app.py; here, what a fresh process imports."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = r"""
import sys
from equityplanner.app.main import create_application
app = create_application()
from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import AppSettings
import tempfile, os
w = MainWindow(AppSettings.from_file(os.path.join(tempfile.mkdtemp(), "s.ini")))
heavy = ("pandas", "geopandas", "pyproj", "pyogrio", "openpyxl", "xyzservices",
         "PySide6.QtNetwork", "equityplanner.io.gtfs", "equityplanner.analysis.assess",
         "equityplanner.analysis.access", "equityplanner.report.workbook")
print(",".join(m for m in heavy if m in sys.modules))
"""


def test_the_first_window_imports_no_analysis_or_data_libraries():
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"imported by the first window: {proc.stdout.strip()}"
