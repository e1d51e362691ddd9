"""A rename in place (``pkg.mod.old`` -> ``pkg.mod.new``): the definition and every reference.

libcst's RenameCommand only rewrites *references* in other modules: the ``def`` keeps its name,
uses inside the defining module stay, relative imports become absolute and aliases are dropped.
This module does what Rope and PyCharm do for a top-level function, class or assignment:

- in the defining module, the definition and every use of the global binding (nested scopes,
  ``global`` statements, string annotations, ``__all__`` entries);
- in every other module, ``from mod import old`` (absolute or relative, kept relative; inside
  ``try:``/``if TYPE_CHECKING:``/functions too) and the uses of that binding, including any
  fallback binding of the same name in that scope (``except ImportError: old = None``);
  ``from mod import old as y`` keeps ``y``; a package ``__init__`` re-export keeps its public
  spelling (``from .mod import new as old``); ``m.old`` through ``import pkg.mod as m``.

Before anything is written the rename is checked: the old name must exist (else the closest
names are listed), the new one must not be bound already where the rename puts it, and after
the dry run every changed file must compile and no module may still import the old name.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import Access, Assignment, MetadataWrapper, Scope, ScopeProvider

from mission_control.codemods.base import CodemodError, FileFailed, Source
from mission_control.codemods.model import CHANGED, FAILED, SKIPPED, FileResult
from mission_control.codemods.parking import Parked
from mission_control.codemods.resolve import (
    ImportIndex,
    absolute_module,
    defined_names,
    import_index,
    module_and_package,
    resolve,
)
from mission_control.codemods.verify import compile_problems
from mission_control.util import pyast
from mission_control.util.files import python_files


def plan(repo: Path, old_name: str, new_name: str, files: dict[str, str] | None = None) -> dict[str, str] | None:
    """Params of an in-place symbol rename, None for a move (other module) or a module rename.

    Raises:
        CodemodError: the old name does not exist in the repository (the closest names are
            listed), or the new name is already defined next to it.
    """
    module, _, old = old_name.rpartition(".")
    if files is None:
        files = module_files(repo)
    _check_target_free(repo, old_name, new_name.replace(":", "."), files)
    if old_name in files:
        return None  # renaming or moving a module: RenameCommand's business
    path = files.get(module)
    if path is None:
        _check_module_exists(module, old_name, files)
        return None  # a name outside the repository (a library): nothing to check it against
    names = _top_level_names(repo / path)
    if old not in names:
        close = difflib.get_close_matches(old, sorted(names), n=5, cutoff=0.6)
        hint = f"; closest: {', '.join(f'{module}.{n}' for n in close)}" if close else ""
        raise CodemodError(f"{old_name} does not exist: {path} defines no top-level {old!r}{hint}")
    new_module, _, new = new_name.rpartition(".")
    if ":" in new_name or new_module != module or new == old:
        return None
    if new in names:
        raise CodemodError(
            f"{module}.{new} already exists ({path}:{names[new]}); renaming {old} onto it would redirect "
            f"its callers — choose another name"
        )
    reexports = _reexporting_packages(repo, module, old, files)
    return {"module": module, "path": path, "old": old, "new": new, "reexports": ",".join(reexports)}


def _reexporting_packages(repo: Path, module: str, old: str, files: dict[str, str]) -> list[str]:
    """The packages above ``module`` whose ``__init__`` re-exports ``old`` under its own name
    (``from .mod import old``, ``from .mod import old as old``), nearest first, following chains."""
    sources = {module}
    found = []
    parts = module.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:depth])
        path = files.get(package)
        if path is None or not path.endswith("__init__.py"):
            continue
        try:
            tree = pyast.parse((repo / path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or absolute_module(package, node.level, node.module) not in sources:
                continue
            if any(a.name == old and a.asname in (None, old) for a in node.names):
                found.append(package)
                sources.add(package)
                break
    return found


def module_files(repo: Path) -> dict[str, str]:
    """Module name -> repo-relative path of every Python file of the project."""
    return {module_and_package(rel)[0]: rel for rel in python_files(repo)}


def _check_target_free(repo: Path, old_name: str, new_name: str, files: dict[str, str]) -> None:
    """Refuse a move onto a module or a name that already exists elsewhere in the repository:
    the callers would silently get the other object (``consolidate`` does that on purpose)."""
    if new_name == old_name:
        return
    if old_name in files and new_name in files:
        raise CodemodError(
            f"module {new_name} already exists ({files[new_name]}); moving {old_name} onto it would redirect "
            "its importers to another module — choose another name"
        )
    new_module, _, new = new_name.rpartition(".")
    path = files.get(new_module)
    if old_name in files or path is None or new_module == old_name.rpartition(".")[0]:
        return  # a module rename, a target outside the repository, or a rename in place (checked later)
    names = _top_level_names(repo / path)
    if new in names and not _is_alias_of(repo, old_name, new_name, files):
        raise CodemodError(
            f"{new_name} already exists ({path}:{names[new]}); moving {old_name} onto it would redirect its "
            "callers to that object — choose another name, or use consolidate to point them at it on purpose"
        )


def definition_left_behind(repo: Path, old_name: str, new_name: str, files: dict[str, str]) -> str:
    """For a move of a symbol defined here to another module that does not have it: why the
    move cannot be done by rewriting imports alone (empty when it can)."""
    module, _, old = old_name.rpartition(".")
    new_module, _, new = new_name.replace(":", ".").rpartition(".")
    path = files.get(module)
    if path is None or old_name in files or new_module == module:
        return ""
    try:
        defined = dict(defined_names(pyast.parse((repo / path).read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return ""
    if old not in defined:
        return ""  # only imported there: pointing its users elsewhere is what the rename does
    return (
        f"{old_name} is defined in {path}:{defined[old]}; a move rewrites its importers but leaves the "
        f"definition there: move it to {new_module} as {new} first (leaving 'from {new_module} import {new} "
        f"as {old}' in {path}), then run the rename again"
    )


def _is_alias_of(repo: Path, old_name: str, new_name: str, files: dict[str, str]) -> bool:
    """Whether the old module binds ``old`` to the new object itself (``from new.mod import New as Old``
    or ``Old = New``): then pointing its callers at the new name changes nothing they get."""
    module, _, old = old_name.rpartition(".")
    path = files.get(module)
    if path is None:
        return False
    try:
        tree = pyast.parse((repo / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return False
    _module, package = module_and_package(path)
    index = import_index(tree, package, list(tree.body))
    if new_name in index.bindings.get(old, ()):
        return True
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == old for t in node.targets):
            from mission_control.codemods.resolve import dotted_name

            dotted = dotted_name(node.value)
            if dotted is not None and new_name in resolve(dotted, index):
                return True
    return False


def _check_module_exists(module: str, old_name: str, files: dict[str, str]) -> None:
    top = module.split(".", maxsplit=1)[0]
    if not any(m == top or m.startswith(top + ".") for m in files):
        return
    close = difflib.get_close_matches(module, sorted(files), n=5, cutoff=0.6)
    hint = f"; closest modules: {', '.join(close)}" if close else ""
    raise CodemodError(f"{old_name} does not exist: no module {module} in the repository{hint}")


def _top_level_names(path: Path) -> dict[str, int]:
    """Names bound at the top of a module (definitions and imports), with their first line."""
    try:
        tree = pyast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        raise CodemodError(f"{path}: cannot read the defining module: {exc}") from None
    names: dict[str, int] = {}
    for name, line in defined_names(tree):
        names.setdefault(name, line)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _at_top(tree, node):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                if local != "*":
                    names.setdefault(local, node.lineno)
    return names


def _at_top(tree: ast.Module, node: ast.AST) -> bool:
    """Whether ``node`` is at module level (also inside top-level ``if``/``try`` blocks)."""
    blocks: list[ast.stmt] = list(tree.body)
    while blocks:
        statement = blocks.pop()
        if statement is node:
            return True
        if isinstance(statement, (ast.If, ast.Try)):
            blocks.extend(statement.body + statement.orelse)
            if isinstance(statement, ast.Try):
                blocks.extend(statement.finalbody)
                for handler in statement.handlers:
                    blocks.extend(handler.body)
    return False


def rename_in_file(params: dict[str, str], source: Source, code: str | None = None) -> str:
    """``source``'s text with the symbol renamed (the defining module or one that refers to it)."""
    code = source.text if code is None else code
    parked = Parked(code, {params["old"], params["new"]})  # libcst sees only what can mention them
    try:
        wrapper = MetadataWrapper(cst.parse_module(parked.reduced), unsafe_skip_copy=True)
    except cst.ParserSyntaxError as exc:
        raise FileFailed(f"{source.path}:{exc.raw_line}: does not parse: {str(exc).splitlines()[0]}") from None
    renamer = _Renamer(params, source, wrapper, parked)
    renamer.collect()
    if not renamer.touched:
        return code
    return parked.restore(wrapper.module.visit(renamer).code)


