"""Per-user settings: recent projects, window layout, editing preferences (JSON, atomic).

Kept in ``appdirs.config_dir()/settings.json`` with a schema version so later releases can
migrate it; unknown or broken files fall back to defaults instead of stopping the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mission_control import appdirs
from mission_control.fsutil import atomic_write_text

SCHEMA_VERSION = 1
MAX_RECENT = 10


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
    """Everything remembered between sessions."""

    version: int = SCHEMA_VERSION
    recent: list[RecentProject] = field(default_factory=list)
    window_geometry: str = ""
    window_state: str = ""
    snap_minutes: int = 15
    cascade: bool = False
    theme: str = "system"

    def add_recent(self, repo: Path | None, plan: Path | None) -> None:
        """Put a project first in the recent list (deduplicated, capped, missing ones pruned)."""
        entry = RecentProject(str(repo or ""), str(plan or ""))
        kept = [r for r in self.recent if (r.repo, r.plan) != (entry.repo, entry.plan) and Path(r.plan or r.repo).exists()]
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
    recent = [RecentProject(str(r.get("repo", "")), str(r.get("plan", ""))) for r in data.get("recent", []) if isinstance(r, dict)]
    settings = Settings(recent=recent)
    for name in ("window_geometry", "window_state", "theme"):
        if isinstance(data.get(name), str):
            setattr(settings, name, data[name])
    if isinstance(data.get("snap_minutes"), int) and data["snap_minutes"] > 0:
        settings.snap_minutes = data["snap_minutes"]
    if isinstance(data.get("cascade"), bool):
        settings.cascade = data["cascade"]
    return settings


def save_settings(settings: Settings) -> None:
    """Write the settings atomically."""
    atomic_write_text(settings_path(), json.dumps(asdict(settings), indent=2))
