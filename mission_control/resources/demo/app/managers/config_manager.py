"""Configuration managers (the second one was meant to replace the first)."""

from __future__ import annotations


class ConfigManager:
    """Layered configuration: later layers override earlier ones."""

    def __init__(self, *layers: dict) -> None:
        self._layers = list(layers)

    def add_layer(self, layer: dict) -> None:
        """Add a layer on top."""
        self._layers.append(layer)

    def get(self, key: str, default: object = None) -> object:
        """The value from the topmost layer that has ``key``."""
        for layer in reversed(self._layers):
            if key in layer:
                return layer[key]
        return default


class UnifiedConfigManager(ConfigManager):
    """ConfigManager plus environment overrides (``NETRA_<KEY>``) from a given mapping."""

    def __init__(self, *layers: dict, environ: dict | None = None) -> None:
        super().__init__(*layers)
        self._environ = dict(environ or {})

    def get(self, key: str, default: object = None) -> object:
        env_key = f"NETRA_{key.upper()}"
        if env_key in self._environ:
            return self._environ[env_key]
        return super().get(key, default)
