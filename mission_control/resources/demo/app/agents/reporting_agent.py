"""The reporting agent: turns results into a short text for the user."""

from __future__ import annotations

from app.agents.base_agent import BaseAgent


class ReportingAgent(BaseAgent):
    """Formats a summary dict (or echoes the request text) as one line."""

    name = "reporting"

    def execute(self, request: dict) -> str:
        summary = request.get("summary")
        if summary:
            parts = ", ".join(f"{key}={value}" for key, value in summary.items())
            return f"Report: {parts}"
        return f"Report: {request.get('text', 'nothing to report')}"
