"""Core settings, user execution context and ID helpers."""
