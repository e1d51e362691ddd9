"""Tool and tool result types, and the built-in tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class ToolNotFoundError(LookupError):
    """No tool is registered under that name."""


@dataclass(frozen=True)
class Tool:
    """A named callable an agent may run."""

    name: str
    func: Callable[..., object]
    description: str = ""
    category: str = "general"


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one tool call; failures carry the error text instead of raising."""

    tool: str
    success: bool
    output: object = None
    error: str | None = None
    execution_id: str = ""


def builtin_tools() -> list[Tool]:
    """The tools every registry starts with."""
    return [
        Tool("echo", lambda text="": text, "returns its input"),
        Tool("add", lambda a, b: a + b, "adds two numbers", "math"),
        Tool("word_count", lambda text: len(text.split()), "counts words", "text"),
        Tool("upper", lambda text: text.upper(), "upper-cases text", "text"),
    ]
