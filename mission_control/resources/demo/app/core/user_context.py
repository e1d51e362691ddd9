"""The per-request user execution context passed through agents, tools and engines."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.ids import generate_run_id, generate_thread_id
from app.utils.identifiers import make_request_id


@dataclass(frozen=True)
class UserExecutionContext:
    """Who is asking and for which thread/run; isolates users from each other."""

    user_id: str
    thread_id: str
    run_id: str
    request_id: str
    metadata: dict = field(default_factory=dict, compare=False)

    @classmethod
    def create(cls, user_id: str, thread_id: str | None = None, **metadata) -> "UserExecutionContext":
        """A fresh context for ``user_id`` (new run and request ids)."""
        if not user_id:
            raise ValueError("user_id must not be empty")
        return cls(
            user_id=user_id,
            thread_id=thread_id or generate_thread_id(),
            run_id=generate_run_id(),
            request_id=make_request_id(),
            metadata=dict(metadata),
        )
