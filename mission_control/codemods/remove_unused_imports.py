"""Built-in codemod ``remove-unused-imports``: libcst's RemoveUnusedImportsCommand, made repo-aware.

libcst's command looks at one file alone, so it deletes an import another module re-imports
from this one (``from app.x import helper`` where ``app.x`` only imported ``helper``). Here
``prepare`` first collects, with the stdlib ``ast``, every name other modules import from each
module, and those imports are kept; package ``__init__.py`` files (re-exports by convention)
are skipped. A file whose imported names all occur in its ``ast`` never reaches libcst.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from libcst import Import, ImportFrom, ImportStar, Module
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.commands.remove_unused_imports import DEFAULT_SUPPRESS_COMMENT_REGEX
from libcst.codemod.visitors import GatherCommentsVisitor, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import PositionProvider

from mission_control.codemods.base import Source, context_for, run_libcst
from mission_control.codemods.model import ArgSpec
from mission_control.codemods.resolve import absolute_module, module_and_package
from mission_control.util import pyast
from mission_control.util.files import python_files


class RemoveUnusedImports:
    """Remove imports a module never uses (and no other module imports from it)."""

    name = "remove-unused-imports"
    description = "Remove unused imports (keeping re-exports other modules import and __init__.py files)."
    args: tuple[ArgSpec, ...] = ()

    def prepare(self, repo: Any, args: dict[str, str]) -> dict[str, Any]:
        """Map each module to the names other modules import from it."""
        imported: dict[str, set[str]] = {}
        for rel in python_files(Path(repo)):
            try:
                text = (Path(repo) / rel).read_text(encoding="utf-8")
                tree = pyast.parse(text) if "import" in text else None
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
                continue
            if tree is not None:
                _collect(tree, module_and_package(rel)[1], imported)
        return {"reexported": {m: sorted(n) for m, n in imported.items()}}

    def wants(self, params: dict[str, Any], source: Source) -> str | None:
        """Only files with an import whose name never occurs elsewhere in the file."""
        if "import" not in source.text:
            return None
        if source.path.endswith("__init__.py"):
            return None
        tree = source.parse_ast()
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {
            c.value.strip().split(".")[0]
            for c in ast.walk(tree)
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        }
        return "" if _bound_names(tree) - used - {"*"} else None

    def transform(self, params: dict[str, Any], source: Source) -> str | None:
        """Run libcst's command, keeping names other modules import from this one."""
        keep = set(params["reexported"].get(source.module, ()))
        return run_libcst(_KeepingReexports(context_for(source), keep), source)


class _KeepingReexports(VisitorBasedCodemodCommand):
    """libcst's ``RemoveUnusedImportsCommand``, keeping the names other modules import from this one.

    It is rebuilt from libcst's public pieces (the suppression-comment regex,
    ``GatherCommentsVisitor``, ``RemoveImportsVisitor``) instead of overriding the command's
    private ``_handle_import``, which a libcst release may rename or change at any time.
    Imports on lines marked ``# noqa`` / ``# lint-ignore: unused-import`` stay, as in libcst.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: CodemodContext, keep: set[str]) -> None:
        super().__init__(context)
        self._keep = keep
        self._ignored_lines: set[int] = set()

    def visit_Module(self, node: Module) -> bool:
        comments = GatherCommentsVisitor(self.context, DEFAULT_SUPPRESS_COMMENT_REGEX)
        node.visit(comments)
        self._ignored_lines = set(comments.comments)
        return True

    def visit_Import(self, node: Import) -> bool:
        self._schedule_removals(node)
        return False

    def visit_ImportFrom(self, node: ImportFrom) -> bool:
        self._schedule_removals(node)
        return False

    def _schedule_removals(self, node: Import | ImportFrom) -> None:
        """Ask ``RemoveImportsVisitor`` to drop each name of ``node`` if the file never uses it."""
        if self.get_metadata(PositionProvider, node).start.line in self._ignored_lines:
            return
        if isinstance(node.names, ImportStar):
            return
        for alias in node.names:
            position = self.get_metadata(PositionProvider, alias)
            if not set(range(position.start.line, position.end.line + 1)).isdisjoint(self._ignored_lines):
                continue
            bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
            if bound in self._keep or bound == "__future__":
                continue
            if isinstance(node, Import):
                RemoveImportsVisitor.remove_unused_import(
                    self.context, module=alias.evaluated_name, asname=alias.evaluated_alias
                )
                continue
            module = get_absolute_module_from_package_for_import(self.context.full_package_name, node)
            if module is not None:
                RemoveImportsVisitor.remove_unused_import(
                    self.context, module=module, obj=alias.evaluated_name, asname=alias.evaluated_alias
                )


def _collect(tree: ast.AST, package: str, imported: dict[str, set[str]]) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = absolute_module(package, node.level, node.module)
            if module:
                imported.setdefault(module, set()).update(a.name for a in node.names)


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(a.asname or a.name for a in node.names)
    return names


COMMAND = RemoveUnusedImports()
