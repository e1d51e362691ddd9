"""Application settings and feature flags.

The factory consolidation plan wants "performance configuration flags": they would live here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

_settings: "Settings | None" = None


@dataclass(frozen=True)
class Settings:
    """Runtime settings; immutable, replaced as a whole by :func:`override_settings`."""

    environment: str = "development"
    use_optimized_factory: bool = False
    agent_pool_size: int = 4
    max_tool_retries: int = 2
    websocket_queue_limit: int = 1000


def get_settings() -> Settings:
    """The process-wide settings (created on first use)."""
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def override_settings(**changes) -> Settings:
    """Replace some settings (tests and feature-flag rollouts use this)."""
    global _settings
    _settings = replace(get_settings(), **changes)
    return _settings


def reset_settings() -> None:
    """Forget overrides; the next :func:`get_settings` starts from defaults."""
    global _settings
    _settings = None
