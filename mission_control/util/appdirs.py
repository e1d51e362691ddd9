"""Per-user folders (settings, data, cache, logs), through platformdirs.

``MISSION_CONTROL_HOME`` overrides them all with sub-folders of one directory: tests point it at
``tmp_path`` so they never touch the real user's files.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_APP = "mission-control"


def _root_override() -> Path | None:
    value = os.environ.get("MISSION_CONTROL_HOME")
    return Path(value) if value else None


def _dir(kind: str) -> Path:
    root = _root_override()
    if root is not None:
        path = root / kind
    else:
        getter = {
            "config": platformdirs.user_config_dir,
            "data": platformdirs.user_data_dir,
            "cache": platformdirs.user_cache_dir,
            "log": platformdirs.user_log_dir,
        }[kind]
        path = Path(getter(_APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Folder for settings, recent projects and window layout."""
    return _dir("config")


def data_dir() -> Path:
    """Folder for the demo mission and per-project history databases."""
    return _dir("data")


def cache_dir() -> Path:
    """Folder for parse and audit caches (safe to delete)."""
    return _dir("cache")


def log_dir() -> Path:
    """Folder for the application log."""
    return _dir("log")
