"""Sign-off core and CLI: ledger durability, matching by heading+text, discrepancies, evidence, task states."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import git

from mission_control.cli import run as cli
from mission_control.plan import load_plan, parse_plan
from mission_control.signoff import (
    Facts,
    LedgerEntry,
    TaskEvidence,
    append_entry,
    checklist_state,
    evidence_for,
    find_items,
    ledger_path,
    read_ledger,
    read_mission,
    start_mission,
    task_states,
    to_plan_time,
)
from mission_control.signoff.ledger import entry_id

PLAN = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory Consolidation :a1, 00:00, 8h
    WebSocket Unification :a2, after a1, 4h
    Legacy Code Removal   :a3, 00:00, 2h
```

## Final Checklist

### Pre-Execution (Hour -1):
- [ ] All teams briefed on tasks
- [ ] Rollback scripts tested

### Post-Execution (Hour 22):
- [ ] Tests passing 100%
- [ ] Legacy code removed
- [ ] Factory consolidation complete
"""
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def project(git_repo: Path) -> Path:
    (git_repo / "plan.md").write_text(PLAN)
    git(git_repo, "add", "plan.md")
    git(git_repo, "commit", "-q", "-m", "plan")
    return git_repo


def _entry(text: str, heading: tuple[str, ...], kind: str = "signoff", **kw) -> LedgerEntry:
    return LedgerEntry(kind, text, heading, "Ann", "ann@example.com", T0, "abc", None, **kw)


def _items(text: str = PLAN):
    return parse_plan(text).checklist


# -- the ledger -------------------------------------------------------------------------------------


def test_append_and_read_round_trip(git_repo: Path) -> None:
    status = subprocess.run(["git", "status", "--porcelain"], cwd=git_repo, capture_output=True, text=True).stdout
    first = append_entry(git_repo, _entry("Tests passing 100%", ("Final", "Post"), note="green"))
    second = append_entry(git_repo, _entry("Tests passing 100%", ("Final", "Post"), "revoke", reason="red"))
    read = read_ledger(git_repo)
    assert [e.kind for e in read.entries] == ["signoff", "revoke"] and [e.line for e in read.entries] == [1, 2]
    assert read.entries[0].note == "green" and read.entries[1].reason == "red"
    assert read.entries[0].at == T0 and read.problems == ()
    assert entry_id(first) != entry_id(second) and all(entry_id(e) for e in read.entries)
    # kept in git, nothing in the working tree: git status unchanged, git clean cannot lose it
    assert (
        subprocess.run(["git", "status", "--porcelain"], cwd=git_repo, capture_output=True, text=True).stdout == status
    )
    subprocess.run(["git", "clean", "-fdxq"], cwd=git_repo, check=True)
    assert len(read_ledger(git_repo).entries) == 2


def test_an_old_ledger_file_is_imported_once_and_left_in_place_with_a_note(git_repo: Path) -> None:
    path = ledger_path(git_repo)
    path.parent.mkdir()
    lines = [json.dumps(_entry(text, ("H",)).to_json()) for text in ("A", "B")]
    cut = json.dumps(_entry("C", ("H",)).to_json())[:40]  # a crash in the middle of a write
    path.write_text("\n".join([*lines, cut]) + "\n")
    before = path.read_bytes()

    read = read_ledger(git_repo)

    assert [e.text for e in read.entries] == ["A", "B"]
    assert read.problems and f"{path}:3:" in read.problems[0]
    assert path.read_bytes() == before and (path.parent / "MIGRATED.txt").is_file()
    append_entry(git_repo, _entry("D", ("H",)))
    assert [e.text for e in read_ledger(git_repo).entries] == ["A", "B", "D"]  # imported once, not twice
    assert path.read_bytes() == before  # never written again


_WRITER = """
import sys
from datetime import datetime, timezone
from mission_control.signoff import LedgerEntry, append_entry
repo, tag = sys.argv[1], sys.argv[2]
for i in range(30):
    append_entry(repo, LedgerEntry("signoff", f"{tag}-{i}" + "x" * 3000, ("H",), "W", "w@x", datetime.now(timezone.utc)))
"""


def test_two_writers_never_lose_an_entry(git_repo: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(git_repo), tag]) for tag in ("one", "two")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    read = read_ledger(git_repo)
    assert read.problems == ()
    assert len(read.entries) == 60
    for tag in ("one", "two"):  # each writer's entries complete and in its own order
        mine = [e.text.rstrip("x") for e in read.entries if e.text.startswith(tag)]
        assert mine == [f"{tag}-{i}" for i in range(30)]


# -- matching and discrepancies -----------------------------------------------------------------------


