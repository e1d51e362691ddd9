"""The one sign-off flow (services.signoff) that the CLI and the Checklist dock both call."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git

from mission_control.services import signoff as flow
from mission_control.services.project import Project
from mission_control.signoff import SignoffError, find_items, read_ledger

PLAN = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory :a1, 00:00, 8h
```

## Final Checklist
- [ ] All teams briefed on tasks
- [ ] Tests passing 100%
"""


@pytest.fixture
def project(git_repo: Path) -> Project:
    (git_repo / "plan.md").write_text(PLAN)
    git(git_repo, "add", "plan.md")
    git(git_repo, "commit", "-q", "-m", "plan")
    return Project.open(git_repo, git_repo / "plan.md")


def _item(project: Project, text: str):
    (item,) = find_items(project.plan.checklist, text)
    return item


def test_sign_then_revoke_ticks_records_and_saves(project: Project) -> None:
    entry = flow.sign_off(project, _item(project, "All teams"), note="stand-up")
    assert entry.kind == "signoff" and entry.note == "stand-up"
    assert "- [x] All teams briefed on tasks" in (project.repo / "plan.md").read_text()
    entry = flow.sign_off(project, _item(project, "All teams"), revoke=True, reason="  half were out ")
    assert (entry.kind, entry.reason) == ("revoke", "half were out")
    assert "- [ ] All teams briefed on tasks" in (project.repo / "plan.md").read_text()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_revoke_without_a_reason_is_refused_before_anything_is_written(project: Project, reason: str) -> None:
    flow.sign_off(project, _item(project, "All teams"))
    before = (project.repo / "plan.md").read_bytes()
    item = _item(project, "All teams")
    with pytest.raises(SignoffError, match="needs a reason"):
        flow.check(project, item, revoke=True, reason=reason)
    with pytest.raises(SignoffError, match="needs a reason"):
        flow.sign_off(project, item, revoke=True, reason=reason)
    with pytest.raises(SignoffError, match="needs a reason"):
        flow.record(project, item, revoke=True, reason=reason)
    assert (project.repo / "plan.md").read_bytes() == before and not project.modified
    assert [e.kind for e in read_ledger(project.repo).entries] == ["signoff"]


def test_check_refuses_signing_twice_and_revoking_what_is_not_signed(project: Project) -> None:
    flow.check(project, _item(project, "Tests passing"), revoke=False)
    with pytest.raises(SignoffError, match="nothing to revoke"):
        flow.check(project, _item(project, "Tests passing"), revoke=True, reason="why not")
    flow.sign_off(project, _item(project, "Tests passing"))
    with pytest.raises(SignoffError, match="already signed off"):
        flow.check(project, _item(project, "Tests passing"), revoke=False)
