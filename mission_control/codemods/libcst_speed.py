"""A constant cost of libcst removed: the matcher decorators gathered once per class, not per object.

Every ``MatcherDecoratableTransformer``/``Visitor`` (RenameCommand and each of the import
visitors libcst runs after it: five per file) walks ``dir(self)`` in ``__init__`` to find
methods decorated with ``@m.visit``/``@m.leave``: thousands of ``getattr`` calls per object,
about a third of a small file's rename. Which methods carry decorators is a property of the
class, so :func:`install` wraps libcst's two gathering functions with a per-class cache of
``(matcher, method name)`` pairs and binds the names to each new object. The result is the
same mapping libcst computes; a class whose instances gain decorated methods at run time
(nothing in libcst or here does that) is not cached (see ``_cacheable``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcst.matchers import _visitors

_installed = False


def _cached(gather: Callable[[object], dict[Any, Any]]) -> Callable[[object], dict[Any, Any]]:
    names_by_class: dict[type, list[tuple[Any, str]]] = {}

    def gather_cached(obj: object) -> dict[Any, Any]:
        cls = type(obj)
        if cls not in names_by_class:
            if not _cacheable(obj):
                return gather(obj)
            pairs: list[tuple[Any, str]] = []
            for matcher, funcs in gather(obj).items():
                pairs.extend((matcher, func.__name__) for func in funcs)
            names_by_class[cls] = pairs
        found: dict[Any, Any] = {}
        for matcher, name in names_by_class[cls]:
            found[matcher] = (*found.get(matcher, ()), getattr(obj, name))
        return found

    return gather_cached


def _cacheable(obj: object) -> bool:
    """Only objects whose methods all come from their class (no callables in the instance dict)."""
    return not any(callable(value) for value in getattr(obj, "__dict__", {}).values())


def install() -> None:
    """Use the per-class cache in this process (idempotent)."""
    global _installed
    if _installed:
        return
    for name in ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs"):
        setattr(_visitors, name, _cached(getattr(_visitors, name)))
    _installed = True
