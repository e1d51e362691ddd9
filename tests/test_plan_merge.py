"""Three-way merge of the plan when it changed on disk while edited (issue 17: Overwrite discarded the
other edits although they touched other lines)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mission_control.plan import PlanChangedOnDisk, load_plan
from mission_control.plan.merge import merge3

BASE = ["a\n", "b\n", "c\n", "d\n", "e\n", "f\n"]


def test_disjoint_edits_are_both_kept() -> None:
    ours = ["a\n", "B\n", "c\n", "d\n", "e\n", "f\n"]
    theirs = ["a\n", "b\n", "c\n", "d\n", "E\n", "f\n", "g\n"]
    result = merge3(BASE, ours, theirs)
    assert result.clean and list(result.lines) == ["a\n", "B\n", "c\n", "d\n", "E\n", "f\n", "g\n"]
    assert (result.ours_changed, result.theirs_changed) == (1, 2)


def test_edits_on_neighbouring_lines_merge_line_by_line() -> None:
    # diff3 sees one changed chunk "b c" on both sides; the app's edits replace lines, so each line decides
    result = merge3(BASE, ["a\n", "B\n", "c\n", "d\n", "e\n", "f\n"], ["a\n", "b\n", "C\n", "d\n", "e\n", "f\n"])
    assert result.clean and list(result.lines) == ["a\n", "B\n", "C\n", "d\n", "e\n", "f\n"]


def test_the_same_line_changed_differently_is_a_conflict_and_the_same_change_is_not() -> None:
    result = merge3(BASE, ["a\n", "X\n", *BASE[2:]], ["a\n", "Y\n", *BASE[2:]])
    assert not result.clean
    assert [(c.base_start, c.ours, c.theirs) for c in result.conflicts] == [(1, ("X\n",), ("Y\n",))]
    assert merge3(BASE, ["a\n", "X\n", *BASE[2:]], ["a\n", "X\n", *BASE[2:]]).clean


def test_insertions_and_deletions_on_both_sides() -> None:
    ours = ["0\n", *BASE[:3], *BASE[4:]]  # a line added on top, d removed
    theirs = [*BASE, "g\n", "h\n"]
    result = merge3(BASE, ours, theirs)
    assert result.clean and list(result.lines) == ["0\n", "a\n", "b\n", "c\n", "e\n", "f\n", "g\n", "h\n"]
    clash = merge3(BASE, [*BASE[:3], "x\n", *BASE[3:]], [*BASE[:3], "y\n", "z\n", *BASE[3:]])
    assert not clash.clean and clash.conflicts[0].theirs == ("y\n", "z\n")


def plan_file(tmp_path: Path, sample_plan_path: Path) -> Path:
    target = tmp_path / "plan.md"
    target.write_bytes(sample_plan_path.read_bytes().replace(b"\n", b"\r\n"))  # endings kept through the merge
    return target


def test_a_plan_edited_in_the_app_and_on_disk_merges_and_saves_both(tmp_path, sample_plan_path) -> None:
    path = plan_file(tmp_path, sample_plan_path)
    pf = load_plan(path)
    pf.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    ours_line = next(line for line in pf.document.lines if ":crit, alpha3," in line)
    elsewhere = path.read_bytes().replace(b"Documentation Update  ", b"Docs Update           ")
    elsewhere += b"<!-- reviewed -->\r\n"
    path.write_bytes(elsewhere)
    with pytest.raises(PlanChangedOnDisk):
        pf.save()
    merge = pf.merge_with_disk()
    assert merge.result.clean and merge.result.ours_changed == 1 and merge.result.theirs_changed == 2
    pf.take_merge(merge)
    pf.save()
    saved = path.read_bytes()
    assert (
        ours_line.encode() + b"\r\n" in saved and b"Docs Update" in saved and saved.endswith(b"<!-- reviewed -->\r\n")
    )
    assert saved.count(b"\r\n") == saved.count(b"\n")  # no bare LF slipped in
    assert not pf.modified and pf.plan.find_task("alpha3").start == datetime(1970, 1, 1, 15)


def test_save_as_makes_the_new_file_the_plan(tmp_path, sample_plan_path) -> None:
    path = plan_file(tmp_path, sample_plan_path)
    before = path.read_bytes()
    pf = load_plan(path)
    pf.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    copy = tmp_path / "mine.md"
    pf.save_as(copy)
    assert pf.path == copy and not pf.modified and pf.plan.find_task("alpha3").start == datetime(1970, 1, 1, 15)
    assert path.read_bytes() == before  # the original is untouched
    assert b"15:00" in copy.read_bytes()
