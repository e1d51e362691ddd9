"""Plain helpers shared by the tests: import them with ``from helpers import git, ...``.

``conftest.py`` holds only fixtures and hooks; a test never imports from it. This module is
importable because pytest (prepend import mode, no ``tests/__init__.py``) puts ``tests/`` on
``sys.path`` for the rootdir conftest, whether the whole suite or a single file is run.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PLAN = ROOT / "mission_control" / "resources" / "plans" / "ssot-refactor-plan.md"


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout (raises on failure)."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write_file(repo: Path, rel: str, text: str) -> Path:
    """Write ``text`` (dedented) to ``repo/rel``, creating folders; the path."""
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def wait_until(condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass; whether it came true.

    For tests without a Qt event loop (a thread, a subprocess); with Qt use ``qtbot.waitUntil``.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return bool(condition())
        time.sleep(interval)
    return True


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, which still answers kill(0), counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def tree_state(root: Path) -> dict[str, tuple]:
    """Every file under ``root`` (``.git`` excluded): bytes or link target, and permission bits."""
    state = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[rel] = ("link", os.readlink(path))
            else:
                state[rel] = (path.read_bytes(), stat.S_IMODE(path.lstat().st_mode))
    return state


def websocket_tests(repo: Path) -> subprocess.CompletedProcess:
    """The component's own pytest suite, in a subprocess, as the Tests dock would run it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "tests/websocket"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},  # keep the tree comparable byte for byte
    )
