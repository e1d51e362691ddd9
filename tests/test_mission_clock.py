"""One mission clock: the dashboard, the checklist and the CLI read Hour 0 the same way (aware UTC)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import git

from mission_control.cli import run as cli
from mission_control.config import ProjectConfig
from mission_control.services.dashboard import DashboardSource, read_mission_start
from mission_control.signoff import read_mission

HOUR_0 = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def away_from_utc(monkeypatch: pytest.MonkeyPatch):
    """A local time zone 5 hours behind UTC, so reading a naive time as local would be visible."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize(
    "stored",
    ["2024-03-01T06:00:00", "2024-03-01T06:00:00+00:00", "2024-03-01T01:00:00-05:00", HOUR_0.timestamp()],
    ids=["naive", "aware-utc", "aware-offset", "epoch"],
)
def test_dashboard_checklist_and_cli_agree_on_hour_0(git_repo: Path, away_from_utc, capsys, stored) -> None:
    (git_repo / ".mission-control").mkdir()
    (git_repo / ".mission-control" / "mission.json").write_text(json.dumps({"started_at": stored}))
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "mission")

    clock = read_mission(git_repo)
    assert clock is not None and clock.started_at == HOUR_0 and clock.started_at.utcoffset().total_seconds() == 0
    assert read_mission_start(git_repo) == HOUR_0
    snapshot = DashboardSource(git_repo, ProjectConfig()).refresh("")
    assert snapshot.mission_start == HOUR_0
    capsys.readouterr()
    assert cli(["mission", "show", "--repo", str(git_repo), "--json"]) == 0
    assert datetime.fromisoformat(json.loads(capsys.readouterr().out)["started_at"]) == HOUR_0


def test_an_unreadable_mission_file_is_an_error_for_the_clock_and_no_start_for_the_dashboard(git_repo: Path) -> None:
    from mission_control.signoff import MissionError

    (git_repo / ".mission-control").mkdir()
    (git_repo / ".mission-control" / "mission.json").write_text(json.dumps({"started_at": "yesterday"}))
    with pytest.raises(MissionError, match=r"mission\.json"):
        read_mission(git_repo)
    assert read_mission_start(git_repo) is None
