"""The results of a codemod run: per-file outcomes with their diff and hunks, and the run.

Everything here is a frozen dataclass with plain values, so a dry run can be shown by the UI,
printed as JSON by the CLI, pickled across processes and applied later (all or part of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: A file the codemod rewrote (``new_text`` holds the result; None means the file is deleted).
CHANGED = "changed"
#: The codemod ran on the file and left it as it was.
UNCHANGED = "unchanged"
#: The codemod chose not to touch the file (``reason`` says why; libcst's skip reasons too).
SKIPPED = "skipped"
#: The file could not be read or parsed, or the codemod raised; the file is left untouched.
FAILED = "failed"


@dataclass(frozen=True)
class ArgSpec:
    """One argument a codemod takes (``--arg name=value`` on the command line)."""

    name: str
    help: str = ""
    required: bool = True
    #: ``"qualname"`` when the value is a dotted name (the UI offers completion), ``"bool"`` for
    #: ``true``/``false`` (a checkbox), else ``"text"``.
    kind: str = "text"


@dataclass(frozen=True)
class CodemodInfo:
    """A codemod the user can run: a built-in one or one the repository ships."""

    name: str
    description: str
    args: tuple[ArgSpec, ...]
    builtin: bool = True
    #: For a repository's own codemod: where its module was found.
    source: str | None = None


@dataclass(frozen=True)
class Hunk:
    """One hunk of a file's unified diff; ``index`` is its position in ``FileResult.hunks``.

    ``old_start``/``new_start`` are 1-based line numbers; ``old_lines``/``new_lines`` are the
    lines the hunk replaces and the lines it puts there (with their line endings).
    """

    index: int
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    header: str
    text: str


@dataclass(frozen=True)
class FileResult:
    """What a codemod does (or would do) to one file, relative to the repository root."""

    path: str
    status: str
    old_text: str | None = None
    new_text: str | None = None
    diff: str = ""
    hunks: tuple[Hunk, ...] = ()
    reason: str = ""
    line: int | None = None
    warnings: tuple[str, ...] = ()
    #: A file the codemod creates (a moved module's new place): it must not exist when applied.
    created: bool = False

    @property
    def deleted(self) -> bool:
        """Whether the codemod removes this file (a module left empty)."""
        return self.status == CHANGED and self.new_text is None

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        """A JSON-able summary; ``with_text`` adds the old and new contents."""
        data: dict[str, Any] = {"path": self.path, "status": self.status}
        if self.status == CHANGED:
            data.update(deleted=self.deleted, created=self.created, diff=self.diff, hunks=len(self.hunks))
        if self.reason:
            data["reason"] = self.reason
        if self.line is not None:
            data["line"] = self.line
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if with_text:
            data.update(old_text=self.old_text, new_text=self.new_text)
        return data


@dataclass(frozen=True)
class Mention:
    """A string that names the renamed object for a tool to resolve at run time
    (``mock.patch("pkg.mod.old")``, ``importlib.import_module("pkg.mod")``, an entry point in
    ``pyproject.toml``/``setup.cfg``): the code would still run, and then fail or patch nothing."""

    path: str
    line: int
    text: str
    #: Whether the run rewrites it (``rewrite_mentions=true``); else it is only listed.
    rewritten: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "text": self.text, "rewritten": self.rewritten}


@dataclass(frozen=True)
class CodemodRun:
    """A dry run: every file considered, and what the codemod does to each.

    ``files`` lists only the files that reached the codemod or failed (changed, unchanged,
    skipped, failed); files the text prefilter or the ``ast`` pre-resolution ruled out are
    counted in ``prefiltered``, never opened by libcst.
    """

    repo: str
    name: str
    args: dict[str, str]
    files: tuple[FileResult, ...]
    scanned: int
    prefiltered: int
    cached: int
    seconds: float
    cancelled: bool = False
    jobs: int = 1
    #: Why applying this run is unsafe (a file that would not compile, a rename left half done);
    #: :func:`~mission_control.codemods.apply.apply_run` refuses such a run unless forced.
    problems: tuple[str, ...] = ()
    #: Strings and config entries that name the renamed object ("also mentions" in the review).
    mentions: tuple[Mention, ...] = ()

    def by_status(self, status: str) -> list[FileResult]:
        """The file results with the given status, in path order."""
        return [f for f in self.files if f.status == status]

    @property
    def changed(self) -> list[FileResult]:
        return self.by_status(CHANGED)

    @property
    def skipped(self) -> list[FileResult]:
        return self.by_status(SKIPPED)

    @property
    def failed(self) -> list[FileResult]:
        return self.by_status(FAILED)

    def result_for(self, path: str) -> FileResult | None:
        """The result for ``path`` (relative POSIX path), if the run has one."""
        return next((f for f in self.files if f.path == path), None)

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        """A JSON-able summary of the run."""
        return {
            "repo": self.repo,
            "codemod": self.name,
            "args": dict(self.args),
            "scanned": self.scanned,
            "prefiltered": self.prefiltered,
            "cached": self.cached,
            "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
            "jobs": self.jobs,
            "changed": [f.to_json(with_text) for f in self.changed],
            "skipped": [f.to_json() for f in self.skipped],
            "failed": [f.to_json() for f in self.failed],
            "problems": list(self.problems),
            "mentions": [m.to_json() for m in self.mentions],
        }


@dataclass(frozen=True)
class ApplyResult:
    """What :func:`apply_run` wrote: files written and deleted, and the snapshot to undo it."""

    written: tuple[str, ...]
    deleted: tuple[str, ...]
    snapshot_id: str | None
    cancelled: bool = False
    problems: tuple[str, ...] = field(default=())
