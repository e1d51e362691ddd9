"""Constant costs of libcst removed: what each visitor class declares is gathered once per class.

Every ``MatcherDecoratableTransformer``/``Visitor`` (RenameCommand and each of the import
visitors libcst runs after it: five per file) walks ``dir(self)`` in ``__init__`` to find
methods decorated with ``@m.visit``/``@m.leave``: thousands of ``getattr`` calls per object,
about a third of a small file's rename. Which methods carry decorators is a property of the
class, so :func:`install` wraps libcst's two gathering functions with a per-class cache of
``(matcher, method name)`` pairs and binds the names to each new object. The same goes for the
``@call_if_inside`` gating matchers (another ``dir`` walk per object) and for the visit/leave
methods a batched metadata visitor offers (an ``inspect.getmembers`` walk per provider and
file). The results are the same mappings libcst computes; a class whose instances gain decorated methods at run time
(nothing in libcst or here does that) is not cached (see ``_cacheable``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from libcst import _batched_visitor  # private: install() checks what it patches is there
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


def _cached_gating(gather: Callable[[object], dict[Any, Any]]) -> Callable[[object], dict[Any, Any]]:
    """``_gather_matchers``: the ``@call_if_inside`` matchers of a class, a fresh dict per object."""
    by_class: dict[type, dict[Any, Any]] = {}

    def gather_cached(obj: object) -> dict[Any, Any]:
        cls = type(obj)
        if cls not in by_class:
            if not _cacheable(obj):
                return gather(obj)
            by_class[cls] = gather(obj)
        return dict(by_class[cls])

    return gather_cached


def _cached_get_visitors(get_visitors: Callable[[Any], Mapping[str, Any]]) -> Callable[[Any], Mapping[str, Any]]:
    """``BatchableCSTVisitor.get_visitors`` (an ``inspect.getmembers`` walk): names once per class."""
    names_by_class: dict[type, list[str]] = {}

    def get_visitors_cached(self: Any) -> Mapping[str, Any]:
        cls = type(self)
        if cls not in names_by_class:
            if not _cacheable(self):
                return get_visitors(self)
            names_by_class[cls] = list(get_visitors(self))
        return {name: getattr(self, name) for name in names_by_class[cls]}

    return get_visitors_cached


def install() -> None:
    """Use the per-class caches in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    names = ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs", "_gather_matchers")
    batchable: Any = getattr(_batched_visitor, "BatchableCSTVisitor", None)
    if not all(hasattr(_visitors, name) for name in names) or not hasattr(batchable, "get_visitors"):
        return  # another libcst than the ones this knows (>=1.4): correct, only without the caches
    for name in ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs"):
        setattr(_visitors, name, _cached(getattr(_visitors, name)))
    setattr(_visitors, "_gather_matchers", _cached_gating(_visitors._gather_matchers))  # noqa: B010
    setattr(batchable, "get_visitors", _cached_get_visitors(batchable.get_visitors))  # noqa: B010
