"""Planned against actual on real git: a task's span from its commits, its slip, the mission's projected end."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mission_control import cli
from mission_control.services import teams as flows
from mission_control.signoff.mission import start_mission

PLAN = """# Mission

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Split the core    :crit, alpha1, 00:00, 2h
  Move the registry :crit, alpha2, after alpha1, 2h
  section Team Bravo
  Config            :bravo1, 00:00, 1h
```
"""
HOUR0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def git(folder: Path, *args: str, when: datetime | None = None) -> str:
    env = dict(os.environ)
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True, env=env).stdout


def test_actual_spans_slips_and_the_projected_end(git_repo, capsys):
    (git_repo / "plan.md").write_text(PLAN)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "plan")
    start_mission(git_repo, now=HOUR0)
    flows.launch(flows.open_teams(git_repo))
    alpha = git_repo.parent / "repo.teams" / "alpha"
    for minutes, name in ((40, "a.py"), (100, "b.py")):
        (alpha / name).write_text("x = 1\n")
        git(alpha, "add", name)
        git(alpha, "commit", "-qm", f"alpha1: {name}", when=HOUR0 + timedelta(minutes=minutes))

    context = flows.open_teams(git_repo)
    per_task, end = flows.progress(context, now=HOUR0 + timedelta(hours=3))

    alpha1 = per_task["alpha1"]
    assert alpha1.describe() == "started 40 min late"
    assert alpha1.actual_end - alpha1.actual_start == timedelta(minutes=60)
    assert per_task["bravo1"].describe() == "not started"
    assert end is not None and end.slip == timedelta(minutes=60)  # alpha2 should have started at 02:00
    assert end.describe() == "mission end +1 h (alpha2 on the critical path)"

    assert cli.run(["teams", "list", "--repo", str(git_repo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["progress"]["alpha1"]["slip_minutes"] == 40
        and data["progress"]["alpha1"]["summary"] == "started 40 min late"
    )
    assert data["mission_end"]["summary"].startswith("mission end +")
