"""The triage agent: decides which agent should handle a request."""

from __future__ import annotations

from app.agents.base_agent import BaseAgent


class TriageAgent(BaseAgent):
    """Routes numeric data to the data agent and everything else to reporting."""

    name = "triage"

    def execute(self, request: dict) -> dict:
        if request.get("values"):
            self.think("request carries data: routing to the data agent")
            return {"route": "data", "reason": "values present"}
        return {"route": "reporting", "reason": "no data to analyse"}
