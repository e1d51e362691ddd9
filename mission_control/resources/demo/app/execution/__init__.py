"""Execution engines: run agents (and tool plans) for a request."""
