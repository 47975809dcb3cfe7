"""The real-data tests find ../shared/data beside the clone, and fail rather than skip in CI."""

from __future__ import annotations

import pytest
from helpers import REPO, SHARED_DATA, shared_data


def test_shared_data_is_found_relative_to_the_repository() -> None:
    assert SHARED_DATA == REPO.parent / "shared" / "data"


def test_missing_shared_data_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="real data not found"):
        shared_data("no-such-folder")


def test_missing_shared_data_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="real data not found"):
        shared_data("no-such-folder")
