"""The mission clock: when Hour 0 was, kept in git (``refs/mission-control/mission``).

"Start mission" records the baseline (``mission_control.repo.baseline.start_mission``) and the
start time as a record on that ref (:mod:`mission_control.repo.records`), so the CLI, every app
instance and every clone that syncs read the same clock, and nothing of it is in the working tree.
An old ``.mission-control/mission.json`` is imported on first use and left in place.
The plan's times map onto it: in a date-less plan (``dateFormat HH:mm``) plan time ``t`` is
``start + (t - plan origin)``; a plan with real dates keeps its own dates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, TypedDict

from mission_control.plan import Plan
from mission_control.repo.records import RecordError, append_record, read_records
from mission_control.signoff.ledger import LEDGER_DIR, utc_now
from mission_control.util.git import RepoError, open_repo

MISSION_FILE: Final = "mission.json"
#: Where Hour 0 may be stored, first found wins (``started_at`` is what :func:`start_mission` writes).
_START_KEYS: Final = ("started_at", "started", "start", "mission_start", "start_time", "when")


class MissionRecord(TypedDict):
    """``mission.json`` as :func:`start_mission` writes it."""

    started_at: str  # ISO 8601, UTC
    baseline: str | None
    started_by: str


class MissionError(Exception):
    """The mission cannot be started or its file is unreadable; the message names the file."""


@dataclass(frozen=True)
class Mission:
    """A started mission: Hour 0 (UTC), the baseline commit and who started it."""

    started_at: datetime
    baseline: str | None = None
    started_by: str = ""

    def to_json(self) -> MissionRecord:
        return {"started_at": self.started_at.isoformat(), "baseline": self.baseline, "started_by": self.started_by}


MISSION_REF: Final = "refs/mission-control/mission"


def mission_path(repo: str | Path) -> Path:
    """Where the old file-based mission clock lived (imported once)."""
    return Path(repo) / LEDGER_DIR / MISSION_FILE


def read_mission(repo: str | Path) -> Mission | None:
    """The started mission, or None; MissionError naming the record if it is unreadable.

    The one reader of the mission clock (the CLI, the Checklist and the Dashboard all call it).
    Hour 0 is ``started_at`` as written by :func:`start_mission`; a hand-written (old) file may use
    another of the usual keys (``started``, ``start`` …) and epoch seconds. Times are aware UTC:
    a stored time without an offset *is* UTC (it is never read as local time).
    """
    try:
        git = open_repo(repo)
    except RepoError:
        return _read_file(mission_path(repo))
    records = read_records(git, MISSION_REF)
    if not records:
        legacy = _read_file(mission_path(repo))
        if legacy is not None:  # first use after the clock moved into git: import it
            try:
                append_record(git, MISSION_REF, json.dumps(legacy.to_json()).encode(), "mission: import")
            except RecordError as exc:
                raise MissionError(str(exc)) from None
        return legacy
    missions = [_parse(data, f"{MISSION_REF} {commit[:10]}") for commit, data in records]
    return max(missions, key=lambda m: m.started_at)  # after a sync merge too: the latest (re)start wins


def _read_file(path: Path) -> Mission | None:
    try:
        if path.is_symlink():
            return None  # never read (nor written) through a link named like the old file
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MissionError(f"{path}: unreadable mission file ({exc})") from None
    return _parse(data, str(path))


def _parse(data: bytes, where: str) -> Mission:
    try:
        record = json.loads(data.decode("utf-8"))
        started = _started_at(record)
    except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        raise MissionError(f"{where}: unreadable mission record ({exc})") from None
    return Mission(started, record.get("baseline"), str(record.get("started_by") or ""))


def _started_at(data: object) -> datetime:
    """Hour 0 from the file's JSON object as aware UTC (KeyError/TypeError/ValueError if absent or bad)."""
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    key = next((k for k in _START_KEYS if k in data), None)
    if key is None:
        raise KeyError("started_at")
    return as_utc(data[key])


def as_utc(value: object) -> datetime:
    """An ISO 8601 string (``Z`` allowed) or epoch seconds as an aware UTC datetime; naive means UTC."""
    if isinstance(value, bool):
        raise TypeError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str):
        raise TypeError(f"not a time: {value!r}")
    when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def start_mission(repo: str | Path, now: datetime | None = None, force: bool = False, rev: str = "HEAD") -> Mission:
    """Set Hour 0 to ``now`` and the baseline to ``rev`` (HEAD); refuse a restart unless ``force``.

    Raises:
        MissionError: already started (without ``force``), or the baseline cannot be recorded.
    """
    from mission_control.repo.baseline import start_mission as record_baseline
    from mission_control.signoff.actions import git_identity

    existing = read_mission(repo) if not force else None
    if existing is not None:
        raise MissionError(
            f"{repo}: the mission already started at "
            f"{existing.started_at:%Y-%m-%d %H:%M} UTC; restart it explicitly (--force)"
        )
    try:
        git = open_repo(repo)
        baseline = record_baseline(git, rev, force=force)
    except (RepoError, Exception) as exc:  # NotARepository and friends: one clear message
        raise MissionError(str(exc)) from None
    who = git_identity(repo)
    mission = Mission(
        (now or utc_now()).astimezone(UTC),
        baseline.commit,
        f"{who.name} <{who.email}>" if who.email else who.name,
    )
    try:
        append_record(git, MISSION_REF, json.dumps(mission.to_json()).encode(), "mission: start")
    except RecordError as exc:
        raise MissionError(str(exc)) from None
    return mission


def is_relative(date_format: str) -> bool:
    """Whether plan times are hours from the mission's start (no day/year/timestamp token)."""
    return not re.search(r"[YDXx]", date_format or "")


def plan_origin(plan: Plan) -> datetime | None:
    """Plan time of Hour 0: the earliest task start in a date-less plan (its reference day)."""
    starts = [t.start for t in plan.tasks if t.start is not None]
    if plan.reference_day is not None and is_relative(plan.date_format):
        return min([plan.reference_day, *starts]) if starts else plan.reference_day
    return None


def to_plan_time(plan: Plan, mission: Mission | None, moment: datetime) -> datetime | None:
    """Where ``moment`` (aware, real time) falls on the plan's axis; None before the mission in a relative plan."""
    origin = plan_origin(plan)
    if origin is None:
        return _naive_local(moment)
    if mission is None:
        return None
    return origin + (moment - mission.started_at)


def _naive_local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def elapsed_label(mission: Mission | None, now: datetime) -> str:
    """``Hour 3:25`` since the start, or ``not started``."""
    if mission is None:
        return "not started"
    delta = now - mission.started_at
    sign = "-" if delta < timedelta(0) else ""
    minutes = int(abs(delta).total_seconds() // 60)
    return f"Hour {sign}{minutes // 60}:{minutes % 60:02d}"
