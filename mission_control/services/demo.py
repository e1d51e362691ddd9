"""The demo mission: a small, real codebase shaped like the sample plan's target, in git.

``create_demo()`` copies the sources kept under ``mission_control/resources/demo/`` (an
``app`` package full of duplicated factories, emitters, dispatchers, managers and ID
helpers, with a passing pytest suite), adds the sample plan as
``docs/ssot-refactor-plan.md``, commits everything on branch ``main`` and tags the commit
``pre-ssot`` (the baseline in its ``mission-control.toml``). Every later feature is shown
and tested on it: break a component, roll it back, run the tests, consolidate the emitters.

Its ``mission-control.toml`` also sets up the plan's five teams for ``mission-control teams``:
each team's ``command`` is the demo's scripted agent, ``tools/demo_agent.py TEAM TASK`` (plain
Python and git, no network), which does the team's first task (:data:`SCRIPTED_TASKS`) in its
worktree as two refactoring commits with a ``Task: <id>`` trailer, the suite staying green there.
Two of those tasks collide on purpose (:data:`COLLISIONS`), for the conflict forecast to find:

* charlie1 × delta1, textual: both add a setting at the end of ``Settings`` in
  ``app/core/config.py``; merging ``mission/charlie`` and ``mission/delta`` conflicts there.
* alpha1 × echo1, a broken import: alpha1 deletes ``app/agents/agent_instance_factory_optimized.py``,
  whose ``reset_optimized_agent_factory`` echo1's new ``tests/conftest.py`` imports; the branches
  merge without a conflict and the merged suite cannot be collected.

The plan blocks delta1 on alpha2, so ``teams run`` needs ``--force`` for delta.

The folder is built next to its destination and renamed into place, so a crash never leaves
a half-made demo behind, and it carries a marker inside ``.git`` (out of reach of git
commands and rollbacks) so that ``reset`` only ever deletes a folder this module made.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import stat
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mission_control import __version__
from mission_control.util import appdirs
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.git import GitError, GitNotInstalled, run_git

DEMO_DIRNAME = "demo-mission"
BASELINE_TAG = "pre-ssot"
PLAN_PATH = "docs/ssot-refactor-plan.md"
MARKER_NAME = "mission-control-demo.json"
DEMO_FORMAT = 1

_RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SOURCE_DIR = _RESOURCES / "demo"
SAMPLE_PLAN = _RESOURCES / "plans" / "ssot-refactor-plan.md"

# Dotfiles are kept without their dot in the package (package-data globs skip hidden files).
_RENAMED = {"gitignore": ".gitignore"}
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}

#: The task each team's scripted agent does (``teams run TEAM`` with no task runs the current one).
SCRIPTED_TASKS = {"alpha": "alpha1", "bravo": "bravo1", "charlie": "charlie1", "delta": "delta1", "echo": "echo1"}


@dataclass(frozen=True)
class Collision:
    """Two teams' scripted work that cannot simply be merged.

    ``kind`` is ``"conflict"`` (the merge stops with a textual conflict in ``path``) or ``"import"``
    (the merge is clean but code of ``teams[1]`` imports ``name`` from ``path``, which ``teams[0]``
    deleted).
    """

    teams: tuple[str, str]
    tasks: tuple[str, str]
    kind: str
    path: str
    name: str | None = None


COLLISIONS = (
    Collision(("charlie", "delta"), ("charlie1", "delta1"), "conflict", "app/core/config.py"),
    Collision(
        ("alpha", "echo"),
        ("alpha1", "echo1"),
        "import",
        "app/agents/agent_instance_factory_optimized.py",
        "reset_optimized_agent_factory",
    ),
)

_GIT_NAME = "Mission Control Demo"
_GIT_EMAIL = "demo@mission-control.invalid"


class DemoError(Exception):
    """The demo mission cannot be created; the message names the folder and the reason."""


def default_demo_path() -> Path:
    """Where the demo lives by default: ``<user data folder>/demo-mission``."""
    return appdirs.data_dir() / DEMO_DIRNAME


def is_demo(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a demo mission made by :func:`create_demo` (it has our marker)."""
    folder = Path(path)
    return not folder.is_symlink() and (folder / ".git" / MARKER_NAME).is_file()


def create_demo(target: Path | None = None, reset: bool = False) -> Path:
    """Create the demo mission at ``target`` (default :func:`default_demo_path`) and return it.

    An existing demo is reused as it is (the lead's edits stay) unless ``reset``, which
    replaces it with a fresh one. A folder that exists, is not empty and is not a demo made
    here is never touched.

    Raises:
        DemoError: the target is taken by something else, git is missing or fails, or a
            file cannot be written.
    """
    target = Path(os.path.abspath(target if target is not None else default_demo_path()))
    _check_target(target)
    if is_demo(target) and not reset:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise DemoError(f"{target}: cannot create the demo mission: {exc.strerror or exc}") from None
    try:
        _build(staging)
        _move_into_place(staging, target)
    except BaseException:
        _remove_tree(staging)
        raise
    return target