class _Renamer(cst.CSTTransformer):
    def __init__(self, params: dict[str, str], source: Source, wrapper: MetadataWrapper, parked: Parked) -> None:
        super().__init__()
        self.module, self.old, self.new = params["module"], params["old"], params["new"]
        self.source = source
        self.wrapper = wrapper
        self.parked = parked
        self.scopes = wrapper.resolve(ScopeProvider)
        self.defining = source.module == self.module
        self.reexports = [p for p in params.get("reexports", "").split(",") if p]
        self.modules = {self.module, *self.reexports}  # where ``old`` can be imported from
        self.keep_alias = params.get("keep_alias") == "true" and (
            source.module in self.reexports if self.reexports else self.defining
        )
        self.kept: set[int] = set()  # top-level statements after which ``old = new`` goes
        self.names: set[int] = set()  # Name / SimpleString nodes: old -> new
        self.aliases: dict[int, str] = {}  # ImportAlias -> "rename" | "reexport" | "self"
        self.attributes: set[int] = set()  # Attribute nodes whose .attr becomes new
        self.global_renamed = False
        self._all_depth = 0
        self._import_index: ImportIndex | None = None

    @property
    def touched(self) -> bool:
        return bool(self.names or self.aliases or self.attributes)

    def collect(self) -> None:
        module = self.wrapper.module
        global_scope = self.scopes[module]
        if self.defining and global_scope is not None:
            self._rename_binding(global_scope, module)
        for node in _walk(module):
            if isinstance(node, cst.ImportFrom):
                self._import(node)
            elif isinstance(node, cst.Attribute) and node.attr.value == self.old:
                self._attribute(node)

    def _import(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        dotted = cst.helpers.get_full_name_for_node(node.module) if node.module else None
        if absolute_module(self.source.package, len(node.relative), dotted) not in self.modules:
            return
        for alias in node.names:
            if cst.helpers.get_full_name_for_node(alias.name) != self.old:
                continue
            asname = alias.asname.name if alias.asname is not None else None
            is_self = isinstance(asname, cst.Name) and asname.value == self.old
            if alias.asname is not None and not is_self:
                self.aliases[id(alias)] = "reexport"  # ``old as y``: the local name stays
                continue
            self._keep_after(node)
            # ``old as old`` is an explicit re-export: it becomes ``new as new``
            self.aliases[id(alias)] = "self" if is_self else "rename"
            scope = self.scopes.get(node)
            if scope is not None:
                self._rename_binding(scope, node)

    def _keep_after(self, node: cst.CSTNode) -> None:
        """Remember the top-level statement of a re-export, so ``old = new`` can follow it."""
        if not self.keep_alias:
            return
        for line in self.wrapper.module.body:
            if node in _walk(line):
                self.kept.add(id(line))
                return

    def _rename_binding(self, scope: Scope, where: cst.CSTNode) -> None:
        """Rename every binding of ``old`` in ``scope`` and every use of them."""
        assignments: Sequence[Assignment] = [a for a in scope.assignments[self.old] if isinstance(a, Assignment)]
        if not assignments:
            return
        bound = [a.node for a in scope.assignments[self.new] if isinstance(a, Assignment)]
        if bound:
            self._collision(bound[0], "is already bound here")
        if scope is self.scopes[self.wrapper.module]:
            self.global_renamed = True
            for access in scope.accesses[self.new]:
                if not access.referents:
                    self._collision(access.node, "is used here (a builtin or undefined name it would shadow)")
        for assignment in assignments:
            node = assignment.node
            if isinstance(node, cst.Name):
                self.names.add(id(node))
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.names.add(id(node.name))
            for access in assignment.references:
                self._access(access)

    def _access(self, access: Access) -> None:
        node = access.node
        if access.scope is not None and access.scope.assignments[self.new]:
            self._collision(node, "is bound in the scope of a use")
        if isinstance(node, cst.Name) or (isinstance(node, cst.SimpleString) and _string(node) == self.old):
            self.names.add(id(node))

    def _attribute(self, node: cst.Attribute) -> None:
        dotted = cst.helpers.get_full_name_for_node(node.value)
        if dotted is None:
            return
        if self.modules & resolve(dotted, self._index()):
            self.attributes.add(id(node))

    def _index(self) -> ImportIndex:
        if self._import_index is None:
            self._import_index = import_index(pyast.parse(self.parked.reduced), self.source.package)
        return self._import_index

    def _collision(self, node: cst.CSTNode, what: str) -> None:
        positions = self.wrapper.resolve(cst.metadata.PositionProvider)  # only to say where
        line = self.parked.original_line(positions[node].start.line) if node in positions else None
        where = f"{self.source.path}:{line}" if line else self.source.path
        raise FileFailed(
            f"{where}: {self.new} {what}; renaming {self.module}.{self.old} to it would change what the code "
            f"refers to — choose another name",
            line,
        )

    # -- the rewrite -------------------------------------------------------------------------------

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value=self.new) if id(original_node) in self.names else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        if id(original_node) in self.attributes:
            return updated_node.with_changes(attr=cst.Name(self.new))
        return updated_node

    def leave_ImportAlias(self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias) -> cst.ImportAlias:
        how = self.aliases.get(id(original_node))
        if how is None:
            return updated_node
        if how == "self" and updated_node.asname is not None:
            return updated_node.with_changes(
                name=cst.Name(self.new), asname=updated_node.asname.with_changes(name=cst.Name(self.new))
            )
        return updated_node.with_changes(name=cst.Name(self.new))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """With ``keep_alias``: ``old = new`` after the re-export (or the definition), for callers
        outside the repository."""
        if not self.keep_alias:
            return updated_node
        alias = cst.parse_statement(f"{self.old} = {self.new}  # the old name, for callers outside this repository\n")
        body: list[cst.BaseStatement] = []
        placed = False
        for original, line in zip(original_node.body, updated_node.body, strict=True):
            body.append(line)
            if id(original) in self.kept or (self.defining and not placed and self._defines(original)):
                after_block = isinstance(original, (cst.FunctionDef, cst.ClassDef))
                body.append(alias.with_changes(leading_lines=[cst.EmptyLine()] * 2) if after_block else alias)
                placed = True
        if not placed and not self.kept:
            body.append(alias)
        return updated_node.with_changes(body=body)

    def _defines(self, line: cst.CSTNode) -> bool:
        if isinstance(line, (cst.FunctionDef, cst.ClassDef)):
            return line.name.value == self.old
        return isinstance(line, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Assign, cst.AnnAssign)) and id(_target(small)) in self.names for small in line.body
        )

    def leave_NameItem(self, original_node: cst.NameItem, updated_node: cst.NameItem) -> cst.NameItem:
        if self.global_renamed and original_node.name.value == self.old:  # ``global old``
            return updated_node.with_changes(name=cst.Name(self.new))
        return updated_node

    def visit_Assign(self, node: cst.Assign) -> None:
        self._all_depth += any(_is_all(t.target) for t in node.targets)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        self._all_depth -= any(_is_all(t.target) for t in original_node.targets)
        return updated_node

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._all_depth += _is_all(node.target)

    def leave_AugAssign(self, original_node: cst.AugAssign, updated_node: cst.AugAssign) -> cst.AugAssign:
        self._all_depth -= _is_all(original_node.target)
        return updated_node

    def leave_Element(self, original_node: cst.Element, updated_node: cst.Element) -> Any:
        """In ``__all__`` with ``keep_alias``: the old entry stays and the new one follows it."""
        value = original_node.value
        if not (self.keep_alias and self._all_depth and self.global_renamed and isinstance(value, cst.SimpleString)):
            return updated_node
        if _string(value) != self.old:
            return updated_node
        new = value.with_changes(value=f"{value.prefix}{value.quote}{self.new}{value.quote}")
        return cst.FlattenSentinel([original_node, original_node.with_changes(value=new)])

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        in_all = self._all_depth and self.global_renamed and _string(original_node) == self.old and not self.keep_alias
        if not in_all and id(original_node) not in self.names:
            return updated_node
        return updated_node.with_changes(
            value=f"{original_node.prefix}{original_node.quote}{self.new}{original_node.quote}"
        )


