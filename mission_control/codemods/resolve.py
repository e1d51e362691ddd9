"""Cheap pre-resolution with the stdlib ``ast``: does a file refer to a qualified name at all?

libcst's scope and qualified-name analysis costs about 90 times an ``ast.parse`` on a large
file (see perf-anchors). Before a rename reaches libcst, this module answers from the ``ast``
alone which files bind names to the renamed object (imports, aliases, relative imports,
imports inside ``if TYPE_CHECKING:``/``try:`` blocks or functions) and use them, including in
string annotations. A file that imports only the parent module and never reaches the renamed
name is left alone (libcst's RenameCommand would add an unused import to it).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from mission_control.audit.files import is_package_init, module_name

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass
class ImportIndex:
    """What a module's imports bind: local name -> qualified names, plus ``import *`` sources."""

    bindings: dict[str, set[str]] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)
    star_modules: set[str] = field(default_factory=set)
    relative: dict[str, str] = field(default_factory=dict)

    def bind(self, local: str, qualified: str) -> None:
        self.bindings.setdefault(local, set()).add(qualified)


def module_and_package(rel_path: str) -> tuple[str, str]:
    """The dotted module name and package of a repo-relative ``.py`` path.

    The module name is the one the audit and the affected-tests analysis use
    (:func:`mission_control.audit.files.module_name`: a ``src/`` layout is stripped), so a
    rename's ``pkg.mod.Name`` means the same module everywhere.
    """
    module = module_name(rel_path)
    return module, module if is_package_init(rel_path) else module.rpartition(".")[0]


def absolute_module(package: str, level: int, module: str | None) -> str | None:
    """The absolute module of ``from {'.' * level}{module} import ...`` inside ``package``."""
    if level == 0:
        return module
    base = package.split(".") if package else []
    if level - 1 > len(base):
        return None
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def import_index(tree: ast.AST, package: str, nodes: list[ast.AST] | None = None) -> ImportIndex:
    """Every import anywhere in ``tree`` (conditional and nested ones too)."""
    index = ImportIndex()
    for node in nodes if nodes is not None else ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                index.imported.add(alias.name)
                if alias.asname:
                    index.bind(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    index.bind(top, top)
        elif isinstance(node, ast.ImportFrom):
            _index_from(index, node, package)
    return index


def _index_from(index: ImportIndex, node: ast.ImportFrom, package: str) -> None:
    module = absolute_module(package, node.level, node.module)
    if module is None:
        return
    for alias in node.names:
        if alias.name == "*":
            index.star_modules.add(module)
            continue
        qualified = f"{module}.{alias.name}" if module else alias.name
        index.imported.add(qualified)
        index.bind(alias.asname or alias.name, qualified)
        if node.level:
            index.relative[qualified] = "." * node.level + (node.module or "")


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def resolve(dotted: str, index: ImportIndex) -> set[str]:
    """The qualified names a dotted expression can stand for, through the file's imports."""
    head, _, rest = dotted.partition(".")
    return {f"{q}.{rest}" if rest else q for q in index.bindings.get(head, ())}


def _matches(qualified: str, target: str) -> bool:
    return qualified == target or qualified.startswith(target + ".")


@dataclass(frozen=True)
class Reference:
    """How a file refers to a target: ``uses`` (it does, libcst must run), ``star`` (only
    through ``from module import *``), ``relative`` (through a relative import)."""

    uses: bool
    star: bool = False
    relative: bool = False


def find_reference(tree: ast.AST, package: str, target: str) -> Reference:
    """Whether the module ``tree`` imports or uses ``target`` (a dotted qualified name)."""
    nodes = list(ast.walk(tree))  # one walk serves both passes
    index = import_index(tree, package, nodes)
    relative = any(_matches(q, target) or target.startswith(q + ".") for q in index.relative)
    if any(_matches(q, target) for q in index.imported):
        return Reference(True, relative=relative)
    module, _, name = target.rpartition(".")
    star = module in index.star_modules
    if not index.bindings and not star:
        return Reference(False)
    star_use = False
    for node in nodes:
        dotted = _expression_name(node)
        if dotted is None:
            continue
        if any(_matches(q, target) for q in resolve(dotted, index)):
            return Reference(True, relative=relative)
        if star and dotted.split(".")[0] == name and name not in index.bindings:
            star_use = True
    return Reference(False, star=star_use)


def _expression_name(node: ast.AST) -> str | None:
    if isinstance(node, (ast.Attribute, ast.Name)):
        return dotted_name(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
        text = node.value.strip()
        return text if _DOTTED.fullmatch(text) else None
    return None


def has_words(text: str, *words: str) -> bool:
    """The text prefilter: every word occurs in ``text`` as a whole identifier."""
    for word in words:
        if word and not re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text):
            return False
    return True


def defined_names(tree: ast.Module) -> list[tuple[str, int]]:
    """Top-level classes, functions and assigned names of a module, with their lines."""
    names = []
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append((node.name, node.lineno))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend((t.id, node.lineno) for t in targets if isinstance(t, ast.Name))
    return names
