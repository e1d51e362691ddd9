"""A three-way merge of text lines (diff3), without Qt or git.

Used when the plan changed on disk while the lead edited it: ``base`` is the file as loaded,
``ours`` the lead's version, ``theirs`` the file on disk now. Where only one side changed a
region, that side wins; where both changed it the same way, once; where both changed it
differently, the region is a conflict. A conflicting region whose three versions have the same
number of lines (the app's edits replace lines, they never add or remove them) is merged line by
line, so two edits on neighbouring lines still merge: only a line changed differently on both
sides is a conflict.

The regions are found as in diff3: lines of ``base`` matched in both other versions are stable
and split the text into chunks, and each chunk is decided on its own.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class MergeConflict:
    """Lines changed differently on both sides: 0-based ``[start, end)`` in base, and both versions."""

    base_start: int
    base_end: int
    ours: tuple[str, ...]
    theirs: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    """The merged lines (when clean: both sides' changes kept), the conflicts, and how many lines each
    side changed."""

    lines: tuple[str, ...]
    conflicts: tuple[MergeConflict, ...]
    ours_changed: int
    theirs_changed: int

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge3(base: list[str], ours: list[str], theirs: list[str]) -> MergeResult:
    """Merge ``ours`` and ``theirs``, both derived from ``base`` (lists of lines)."""
    merged: list[str] = []
    conflicts: list[MergeConflict] = []
    changed = [0, 0]
    z = o = t = 0  # where the current chunk starts in base, ours, theirs
    for zs, ze, os_, oe, ts, te in _stable_regions(base, ours, theirs):
        chunk_b, chunk_o, chunk_t = base[z:zs], ours[o:os_], theirs[t:ts]
        merged += _merge_chunk(z, chunk_b, chunk_o, chunk_t, conflicts, changed)
        merged += base[zs:ze]
        z, o, t = ze, oe, te
    return MergeResult(tuple(merged), tuple(conflicts), changed[0], changed[1])


def _merge_chunk(
    at: int, base: list[str], ours: list[str], theirs: list[str], conflicts: list[MergeConflict], changed: list[int]
) -> list[str]:
    """One chunk between stable regions: decided as a whole, or line by line when the sizes agree."""
    changed[0] += _changed_lines(base, ours)
    changed[1] += _changed_lines(base, theirs)
    if theirs in (ours, base):
        return ours
    if ours == base:
        return theirs
    if len(base) == len(ours) == len(theirs):
        out = []
        for k, (b, mine, other) in enumerate(zip(base, ours, theirs, strict=True)):
            if other in (mine, b):
                out.append(mine)
            elif mine == b:
                out.append(other)
            else:
                conflicts.append(MergeConflict(at + k, at + k + 1, (mine,), (other,)))
                out.append(mine)
        return out
    conflicts.append(MergeConflict(at, at + len(base), tuple(ours), tuple(theirs)))
    return ours


def _changed_lines(base: list[str], other: list[str]) -> int:
    if base == other:
        return 0
    if len(base) == len(other):
        return sum(a != b for a, b in zip(base, other, strict=True))
    return max(len(base), len(other))


def _stable_regions(base: list[str], ours: list[str], theirs: list[str]) -> list[tuple[int, int, int, int, int, int]]:
    """Runs of base lines matched in both versions: (base start, end, ours start, end, theirs start, end),
    ending with an empty run at the three ends."""
    ours_blocks = difflib.SequenceMatcher(None, base, ours, autojunk=False).get_matching_blocks()
    theirs_blocks = difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    regions = []
    i = j = 0
    while i < len(ours_blocks) and j < len(theirs_blocks):
        ob, oo, on = ours_blocks[i]
        tb, tt, tn = theirs_blocks[j]
        start, end = max(ob, tb), min(ob + on, tb + tn)
        if start < end:
            regions.append((start, end, oo + start - ob, oo + end - ob, tt + start - tb, tt + end - tb))
        if ob + on < tb + tn:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(ours), len(ours), len(theirs), len(theirs)))
    return regions


def unified_diff(before: list[str], after: list[str], before_name: str, after_name: str) -> str:
    """``before`` → ``after`` as a unified diff (lines without their endings)."""
    return "\n".join(difflib.unified_diff(before, after, before_name, after_name, lineterm="", n=2))
