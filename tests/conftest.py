"""Shared fixtures: a real local One Codex API server, and a clean credential environment."""

import pytest

from ocx_reports.mockserver import MockServer


@pytest.fixture
def mock_api():
    """A started MockServer on a free port, serving the bundled demo dataset."""
    with MockServer() as server:
        yield server


@pytest.fixture
def isolated_credentials(tmp_path, monkeypatch):
    """No `~/.onecodex` and no ONE_CODEX_* variables, whatever the developer's machine has.

    Returns the fake home directory, for tests that write a credentials file.
    """
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("ONE_CODEX_API_KEY", "ONE_CODEX_BEARER_TOKEN", "ONE_CODEX_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def layout_in_this_process(monkeypatch):
    """Lay PDFs out in the test's own process, where its monkeypatches and records are (a
    report's layout is otherwise forked, to hold it to its budget: see parallel.py)."""
    from ocx_reports.exporters import parallel

    monkeypatch.setattr(parallel, "fork_available", lambda: False)
