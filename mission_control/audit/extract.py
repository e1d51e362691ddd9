"""Per-module facts for the SSOT audit, extracted with the stdlib ``ast`` module.

One file's facts depend only on its bytes (never on its path), so they can be cached by
content hash and shared between the working tree and the baseline tree. They are plain
tuples of ``str``/``int`` so :mod:`marshal` can store them and process pools can ship
them cheaply:

``(lines, error, classes, functions, imports, bound, flags)``

- ``lines``: physical line count.
- ``error``: ``None`` or ``(line, message)`` when the file does not parse.
- ``classes`` / ``functions``: top-level definitions (also inside top-level ``if``/``try``)
  as ``(name, line, fingerprint)``, the fingerprint a sorted tuple of CRC32s of the
  definition's stripped body lines (comparing two sets gives how alike two bodies are).
- ``imports``: every import statement, nested ones too, as
  ``(line, level, module or "", names or (), guarded)``; ``names`` is empty for
  ``import a.b``; ``guarded`` marks imports inside a ``try`` body (optional imports).
- ``bound``: names bound at module level (what ``from module import name`` may take).
- ``flags``: :data:`STAR_IMPORT` | :data:`HAS_GETATTR` | :data:`DYNAMIC_GLOBALS` (the module's
  names are open-ended: a name it does not bind visibly is unknown, not missing).

Parse, extract, drop: trees are never kept (keeping them makes the GC re-walk them).
"""

from __future__ import annotations

import ast
import hashlib
import zlib
from typing import Final

from mission_control.util import pyast

FACTS_VERSION = 2
STAR_IMPORT = 1
HAS_GETATTR = 2
DYNAMIC_GLOBALS = 4  # writes ``globals()[...]`` / ``globals().update(...)`` (boltons' statsutils.mode)

# Indices into a facts tuple (Final, so that type checkers know each element's type).
LINES: Final = 0
ERROR: Final = 1
CLASSES: Final = 2
FUNCTIONS: Final = 3
IMPORTS: Final = 4
BOUND: Final = 5
FLAGS: Final = 6

#: ``(line, message)`` of a file that does not parse.
ParseFailure = tuple[int, str]
#: ``(name, line, fingerprint)`` of a top-level class or function.
Definition = tuple[str, int, tuple[int, ...]]
#: ``(line, level, module or "", names or (), guarded)`` of one import statement.
ImportFact = tuple[int, int, str, tuple[str, ...], bool]
#: One file's facts (plain tuples, so :mod:`marshal` stores them; a NamedTuple would not marshal).
Facts = tuple[
    int,
    ParseFailure | None,
    tuple[Definition, ...],
    tuple[Definition, ...],
    tuple[ImportFact, ...],
    tuple[str, ...],
    int,
]

_BLOCK_FIELDS = ("body", "orelse", "finalbody")


def blob_id(data: bytes) -> str:
    """The git blob id of ``data``: the cache key shared with ``git ls-tree`` output."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def count_lines(data: bytes) -> int:
    """Physical lines, counting a last line without a newline."""
    lines = data.count(b"\n")
    if data and not data.endswith(b"\n"):
        lines += 1
    return lines


def extract(data: bytes) -> Facts:
    """Return the facts tuple of one Python source file's bytes (never raises)."""
    lines = count_lines(data)
    try:
        tree = pyast.parse(data)
    except SyntaxError as exc:
        return (lines, (exc.lineno or 1, exc.msg or "invalid syntax"), (), (), (), (), 0)
    except (ValueError, MemoryError, RecursionError) as exc:
        return (lines, (1, str(exc) or type(exc).__name__), (), (), (), (), 0)
    source_lines = data.split(b"\n")
    collector = _Collector(source_lines)
    collector.module(tree.body)
    return (
        lines,
        None,
        tuple(collector.classes),
        tuple(collector.functions),
        tuple(collector.imports),
        tuple(sorted(collector.bound)),
        collector.flags,
    )