def _target(small: cst.Assign | cst.AnnAssign) -> cst.BaseExpression:
    return small.targets[0].target if isinstance(small, cst.Assign) else small.target


def _is_all(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "__all__"


def _string(node: cst.SimpleString) -> str | None:
    value = node.evaluated_value
    return value.strip() if isinstance(value, str) else None


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def wants(params: dict[str, str], source: Source) -> str | None:
    """The defining module, and files whose ``ast`` shows them importing or using the symbol."""
    from mission_control.codemods.resolve import find_reference, has_words

    if source.module == params["module"]:
        return "" if has_words(source.text, params["old"]) else None
    if not has_words(source.text, params["old"]):
        return None
    modules = [params["module"], *(p for p in params.get("reexports", "").split(",") if p)]
    if "from ." not in source.text and not any(has_words(source.text, m.rpartition(".")[2]) for m in modules):
        return None
    tree = source.parse_ast()
    star = ""
    for module in modules:
        reference = find_reference(tree, source.package, f"{module}.{params['old']}")
        if reference.uses:
            return ""
        if reference.star and not star:
            star = f"uses {params['old']} through 'from {module} import *'; make the import explicit first"
    return star or None


def importer_forms(
    params: dict[str, str], results: Sequence[FileResult], texts: Sequence[str]
) -> list[tuple[str, str]]:
    """``(user.mod.old, user.mod.new)`` for each changed module that bound ``old`` at its top level
    and binds ``new`` after the rename (``mock.patch("user.mod.old")`` patches that binding), when
    one of ``texts`` (the files that may mention it) contains that name."""
    old, new = params["old"], params["new"]
    forms = []
    for result in results:
        if result.status != CHANGED or not result.path.endswith(".py") or not result.new_text or not result.old_text:
            continue
        module = module_and_package(result.path)[0]
        if module == params["module"] or not module or not any(f"{module}.{old}" in t for t in texts):
            continue
        try:
            before = _bound_at_top(pyast.parse(result.old_text))
            after = _bound_at_top(pyast.parse(result.new_text))
        except (SyntaxError, ValueError):
            continue
        if old in before and new in after and old not in after:
            forms.append((f"{module}.{old}", f"{module}.{new}"))
    return forms


def _bound_at_top(tree: ast.Module) -> set[str]:
    names = {name for name, _line in defined_names(tree)}
    blocks: list[ast.stmt] = list(tree.body)
    while blocks:
        node = blocks.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.If):
            blocks.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            blocks.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                blocks.extend(handler.body)
    return names


