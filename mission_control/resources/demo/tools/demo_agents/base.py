"""What a scripted step is, and the few file edits the steps are made of.

A step edits files in the worktree and becomes one commit. Edits check that the code is what the
script expects (``replace`` fails when the text to change is not there), so a script never commits
a half-done refactoring over code someone already changed: it stops and says which file differs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class ScriptError(Exception):
    """The code is not what the script expects; the message names the file."""


class Files:
    """Reads and edits files of the worktree at ``root`` (paths are relative, with ``/``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, rel: str) -> str:
        path = self.root / rel
        if not path.is_file():
            raise ScriptError(f"{rel}: no such file (already moved or deleted?)")
        return path.read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in ``rel`` by ``new``."""
        text = self.read(rel)
        found = text.count(old)
        if found != 1:
            first = old.strip().splitlines()[0] if old.strip() else repr(old)
            raise ScriptError(f"{rel}: expected this text once, found it {found} times: {first}")
        self.write(rel, text.replace(old, new))

    def delete(self, rel: str) -> None:
        if not (self.root / rel).is_file():
            raise ScriptError(f"{rel}: no such file to delete")
        subprocess.run(["git", "rm", "-q", rel], cwd=self.root, check=True)


@dataclass(frozen=True)
class Step:
    """One commit of a task: its message and the edit that makes it."""

    subject: str
    body: str
    edit: Callable[[Files], None]
