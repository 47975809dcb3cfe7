"""Property: whatever a project file or a GTFS feed holds, the CLI exits 0 or 2, never a traceback.

Hypothesis mutates the sample project's document and a small project's (the 2 x 2 grid with
the fixture GTFS feeds): any value replaced by any JSON value (wrong types, huge and
non-finite numbers, lone surrogates, deep nesting), keys removed or added. It also mutates
the small project's proposed GTFS feed line by line and cell by cell. Each example runs
``equityplanner validate`` in-process; since ``validate`` runs the assessment ``assess``
runs, a mutation it accepts is assessed in full. The few hundred examples of a run take
about a minute; the cases earlier sweeps found are pinned in ``test_corpus.py``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fuzz_helpers import assert_clean, run_cli, sample_copy, small_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples on every run: a failure in CI is reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "\ud800",  # a lone surrogate
            "x" * 300,  # longer than a file name can be
            "../../../../etc/passwd",
            "/dev/zero",
            "07:00:00",
            "EPSG:4326",
            "2024-07-03",
            "nan",
            "1e400",
            "=cmd|' /C calc'!A0",
        ]
    ),
)
_NUMBER = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, -1, 10**30, 10**400, 2**63, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
_LEAF = st.one_of(st.none(), st.booleans(), _NUMBER, _TEXT)
_VALUE = st.recursive(
    _LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_TEXT, children, max_size=4)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a JSON value (geometries' coordinates sampled, not all listed)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            found += _paths(child, (*prefix, index))
    return found


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _mutate(document: dict[str, Any], path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else document
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "deep":
        parent[key] = _deep(5000)
    elif action == "add" and isinstance(parent, dict):
        parent[f"{key}_extra"] = value
    else:
        parent[key] = value
    return document


def _write(path: Path, document: Any) -> None:
    try:
        text = json.dumps(document, indent=1)
    except (RecursionError, ValueError):
        text = "[" * 5000 + "]" * 5000
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def workspace() -> Any:
    folder = Path(tempfile.mkdtemp(prefix="eqp_fuzz_"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_mutations(project: Path, data: st.DataObject) -> None:
    original = json.loads(project.read_text(encoding="utf-8"))
    document = json.loads(json.dumps(original))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        paths = _paths(document) if isinstance(document, dict | list) else [()]
        path = data.draw(st.sampled_from(paths), label="path")
        action = data.draw(
            st.sampled_from(["replace", "replace", "replace", "delete", "add", "deep"]),
            label="action",
        )
        value = data.draw(_VALUE, label="value")
        try:
            document = _mutate(document, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue
        if action == "deep" or not isinstance(document, dict | list):
            break  # nothing is listed inside 5,000 levels of nesting
    target = project.with_name("mutated.eqp.json")
    _write(target, document)
    assert_clean(run_cli("validate", str(target)))


def test_mutated_small_projects_exit_0_or_2(workspace: Path) -> None:
    project = small_project(workspace / "small")

    @_settings(200)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        _check_mutations(project, data)

    check()


def test_mutated_sample_projects_exit_0_or_2(workspace: Path) -> None:
    project = sample_copy(workspace / "sample")

    @_settings(60)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        _check_mutations(project, data)

    check()


_CELLS = st.sampled_from(
    [
        "",
        "-1",
        "0",
        "1",
        "2",
        "99:99:99",
        "999:59:59",
        "25:00:00",
        "00:00:00",
        "1e9",
        "NaN",
        "x",
        '"',
        "20240703",
        "20991231",
        "19000101",
        "S1",
        "d0_freq",
        "WK",
        "R1",
        "91",
        "-181",
    ]
)


def test_mutated_gtfs_feeds_exit_0_or_2(workspace: Path) -> None:
    project = small_project(workspace / "gtfs")
    feed = project.parent / "gtfs_proposed"
    originals = {file.name: file.read_text(encoding="utf-8") for file in feed.iterdir()}
    names = sorted(originals)

    @_settings(150)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        for name, text in originals.items():
            (feed / name).write_text(text, encoding="utf-8")
        for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="edits")):
            name = data.draw(st.sampled_from(names), label="file")
            lines = (feed / name).read_text(encoding="utf-8").splitlines()
            action = data.draw(
                st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "empty", "header"]),
                label="action",
            )
            if action == "empty":
                lines = []
            elif lines:
                row = data.draw(st.integers(min_value=0, max_value=len(lines) - 1), label="row")
                if action == "drop":
                    del lines[row]
                elif action == "repeat":
                    lines.insert(row, lines[row])
                else:
                    cells = lines[0 if action == "header" else row].split(",")
                    column = data.draw(st.integers(0, len(cells) - 1), label="column")
                    cells[column] = data.draw(_CELLS, label="cell")
                    lines[0 if action == "header" else row] = ",".join(cells)
            (feed / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert_clean(run_cli("validate", str(project)))

    check()
