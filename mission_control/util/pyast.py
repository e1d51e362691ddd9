"""``ast.parse`` that is safe to call from several threads at once.

CPython 3.11 before 3.11.9 keeps the AST constructor's recursion counter in shared module state,
so two threads parsing at the same time can fail with ``SystemError: AST constructor recursion
depth mismatch`` (python/cpython#106905). Mission Control parses in worker threads (codemod
pre-resolution, name completion, the audit, test selection) and in parallel, so every parse goes
through one lock. Parsing holds the GIL anyway; the lock costs nothing measurable.
"""

from __future__ import annotations

import ast
import os
import threading

_LOCK = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source, filename)``, one thread at a time."""
    with _LOCK:
        return ast.parse(source, filename=filename)


def _reset_after_fork() -> None:
    global _LOCK
    _LOCK = threading.Lock()  # a child forked while another thread parsed must not inherit it held


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
