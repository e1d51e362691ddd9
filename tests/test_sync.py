"""One mission, many machines: two clones of a bare remote sign off offline, sync, and see the union.

Real git: a bare remote in tmp_path, two clones (two leads), the real CLI. Covers different items
signed on each side, the same item signed twice, a revoke against a sign-off (ordered by time), two
syncs racing, a team branch pushed from one machine appearing in the other's teams list, an
unreachable remote, and the working tree: only the plan's line changes, git clean loses nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from mission_fixtures import SYNC_PLAN as PLAN
from mission_fixtures import two_leads

from mission_control import cli
from mission_control.signoff import read_ledger
from mission_control.signoff.mission import read_mission

ROOT = Path(__file__).resolve().parent.parent


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def leads(tmp_path: Path) -> tuple[Path, Path]:
    return two_leads(tmp_path)


def signed(repo: Path) -> list[tuple[str, str, str]]:
    return [(e.kind, e.text, e.note) for e in read_ledger(repo).entries]


def test_two_leads_sign_off_offline_then_both_see_both(leads, capsys):
    ann, bob = leads
    assert read_mission(bob) == read_mission(ann)  # the clock travelled
    status = git(ann, "status", "--porcelain")
    assert cli.run(["signoff", "Backups verified", "--note", "Ann", "--repo", str(ann)]) == 0
    assert git(ann, "status", "--porcelain") == status + " M plan.md\n"  # only the plan's line
    assert cli.run(["signoff", "Teams briefed", "--note", "Bob", "--repo", str(bob)]) == 0
    assert cli.run(["signoff", "Teams briefed", "--note", "Ann", "--repo", str(ann)]) == 0  # on both sides

    for repo in (ann, bob, ann):
        assert cli.run(["sync", "--repo", str(repo), "--json"]) == 0
    capsys.readouterr()

    expected = sorted(
        [
            ("signoff", "Backups verified", "Ann"),
            ("signoff", "Teams briefed", "Bob"),
            ("signoff", "Teams briefed", "Ann"),
        ]
    )
    assert sorted(signed(ann)) == sorted(signed(bob)) == expected
    times = [e.at for e in read_ledger(ann).entries]
    assert times == sorted(times)
    subprocess.run(["git", "clean", "-fdxq"], cwd=ann, check=True)
    assert sorted(signed(ann)) == expected  # nothing of the mission was in the working tree
    assert cli.run(["sync", "--repo", str(bob), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["waiting_to_push"] == 0


def test_a_revoke_and_a_signoff_are_ordered_by_time(leads):
    ann, bob = leads
    assert cli.run(["signoff", "Rollback tested", "--repo", str(ann)]) == 0
    assert cli.run(["sync", "--repo", str(ann)]) == 0
    assert cli.run(["sync", "--repo", str(bob)]) == 0
    git(bob, "checkout", "-q", "--", "plan.md")
    (bob / "plan.md").write_text(PLAN.replace("- [ ] Rollback tested", "- [x] Rollback tested"))
    assert cli.run(["signoff", "--revoke", "Rollback tested", "--reason", "script failed", "--repo", str(bob)]) == 0
    for repo in (bob, ann):
        assert cli.run(["sync", "--repo", str(repo)]) == 0
    kinds = [e.kind for e in read_ledger(ann).entries if e.text == "Rollback tested"]
    assert kinds == ["signoff", "revoke"] == [e.kind for e in read_ledger(bob).entries if e.text == "Rollback tested"]


RACER = """
import sys
from mission_control import cli
sys.exit(cli.run(["sync", "--repo", sys.argv[1]]))
"""


def test_two_syncs_at_once_lose_nothing(leads):
    ann, bob = leads
    for index in range(3):
        assert (
            cli.run(["signoff", ["Backups verified", "Teams briefed", "Rollback tested"][index], "--repo", str(ann)])
            == 0
        )
    git(bob, "checkout", "-q", "--", "plan.md")
    assert cli.run(["signoff", "Rollback tested", "--repo", str(bob), "--note", "bob too"]) == 0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(repo)], env=env) for repo in (ann, bob)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    for repo in (ann, bob):
        assert cli.run(["sync", "--repo", str(repo)]) == 0
    assert len(read_ledger(ann).entries) == len(read_ledger(bob).entries) == 4


def test_a_team_branch_pushed_elsewhere_appears_in_teams_list(leads, capsys):
    ann, bob = leads
    assert cli.run(["teams", "launch", "--repo", str(bob)]) == 0
    bravo = bob.parent / "bob.teams" / "bravo"
    (bravo / "config.py").write_text("A = 1\n")
    git(bravo, "add", "config.py")
    git(bravo, "commit", "-qm", "bravo1: one config")
    git(bob, "push", "-q", "origin", "mission/bravo", "mission/integration")
    capsys.readouterr()

    assert cli.run(["sync", "--repo", str(ann)]) == 0
    assert "new team branch mission/bravo" in capsys.readouterr().out
    assert cli.run(["teams", "list", "--repo", str(ann), "--json"]) == 0
    team = next(t for t in json.loads(capsys.readouterr().out)["teams"] if t["team"] == "bravo")
    assert team["head"] == git(bravo, "rev-parse", "HEAD").strip()
    assert [c["task"] for c in team["commits"]] == ["bravo1"]


def test_an_unreachable_remote_is_a_clear_message_and_local_work_goes_on(leads, capsys):
    ann, _bob = leads
    git(ann, "remote", "set-url", "origin", str(ann.parent / "gone.git"))
    assert cli.run(["signoff", "Backups verified", "--repo", str(ann)]) == 0
    capsys.readouterr()

    assert cli.run(["sync", "--repo", str(ann)]) == 1

    err = capsys.readouterr().err
    assert "cannot fetch" in err and "local work continues" in err and "Traceback" not in err
    assert [e.text for e in read_ledger(ann).entries] == ["Backups verified"]
    assert cli.run(["sync", "--remote", "nowhere", "--repo", str(ann)]) == 1
    assert "no remote named 'nowhere'" in capsys.readouterr().err


def test_sync_in_parallel_threads_of_one_process_is_safe(leads):
    ann, _bob = leads
    assert cli.run(["signoff", "Teams briefed", "--repo", str(ann)]) == 0
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(cli.run(["sync", "--repo", str(ann)]))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert codes == [0, 0]
