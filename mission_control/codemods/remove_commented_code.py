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
    source_lines = source.text.splitlines()
    for block in blocks:
        if len(block) == 1 and _labels_next_definition(block[0], source_lines):
            continue
        found.update(_code_lines(block))
    return found


def _labels_next_definition(comment: tuple[int, int, str], source_lines: list[str]) -> bool:
    """A one-line comment right above a ``def``/``class`` at its column names it (``# g = g1 - g2``
    above ``__sub__``), unless it is a decorator taken out (``# @cache``)."""
    line, column, text = comment
    following = source_lines[line] if line < len(source_lines) else ""
    starts = following[column:].startswith(("def ", "async def ", "class "))
    return starts and following[:column].strip() == "" and not text.lstrip("# ").startswith("@")


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
    """Lines of ``block`` that are commented-out code.

    A ``TODO``/``NOTE``/``FIXME``/``XXX``/``HACK`` line keeps itself and everything after it in
    the block (code under a note is kept on purpose); a pragma splits the block and the runs
    between are judged alone.
    """
    for i, (_line, _column, text) in enumerate(block):
        if _PROSE_START.match(text):
            block = block[:i]
            break
    found: set[int] = set()
    run: list[tuple[int, int, str]] = []
    for item in [*block, (0, 0, "# noqa")]:
        if _PRAGMA.match(item[2]):
            found.update(_judge(run) if run else ())
            run = []
        else:
            run.append(item)
    return found


#: ``# test .update()``: a word, a space, then an attribute: prose naming a method.
_SPACED_DOT = re.compile(r"\w \.\w")
#: ``# default=True``: a key=value label (code is written ``default = True``).
_LABEL = re.compile(r"^[A-Za-z_][\w.]*=[^=\s]")


class _Line:
    """One comment line with the ``#`` taken off: its number, text and indentation."""

    def __init__(self, number: int, raw: str) -> None:
        self.number = number
        self.text = re.sub(r"^#( ?)", "", raw)
        self.indent = len(self.text) - len(self.text.lstrip())
        body = self.text.strip()
        self.blank = not body
        # a banner (``### Section``, ``# ----``) or a label is prose whatever it parses as
        self.prose = not self.blank and (
            body.startswith("#") or not re.search(r"\w", body) or bool(_LABEL.match(body) or _SPACED_DOT.search(body))
        )


def _judge(run: list[tuple[int, int, str]]) -> set[int]:
    """Lines of one run of comments that are code, by paragraphs (split at empty ``#`` lines).

    A paragraph is code when it parses as Python statements as a whole; within a block that
    also holds prose, a code paragraph indented deeper than the prose, or introduced by a line
    ending in ``:``, is an example and stays. A prose line followed by code in the same paragraph
    (``# Old way.`` then ``# x = f()``) gives up only the code after it.
    """
    lines = [_Line(number, text) for number, _column, text in run]
    paragraphs: list[list[_Line]] = [[]]
    for line in lines:
        if line.blank:
            paragraphs.append([])
        else:
            paragraphs[-1].append(line)
    paragraphs = [p for p in paragraphs if p]
    code = [_paragraph_is_code(p) for p in paragraphs]
    if all(code):
        return {line.number for line in lines}
    prose_indent = min((line.indent for p, c in zip(paragraphs, code, strict=True) if not c for line in p), default=0)
    found: set[int] = set()
    previous: _Line | None = None
    for paragraph, is_code in zip(paragraphs, code, strict=True):
        if is_code:
            introduced = previous is not None and previous.text.rstrip().endswith(":")
            if min(line.indent for line in paragraph) <= prose_indent and not introduced:
                found.update(line.number for line in paragraph)
        else:
            found.update(_code_after_prose(paragraph, prose_indent))
        previous = paragraph[-1]
    return found


def _code_after_prose(paragraph: list[_Line], prose_indent: int) -> set[int]:
    """The longest tail of a prose paragraph that is code, at the prose's indentation (deeper is
    an example: ``#   rargs = [arg(i+1), ...]`` in click's parser)."""
    for k in range(1, len(paragraph)):
        lead, tail = paragraph[k - 1], paragraph[k:]
        if not lead.text.rstrip().endswith((".", "!", "?")):
            continue  # the sentence goes on (``# ... instead`` / ``# of ('foo',)``), or an example follows
        if min(line.indent for line in tail) > min(lead.indent, prose_indent):
            continue
        if _paragraph_is_code(tail):
            return {line.number for line in tail}
    return set()


def _paragraph_is_code(paragraph: list[_Line]) -> bool:
    if any(line.prose for line in paragraph):
        return False
    cut = min(line.indent for line in paragraph)
    return _is_code("\n".join(line.text[cut:] for line in paragraph) + "\n")


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
