"""What every built-in codemod provides, and running a libcst command on one file's text.

A built-in codemod is a small object with three steps, so the engine can keep libcst for the
files that need it:

- ``prepare(repo, args)`` checks the arguments once per run and returns picklable params;
- ``wants(params, source)`` decides from the text (and a cheap ``ast`` look) whether the file
  can be affected: ``None`` (not at all, never parsed by libcst), ``""`` (run libcst) or a
  skip reason;
- ``transform(params, source)`` runs the libcst command and returns the new text (None to
  delete the file).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Protocol

import libcst as cst
from libcst.codemod import (
    Codemod,
    CodemodContext,
    SkipFile,
    TransformExit,
    TransformFailure,
    TransformSkip,
    TransformSuccess,
    transform_module,
)

from mission_control.codemods import libcst_speed
from mission_control.codemods.model import ArgSpec
from mission_control.util import pyast

GENERATED_MARKER = "@" + "generated"


class CodemodError(Exception):
    """A codemod cannot run as asked (unknown name, bad argument); the message says which."""


class FileFailed(Exception):
    """One file cannot be transformed (it does not parse, the codemod raised); has a line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class FileSkipped(Exception):
    """The codemod chose to leave one file alone; the message is the reason."""


@dataclass(frozen=True)
class Source:
    """One file as the codemods see it: repo-relative path, module name and text."""

    path: str
    module: str
    package: str
    text: str
    filename: str = ""

    def parse_ast(self) -> ast.Module:
        """The stdlib ``ast`` of the text; raises :class:`FileFailed` naming the line."""
        try:
            return pyast.parse(self.text, filename=self.path)
        except SyntaxError as exc:
            raise FileFailed(f"{self.path}:{exc.lineno}: does not parse: {exc.msg}", exc.lineno) from None
        except ValueError as exc:  # null bytes
            raise FileFailed(f"{self.path}: does not parse: {exc}") from None


class BuiltinCodemod(Protocol):
    """The interface of one built-in codemod (one per module, as libcst's commands)."""

    name: str
    description: str
    args: tuple[ArgSpec, ...]

    def prepare(self, repo: Any, args: dict[str, str]) -> dict[str, Any]: ...

    def wants(self, params: dict[str, Any], source: Source) -> str | None: ...

    def transform(self, params: dict[str, Any], source: Source) -> str | None: ...


def context_for(source: Source) -> CodemodContext:
    """A fresh libcst context naming the file and its module, as libcst's CLI makes one."""
    return CodemodContext(
        filename=source.filename or source.path, full_module_name=source.module, full_package_name=source.package
    )


def run_libcst(command: Codemod, source: Source, code: str | None = None) -> str:
    """Run one libcst command on the file's text; the new text, or raise Failed/Skipped."""
    libcst_speed.install()
    result = transform_module(command, source.text if code is None else code)
    if isinstance(result, TransformSuccess):
        return result.code
    if isinstance(result, TransformSkip):
        reason = result.skip_description or result.skip_reason.value
        raise FileSkipped(reason)
    if isinstance(result, TransformFailure):
        raise _failure(source, result.error)
    if isinstance(result, TransformExit):
        raise FileFailed(f"{source.path}: interrupted")
    raise FileFailed(f"{source.path}: unexpected libcst result {result!r}")


def _failure(source: Source, error: Exception) -> FileFailed:
    if isinstance(error, cst.ParserSyntaxError):
        first = str(error).splitlines()[0] if str(error) else "syntax error"
        return FileFailed(f"{source.path}:{error.raw_line}: does not parse: {first}", error.raw_line)
    if isinstance(error, SkipFile):
        return FileFailed(f"{source.path}: {error}")
    return FileFailed(f"{source.path}: {type(error).__name__}: {error}")


def parse_dotted(value: str, arg: str) -> str:
    """Check that ``value`` is a dotted Python name (for argument ``arg``)."""
    parts = value.strip().split(".")
    if not value.strip() or not all(p.isidentifier() for p in parts):
        raise CodemodError(f"argument {arg}={value!r} is not a dotted Python name (like pkg.mod.Name)")
    return value.strip()
