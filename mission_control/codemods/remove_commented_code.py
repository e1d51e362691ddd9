"""Built-in codemod ``remove-commented-code``: delete comments that are really disabled code.

A block of consecutive own-line comments at one indentation is removed when its text, with the
``#`` taken off, parses as Python and holds a real statement (an import, an assignment, a call,
a ``def``, an ``if``...). Prose that happens to parse (``# TODO``, ``# note: see below``),
pragmas (``# noqa``, ``# type:``, ``# pragma``, ``# fmt:``) and the shebang or encoding line
stay. Comments are found with ``tokenize`` (so a ``#`` inside a string is never touched) and
the result goes through libcst, which checks that it still parses.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any

import libcst as cst
from libcst.codemod import Codemod, CodemodContext

from mission_control.codemods.base import FileFailed, Source, context_for, run_libcst
from mission_control.codemods.model import ArgSpec
from mission_control.util import pyast

_PRAGMA = re.compile(r"^#\s*(noqa|type:|pragma|fmt:|pylint:|mypy:|isort:|nosec|pyright:|ruff:|-\*-|!)")
_PROSE_START = re.compile(r"^#\s*(TODO|FIXME|XXX|NOTE|HACK)\b", re.IGNORECASE)


class RemoveCommentedCode:
    """Remove comments that parse as Python statements."""

    name = "remove-commented-code"
    description = "Remove commented-out code (comment blocks that parse as Python statements)."
    args: tuple[ArgSpec, ...] = ()

    def prepare(self, repo: Any, args: dict[str, str]) -> dict[str, Any]:
        return {}

    def wants(self, params: dict[str, Any], source: Source) -> str | None:
        """Files with at least one comment block that looks like code."""
        if "#" not in source.text:
            return None
        return "" if code_comment_lines(source) else None

    def transform(self, params: dict[str, Any], source: Source) -> str | None:
        return run_libcst(_RemoveLines(context_for(source), code_comment_lines(source)), source)


class _RemoveLines(Codemod):
    """A libcst codemod deleting the given 1-based lines and re-parsing the result."""

    def __init__(self, context: CodemodContext, lines: set[int]) -> None:
        super().__init__(context)
        self.lines = lines

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        kept = [line for number, line in enumerate(tree.code.splitlines(keepends=True), 1) if number not in self.lines]
        return cst.parse_module("".join(kept))


def code_comment_lines(source: Source) -> set[int]:
    """The 1-based line numbers of own-line comments that are commented-out code."""
    blocks: list[list[tuple[int, int, str]]] = []
    for line, column, text in _own_line_comments(source):
        if blocks and blocks[-1][-1][0] == line - 1 and blocks[-1][-1][1] == column:
            blocks[-1].append((line, column, text))
        else:
            blocks.append([(line, column, text)])
    found: set[int] = set()
    for block in blocks:
        found.update(_code_lines(block))
    return found


def _own_line_comments(source: Source) -> list[tuple[int, int, str]]:
    lines = source.text.splitlines()
    comments = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if token.type != tokenize.COMMENT:
                continue
            row, col = token.start
            if lines[row - 1][:col].strip() == "":
                comments.append((row, col, token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        raise FileFailed(f"{source.path}: does not tokenize: {exc}") from None
    return comments


def _code_lines(block: list[tuple[int, int, str]]) -> set[int]:
    """Lines of the longest runs in ``block`` whose uncommented text is code."""
    if any(_PRAGMA.match(t) or _PROSE_START.match(t) for _, _, t in block):
        # A pragma or a TODO note splits the block; the runs between are judged alone.
        found: set[int] = set()
        run: list[tuple[int, int, str]] = []
        for item in [*block, (0, 0, "# TODO")]:
            if _PRAGMA.match(item[2]) or _PROSE_START.match(item[2]):
                found.update(_code_lines(run) if run else ())
                run = []
            else:
                run.append(item)
        return found
    body = _uncomment([t for _, _, t in block])
    if _is_code(body):
        return {line for line, _, _ in block}
    # A mixed block (prose then code): take each line alone.
    return {line for line, _, text in block if _is_code(_uncomment([text]))}


def _uncomment(texts: list[str]) -> str:
    stripped = [re.sub(r"^#( ?)", "", t) for t in texts]
    indents = [len(s) - len(s.lstrip()) for s in stripped if s.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(s[cut:] for s in stripped) + "\n"


def _is_code(text: str) -> bool:
    if not text.strip():
        return False
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return bool(tree.body) and all(_is_code_statement(s) for s in tree.body)


def _is_code_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr):
        return isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))
    if isinstance(node, ast.AnnAssign):
        return node.value is not None
    return True


COMMAND = RemoveCommentedCode()
