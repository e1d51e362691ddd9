"""Per-user settings: recent projects, window layout, editing preferences (JSON, atomic).

Kept in ``appdirs.config_dir()/settings.json`` with a schema version so later releases can
migrate it; unknown or broken files fall back to defaults instead of stopping the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mission_control.util import appdirs
from mission_control.util.fsutil import atomic_write_text

SCHEMA_VERSION = 1
MAX_RECENT = 10
THEMES = ("system", "light", "dark")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_REMOTE = "origin"


@dataclass
class RecentProject:
    """A project the lead opened: its repository (may be empty) and plan file."""

    repo: str
    plan: str

    @property
    def label(self) -> str:
        return Path(self.repo).name if self.repo else Path(self.plan).name


@dataclass
class Settings:
    """Everything remembered between sessions.

    ``python`` (empty: the project's configured interpreter), ``test_schedule_minutes`` (0: no
    scheduled runs) and ``run_tests_on_change`` are read by the Tests dock; ``theme`` is one of
    :data:`THEMES` ("system" follows the desktop's light/dark palette). ``sync_remote`` is the git
    remote the Sync action shares the mission through, ``sync_minutes`` how often it syncs by
    itself (0: only when the lead clicks Sync).
    """

    version: int = SCHEMA_VERSION
    recent: list[RecentProject] = field(default_factory=list)
    window_geometry: str = ""
    window_state: str = ""
    snap_minutes: int = 15
    cascade: bool = False
    theme: str = "system"
    python: str = ""
    test_schedule_minutes: int = 0
    run_tests_on_change: bool = False
    log_level: str = "INFO"
    sync_remote: str = DEFAULT_REMOTE
    sync_minutes: int = 0
    gantt_label_width: int = 0  # the Gantt's lane-name column in pixels (0: fit the names)
    task_table_visible: bool = True  # the task table beside the Gantt is shown (not collapsed)

    def add_recent(self, repo: Path | None, plan: Path | None) -> None:
        """Put a project first in the recent list (deduplicated, capped, missing ones pruned)."""
        entry = RecentProject(str(repo or ""), str(plan or ""))
        kept = [
            r for r in self.recent if (r.repo, r.plan) != (entry.repo, entry.plan) and Path(r.plan or r.repo).exists()
        ]
        self.recent = [entry, *kept][:MAX_RECENT]


def settings_path() -> Path:
    return appdirs.config_dir() / "settings.json"


def load_settings() -> Settings:
    """Read the settings; defaults when the file is missing or unreadable."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    recent = [
        RecentProject(str(r.get("repo", "")), str(r.get("plan", "")))
        for r in data.get("recent", [])
        if isinstance(r, dict)
    ]
    settings = Settings(recent=recent)
    for name in ("window_geometry", "window_state", "python"):
        if isinstance(data.get(name), str):
            setattr(settings, name, data[name])
    if data.get("theme") in THEMES:
        settings.theme = data["theme"]
    if data.get("log_level") in LOG_LEVELS:
        settings.log_level = data["log_level"]
    if _is_int(data.get("snap_minutes")) and data["snap_minutes"] > 0:
        settings.snap_minutes = data["snap_minutes"]
    if _is_int(data.get("test_schedule_minutes")) and data["test_schedule_minutes"] >= 0:
        settings.test_schedule_minutes = data["test_schedule_minutes"]
    if is_remote_name(data.get("sync_remote")):
        settings.sync_remote = data["sync_remote"]
    if _is_int(data.get("sync_minutes")) and data["sync_minutes"] >= 0:
        settings.sync_minutes = data["sync_minutes"]
    if _is_int(data.get("gantt_label_width")) and data["gantt_label_width"] >= 0:
        settings.gantt_label_width = data["gantt_label_width"]
    for name in ("cascade", "run_tests_on_change", "task_table_visible"):
        if isinstance(data.get(name), bool):
            setattr(settings, name, data[name])
    return settings


def is_remote_name(value: object) -> bool:
    """Whether ``value`` can name a git remote (non-empty, no spaces or control characters, not an option)."""
    return (
        isinstance(value, str)
        and bool(value)
        and not value.startswith("-")
        and all(c.isprintable() and not c.isspace() for c in value)
    )


def _is_int(value: object) -> bool:
    """True for a real int (JSON ``true`` loads as a bool, which is an int in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def save_settings(settings: Settings) -> None:
    """Write the settings atomically."""
    atomic_write_text(settings_path(), json.dumps(asdict(settings), indent=2))
