"""The dashboard's Qt-free side: mission start, checkpoints, alerts from history, the source."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import git

from mission_control.audit import AuditError, audit
from mission_control.audit.metrics import Checkpoint
from mission_control.config import ProjectConfig, load_config
from mission_control.history import TestRunRecord, open_history
from mission_control.services.dashboard import (
    DashboardSource,
    broken_import_alerts,
    checkpoint_times,
    read_mission_start,
    regression_alerts,
)

T0 = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)


def run(id_, hours, selection="all", passed=3, failing=()):
    return TestRunRecord(
        id_,
        T0 + timedelta(hours=hours),
        "abc1234def",
        selection,
        1 if failing else 0,
        1.0,
        {"passed": passed, "failed": len(failing)},
        tuple(failing),
    )


@pytest.mark.parametrize(
    "content, expected",
    [
        ({"started": "2024-03-01T06:00:00+00:00"}, T0),
        ({"start": "2024-03-01T06:00:00Z"}, T0),
        ({"started_at": T0.timestamp()}, T0),
        ({"other": 1}, None),
        ([1, 2], None),
    ],
)
def test_mission_start_is_read_from_mission_json(tmp_path, content, expected):
    (tmp_path / ".mission-control").mkdir()
    (tmp_path / ".mission-control" / "mission.json").write_text(json.dumps(content))
    assert read_mission_start(tmp_path) == expected


def test_missing_or_broken_mission_json_gives_none(tmp_path):
    assert read_mission_start(tmp_path) is None
    (tmp_path / ".mission-control").mkdir()
    (tmp_path / ".mission-control" / "mission.json").write_text("{not json")
    assert read_mission_start(tmp_path) is None


def test_checkpoints_are_placed_after_the_start_and_need_one():
    checkpoints = [
        Checkpoint("Hour 14 Checkpoint", 14.0, 9, ()),
        Checkpoint("Hour 8 Checkpoint", 8.0, 3, ()),
        Checkpoint("Later", None, 12, ()),
    ]
    assert checkpoint_times(checkpoints, T0) == (
        ("Hour 8", T0 + timedelta(hours=8)),
        ("Hour 14", T0 + timedelta(hours=14)),
    )
    assert checkpoint_times(checkpoints, None) == ()


def test_regressions_compare_with_the_previous_run_of_the_same_selection_or_the_suite():
    runs = [
        run(1, 1),
        run(2, 2, "component:core", passed=1, failing=["t::a"]),  # first of its kind: no reference
        run(3, 3, failing=["t::b"]),
        run(4, 4, failing=["t::b"]),  # b already failing: not new
        run(5, 5, "component:core", failing=["t::a", "t::c"]),
    ]
    alerts = regression_alerts(list(reversed(runs)))
    assert [(a.when, a.title) for a in alerts] == [
        (T0 + timedelta(hours=2), "Test regression detected"),
        (T0 + timedelta(hours=3), "Test regression detected"),
        (T0 + timedelta(hours=5), "Test regression detected"),
    ]
    assert "t::a" in alerts[0].cause and "abc1234" in alerts[0].cause
    assert "t::c" in alerts[2].cause and "t::a" not in alerts[2].cause


def test_broken_import_alerts_on_each_rise_and_name_the_new_ones(git_repo):
    (git_repo / "a.py").write_text("def f():\n    pass\n")
    (git_repo / "c.py").write_text("from a import x\n")
    before = audit(git_repo, use_cache=False)
    (git_repo / "d.py").write_text("\n\nfrom a import y\n")
    after = audit(git_repo, use_cache=False)
    assert [b.import_ for b in before.broken_imports] == ["a.x"] and len(after.broken_imports) == 2
    series = [(T0, 0.0), (T0 + timedelta(hours=1), 2.0), (T0 + timedelta(hours=2), 1.0), (T0 + timedelta(hours=3), 2.0)]
    alerts = broken_import_alerts(series, after, before)
    assert [a.when for a in alerts] == [T0 + timedelta(hours=1), T0 + timedelta(hours=3)]
    assert alerts[0].cause == "0 → 2 broken imports"  # an old rise: only the counts are known
    assert alerts[1].cause == "1 → 2 broken imports: d.py:3 imports a.y"  # the newest names the new one
    flat = broken_import_alerts([(T0, 1.0), (T0 + timedelta(hours=1), 1.0)], after, before)
    assert flat == []


def test_source_audits_records_and_reevaluates_without_auditing(git_repo):
    (git_repo / "mod.py").write_text("class AManager:\n    pass\n")
    (git_repo / "plan.md").write_text("## Success Metrics\n- 50% reduction in manager classes\n- Zero broken imports\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "code")
    (git_repo / "mission-control.toml").write_text('baseline = "HEAD"\n')
    source = DashboardSource(git_repo, load_config(git_repo))
    plan = (git_repo / "plan.md").read_text()
    first = source.refresh(plan)
    assert first.problems == ()
    gauges = {s.item.text: (s.baseline, s.now, s.target, s.met) for s in first.statuses}
    assert gauges["50% reduction in manager classes"] == (1, 1, 0.5, False)
    (git_repo / "mod.py").write_text("class A:\n    pass\n")
    second = source.refresh(plan, ["mod.py"])
    assert {s.item.text: s.met for s in second.statuses}["50% reduction in manager classes"] is True
    third = source.refresh(plan + "- Single ID generation source\n", audit=False)
    assert len(third.statuses) == 3
    with open_history(git_repo) as history:
        assert [v for _, v in history.metric_series("roles.Manager", "audit")] == [1, 0]
    assert first.mission_start == third.mission_start  # no mission.json: the first history point
    assert third.plots["ssot"]["duplicates"][1] == (0.0, 0.0)


def test_source_without_baseline_says_so_and_a_gone_repo_raises(tmp_path):
    repo = tmp_path / "plain"
    repo.mkdir()
    (repo / "m.py").write_text("x = 1\n")
    snapshot = DashboardSource(repo, ProjectConfig()).refresh("")
    assert snapshot.baseline_label == "no baseline" and any(
        "not a git" in p or "baseline" in p for p in snapshot.problems
    )
    source = DashboardSource(repo, ProjectConfig())
    source.refresh("")
    for path in repo.iterdir():
        path.unlink()
    repo.rmdir()
    with pytest.raises(AuditError, match="gone"):
        source.refresh("", ["m.py"])


def test_the_time_axis_spans_the_mission_to_now_or_to_the_plans_end():
    """Issue 17: the charts crowded every point at the left edge; the axis is the mission."""
    from mission_control.services.dashboard import Snapshot, plan_end

    relative = "```mermaid\ngantt\ndateFormat HH:mm\nsection A\nOne :a1, 00:00, 8h\nTwo :a2, 08:00, 14h\n```\n"
    assert plan_end(relative, T0) == T0 + timedelta(hours=22)
    assert plan_end(relative, None) is None
    dated = "```mermaid\ngantt\ndateFormat YYYY-MM-DD\nsection A\nOne :a1, 2024-03-01, 2d\n```\n"
    assert plan_end(dated, T0) == datetime(2024, 3, 3).astimezone(UTC)
    assert plan_end("# no gantt here\n", T0) is None

    points = {"tests": {"passed": ((T0 + timedelta(hours=1)).timestamp(), (T0 + timedelta(hours=2)).timestamp())}}
    series = {k: {n: (xs, (1.0,) * len(xs)) for n, xs in v.items()} for k, v in points.items()}
    now = T0 + timedelta(hours=3)
    ahead = Snapshot(series, mission_start=T0, taken=now, mission_end=T0 + timedelta(hours=22))
    assert ahead.time_span() == (T0, T0 + timedelta(hours=22))  # the whole planned mission
    overdue = Snapshot(series, mission_start=T0, taken=T0 + timedelta(hours=30), mission_end=T0 + timedelta(hours=22))
    assert overdue.time_span() == (T0, T0 + timedelta(hours=30))  # past the plan's end: up to now
    unstarted = Snapshot(series, taken=now)
    assert unstarted.time_span() == (T0 + timedelta(hours=1), now)  # no start recorded: the first point
    assert Snapshot({}, taken=now).time_span() is None
