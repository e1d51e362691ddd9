"""Moving a module or package (``pkg.old_mod`` -> ``pkg.sub.new_mod``): the files move, every import follows.

libcst's RenameCommand rewrites imports of a renamed module but never moves the file, and
turns ``from . import old_mod`` into uses of a name nothing binds. Here, as Rope does:

- the module's file is deleted and created under its new name (its own relative imports
  re-based on its new package, so they still reach the same modules);
- ``from .old_mod import x`` stays relative (``from .sub.new_mod import x``) when the new module
  is in the same top package, ``from pkg.old_mod import x`` stays absolute;
- ``import pkg.old_mod`` becomes ``import pkg.sub.new_mod`` and the uses ``pkg.old_mod.x`` follow;
  ``import pkg.old_mod as m`` keeps ``m``;
- ``from pkg import old_mod`` keeps its local name: ``from pkg.sub import new_mod as old_mod``.

A package moves whole: every file under its folder (modules, subpackages, data files) is
deleted and created under the new folder, the relative imports that stay inside it unchanged and
those that reach outside re-based; imports of ``pkg.old_pkg`` and of ``pkg.old_pkg.anything``
follow as above. It moves into a package that exists, onto a name (and a folder) that is free,
never inside itself; strings naming it are "also mentions" (see :mod:`.mentions`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import libcst as cst

from mission_control.codemods.base import CodemodError, FileFailed, Source
from mission_control.codemods.diffs import file_result
from mission_control.codemods.model import CHANGED, UNCHANGED, FileResult
from mission_control.codemods.resolve import (
    absolute_module,
    find_reference,
    has_words,
    import_index,
    module_and_package,
    resolve,
)
from mission_control.util import pyast
from mission_control.util.files import project_files


def plan(repo: Path, old: str, new: str, files: dict[str, str]) -> dict[str, Any]:
    """Params of the move of module or package ``old`` (a key of ``files``: module -> path) to ``new``.

    ``moves`` maps each file that moves to its new path: the module's file, or every file under
    the package's folder (its modules, subpackages and other files).

    Raises:
        CodemodError: ``new`` exists already, its package does not, a package would move inside
            itself, or a file of the package is not UTF-8 text.
    """
    path = files[old]
    package = path.endswith("__init__.py")
    if package and (new == old or new.startswith(old + ".")):
        raise CodemodError(f"cannot move package {old} inside itself ({new}); choose a name outside it")
    if new in files:
        raise CodemodError(f"module {new} already exists ({files[new]}); choose another name")
    parent = new.rpartition(".")[0]
    if parent and parent not in files:
        raise CodemodError(f"package {parent} does not exist in the repository: create it first ({parent}/__init__.py)")
    suffix = "/__init__.py" if package else ".py"
    root = path[: len(path) - len(old.replace(".", "/") + suffix)]  # "src/" in a src layout
    new_path = root + new.replace(".", "/") + suffix
    for taken in (root + new.replace(".", "/") + ".py", root + new.replace(".", "/") + "/__init__.py"):
        if (repo / taken).exists():
            raise CodemodError(f"{taken} already exists; choose another name")
    params: dict[str, Any] = {"old": old, "new": new, "old_path": path, "new_path": new_path, "moves": {path: new_path}}
    if package:
        old_dir, new_dir = path[: -len("__init__.py")], new_path[: -len("__init__.py")]
        everything = project_files(repo, None)
        inside = [rel for rel in everything if rel.startswith(new_dir)]
        if inside:
            raise CodemodError(f"{new_dir} already holds files ({inside[0]}); choose another name")
        moving = [rel for rel in everything if rel.startswith(old_dir)]
        params["moves"] = {rel: new_dir + rel[len(old_dir) :] for rel in moving}
        params["others"] = {rel: _text(repo, rel) for rel in moving if not rel.endswith(".py")}
    return params


def _text(repo: Path, rel: str) -> str:
    try:
        return (repo / rel).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodemodError(
            f"{rel}: cannot be moved with its package (not UTF-8 text: {exc}); move it by hand first"
        ) from None


def wants(params: dict[str, Any], source: Source) -> str | None:
    """The moved files, and files whose ``ast`` shows them importing the module or package."""
    if source.path in params["moves"]:
        return ""
    if not has_words(source.text, params["old"].rpartition(".")[2]):
        return None
    return "" if find_reference(source.parse_ast(), source.package, params["old"]).uses else None


def transform(params: dict[str, Any], source: Source) -> str:
    """``source``'s text with its imports of the module (or, for a moved file, its own) rewritten."""
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as exc:
        raise FileFailed(f"{source.path}:{exc.raw_line}: does not parse: {str(exc).splitlines()[0]}") from None
    moved_to = params["moves"].get(source.path)
    new_package = module_and_package(moved_to)[1] if moved_to else source.package
    mover = _Mover(params["old"], params["new"], source.package, new_package, source.text)
    return module.visit(mover).code


