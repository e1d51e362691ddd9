"""Test-wide setup: offscreen Qt, UTC, isolated user folders and a git identity.

Set before anything imports Qt or reads the environment, so every test runs the same on a
desktop, a headless CI box or a developer's laptop, and never touches the real user's files.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import SAMPLE_PLAN, git

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()
for _key, _value in {
    "GIT_AUTHOR_NAME": "Test Lead",
    "GIT_AUTHOR_EMAIL": "lead@example.com",
    "GIT_COMMITTER_NAME": "Test Lead",
    "GIT_COMMITTER_EMAIL": "lead@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "MISSION_CONTROL_NO_DIALOGS": "1",
}.items():
    os.environ[_key] = _value


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point settings, data, cache and logs at a fresh folder for every test."""
    home = tmp_path_factory.mktemp("mc-home")
    monkeypatch.setenv("MISSION_CONTROL_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    return home


@pytest.fixture(scope="session")
def sample_plan_path() -> Path:
    """The real sample plan shipped as the demo plan."""
    return SAMPLE_PLAN


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty git repository with one initial commit, on branch main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# test repo\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo
