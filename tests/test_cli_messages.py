"""Issue 18, "Sign-off and CLI": counts and plurals, dates on multi-day plans, sane reschedule
ranges, float and duration in ``plan show --json``, and a README command table that lists every
command ``mission-control --help`` knows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from helpers import ROOT

from mission_control.cli import run as cli
from mission_control.plan import parse_plan
from mission_control.signoff import task_states

MULTI_DAY = """# Plan

```mermaid
gantt
    dateFormat YYYY-MM-DD HH:mm
    section A
    Alpha :a1, 2026-03-02 09:00, 4h
    Beta  :a2, after a1, 2d
    Gamma :a3, 2026-03-02 09:00, 2h
```

```mermaid
flowchart LR
    A1[Alpha] --> A2[Beta]
```
"""

CONFLICT = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Alpha :a1, 09:00, 4h
    Beta  :a2, 10:00, 2h
```

```mermaid
flowchart LR
    A1[Alpha] --> A2[Beta]
```
"""


def test_an_after_and_its_graph_edge_are_one_dependency_and_counts_are_singular(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(MULTI_DAY)
    assert cli(["plan", "show", str(plan)]) == 0
    assert "1 section · 3 tasks · 1 dependency · 0 checklist items" in capsys.readouterr().out
    plan.write_text(CONFLICT)
    assert cli(["check", str(plan)]) == 1
    assert f"{plan}: 2 tasks, 0 errors, 0 warnings, 1 conflict" in capsys.readouterr().out


def test_plan_show_json_has_duration_and_float_per_task(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(MULTI_DAY)
    assert cli(["plan", "show", str(plan), "--json"]) == 0
    tasks = {t["id"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert (tasks["a1"]["duration_hours"], tasks["a1"]["float_hours"]) == (4.0, 0.0)
    assert tasks["a2"]["duration_hours"] == 48.0
    assert tasks["a3"]["duration_hours"] == 2.0 and tasks["a3"]["float_hours"] == 50.0


def test_reschedule_to_a_date_prints_a_range_with_both_ends_alike(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(MULTI_DAY)
    assert cli(["reschedule", str(plan), "a1", "--start", "2026-03-09", "--cascade"]) == 0
    out = capsys.readouterr().out
    assert "a1: 2026-03-02 09:00 – 2026-03-02 13:00 → 2026-03-09 00:00 – 2026-03-09 04:00  Alpha" in out
    assert "2026-03-09–" not in out


def test_a_late_task_on_a_multi_day_plan_names_the_day() -> None:
    plan = parse_plan(MULTI_DAY)
    states = task_states(plan, datetime(2026, 3, 5, 9, 0))
    assert "its end (2026-03-04 13:00) has passed" in states["a2"].reasons[0]
    one_day = parse_plan(CONFLICT)
    assert "its end (13:00) has passed" in task_states(one_day, datetime(1970, 1, 1, 14, 0))["a1"].reasons[0]


def test_the_readme_command_table_lists_every_command() -> None:
    helptext = subprocess.run(
        [sys.executable, "-m", "mission_control", "--help"], capture_output=True, text=True, check=True
    ).stdout
    commands = set(re.findall(r"^    (\w[\w-]*)", helptext, re.MULTILINE))
    assert {"mission", "tasks", "runbook", "test", "plan"} <= commands
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## The command line") :]
    listed = set(re.findall(r"`mission-control ([\w-]+)", table))
    assert commands - listed == set()