def review(params: dict[str, Any], results: Sequence[FileResult]) -> list[str]:
    """Problems that make the dry run unsafe to apply: files that do not compile, a rename left
    half done (a file that uses the name failed or was skipped, or a module still imports it)."""
    problems = compile_problems(results, "the rename")
    symbol = params.get("symbol")
    if not symbol:
        return problems
    reexports = [p for p in symbol.get("reexports", "").split(",") if p]
    old_names = {f"{m}.{symbol['old']}" for m in [symbol["module"], *reexports]}
    if symbol.get("keep_alias") == "true":  # ``old = new`` keeps the re-exported (or the defining) name
        old_names = {f"{symbol['module']}.{symbol['old']}"} if reexports else set()
    for result in results:
        if result.status == FAILED:
            problems.append(f"the rename is incomplete: {result.reason}")
        elif result.status == SKIPPED:  # it uses the old name (``import *``, generated code)
            problems.append(f"the rename is incomplete: {result.path} was skipped: {result.reason}")
        text = result.new_text if result.status == CHANGED else result.old_text
        if text is None:
            continue
        _module, package = module_and_package(result.path)
        try:
            imported = import_index(pyast.parse(text), package).imported
        except (SyntaxError, ValueError):
            continue
        for old_name in sorted(old_names & imported):
            why = f" ({result.status}: {result.reason})" if result.reason else ""
            problems.append(f"{result.path}: still imports {old_name}, which would no longer exist{why}")
    return problems


__all__ = ["plan", "rename_in_file", "review", "wants"]
