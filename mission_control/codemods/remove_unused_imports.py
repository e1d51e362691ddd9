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

from libcst import (
    Attribute,
    ClassDef,
    Element,
    FunctionDef,
    Import,
    ImportFrom,
    ImportStar,
    Module,
    Name,
    Try,
    Tuple,
)
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.commands.remove_unused_imports import DEFAULT_SUPPRESS_COMMENT_REGEX
from libcst.codemod.visitors import GatherCommentsVisitor, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node
from libcst.metadata import PositionProvider

from mission_control.codemods.base import Source, context_for, run_libcst
from mission_control.codemods.model import ArgSpec
from mission_control.codemods.resolve import absolute_module, dotted_name, module_and_package
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
        """Only files with a top-level import whose name the module scope never reads (a function's
        own ``import sys`` does not use the module's), that is no re-export (``__all__``,
        ``import x as x``) and no availability check (``try: import readline``)."""
        if "import" not in source.text:
            return None
        if source.path.endswith("__init__.py"):
            return None
        tree = source.parse_ast()
        candidates = _removable_names(tree) - set(params["reexported"].get(source.module, ()))
        if not candidates:
            return None
        return "" if candidates - _global_reads(tree) else None

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
        self._nested = 0

    def visit_Module(self, node: Module) -> bool:
        comments = GatherCommentsVisitor(self.context, DEFAULT_SUPPRESS_COMMENT_REGEX)
        node.visit(comments)
        self._ignored_lines = set(comments.comments)
        return True

    def visit_Import(self, node: Import) -> bool:
        if not self._nested:
            self._schedule_removals(node)
        return False

    def visit_ImportFrom(self, node: ImportFrom) -> bool:
        if not self._nested:
            self._schedule_removals(node)
        return False

    # Only top-level imports outside availability checks are candidates: an import inside a
    # function is that function's business, one in ``try: ... except ImportError`` a probe.
    def visit_FunctionDef(self, node: FunctionDef) -> None:
        self._nested += 1

    def leave_FunctionDef(self, original_node: FunctionDef, updated_node: FunctionDef) -> FunctionDef:
        self._nested -= 1
        return updated_node

    def visit_ClassDef(self, node: ClassDef) -> None:
        self._nested += 1

    def leave_ClassDef(self, original_node: ClassDef, updated_node: ClassDef) -> ClassDef:
        self._nested -= 1
        return updated_node

    def visit_Try(self, node: Try) -> None:
        self._nested += _is_availability_check(node)

    def leave_Try(self, original_node: Try, updated_node: Try) -> Try:
        self._nested -= _is_availability_check(original_node)
        return updated_node

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
            if bound in self._keep or bound == "__future__" or alias.evaluated_alias == alias.evaluated_name:
                continue  # another module imports it, or ``import x as x`` marks a re-export
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


_PROBES = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _is_availability_check(node: Try) -> bool:
    """``try: import x`` with a handler for ImportError (or broader): probing whether x exists."""
    for handler in node.handlers:
        kind = handler.type
        if kind is None:
            return True
        names = kind.elements if isinstance(kind, Tuple) else [kind]
        for element in names:
            value = element.value if isinstance(element, Element) else element
            if isinstance(value, (Name, Attribute)) and (get_full_name_for_node(value) or "").split(".")[-1] in _PROBES:
                return True
    return False


def _ast_probe(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(
            isinstance(k, (ast.Name, ast.Attribute)) and (dotted_name(k) or "").split(".")[-1] in _PROBES for k in kinds
        ):
            return True
    return False


def _removable_names(tree: ast.Module) -> set[str]:
    """Names bound by top-level imports that may go: not ``__future__``, not ``import x as x``,
    not in an availability check, not listed in ``__all__``."""
    names: set[str] = set()
    exported: set[str] = set()
    blocks: list[ast.stmt] = list(tree.body)
    while blocks:
        node = blocks.pop()
        if isinstance(node, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names if a.asname != a.name)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(a.asname or a.name for a in node.names if a.name not in (a.asname, "*"))
        elif isinstance(node, ast.If):
            blocks.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try) and not _ast_probe(node):
            blocks.extend(node.body + node.orelse + node.finalbody)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
                exported.update(
                    c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
    return names - exported


def _global_reads(tree: ast.Module) -> set[str]:
    """Names read that can refer to a module-level binding: reads at module level and in class
    bodies, and reads in functions that do not bind the name themselves; plus the heads of
    dotted strings (string annotations)."""
    reads: set[str] = set()
    _scope_reads(tree.body, frozenset(), reads)
    reads |= {
        c.value.strip().split(".")[0].split("[")[0]
        for c in ast.walk(tree)
        if isinstance(c, ast.Constant) and isinstance(c.value, str) and len(c.value) < 200
    }
    return reads


def _scope_reads(body: list[ast.stmt] | list[ast.expr], shadowed: frozenset[str], reads: set[str]) -> None:
    """Collect reads of names not in ``shadowed`` (bound by an enclosing function) in ``body``."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            if not isinstance(node, ast.Lambda):
                stack.extend(node.decorator_list)
                stack.extend(a.annotation for a in _arguments(node.args) if a.annotation is not None)
                if node.returns is not None:
                    stack.append(node.returns)
            inner = shadowed | _locals(node)
            _scope_reads(node.body if isinstance(node.body, list) else [node.body], inner, reads)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in shadowed:
            reads.add(node.id)
        stack.extend(ast.iter_child_nodes(node))


def _arguments(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> frozenset[str]:
    """Names a function binds itself (parameters, assignments, imports), minus ``global`` ones."""
    bound = {a.arg for a in _arguments(function.args)}
    declared_global: set[str] = set()
    stack: list[ast.AST] = list(function.body) if isinstance(function.body, list) else [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            continue  # its own scope
        elif isinstance(node, ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(bound - declared_global)


COMMAND = RemoveUnusedImports()