def _check_target(target: Path) -> None:
    """Refuse a target that is a symlink, a file, or a folder of someone else's."""
    if target.is_symlink():
        raise DemoError(f"{target}: is a symbolic link; refusing to create the demo mission there")
    if target.exists() and not target.is_dir():
        raise DemoError(f"{target}: exists and is not a folder; refusing to replace it")
    if target.is_dir() and not is_demo(target) and any(target.iterdir()):
        raise DemoError(
            f"{target}: exists and is not a demo mission made by Mission Control "
            f"(no .git/{MARKER_NAME}); refusing to touch it"
        )


def _build(root: Path) -> None:
    """Fill ``root`` with the demo sources, the plan, a git history and the marker."""
    try:
        _copy_sources(SOURCE_DIR, root)
        (root / PLAN_PATH).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_PLAN, root / PLAN_PATH)
    except OSError as exc:
        raise DemoError(f"{root}: cannot copy the demo sources: {exc}") from None
    _git(root, "init", "-q")
    _git(root, "symbolic-ref", "HEAD", "refs/heads/main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "Agent platform before the SSOT refactoring")
    _git(root, "tag", BASELINE_TAG)
    _write_marker(root)


def _copy_sources(source: Path, dest: Path) -> None:
    """Copy the packaged demo tree byte for byte, restoring dotfile names, skipping caches."""
    for folder, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        relative = Path(folder).relative_to(source)
        (dest / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            if Path(name).suffix in _SKIPPED_SUFFIXES:
                continue
            out_name = _RENAMED.get(name, name) if relative == Path(".") else name
            shutil.copyfile(Path(folder) / name, dest / relative / out_name)


def _git(repo: Path, *args: str) -> None:
    """Run git in ``repo`` with the demo's own identity; DemoError with git's message on failure."""
    identity = {
        "GIT_AUTHOR_NAME": _GIT_NAME,
        "GIT_AUTHOR_EMAIL": _GIT_EMAIL,
        "GIT_COMMITTER_NAME": _GIT_NAME,
        "GIT_COMMITTER_EMAIL": _GIT_EMAIL,
    }
    settings = [
        f"user.name={_GIT_NAME}",
        f"user.email={_GIT_EMAIL}",
        "commit.gpgSign=false",
        "tag.gpgSign=false",
        "core.autocrlf=false",
        f"core.hooksPath={os.devnull}",
    ]
    options = [arg for setting in settings for arg in ("-c", setting)]
    try:
        run_git(repo, *options, *args, extra_env=identity)
    except GitNotInstalled:
        raise DemoError("git is not installed (or not on PATH); the demo mission needs it") from None
    except GitError as exc:
        said = exc.stderr.strip() or os.fsdecode(exc.stdout).strip()
        message = said or f"exit status {exc.returncode}"
        raise DemoError(f"{repo}: git {' '.join(args)} failed: {message}") from None


def _write_marker(root: Path) -> None:
    """Record, inside .git, that this folder is a demo mission made by us."""
    marker = {
        "created_by": "mission-control",
        "version": __version__,
        "format": DEMO_FORMAT,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "baseline": BASELINE_TAG,
        "plan": PLAN_PATH,
    }
    atomic_write_text(root / ".git" / MARKER_NAME, json.dumps(marker, indent=2) + "\n")


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished demo onto ``target``, replacing an old demo or an empty folder."""
    if not target.exists():
        try:
            os.rename(staging, target)
        except OSError as exc:
            if is_demo(target):  # another process made it meanwhile: use theirs
                _remove_tree(staging)
                return
            raise DemoError(f"{target}: cannot move the new demo mission into place: {exc.strerror}") from None
        return
    _check_target(target)  # only a demo of ours, or an empty folder, is replaced
    trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(target, trash)
    except OSError as exc:
        raise DemoError(f"{target}: cannot remove the old demo mission: {exc.strerror}") from None
    try:
        os.rename(staging, target)
    except OSError as exc:
        os.rename(trash, target)
        raise DemoError(f"{target}: cannot move the new demo mission into place: {exc.strerror}") from None
    _remove_tree(trash)


def _remove_tree(path: Path) -> None:
    """Delete a folder we made, including git's read-only object files (Windows needs chmod)."""

    def make_writable_and_retry(function: Callable[[str], object], failed_path: str, *_: object) -> None:
        try:
            os.chmod(failed_path, stat.S_IWRITE | stat.S_IREAD)
            function(failed_path)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=make_writable_and_retry)
