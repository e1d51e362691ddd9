"""Conversation thread and run managers."""

from __future__ import annotations

from app.core.ids import generate_run_id, generate_thread_id


class ThreadManager:
    """Threads per user, each with its messages."""

    def __init__(self) -> None:
        self._threads: dict[str, dict] = {}

    def create_thread(self, user_id: str) -> str:
        """A new empty thread for ``user_id``; returns its id."""
        thread_id = generate_thread_id()
        self._threads[thread_id] = {"user_id": user_id, "messages": []}
        return thread_id

    def add_message(self, thread_id: str, role: str, text: str) -> int:
        """Append a message; returns the thread's message count."""
        messages = self._threads[thread_id]["messages"]
        messages.append({"role": role, "text": text})
        return len(messages)

    def threads_of(self, user_id: str) -> list[str]:
        """The thread ids of ``user_id``."""
        return [tid for tid, thread in self._threads.items() if thread["user_id"] == user_id]


class RunManager:
    """Runs and their status: pending -> running -> completed | failed."""

    _NEXT = {"pending": {"running"}, "running": {"completed", "failed"}}

    def __init__(self) -> None:
        self._runs: dict[str, str] = {}

    def start_run(self) -> str:
        """A new pending run; returns its id."""
        run_id = generate_run_id()
        self._runs[run_id] = "pending"
        return run_id

    def advance(self, run_id: str, status: str) -> None:
        """Move ``run_id`` to ``status`` (ValueError for an illegal transition)."""
        current = self._runs[run_id]
        if status not in self._NEXT.get(current, set()):
            raise ValueError(f"run {run_id}: cannot go from {current} to {status}")
        self._runs[run_id] = status

    def status(self, run_id: str) -> str:
        """The status of ``run_id``."""
        return self._runs[run_id]