class _Collector:
    """Walks statements only (never expressions): cheap next to the parse itself."""

    def __init__(self, source_lines: list[bytes]) -> None:
        self.source_lines = source_lines
        self.classes: list[Definition] = []
        self.functions: list[Definition] = []
        self.imports: list[ImportFact] = []
        self.bound: set[str] = set()
        self.flags = 0

    def module(self, body: list[ast.stmt]) -> None:
        """Collect top-level definitions and bindings, descending into if/try/with blocks."""
        for node in body:
            self._top_level(node)

    def _top_level(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ClassDef):
            self.classes.append(self._definition(node))
            self.bound.add(node.name)
            self._nested(node.body, guarded=False)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.append(self._definition(node))
            self.bound.add(node.name)
            if node.name == "__getattr__":
                self.flags |= HAS_GETATTR
            self._nested(node.body, guarded=False)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, guarded=False, top=True)
        elif isinstance(node, ast.Try | ast.TryStar):
            self._try(node)
        elif isinstance(node, (ast.If, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            self._bind_targets(node)
            for field in _BLOCK_FIELDS:
                for child in getattr(node, field, ()):
                    self._top_level(child)
        else:
            self._bind_targets(node)
            self._note_globals_write(node)

    def _note_globals_write(self, node: ast.stmt) -> None:
        """Flag ``globals()[name] = …``, ``globals().update(…)`` and the like (also in functions)."""
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr in _GLOBALS_WRITERS:
                targets = [func]
        if any(isinstance(t, (ast.Subscript, ast.Attribute)) and _is_globals_call(t.value) for t in targets):
            self.flags |= DYNAMIC_GLOBALS

    def _try(self, node: ast.Try | ast.TryStar) -> None:
        for child in node.body:
            self._top_level_guarded(child)
        for handler in node.handlers:
            for child in handler.body:
                self._top_level(child)
        for field in ("orelse", "finalbody"):
            for child in getattr(node, field):
                self._top_level(child)

    def _top_level_guarded(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, guarded=True, top=True)
        else:
            self._top_level(node)

    def _nested(self, body: list[ast.stmt], guarded: bool) -> None:
        """Find imports inside functions and classes (statements only)."""
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._import(node, guarded=guarded, top=False)
                continue
            self._note_globals_write(node)
            is_try = isinstance(node, ast.Try | ast.TryStar)
            for field in _BLOCK_FIELDS:
                children = getattr(node, field, None)
                if children:
                    self._nested(children, guarded or (is_try and field == "body"))
            for handler in getattr(node, "handlers", ()):
                self._nested(handler.body, guarded)
            for case in getattr(node, "cases", ()):
                self._nested(case.body, guarded)

    def _import(self, node: ast.Import | ast.ImportFrom, guarded: bool, top: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imports.append((node.lineno, 0, alias.name, (), guarded))
                if top:
                    self.bound.add(alias.asname or alias.name.partition(".")[0])
            return
        names = tuple(alias.name for alias in node.names)
        self.imports.append((node.lineno, node.level or 0, node.module or "", names, guarded))
        if top:
            if "*" in names:
                self.flags |= STAR_IMPORT
            self.bound.update(alias.asname or alias.name for alias in node.names if alias.name != "*")

    def _bind_targets(self, node: ast.stmt) -> None:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        elif isinstance(node, ast.TypeAlias if hasattr(ast, "TypeAlias") else ()):
            targets = [node.name]
        for target in targets:
            self._bind(target)

    def _bind(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bound.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element)
        elif isinstance(target, ast.Starred):
            self._bind(target.value)

    def _definition(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> Definition:
        first = node.body[0].lineno if node.body else node.lineno + 1
        last = node.end_lineno or first
        return (node.name, node.lineno, _fingerprint(self.source_lines[first - 1 : last]))


_GLOBALS_WRITERS: Final = frozenset({"update", "setdefault", "__setitem__"})


def _is_globals_call(node: ast.expr) -> bool:
    """``globals()`` (or ``vars()``, which is the same dict at module level)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("globals", "vars")
        and not node.args
        and not node.keywords
    )


def _fingerprint(lines: list[bytes]) -> tuple[int, ...]:
    """Sorted CRC32s of a body's stripped, non-blank, non-comment lines."""
    hashes = set()
    for raw in lines:
        text = raw.strip()
        if text and not text.startswith(b"#"):
            hashes.add(zlib.crc32(text))
    return tuple(sorted(hashes))


def similarity(left: tuple[int, ...], right: tuple[int, ...]) -> float:
    """Jaccard similarity of two fingerprints: 1.0 identical bodies, 0.0 nothing shared."""
    if not left and not right:
        return 1.0
    a, b = set(left), set(right)
    union = len(a | b)
    return len(a & b) / union if union else 0.0
