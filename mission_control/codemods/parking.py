"""Give libcst only the part of a module a rename can touch, and put the rest back byte for byte.

libcst's scope analysis, its transform and its code generation all cost in proportion to the
module (on a 2,000-line Django module, seconds), while a rename touches a few statements.
A module-level or class-level statement whose text contains none of the rename's words (the
old and the new name) cannot refer to either binding, so it is swapped, at the text level,
for a one-line placeholder before libcst parses the file, and the original lines are put back
in libcst's output. Import statements (and blocks holding imports) are never parked: they
decide what the kept statements' names mean.

Found with the stdlib ``ast`` (11 times faster than a libcst parse); only statements that own
their lines whole are parked (never ``a = 1; b = 2`` halves), decorators included.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from mission_control.util import pyast

_PLACEHOLDER = "__mission_control_parked_{}__ = {}"
_PLACEHOLDER_LINE = re.compile(r"^[ \t]*__mission_control_parked_(\d+)__ = (0|\([\w, ]*\))\n?$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Parked:
    """A module's text with unrelated statements replaced by placeholders, and how to undo it.

    A placeholder still reads the ``imported`` names its statement mentions
    (``__mission_control_parked_0__ = (models, migrations,)``), so an import clean-up run on the
    reduced text sees every import used exactly as in the whole module.
    """

    def __init__(self, text: str, words: Iterable[str], imported: Iterable[str] = ()) -> None:
        self.original = text
        self.chunks: dict[int, str] = {}  # placeholder number -> the original lines
        self._shifts: list[tuple[int, int]] = []
        self._imported = set(imported)
        self.reduced = self._park(text, set(words))

    def _park(self, text: str, words: set[str]) -> str:
        if "__mission_control_parked_" in text or not words:
            return text
        try:
            tree = pyast.parse(text)
        except (SyntaxError, ValueError):
            return text  # libcst reports the error with its line
        lines = text.splitlines(keepends=True)
        pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, sorted(words))) + r")(?![A-Za-z0-9_])")
        header = max(
            (i for i, node in enumerate(tree.body) if isinstance(node, (ast.Import, ast.ImportFrom))), default=-1
        )
        # the module's docstring and everything up to its last import stay: where an import is
        # added depends on them
        spans = sorted(_spans(tree.body, lines, pattern, keep_first=header + 1))
        if not spans:
            return text
        out: list[str] = []
        position = 0  # 0-based index of the next original line to copy
        for first, last in spans:  # 1-based, inclusive
            out.extend(lines[position : first - 1])
            chunk = lines[first - 1 : last]
            indent = chunk[0][: len(chunk[0]) - len(chunk[0].lstrip())]
            number = len(self.chunks)
            self.chunks[number] = "".join(chunk)
            self._shifts.append((len(out) + 1, len(chunk) - 1))  # reduced line, lines it stands for
            ending = "\n" if chunk[-1].endswith("\n") else ""
            used = sorted(self._imported & set(_WORD.findall(self.chunks[number]))) if self._imported else []
            value = f"({', '.join(used)},)" if used else "0"
            out.append(f"{indent}{_PLACEHOLDER.format(number, value)}{ending}")
            position = last
        out.extend(lines[position:])
        return "".join(out)

    @property
    def parked(self) -> bool:
        return bool(self.chunks)

    def original_line(self, line: int) -> int:
        """The line of the original text that line ``line`` of the reduced text is."""
        return line + sum(extra for at, extra in self._shifts if at < line)

    def restore(self, code: str) -> str:
        """``code`` (libcst's output for the reduced text) with the parked lines put back."""
        if not self.chunks:
            return code
        out = []
        for line in code.splitlines(keepends=True):
            match = _PLACEHOLDER_LINE.match(line)
            out.append(self.chunks[int(match.group(1))] if match else line)
        return "".join(out)


def _spans(
    body: list[ast.stmt], lines: list[str], pattern: re.Pattern[str], keep_first: int = 0
) -> list[tuple[int, int]]:
    """1-based line spans of the statements of ``body`` (and of its classes' bodies) to park,
    never the first ``keep_first`` statements nor a module docstring."""
    spans: list[tuple[int, int]] = []
    for index, node in enumerate(body):
        if index < max(keep_first, 1) and (index < keep_first or _is_docstring(node)):
            continue
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        last = node.end_lineno or node.lineno
        text = "".join(lines[first - 1 : last])
        if not pattern.search(text):
            if _owns_lines(body, index, first, last, lines) and not _has_import(node):
                spans.append((first, last))
            continue
        if isinstance(node, ast.ClassDef):
            spans.extend(_spans(node.body, lines, pattern))
    return spans


def _owns_lines(body: list[ast.stmt], index: int, first: int, last: int, lines: list[str]) -> bool:
    """The statement alone on its lines: no neighbour shares them, nothing else before or after."""
    if index > 0 and (body[index - 1].end_lineno or 0) >= first:
        return False
    if index + 1 < len(body) and body[index + 1].lineno <= last:
        return False
    node = body[index]
    start = lines[first - 1].encode("utf-8", "surrogatepass")  # ast offsets count UTF-8 bytes
    column = min([node.col_offset, *(d.col_offset - 1 for d in getattr(node, "decorator_list", ()))])
    if start[:column].strip():
        return False
    end = lines[last - 1].encode("utf-8", "surrogatepass")
    rest = end[node.end_col_offset or 0 :].strip()
    return not rest or rest.startswith(b"#")


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _has_import(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False  # an import inside binds in that scope only
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(node))
