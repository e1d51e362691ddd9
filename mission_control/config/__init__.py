"""The project's configuration: ``mission-control.toml`` or ``[tool.mission-control]`` in pyproject.toml.

A domain package beside plan, repo and testing: every domain package that needs the components, the
baseline or the test settings reads them from :class:`ProjectConfig`, loaded once by the services.
"""

from mission_control.config.model import (
    CONFIG_FILE,
    CONFIG_FILES,
    ComponentConfig,
    ConfigError,
    ConfigProblem,
    ProjectConfig,
    TeamConfig,
    find_config_table,
    is_config_path,
    load_config,
)

__all__ = [
    "CONFIG_FILE",
    "CONFIG_FILES",
    "ComponentConfig",
    "ConfigError",
    "ConfigProblem",
    "ProjectConfig",
    "TeamConfig",
    "find_config_table",
    "is_config_path",
    "load_config",
]
