"""One git gateway: only ``mission_control/util/git.py`` starts git, and its functions work on real
repositories whatever ``GIT_DIR``/``GIT_INDEX_FILE`` the environment carries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import git

from mission_control.util.git import (
    GitError,
    GitNotInstalled,
    files_in,
    head_commit,
    open_repo,
    run_git,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mission_control"
GATEWAY = "mission_control/util/git.py"
#: Not Mission Control's code: the demo project's own scripts, copied into the demo repository.
NOT_OURS = "mission_control/resources/"

_RUNNERS = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput", "system", "popen"}


def git_launches(source: str) -> list[int]:
    """Lines of ``source`` that build a git command line: a list or tuple whose first element is
    the string ``"git"`` (wherever it is built, since it may be passed on as a variable), or a
    shell string ``"git ..."`` handed straight to ``subprocess``/``os``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            func, arg = node.func, node.args[0]
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if (
                name in _RUNNERS
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.split()[:1] == ["git"]
            ):
                lines.append(node.lineno)
    return sorted(lines)


def test_only_the_gateway_starts_git():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == GATEWAY or rel.startswith(NOT_OURS):
            continue
        offenders += [f"{rel}:{line}" for line in git_launches(path.read_text(encoding="utf-8"))]
    assert offenders == [], "run git through mission_control.util.git (run_git, Git, head_commit)"


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["git", "status"])\n',
        'import subprocess\nsubprocess.check_output(("git", "rev-parse", "HEAD"), cwd=".")\n',
        'import subprocess\nargs = ["x"]\nsubprocess.Popen(["git", *args])\n',
        'command = [\n    "git",\n    "-c",\n    "a=b",\n]\n',
        'from subprocess import run\nrun("git status", shell=True)\n',
        'import os\nos.system("git gc")\n',
    ],
)
def test_the_scan_finds_a_git_launch(source):
    assert git_launches(source)


@pytest.mark.parametrize(
    "source",
    [
        'import shutil\nshutil.which("git")\n',
        'import subprocess\nsubprocess.run(["pytest", "git"])\n',
        'print("git is missing")\n',
        'names = ["gitk", "git-lfs"]\n',
    ],
)
def test_the_scan_ignores_what_is_not_a_git_launch(source):
    assert git_launches(source) == []


# -- the gateway on real repositories ----------------------------------------------------------


@pytest.fixture
def decoy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another repository that an inherited GIT_DIR / GIT_INDEX_FILE points at."""
    other = tmp_path / "decoy"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    (other / "decoy.txt").write_text("decoy\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "decoy")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    return other


def _rev_parse_head(repo: Path) -> str:
    return git(repo, f"--git-dir={repo / '.git'}", "rev-parse", "HEAD").strip()


def test_head_commit_from_the_top_and_from_a_subfolder(git_repo: Path):
    sub = git_repo / "pkg" / "deep"
    sub.mkdir(parents=True)
    expected = git(git_repo, "rev-parse", "HEAD").strip()
    assert len(expected) == 40
    assert head_commit(git_repo) == expected
    assert head_commit(sub) == expected
    assert open_repo(sub).head() == expected


def test_head_commit_is_none_outside_git_unborn_or_gone(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    unborn = tmp_path / "unborn"
    unborn.mkdir()
    git(unborn, "init", "-q")
    assert head_commit(plain) is None
    assert head_commit(unborn) is None
    assert head_commit(tmp_path / "missing") is None
    (plain / "file.txt").write_text("not a folder\n")
    assert head_commit(plain / "file.txt") is None


def test_head_commit_ignores_an_inherited_git_dir(git_repo: Path, decoy: Path):
    mine = _rev_parse_head(git_repo)
    theirs = _rev_parse_head(decoy)
    assert mine != theirs
    assert head_commit(git_repo) == mine


def test_run_git_ignores_an_inherited_index_and_git_dir(git_repo: Path, decoy: Path):
    listed = run_git(git_repo, "ls-files", "-z").split(b"\0")
    assert b"README.md" in listed and b"decoy.txt" not in listed
    assert files_in(git_repo) == ["README.md"]


def test_run_git_passes_stdin_and_accepts_ok_codes(git_repo: Path):
    (git_repo / ".gitignore").write_text("*.log\n")
    out = run_git(git_repo, "check-ignore", "--stdin", "-z", input=b"a.log\0b.py\0", ok_codes=(0, 1))
    assert out.split(b"\0") == [b"a.log", b""]
    assert run_git(git_repo, "check-ignore", "--stdin", "-z", input=b"b.py\0", ok_codes=(0, 1)) == b""
    with pytest.raises(GitError) as failure:
        run_git(git_repo, "check-ignore", "--stdin", "-z", input=b"b.py\0")
    assert failure.value.returncode == 1


def test_run_git_outside_a_repository_is_git_s_error(tmp_path: Path):
    with pytest.raises(GitError) as failure:
        run_git(tmp_path, "rev-parse", "--git-dir")
    assert failure.value.returncode == 128
    assert "not a git repository" in str(failure.value)


def test_run_git_in_a_missing_folder(tmp_path: Path):
    with pytest.raises(GitError) as failure:
        run_git(tmp_path / "gone", "status")
    assert failure.value.returncode == -1 and not isinstance(failure.value, GitNotInstalled)


def test_run_git_times_out(git_repo: Path):
    with pytest.raises(GitError, match="timed out") as failure:
        run_git(git_repo, "-c", "alias.slow=!sleep 1", "slow", timeout=0.2)
    assert failure.value.returncode == -1


def test_run_git_without_git_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(GitNotInstalled):
        run_git(tmp_path, "status")
    assert head_commit(tmp_path) is None
