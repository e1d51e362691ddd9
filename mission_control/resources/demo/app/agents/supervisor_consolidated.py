"""The supervisor agent: triage, then the routed sub-agent, then a report."""

from __future__ import annotations

from app.agents.agent_websocket_emitter import UserWebSocketEmitter
from app.agents.base_agent import BaseAgent


class SupervisorAgent(BaseAgent):
    """Orchestrates the other agents for one request, sharing its emitter with them."""

    name = "supervisor"

    def __init__(self, context, emitter=None, websocket_manager=None) -> None:
        if emitter is None and websocket_manager is not None:
            emitter = UserWebSocketEmitter(
                websocket_manager, context.user_id, thread_id=context.thread_id, run_id=context.run_id
            )
        super().__init__(context, emitter)

    def execute(self, request: dict) -> dict:
        route = self._run_sub_agent("triage", request)["route"]
        summary = None
        if route == "data":
            summary = self._run_sub_agent("data", request)
        report = self._run_sub_agent("reporting", {"summary": summary, "text": request.get("text")})
        return {"route": route, "summary": summary, "report": report}

    def _run_sub_agent(self, agent_name: str, request: dict):
        agent = self._factory().create_agent_instance(agent_name, self.context, emitter=self.emitter)
        result = agent.run(request)
        if not result.success:
            raise RuntimeError(f"{agent_name} failed: {result.error}")
        return result.output

    def _factory(self):
        if self.factory is not None:
            return self.factory
        from app.agents.agent_instance_factory import get_agent_instance_factory

        return get_agent_instance_factory()
