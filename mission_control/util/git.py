"""The one small wrapper around the real ``git`` command line.

Users trust what ``git`` itself reports, so every repository question goes through the
``git`` executable, never a re-implementation. :class:`Git` runs plumbing commands in a
repository's top-level folder with a clean environment (no inherited ``GIT_DIR`` or
``GIT_INDEX_FILE``) and turns failures into :class:`GitError` messages that name the
repository and the command. Paths are repo-relative POSIX strings; bytes that are not UTF-8
survive through ``os.fsdecode``/``os.fsencode``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Inherited variables that would point git at another repository or index.
_DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
#: Mission Control's own commits (snapshots) carry a fixed identity, so they work on a machine
#: where the user never configured ``user.name``.
_TOOL_IDENTITY = {
    "GIT_AUTHOR_NAME": "Mission Control",
    "GIT_AUTHOR_EMAIL": "mission-control@localhost",
    "GIT_COMMITTER_NAME": "Mission Control",
    "GIT_COMMITTER_EMAIL": "mission-control@localhost",
}
NULL_SHA = "0" * 40
GITLINK_MODE = "160000"
SYMLINK_MODE = "120000"


class RepoError(Exception):
    """An expected repository problem, with a message that names the repository or file."""


class NotARepository(RepoError):
    """The folder is not inside a git working tree."""


class GitError(RepoError):
    """A git command failed; the message names the repository, the command and git's words.

    ``returncode`` is -1 when git did not run to the end (it could not start or timed out);
    ``stdout`` keeps what git printed there, as some commands explain failures on stdout.
    """

    def __init__(self, root: Path, args: tuple[str, ...], returncode: int, stderr: str, stdout: bytes = b"") -> None:
        self.root, self.args_, self.returncode, self.stderr = root, args, returncode, stderr
        self.stdout = stdout
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {returncode}"
        super().__init__(f"{root}: git {' '.join(args[:3])} failed: {detail}")


class GitNotInstalled(GitError):
    """The ``git`` executable is not on PATH, so no git command can run."""


@dataclass(frozen=True)
class TreeEntry:
    """One file as git stores it: its mode (``100644``, ``100755``, ``120000``) and blob id."""

    mode: str
    sha: str


def open_repo(path: str | os.PathLike[str]) -> Git:
    """The repository whose working tree contains ``path``.

    Raises:
        NotARepository: ``path`` does not exist, is not a folder, is not in a git working tree,
            or git is not installed.
    """
    if "\0" in os.fspath(path):
        raise NotARepository(f"{os.fspath(path)!r}: not a folder name (it holds a NUL character)")
    folder = Path(path).expanduser()
    if not folder.exists():
        raise NotARepository(f"{folder}: no such folder")
    if not folder.is_dir():
        raise NotARepository(f"{folder}: not a folder")
    if not git_installed():
        raise NotARepository(f"{folder}: the git command line is not installed")
    try:
        top = os.fsdecode(run_git(folder, "rev-parse", "--show-toplevel")).strip()
    except GitError:
        top = ""
    if not top:
        raise NotARepository(f"{folder}: not a git repository (or it has no working tree)")
    return Git(Path(top))


def files_in(folder: Path) -> list[str] | None:
    """Git's view of ``folder``'s files (tracked plus untracked-not-ignored, relative to it), or None.

    None when ``folder`` is not inside a git working tree or git is missing; the caller then walks
    the folder itself. Works for a subfolder of a repository too (paths stay relative to ``folder``).
    """
    try:
        out = run_git(folder, "ls-files", "-z", "-c", "-o", "--exclude-standard")
    except GitError:
        return None
    return sorted(set(_split_z(out)))


def git_installed() -> bool:
    """Whether the ``git`` executable is on PATH."""
    return shutil.which("git") is not None


def run_git(
    folder: str | os.PathLike[str],
    *args: str,
    input: bytes | None = None,
    timeout: float | None = None,
    ok_codes: tuple[int, ...] = (0,),
    extra_env: dict[str, str] | None = None,
) -> bytes:
    """Run ``git args`` in ``folder`` (which need not be a repository) and return its stdout.

    Like :meth:`Git.run`, with the clean environment and ``core.quotepath=off``, but for callers
    that ask git about an arbitrary folder: ``timeout`` (seconds) bounds the run, and a folder
    outside git is git's error (exit 128), not a :class:`NotARepository` check beforehand.

    Raises:
        GitNotInstalled: there is no ``git`` executable.
        GitError: git exited with a code outside ``ok_codes``, timed out, or could not start
            in ``folder`` (for example because it is gone); ``returncode`` is -1 for the last two.
    """
    cwd = Path(folder)
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            input=input,
            env=clean_env(extra_env),
            capture_output=True,
            stdin=None if input is not None else subprocess.DEVNULL,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise GitError(cwd, args, -1, f"timed out after {timeout} s") from None
    except OSError as exc:
        if not git_installed():
            raise GitNotInstalled(cwd, args, -1, "the git command line is not installed") from None
        raise GitError(cwd, args, -1, f"could not run git: {exc}") from None
    if proc.returncode not in ok_codes:
        raise GitError(cwd, args, proc.returncode, os.fsdecode(proc.stderr), proc.stdout)
    return proc.stdout


def head_commit(folder: str | os.PathLike[str]) -> str | None:
    """The commit HEAD points at in the work tree holding ``folder``, or None.

    None when ``folder`` is not inside a git working tree (or is gone), when the branch is unborn
    (nothing committed yet), or when git is not installed. ``folder`` may be any folder of the
    work tree, not only its top.
    """
    try:
        out = run_git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}", ok_codes=(0, 1))
    except GitError:
        return None
    return os.fsdecode(out).strip() or None


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The process environment without variables that redirect git, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Git:
    """Plumbing commands run in the working tree ``root``."""

    root: Path

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        index: Path | None = None,
        ok_codes: tuple[int, ...] = (0,),
        tool_identity: bool = False,
    ) -> bytes:
        """Run ``git args`` and return its stdout; ``index`` selects a temporary index file.

        Raises:
            GitError: git exited with a code outside ``ok_codes``.
        """
        extra = dict(_TOOL_IDENTITY) if tool_identity else {}
        if index is not None:
            extra["GIT_INDEX_FILE"] = str(index)
        return run_git(self.root, *args, input=input, ok_codes=ok_codes, extra_env=extra)

    def text(
        self,
        *args: str,
        input: bytes | None = None,
        index: Path | None = None,
        ok_codes: tuple[int, ...] = (0,),
        tool_identity: bool = False,
    ) -> str:
        """Like :meth:`run`, returning stdout as text without the trailing newline."""
        out = self.run(*args, input=input, index=index, ok_codes=ok_codes, tool_identity=tool_identity)
        return os.fsdecode(out).rstrip("\n")

    def git_path(self, name: str) -> Path:
        """The absolute path of ``name`` inside the repository's git folder (index, MERGE_HEAD...)."""
        path = Path(self.text("rev-parse", "--git-path", name))
        return path if path.is_absolute() else self.root / path

    def git_paths(self, *names: str) -> list[Path]:
        """Like :meth:`git_path` for several names, in one git call."""
        args = [a for name in names for a in ("--git-path", name)]
        paths = [Path(line) for line in self.text("rev-parse", *args).split("\n")]
        return [p if p.is_absolute() else self.root / p for p in paths]

    def resolve_commit(self, rev: str) -> str | None:
        """The commit id ``rev`` names, or None when it names no commit."""
        try:
            out = self.text(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", ok_codes=(0, 1)
            )
        except GitError:
            return None
        return out or None

    def is_ancestor(self, ancestor: str, commit: str) -> bool:
        """Whether ``ancestor`` is ``commit`` or one of its ancestors (False when either is unknown)."""
        try:
            self.run("merge-base", "--is-ancestor", ancestor, commit)
        except GitError:  # 1: not an ancestor; 128: an unknown commit
            return False
        return True

    def head(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        return head_commit(self.root)

    def ls_tree(self, rev: str) -> dict[str, TreeEntry]:
        """Every file of commit or tree ``rev``, recursively (submodules keep mode 160000)."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev)
        entries = {}
        for record in _split_z(out):
            meta, _, path = record.partition("\t")
            mode, _kind, sha = meta.split()
            entries[path] = TreeEntry(mode, sha)
        return entries

    def index_entries(self, index: Path | None = None) -> dict[str, TreeEntry]:
        """The stage-0 entries of the index (the real one unless ``index`` is given)."""
        out = self.run("ls-files", "-s", "-z", index=index)
        entries = {}
        for record in _split_z(out):
            meta, _, path = record.partition("\t")
            mode, sha, stage = meta.split()
            if stage == "0":
                entries[path] = TreeEntry(mode, sha)
        return entries

    def list_files(self) -> list[str]:
        """Tracked files plus untracked files that are not ignored, as in the working tree."""
        return sorted(set(_split_z(self.run("ls-files", "-z", "-c", "-o", "--exclude-standard"))))

    def hash_files(self, paths: list[str]) -> list[str]:
        """Store the working-tree bytes of ``paths`` (regular files) as blobs; return their ids.

        ``--no-filters`` keeps the bytes exactly as on disk (no CRLF or clean-filter changes),
        which is what a byte-for-byte undo needs.
        """
        if not paths:
            return []
        data = b"".join(os.fsencode(p) + b"\n" for p in paths)
        return self.text("hash-object", "-w", "--no-filters", "--stdin-paths", input=data).split("\n")

    def hash_bytes(self, data: bytes) -> str:
        """Store ``data`` as a blob and return its id."""
        return self.text("hash-object", "-w", "--no-filters", "--stdin", input=data)

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of the blobs ``shas``, read in one ``git cat-file --batch`` call.

        Raises:
            GitError: an object is missing from the repository.
        """
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input="".join(s + "\n" for s in wanted).encode())
        blobs, pos = {}, 0
        for sha in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode().split()
            if len(header) != 3:
                raise GitError(self.root, ("cat-file", sha), 1, f"object {sha} is missing")
            size = int(header[2])
            blobs[sha] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return blobs

    def build_tree(self, entries: dict[str, TreeEntry]) -> str:
        """Write a tree holding exactly ``entries`` (built in a throw-away index) and return its id."""
        with self.temp_index() as index:
            self.update_index(entries, index=index)
            return self.text("write-tree", index=index)

    def update_index(self, entries: Mapping[str, TreeEntry | None], index: Path | None = None) -> None:
        """Set (or, for None, remove) index entries in one ``update-index --index-info`` call."""
        if not entries:
            return
        lines = []
        for path, entry in sorted(entries.items()):
            meta = f"{entry.mode} {entry.sha}" if entry else f"0 {NULL_SHA}"
            lines.append(meta.encode() + b"\t" + os.fsencode(path) + b"\0")
        self.run("update-index", "-z", "--index-info", input=b"".join(lines), index=index)

    def commit_tree(self, tree: str, message: str, parents: tuple[str, ...] = ()) -> str:
        """Create a commit of ``tree`` (no branch moves) and return its id."""
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.text(*args, input=message.encode(), tool_identity=True)

    def create_ref(self, ref: str, sha: str) -> bool:
        """Create ``ref`` pointing at ``sha``; False if it already exists (never overwrites)."""
        try:
            self.run("update-ref", "--create-reflog", ref, sha, NULL_SHA)
        except GitError:
            if self.resolve_commit(ref):
                return False
            raise
        return True

    def set_ref(self, ref: str, sha: str) -> None:
        """Point ``ref`` at ``sha``, creating or moving it."""
        self.run("update-ref", "--create-reflog", ref, sha)

    def refs(self, prefix: str, fields: str) -> list[list[str]]:
        """``for-each-ref`` under ``prefix``: one list of NUL-separated ``fields`` per ref."""
        out = self.text("for-each-ref", f"--format={fields}%00%00", prefix)
        return [rec.strip("\n").split("\0") for rec in out.split("\0\0") if rec.strip("\n")]

    @contextlib.contextmanager
    def temp_index(self, seed: Path | None = None) -> Iterator[Path]:
        """A throw-away index file (a copy of ``seed`` if given), deleted afterwards."""
        with tempfile.TemporaryDirectory(prefix="mc-index-") as folder:
            path = Path(folder) / "index"
            if seed is not None and seed.is_file():
                # copy2 keeps the index's mtime: git's racy-clean check compares file mtimes
                # with it, so a fresh mtime would hide same-size edits made in the same second
                shutil.copy2(seed, path)
            yield path


def _split_z(out: bytes) -> list[str]:
    return [os.fsdecode(part) for part in out.split(b"\0") if part]
