"""Netra-style agent platform: the codebase the SSOT refactoring plan operates on.

It grew fast: agents, a factory and its "optimized" twin, five websocket emitters, several
tool dispatchers and execution engines, a pile of managers and ID helpers in every corner.
Everything works, and the test suite proves it; the mission is to make it simpler without
breaking that.
"""

__version__ = "0.9.0"