def finish(params: dict[str, Any], results: list[FileResult]) -> list[FileResult]:
    """Turn each moved file's result into its deletion and the new file's creation (a package's
    other files too)."""
    moves: dict[str, str] = params["moves"]
    out = []
    for result in results:
        if result.path not in moves or result.status not in (CHANGED, UNCHANGED) or result.old_text is None:
            out.append(result)
            continue
        text = result.new_text if result.new_text is not None else result.old_text
        out.append(file_result(result.path, result.old_text, None))
        out.append(_created(moves[result.path], text))
    for rel, text in sorted(params.get("others", {}).items()):
        out.append(file_result(rel, text, None))
        out.append(_created(moves[rel], text))
    return out


def _created(path: str, text: str) -> FileResult:
    """The creation of ``path`` holding ``text`` (an empty ``__init__.py`` too is a change)."""
    return dataclasses.replace(file_result(path, "", text), status=CHANGED, created=True)


def left_behind(params: dict[str, Any], results: Sequence[FileResult]) -> list[str]:
    """The files of the move that would not move (skipped or failed): applying would split it."""
    moved = {r.path for r in results if r.deleted}
    reasons = {r.path: r.reason for r in results}
    return [
        f"{rel} would not move with {params['old']} ({reasons.get(rel) or 'not read'}); fix it first"
        for rel in params["moves"]
        if rel not in moved
    ]


def _dotted(module: str) -> cst.Attribute | cst.Name | None:
    """The expression of a dotted module name (None for an empty one: ``from . import x``)."""
    if not module:
        return None
    return cast(cst.Attribute | cst.Name, cst.parse_expression(module))


def _spell(package: str, target: str, relative: bool) -> tuple[int, str]:
    """``(level, module)`` for importing ``target`` from ``package``: relative when asked and possible."""
    if not relative:
        return 0, target
    here = package.split(".") if package else []
    there = target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common == 0:
        return 0, target
    return len(here) - common + 1, ".".join(there[common:])


class _Mover(cst.CSTTransformer):
    def __init__(self, old: str, new: str, package: str, new_package: str, code: str) -> None:
        super().__init__()
        self.old, self.new = old, new
        self.package, self.new_package = package, new_package
        self.old_parent, _, self.old_leaf = old.rpartition(".")
        self.new_parent, _, self.new_leaf = new.rpartition(".")
        self.index = import_index(pyast.parse(code), package)
        self._in_import = 0

    # ``from x import y`` ----------------------------------------------------------------------
    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_import += 1

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> Any:
        self._in_import -= 1
        dotted = cst.helpers.get_full_name_for_node(original_node.module) if original_node.module else None
        target = absolute_module(self.package, len(original_node.relative), dotted)
        relative = bool(original_node.relative)
        if target is None:
            return updated_node
        if target == self.old or target.startswith(self.old + "."):
            return self._from(updated_node, self.new + target[len(self.old) :], relative)
        rebase = relative and self.new_package != self.package  # a moved file's own relative imports
        if target == self.old_parent and not isinstance(updated_node.names, cst.ImportStar):
            return self._from_parent(updated_node, relative, rebase)
        if rebase:
            return self._from(updated_node, target, relative)
        return updated_node

    def _from(self, node: cst.ImportFrom, target: str, relative: bool) -> cst.ImportFrom:
        level, module = _spell(self.new_package, target, relative)
        return node.with_changes(relative=[cst.Dot()] * level, module=_dotted(module))

    def _from_parent(self, node: cst.ImportFrom, relative: bool, rebase: bool) -> Any:
        """``from pkg import old_mod [as m]``: the local name stays (``new_mod as old_mod``); a
        moved file's ``from .. import other`` is re-based."""
        names = node.names
        assert not isinstance(names, cst.ImportStar)
        moved = [a for a in names if cst.helpers.get_full_name_for_node(a.name) == self.old_leaf]
        if rebase:
            node = self._from(node, self.old_parent, relative)
        if not moved:
            return node
        alias = moved[0]
        local = alias.asname.name if alias.asname is not None else cst.Name(self.old_leaf)
        renamed = cst.ImportAlias(
            name=cst.Name(self.new_leaf),
            asname=None if isinstance(local, cst.Name) and local.value == self.new_leaf else cst.AsName(name=local),
        )
        if self.new_parent == self.old_parent:
            return node.with_changes(names=[renamed if a is alias else a for a in names])
        rest = [a for a in names if a is not alias]
        level, module = _spell(self.new_package, self.new_parent, relative)
        separate = cst.ImportFrom(module=_dotted(module), names=[renamed], relative=[cst.Dot()] * level)
        if not rest:
            return separate
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return cst.FlattenSentinel([node.with_changes(names=rest), separate])

    # ``import x`` and ``x.y.z`` ---------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self._in_import -= 1
        names = []
        for alias in updated_node.names:
            dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
            if dotted == self.old or dotted.startswith(self.old + "."):
                alias = alias.with_changes(name=cst.parse_expression(self.new + dotted[len(self.old) :]))
            names.append(alias)
        return updated_node.with_changes(names=names)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> Any:
        if self._in_import:
            return updated_node
        dotted = cst.helpers.get_full_name_for_node(original_node)
        if dotted != self.old or self.old not in resolve(dotted, self.index):
            return updated_node
        return cst.parse_expression(self.new)


def review_paths(paths: Sequence[str], results: Sequence[FileResult]) -> list[str]:
    """The project's paths as they are after the run (created files added)."""
    created = [r.path for r in results if r.created and r.path not in paths]
    return [*paths, *created]
