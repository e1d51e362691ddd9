"""Test-wide setup: offscreen Qt, UTC, isolated user folders and a git identity; house rules.

Set before anything imports Qt or reads the environment, so every test runs the same on a
desktop, a headless CI box or a developer's laptop, and never touches the real user's files.

Every test also fails (an error at teardown) when it

* leaves a ``QThread`` it started running (:func:`_no_leaked_qthreads`), or
* makes a ``mission_control`` logger log an ERROR or worse (:func:`_fail_on_logged_errors`),
  unless it is marked ``@pytest.mark.allow_log_errors`` or asserts on logs with ``caplog``.

Plain helpers for the tests live in ``helpers.py``; this file holds only fixtures and hooks.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import traceback
import weakref
from collections.abc import Iterator
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
def plan_copy(tmp_path: Path, sample_plan_path: Path) -> Path:
    """A writable copy of the sample plan."""
    target = tmp_path / "ssot-refactor-plan.md"
    shutil.copyfile(sample_plan_path, target)
    return target


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


class _ErrorRecords(logging.Handler):
    """Keeps every record of level ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which a ``mission_control`` logger logged an ERROR or worse.

    An error in the log is a bug the user would see in the Log dock, even when the test's
    assertions pass. A test that means to provoke one says so with
    ``@pytest.mark.allow_log_errors`` (``match=regex``: only errors whose message matches)
    or asserts on the records itself with ``caplog``.
    Checked at teardown, after the other fixtures (widgets closed, threads joined), so
    errors logged while shutting down count too.
    """
    handler = _ErrorRecords()
    logger = logging.getLogger("mission_control")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if "caplog" in request.fixturenames:
        return  # the test reads the records itself
    patterns = [marker.kwargs.get("match") for marker in request.node.iter_markers("allow_log_errors")]
    if None in patterns:
        return  # any error is expected
    unexpected = [r for r in handler.records if not any(re.search(p, r.getMessage()) for p in patterns)]
    if not unexpected:
        return
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    logged = "\n".join(formatter.format(record) for record in unexpected)
    pytest.fail(
        f"{len(unexpected)} error(s) logged during the test (mark it allow_log_errors if expected):\n{logged}",
        pytrace=False,
    )


def _describe_thread(thread: object, stack: str) -> str:
    """A leaked thread's name, the background job it runs (if any) and where it was started."""
    from mission_control.ui import workers

    name = thread.objectName() or repr(thread)  # type: ignore[attr-defined]
    for job in list(workers._RUNNING):
        if job.thread is thread:
            work = job.worker.work
            name += f" running {getattr(work, '__qualname__', repr(work))}"
            break
    return f"{name}, started at:\n{stack}"


@pytest.fixture(autouse=True)
def _no_leaked_qthreads(_fail_on_logged_errors: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a ``QThread`` it started still running (napari's ``_dangling_qthreads``).

    A background job outliving its test runs into the next one (callbacks on closed widgets,
    files written into a removed temporary folder) and Qt aborts if it is destroyed running.
    Every ``QThread.start`` during the test is recorded (weakly, so no thread lives longer);
    at teardown, threads that are finishing get a few seconds, the rest are cancelled, stopped
    and reported. Depends on the log check so that what the stopped jobs log is checked too.
    """
    from PySide6 import QtCore

    started: weakref.WeakKeyDictionary[QtCore.QThread, str] = weakref.WeakKeyDictionary()
    original_start = QtCore.QThread.start

    def recording_start(self: QtCore.QThread, *args: object, **kwargs: object) -> None:
        frames = [f for f in traceback.extract_stack()[:-1] if "site-packages" not in f.filename]  # no pytest
        started[self] = "".join(traceback.format_list(frames[-6:]))
        original_start(self, *args, **kwargs)

    monkeypatch.setattr(QtCore.QThread, "start", recording_start)
    yield

    def running() -> list[tuple[QtCore.QThread, str]]:
        import shiboken6

        return [(t, stack) for t, stack in list(started.items()) if shiboken6.isValid(t) and t.isRunning()]

    deadline = time.monotonic() + 5
    while running() and time.monotonic() < deadline:  # as qtbot.waitUntil: let finishing jobs end
        QtCore.QCoreApplication.processEvents()
        QtCore.QThread.msleep(10)
    leaked = running()
    if not leaked:
        return
    report = [_describe_thread(thread, stack) for thread, stack in leaked]
    from mission_control.ui import workers

    for thread, _ in leaked:  # stop them, so the leak does not spill into the next test
        for job in list(workers._RUNNING):
            if job.thread is thread:
                job.cancel()
        thread.quit()
        thread.wait(10_000)
    pytest.fail(f"{len(leaked)} QThread(s) still running after the test:\n" + "\n".join(report), pytrace=False)


@pytest.fixture
def informed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every message a dock shows with ``dialogs.inform`` (title, text), instead of a modal box."""
    from mission_control.ui import dialogs

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "inform", lambda parent, title, text, warning=False: shown.append((title, text)))
    return shown