def test_sign_off_follows_an_item_moved_and_slightly_reworded() -> None:
    heading = ("Final Checklist", "Pre-Execution (Hour -1):")
    entries = [_entry("Rollback scripts tested", heading)]
    moved = PLAN.replace("- [ ] Rollback scripts tested\n", "").replace(
        "- [ ] Legacy code removed\n", "- [ ] Legacy code removed\n- [x] Rollback script tested\n"
    )
    state = checklist_state(_items(moved), entries)
    signed = [s for s in state.items if s.signed]
    assert [s.text for s in signed] == ["Rollback script tested"]
    assert signed[0].heading[-1].startswith("Post-Execution")
    assert signed[0].signed_by == "Ann" and state.discrepancies == ()


def test_discrepancies_orphan_unsigned_and_unticked() -> None:
    heading = ("Final Checklist", "Pre-Execution (Hour -1):")
    text = PLAN.replace("- [ ] Tests passing 100%", "- [x] Tests passing 100%")
    entries = [_entry("Deploy the moon base", heading), _entry("All teams briefed on tasks", heading)]
    state = checklist_state(_items(text), entries)
    kinds = sorted((d.kind, d.text) for d in state.discrepancies)
    assert kinds == [
        ("orphan", "Deploy the moon base"),
        ("unsigned", "Tests passing 100%"),
        ("unticked", "All teams briefed on tasks"),
    ]


def test_a_revoked_orphan_is_not_a_discrepancy() -> None:
    heading = ("Old",)
    entries = [_entry("Gone item", heading), _entry("Gone item", heading, "revoke", reason="dropped")]
    assert checklist_state(_items(), entries).discrepancies == ()


def test_find_items_exact_partial_fuzzy_and_ambiguous() -> None:
    items = _items()
    assert [i.text for i in find_items(items, "tests passing 100%")] == ["Tests passing 100%"]
    assert [i.text for i in find_items(items, "Rollback")] == ["Rollback scripts tested"]
    assert [i.text for i in find_items(items, "Legacy code remove")] == ["Legacy code removed"]
    assert len(find_items(items, "t")) > 1
    assert find_items(items, "launch the rockets") == []


