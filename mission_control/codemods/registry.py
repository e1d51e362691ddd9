"""Which codemods exist: the built-in ones (one module each) and the repository's own."""

from __future__ import annotations

from mission_control.codemods import consolidate, remove_commented_code, remove_unused_imports, rename
from mission_control.codemods.base import BuiltinCodemod, CodemodError
from mission_control.codemods.model import CodemodInfo

BUILTINS: dict[str, BuiltinCodemod] = {
    c.name: c
    for c in (rename.COMMAND, consolidate.COMMAND, remove_unused_imports.COMMAND, remove_commented_code.COMMAND)
}


def builtin(name: str) -> BuiltinCodemod:
    """The built-in codemod called ``name`` (``remove_unused_imports`` spelling works too)."""
    command = BUILTINS.get(name) or BUILTINS.get(name.replace("_", "-"))
    if command is None:
        raise CodemodError(f"no built-in codemod {name!r} (built-ins: {', '.join(BUILTINS)})")
    return command


def builtin_infos() -> list[CodemodInfo]:
    """Name, description and arguments of every built-in codemod."""
    return [CodemodInfo(c.name, c.description, c.args) for c in BUILTINS.values()]
