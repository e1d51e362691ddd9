"""When the next background run is due: every N minutes, and/or after changes settle.

Qt-free and clock-free: callers pass ``now`` (a monotonic float in seconds), so the UI drives it
from a QTimer and tests drive it with plain numbers. The plan's "Run tests every 30 minutes"
gives the default interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_DEBOUNCE = 5.0

_EVERY = re.compile(
    r"\brun\b[^.\n]{0,40}?\btests?\b[^.\n]{0,20}?\bevery\s+(?:(\d+(?:\.\d+)?)\s*)?"
    r"(minutes?|mins?|m\b|hours?|hrs?|h\b)",
    re.IGNORECASE,
)


def interval_from_plan(text: str) -> float | None:
    """Minutes between scheduled runs if the plan says "Run tests every N minutes/hours", else None."""
    match = _EVERY.search(text or "")
    if not match:
        return None
    amount = float(match.group(1)) if match.group(1) else 1.0
    unit = match.group(2).lower()
    return amount * 60 if unit.startswith("h") else amount


@dataclass(frozen=True)
class ScheduleSettings:
    """Both toggles: ``interval_minutes`` (None = off) and ``on_change`` with its debounce."""

    interval_minutes: float | None = None
    on_change: bool = False
    debounce_seconds: float = DEFAULT_DEBOUNCE


class RunScheduler:
    """Decides whether a background run is due; never while one is running.

    Changes noticed during a run are kept: when the run ends they make the next run due once
    the debounce has passed since the last change.
    """

    def __init__(self, settings: ScheduleSettings, now: float) -> None:
        self.settings = settings
        self.last_run_start = now
        self.last_change: float | None = None
        self.running = False

    def update(self, settings: ScheduleSettings) -> None:
        """Apply new toggles (from the UI) without losing pending changes."""
        self.settings = settings

    def note_change(self, now: float) -> None:
        """A relevant file changed (the watcher filters which ones)."""
        self.last_change = now

    def run_started(self, now: float) -> None:
        """A run started (scheduled or by hand): resets the interval clock and pending changes."""
        self.running = True
        self.last_run_start = now
        self.last_change = None

    def run_finished(self, now: float) -> None:
        """The run ended, however it ended."""
        self.running = False

    def due(self, now: float) -> str | None:
        """ "changed" or "scheduled" if a run should start now, else None."""
        if self.running:
            return None
        s = self.settings
        if s.on_change and self.last_change is not None and now - self.last_change >= s.debounce_seconds:
            return "changed"
        if s.interval_minutes and now - self.last_run_start >= s.interval_minutes * 60:
            return "scheduled"
        return None

    def seconds_until_due(self, now: float) -> float | None:
        """How long the UI's timer may sleep before asking :meth:`due` again (None = nothing pending)."""
        if self.running:
            return None
        waits = []
        s = self.settings
        if s.on_change and self.last_change is not None:
            waits.append(self.last_change + s.debounce_seconds - now)
        if s.interval_minutes:
            waits.append(self.last_run_start + s.interval_minutes * 60 - now)
        return max(0.0, min(waits)) if waits else None