def test_signing_again_an_item_whose_ledger_entry_has_no_time_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A ledger line without "at" (hand-written, or an older tool) still reads as a sign-off; signing the
    item again is refused with a SignoffError, not a TypeError from formatting a missing time."""
    from mission_control.signoff import SignoffError, check_action

    items = _items(PLAN.replace("- [ ] Tests passing 100%", "- [x] Tests passing 100%"))
    item = next(i for i in items if i.text == "Tests passing 100%")
    path = ledger_path(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"kind": "signoff", "text": item.text, "heading": list(item.heading)}) + "\n")
    assert read_ledger(tmp_path).entries[0].at is None  # outside git: the old file is read as it is
    with pytest.raises(SignoffError, match=r"already signed off by someone$"):
        check_action(tmp_path, items, item, revoke=False)


# -- evidence ------------------------------------------------------------------------------------------


def test_evidence_from_tests_legacy_files_and_runs() -> None:
    red = Facts(tests={"passed": 40, "failed": 2, "error": 0})
    green = Facts(tests={"passed": 42, "failed": 0}, legacy_files=())
    assert evidence_for("Tests passing 100%", red).ok is False
    assert "2 failed of 42" in evidence_for("Tests passing 100%", red).text
    assert evidence_for("Tests passing 100%", green).ok is True
    assert evidence_for("Tests passing 100%", Facts()).ok is None
    assert evidence_for("Legacy code removed", Facts(legacy_files=("app/x_legacy.py",))).ok is False
    assert evidence_for("Legacy code removed", green).ok is True
    assert evidence_for("Zero broken imports", Facts(audit={"broken_imports": 3})).ok is False
    assert evidence_for("All teams briefed on tasks", green) is None
    run = LedgerEntry("run", "python rollback.py", ("Risk", "Rollback Strategy:"), extra={"exit_status": 1})
    assert evidence_for("Rollback scripts tested", Facts(runs=(run,))).ok is False


# -- the CLI -------------------------------------------------------------------------------------------


def test_cli_signoff_changes_one_line_and_writes_a_complete_entry(project: Path, capsys) -> None:
    from mission_control.history import open_history

    with open_history(project) as history:
        history.record_test_run(
            selection="all", exit_code=0, duration=1.0, totals={"passed": 7}, outcomes={"t::a": "passed"}
        )
    before = (project / "plan.md").read_bytes()
    assert cli(["signoff", "--repo", str(project), "Tests passing", "--note", "CI green"]) == 0
    after = (project / "plan.md").read_bytes()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [(b"- [ ] Tests passing 100%", b"- [x] Tests passing 100%")]
    assert len(before) == len(after)
    (entry,) = read_ledger(project).entries
    assert (entry.kind, entry.text, entry.heading) == (
        "signoff",
        "Tests passing 100%",
        ("Final Checklist", "Post-Execution (Hour 22):"),
    )
    assert (entry.who, entry.email, entry.note) == ("Test Lead", "lead@example.com", "CI green")
    assert entry.commit == git(project, "rev-parse", "HEAD").strip()
    assert entry.tests["passed"] == 7 and entry.tests["green"] is True
    assert entry.at.tzinfo is not None and abs(entry.at - datetime.now(UTC)) < timedelta(minutes=5)


def test_cli_refuses_unknown_ambiguous_double_and_reasonless_revoke(project: Path, capsys) -> None:
    repo = str(project)
    assert cli(["signoff", "--repo", repo, "launch the rockets"]) == 1
    assert cli(["signoff", "--repo", repo, "t"]) == 1
    assert "matches" in capsys.readouterr().err
    assert cli(["signoff", "--repo", repo, "Rollback scripts tested"]) == 0
    assert cli(["signoff", "--repo", repo, "Rollback scripts tested"]) == 1
    assert cli(["signoff", "--repo", repo, "--revoke", "Rollback scripts tested"]) == 1
    assert cli(["signoff", "--repo", repo, "--revoke", "All teams briefed", "--reason", "x"]) == 1
    assert len(read_ledger(project).entries) == 1
    assert cli(["signoff", "--repo", repo, "--revoke", "Rollback scripts tested", "--reason", "flaky"]) == 0
    assert "- [ ] Rollback scripts tested" in (project / "plan.md").read_text()
    assert [e.kind for e in read_ledger(project).entries] == ["signoff", "revoke"]


def test_cli_checklist_json(project: Path, capsys) -> None:
    assert cli(["signoff", "--repo", str(project), "Legacy code removed"]) == 0
    capsys.readouterr()
    assert cli(["checklist", "--repo", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"items", "discrepancies"}
    legacy = next(i for i in data["items"] if i["text"] == "Legacy code removed")
    assert {"text", "heading", "done", "signed_by", "signed_at"} <= set(legacy)
    assert legacy["done"] and legacy["signed_by"] == "Test Lead"
    assert data["discrepancies"] == []
    text = (project / "plan.md").read_text().replace("- [ ] Tests passing 100%", "- [x] Tests passing 100%")
    (project / "plan.md").write_text(text)
    assert cli(["checklist", "--repo", str(project), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["discrepancies"][0]["kind"] == "unsigned"


def test_cli_bad_repo_is_a_clear_message(tmp_path: Path, capsys) -> None:
    assert cli(["checklist", "--repo", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err


# -- mission clock and task states ---------------------------------------------------------------------


def test_start_mission_writes_clock_and_refuses_restart(project: Path) -> None:
    mission = start_mission(project, now=T0)
    assert read_mission(project) == mission
    assert mission.baseline == git(project, "rev-parse", "HEAD").strip()
    assert git(project, "rev-parse", "refs/mission-control/baseline").strip() == mission.baseline
    with pytest.raises(Exception, match="already started"):
        start_mission(project, now=T0 + timedelta(hours=1))
    assert start_mission(project, now=T0 + timedelta(hours=1), force=True).started_at == T0 + timedelta(hours=1)


def test_task_states_from_clock_dependencies_changes_and_checklist(project: Path) -> None:
    plan = load_plan(project / "plan.md").plan
    mission = start_mission(project, now=T0)
    at = lambda hours: to_plan_time(plan, mission, T0 + timedelta(hours=hours))
    assert to_plan_time(plan, None, T0) is None
    before = task_states(plan, None)
    assert {s.state for s in before.values()} == {"planned"}
    hour1 = task_states(plan, at(1))
    assert (hour1["a1"].state, hour1["a2"].state, hour1["a3"].state) == ("active", "planned", "active")
    hour9 = task_states(plan, at(9))
    assert (hour9["a1"].state, hour9["a2"].state, hour9["a3"].state) == ("late", "blocked", "late")
    early = task_states(plan, at(1), TaskEvidence(changed_files={"a2": 3}))
    assert early["a2"].state == "blocked" and "3 files" in " ".join(early["a2"].reasons)
    signed = checklist_state(
        _items(PLAN.replace("- [ ] Factory consolidation complete", "- [x] Factory consolidation complete")),
        [_entry("Factory consolidation complete", ("Final Checklist", "Post-Execution (Hour 22):"))],
    )
    hour9 = task_states(plan, at(9), None, signed)
    assert (hour9["a1"].state, hour9["a2"].state) == ("done", "active")
    assert task_states(plan, at(13), None, signed)["a2"].state == "late"
    failing = task_states(plan, at(9), TaskEvidence(tests={"a1": "failing"}), signed)
    assert failing["a1"].state == "late"
    tagged = parse_plan(PLAN.replace(":a1,", ":done, a1,"))
    assert task_states(tagged, at(9))["a2"].state == "active"


def test_task_states_on_the_demo_mission_with_a_fake_clock(tmp_path: Path) -> None:
    from mission_control.config import load_config
    from mission_control.services.demo import create_demo
    from mission_control.signoff import gather_task_evidence

    repo = create_demo(tmp_path / "demo")
    plan = load_plan(repo / "docs" / "ssot-refactor-plan.md").plan
    factory = repo / "app" / "agents" / "agent_instance_factory.py"
    factory.write_text(factory.read_text() + "\n# consolidated\n")
    evidence = gather_task_evidence(repo, load_config(repo))
    assert evidence.changed_files.get("alpha1") == 1
    assert task_states(plan, None, evidence)["alpha1"].state == "active"
    mission = start_mission(repo, now=T0)
    states = task_states(plan, to_plan_time(plan, mission, T0 + timedelta(hours=9)), evidence)
    assert states["alpha1"].state == "late"
    assert states["alpha2"].state == "blocked"  # its span started; Factory Consolidation is not done
    assert states["alpha4"].state == "planned"
    assert states["delta3"].state == "active"  # 06:00-12:00, no unfinished dependency


def test_evidence_from_a_red_or_partial_run_is_not_a_pass() -> None:
    red = Facts(tests={"passed": 5, "failed": 0, "green": False, "exit_code": 2, "selection": "all"})
    partial = Facts(tests={"passed": 1, "failed": 0, "green": True, "exit_code": 0, "selection": "failed"})
    full = Facts(tests={"passed": 5, "failed": 0, "green": True, "exit_code": 0, "selection": "all"})
    assert evidence_for("Tests passing 100%", red).ok is False
    assert "the latest run was red (exit code 2)" in evidence_for("Tests passing 100%", red).text
    assert evidence_for("Tests passing 100%", partial).ok is None
    assert "partial (failed)" in evidence_for("Tests passing 100%", partial).text
    assert evidence_for("Tests passing 100%", full).ok is True


def test_cli_signoff_checks_the_evidence_like_the_checklist_dock(project: Path, capsys) -> None:
    from mission_control.history import open_history

    repo = str(project)
    with open_history(project) as history:
        history.record_test_run(
            selection="all", exit_code=1, duration=1.0, totals={"passed": 6, "failed": 1}, outcomes={"t::a": "failed"}
        )
    assert cli(["signoff", "--repo", repo, "Tests passing"]) == 1  # stdin is not a terminal: "No"
    err = capsys.readouterr().err
    assert "evidence: ✗ 1 failed of 7 (latest run)" in err and "--force" in err
    assert "- [ ] Tests passing 100%" in (project / "plan.md").read_text() and not read_ledger(project).entries
    assert cli(["checklist", "--repo", repo, "--json"]) == 0
    items = {i["text"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert items["Tests passing 100%"]["evidence"]["ok"] is False
    assert items["All teams briefed on tasks"]["evidence"] is None
    assert cli(["checklist", "--repo", repo]) == 0
    assert "[ ] Tests passing 100%  [✗ 1 failed of 7 (latest run)]" in capsys.readouterr().out
    with open_history(project) as history:  # a green but partial run: signed, with a warning
        history.record_test_run(
            selection="failed", exit_code=0, duration=1.0, totals={"passed": 1}, outcomes={"t::a": "passed"}
        )
    assert cli(["signoff", "--repo", repo, "Tests passing", "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "partial (failed)" in captured.err
    data = json.loads(captured.out)
    assert data["evidence"]["ok"] is None and "partial (failed)" in data["evidence"]["text"]
    assert cli(["signoff", "--repo", repo, "--revoke", "Tests passing", "--reason", "recheck"]) == 0
    capsys.readouterr()
    with open_history(project) as history:
        history.record_test_run(
            selection="all", exit_code=1, duration=1.0, totals={"passed": 6, "failed": 1}, outcomes={"t::a": "failed"}
        )
    assert cli(["signoff", "--repo", repo, "Tests passing", "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["evidence"]["ok"] is False


def test_mission_start_is_the_one_documented_verb_and_start_mission_its_hidden_alias(project: Path, capsys) -> None:
    helptext = subprocess.run(
        [sys.executable, "-m", "mission_control", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "start-mission" not in helptext and "mission " in helptext
    assert cli(["start-mission", "--repo", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    head = git(project, "rev-parse", "HEAD").strip()
    assert data["commit"] == data["baseline"] == head and data["started_at"]  # Hour 0 too, like `mission start`
    assert read_mission(project) is not None
    assert cli(["mission", "start", "--repo", str(project)]) == 1  # the same mission: a restart needs --force
    assert cli(["start-mission", "--repo", str(project), "--force"]) == 0
