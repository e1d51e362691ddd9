"""'Also mentions': strings that name a renamed object for a tool to resolve at run time.

``mock.patch("pkg.mod.old")``, ``importlib.import_module("pkg.mod")``, ``"pkg.mod:old"`` entry
points in ``pyproject.toml`` or ``setup.cfg``, ``>>> old(...)`` in a doctest: no import analysis sees them, the code still
compiles after a rename, and then a patch patches nothing or an entry point fails at install
time. A rename lists them (in Python files only inside string literals, in the config files on
any line) and, when asked, rewrites them: the old dotted name (or ``module:name``) becomes the
new one where it stands as a whole name (``pkg.mod.old.attr`` too, never ``pkg.mod.older``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

from mission_control.codemods.model import Mention
from mission_control.util import pyast

#: Config files whose entries name Python objects (entry points, plugins).
CONFIG_FILES = ("pyproject.toml", "setup.cfg")


def is_config(path: str) -> bool:
    """Whether ``path`` is a config file mentions are looked for in."""
    return path.rpartition("/")[2] in CONFIG_FILES


def _pattern(pairs: Sequence[tuple[str, str]]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(old) for old, _new in sorted(pairs, key=lambda p: -len(p[0])))
    return re.compile(rf"(?<![\w.:])(?:{alternatives})(?![\w])")


def contains(text: str, pairs: Sequence[tuple[str, str]]) -> bool:
    """The cheap test: does ``text`` contain any old form at all?"""
    return any(old in text for old, _new in pairs)


def _lines(path: str, text: str, pattern: re.Pattern[str]) -> list[int]:
    """1-based lines where ``pattern`` occurs inside a string literal (any line in a config file)."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if pattern.search(line)]
    if is_config(path) or not hits:
        return hits
    try:
        tree = pyast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return []
    in_strings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.search(node.value):
            in_strings.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return [line for line in hits if line in in_strings]


_DOCTEST = re.compile(r"^\s*(>>>|\.\.\.)\s")


def find(
    path: str,
    text: str,
    pairs: Sequence[tuple[str, str]],
    rewrite: bool,
    doctest: tuple[str, str] | None = None,
) -> tuple[list[Mention], str | None]:
    """The mentions in one file, and its rewritten text (None when not rewriting or none found).

    ``doctest`` (old, new) is a bare name looked for only in doctest lines (``>>> old(...)``):
    code in a docstring, which a rename of the name must follow too.
    """
    rules = [(_pattern(pairs), dict(pairs), False)] if pairs else []
    if doctest is not None and not is_config(path):
        bare = re.compile(rf"(?<![\w.]){re.escape(doctest[0])}(?![\w])")
        rules.append((bare, {doctest[0]: doctest[1]}, True))
    found: dict[int, tuple[re.Pattern[str], dict[str, str]]] = {}
    source_lines = text.splitlines(keepends=True)
    for pattern, replacement, doctest_only in rules:
        for n in _lines(path, text, pattern):
            if doctest_only and not _DOCTEST.match(source_lines[n - 1]):
                continue
            found.setdefault(n, (pattern, replacement))
    if not found:
        return [], None
    mentions = [Mention(path, n, source_lines[n - 1].strip()[:200], rewrite) for n in sorted(found)]
    if not rewrite:
        return mentions, None
    for n, (pattern, replacement) in found.items():
        source_lines[n - 1] = pattern.sub(lambda m, r=replacement: r[m.group(0)], source_lines[n - 1])  # type: ignore[misc]
    return mentions, "".join(source_lines)


def name_forms(old_name: str, new_name: str) -> list[tuple[str, str]]:
    """The spellings to look for: ``pkg.mod.old`` and the entry-point form ``pkg.mod:old``."""
    new_dotted = new_name.replace(":", ".")
    pairs = [(old_name, new_dotted)]
    old_module, _, old = old_name.rpartition(".")
    new_module, _, new = new_dotted.rpartition(".")
    if old_module and new_module:
        pairs.append((f"{old_module}:{old}", f"{new_module}:{new}"))
    return pairs


def config_paths(paths: Iterable[str]) -> list[str]:
    """The config files among a project's files."""
    return [p for p in paths if is_config(p)]
