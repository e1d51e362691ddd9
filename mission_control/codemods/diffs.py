"""Unified diffs split into hunks, and applying only the hunks the user accepted.

A hunk is one group of difflib's grouped opcodes (three lines of context), exactly the hunks
``diff -u`` and ``git diff`` show, so accepting "hunk 2" means what the reviewer saw.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from mission_control.codemods.model import CHANGED, UNCHANGED, FileResult, Hunk

CONTEXT = 3
_NO_EOL = "\\ No newline at end of file\n"


def make_hunks(old_text: str, new_text: str) -> tuple[Hunk, ...]:
    """The hunks turning ``old_text`` into ``new_text`` (empty when they are equal)."""
    old = old_text.splitlines(keepends=True)
    new = new_text.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks = []
    for index, group in enumerate(matcher.get_grouped_opcodes(CONTEXT)):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        header = f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n"
        body = [header]
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                body.extend(_lines(" ", old[a1:a2]))
                continue
            body.extend(_lines("-", old[a1:a2]))
            body.extend(_lines("+", new[b1:b2]))
        hunks.append(
            Hunk(
                index,
                i1 + 1,
                i2 - i1,
                j1 + 1,
                j2 - j1,
                tuple(old[i1:i2]),
                tuple(new[j1:j2]),
                header.rstrip("\n"),
                "".join(body),
            )
        )
    return tuple(hunks)


def unified_diff(path: str, old_text: str | None, new_text: str | None, hunks: tuple[Hunk, ...] | None = None) -> str:
    """The ``git diff``-style unified diff of one file; None texts mean created or deleted."""
    if hunks is None:
        hunks = make_hunks(old_text or "", new_text or "")
    if not hunks:
        return ""
    source = f"a/{path}" if old_text is not None else "/dev/null"
    target = f"b/{path}" if new_text is not None else "/dev/null"
    return f"--- {source}\n+++ {target}\n" + "".join(h.text for h in hunks)


def apply_hunks(old_text: str, hunks: Iterable[Hunk]) -> str:
    """``old_text`` with only the given hunks applied (hunks of one diff, any subset)."""
    old = old_text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for hunk in sorted(hunks, key=lambda h: h.old_start):
        start = hunk.old_start - 1
        if start < position or tuple(old[start : start + hunk.old_count]) != hunk.old_lines:
            raise ValueError(f"hunk {hunk.header} does not apply to this text")
        out.extend(old[position:start])
        out.extend(hunk.new_lines)
        position = start + hunk.old_count
    out.extend(old[position:])
    return "".join(out)


def _range(start: int, count: int) -> str:
    """A hunk header range as ``diff -u`` writes it (1-based; an empty range names the line before)."""
    first = start + 1 if count else start
    return f"{first}" if count == 1 else f"{first},{count}"


def _lines(prefix: str, lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        out.append(prefix + line)
        if not line.endswith(("\n", "\r")):
            out.append("\n" + _NO_EOL)
    return out


def file_result(path: str, old_text: str, new_text: str | None) -> FileResult:
    """A CHANGED result with its diff and hunks, or UNCHANGED."""
    if new_text == old_text:
        return FileResult(path, UNCHANGED, old_text=old_text, new_text=new_text)
    hunks = make_hunks(old_text, new_text or "")
    return FileResult(
        path,
        CHANGED,
        old_text=old_text,
        new_text=new_text,
        diff=unified_diff(path, old_text, new_text, hunks),
        hunks=hunks,
    )
