"""Built-in codemod ``rename``: move or rename a symbol or module (``old.mod.Name`` -> ``new.mod.Name``).

A rename in place (same module, a top-level function, class or assignment) is
:mod:`.rename_symbol`'s: the definition and every reference, checked before anything is
written. Moving a module or package of the repository is :mod:`.move_module`'s: the files move
and every import follows. A move onto a name or module that exists already is refused (unless the old
name is only an alias of it), and every dry run is reviewed (files that would not compile,
imports it would break: :mod:`.verify`). Strings that name the object (``mock.patch`` targets,
entry points) are listed as "also mentions" and rewritten on request (:mod:`.mentions`).

What follows is about the other renames (a symbol pointed at its new home, a name outside the
repository). The transformation is libcst's ``RenameCommand`` (the reference behaviour, same arguments),
with two additions it lacks: relative imports that reach the old name are first made absolute
(RenameCommand only sees absolute ones), and string annotations (``"Name"``) are renamed too.

What makes it fast is choosing the files: the text must contain the words of the old name and
the stdlib ``ast`` must show the file importing and using it (see :mod:`.resolve`); libcst's
expensive scope analysis only runs on those. Files that import the old module but never use
the name are left alone, where RenameCommand would add an unused import of the new name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import libcst as cst
from libcst.codemod.commands.rename import RenameCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import QualifiedNameProvider, ScopeProvider

from mission_control.codemods import mentions, move_module, rename_symbol
from mission_control.codemods.base import (
    CodemodError,
    FileSkipped,
    Source,
    context_for,
    parse_dotted,
    run_libcst,
)
from mission_control.codemods.model import ArgSpec, FileResult
from mission_control.codemods.parking import Parked
from mission_control.codemods.resolve import absolute_module, find_reference, has_words
from mission_control.codemods.verify import new_broken_imports
from mission_control.util import pyast


class Rename:
    """Rename or move a symbol or module, updating imports and qualified uses."""

    name = "rename"
    description = "Rename or move a symbol or module (old.mod.Name -> new.mod.Name): imports and uses."
    args: tuple[ArgSpec, ...] = (
        ArgSpec("old_name", "full dotted name of the object to rename, e.g. pkg.mod.Name", kind="qualname"),
        ArgSpec("new_name", "full dotted name of the replacement (pkg:mod.Name imports pkg)", kind="qualname"),
        ArgSpec(
            "keep_alias",
            "true: leave 'old = new' in the package __init__ that re-exports it, for callers outside the repository",
            required=False,
            kind="bool",
        ),
        ArgSpec(
            "rewrite_mentions",
            "true: also rewrite the strings that name it (mock.patch, import_module, entry points)",
            required=False,
            kind="bool",
        ),
    )

    def prepare(self, repo: Any, args: dict[str, str]) -> dict[str, Any]:
        """Check ``old_name``/``new_name`` as RenameCommand would."""
        missing = [a.name for a in self.args if a.required and not args.get(a.name)]
        if missing:
            raise CodemodError(f"rename needs --arg {missing[0]}=...")
        old = parse_dotted(args["old_name"], "old_name")
        new = args["new_name"].strip()
        parse_dotted(new.replace(":", "."), "new_name")
        if new.count(":") > 1:
            raise CodemodError("new_name may contain at most one ':'")
        flags = {name: _flag(args, name) for name in ("keep_alias", "rewrite_mentions")}
        files = rename_symbol.module_files(Path(repo)) if repo is not None else {}
        symbol = rename_symbol.plan(Path(repo), old, new, files) if repo is not None else None
        if symbol is not None:
            symbol["keep_alias"] = "true" if flags["keep_alias"] else ""
        elif flags["keep_alias"]:
            raise CodemodError("keep_alias=true works for a rename in place (pkg.mod.old -> pkg.mod.new) only")
        moved = move_module.plan(Path(repo), old, new.replace(":", "."), files) if old in files else None
        left = rename_symbol.definition_left_behind(Path(repo), old, new, files) if repo is not None else ""
        return {
            "old_name": old,
            "new_name": new,
            "symbol": symbol,
            "module": moved,
            "definition_left": "" if symbol or moved else left,
            "rewrite_mentions": flags["rewrite_mentions"],
        }

    def wants(self, params: dict[str, Any], source: Source) -> str | None:
        """Relevant when the text has the old name's words and the ``ast`` shows it used
        (and, for a rename in place, the defining module)."""
        if params.get("symbol"):
            return rename_symbol.wants(params["symbol"], source)
        if params.get("module"):
            return move_module.wants(params["module"], source)
        return wants_name(params["old_name"], source)

    def transform(self, params: dict[str, Any], source: Source) -> str | None:
        """Run the rename on one file."""
        if params.get("symbol"):
            return rename_symbol.rename_in_file(params["symbol"], source)
        if params.get("module"):
            return move_module.transform(params["module"], source)
        return rename_text(source, params["old_name"], params["new_name"])

    def finish(self, params: dict[str, Any], results: list[FileResult]) -> list[FileResult]:
        """A moved module: its old file deleted, its new one created."""
        return move_module.finish(params["module"], results) if params.get("module") else results

    def mention_needle(self, params: dict[str, Any]) -> str:
        """Text every mention contains (``.old``): files without it are not looked at."""
        old: str = params["old_name"]
        return "." + old.rpartition(".")[2] if "." in old else old

    def doctest_name(self, params: dict[str, Any]) -> tuple[str, str] | None:
        """For a rename in place: the bare name doctests spell (``>>> old(...)``), old and new."""
        symbol = params.get("symbol")
        return (symbol["old"], symbol["new"]) if symbol else None

    def mention_forms(
        self, params: dict[str, Any], results: Sequence[FileResult], texts: Sequence[str] = ()
    ) -> list[tuple[str, str]]:
        """The strings that name the renamed object: ``pkg.mod.old``, ``pkg.mod:old``, and for a
        rename in place ``user.mod.old`` for each module whose import of it was renamed (what
        ``mock.patch`` patches)."""
        forms = mentions.name_forms(params["old_name"], params["new_name"])
        if params.get("symbol"):
            forms += rename_symbol.importer_forms(params["symbol"], results, texts)
        return forms

    def review(
        self, params: dict[str, Any], results: Sequence[FileResult], *, repo: Path, paths: Sequence[str]
    ) -> list[str]:
        """What makes the dry run unsafe to apply (see :func:`.rename_symbol.review`), and the
        imports it would break (:func:`.verify.new_broken_imports`)."""
        problems = [params["definition_left"]] if params.get("definition_left") and results else []
        problems += rename_symbol.review(params, results)
        if params.get("module") and results:
            problems += move_module.left_behind(params["module"], results)
        after = move_module.review_paths(paths, results)
        return problems + new_broken_imports(repo, after, results, "the rename")


def _flag(args: dict[str, str], name: str) -> bool:
    value = args.get(name, "").strip().lower()
    if value in ("", "false", "no", "0"):
        return False
    if value in ("true", "yes", "1"):
        return True
    raise CodemodError(f"argument {name}={args[name]!r}: expected true or false")


def wants_name(old_name: str, source: Source) -> str | None:
    """Shared by rename and consolidate: None, ``""`` (run libcst) or a skip reason."""
    module, _, last = old_name.rpartition(".")
    if not has_words(source.text, module.rpartition(".")[2], last):
        return None
    reference = find_reference(source.parse_ast(), source.package, old_name)
    if reference.uses:
        return ""
    if reference.star:
        return f"uses {last} through 'from {module} import *'; make the import explicit first"
    return None


def rename_text(source: Source, old_name: str, new_name: str, code: str | None = None) -> str:
    """``source``'s text (or ``code``) with ``old_name`` renamed to ``new_name``.

    libcst's scope analysis costs far more than parsing, and grows with the module. Module- and
    class-level statements that cannot mention the renamed object (none of the words that can
    name it occurs in them) are parked at the text level before RenameCommand runs and put back,
    byte for byte, afterwards (:mod:`.parking`): the result is the same as a run over the whole
    module, at a fraction of the cost on large files.
    """
    code = source.text if code is None else code
    words, imported = _relevant_words(code, source.package, old_name)
    parked = Parked(code, words, imported)  # imports are never parked: absolutizing sees them all
    absolute = _absolutize(source, old_name, parked.reduced)
    result = run_libcst(RenameCodemod(context_for(source), old_name, new_name), source, absolute)
    return code if result == absolute else parked.restore(result)


def _relevant_words(code: str, package: str, old_name: str) -> tuple[set[str], set[str]]:
    """Words a statement must contain to possibly refer to ``old_name``, and every imported name.

    A use of ``old_name`` spells its last part (``migrations.Migration``, ``Migration``) unless an
    import binds it, or something inside it, under another name (``import a.b.Old as O``).
    """
    from mission_control.codemods.resolve import import_index

    words = {old_name.rpartition(".")[2]}
    try:
        index = import_index(pyast.parse(code), package)
    except (SyntaxError, ValueError):
        return set(), set()
    for local, qualified in index.bindings.items():
        if any(old_name == q or q.startswith(old_name + ".") for q in qualified):
            words.add(local)
    return words, {local.partition(".")[0] for local in index.bindings}


class RenameCodemod(RenameCommand):
    """libcst's RenameCommand, also renaming string annotations that name the old object."""

    # RenameCommand's own value is unannotated, so its inferred type is a 1-tuple; libcst declares
    # the attribute as ClassVar[Collection[ProviderT]], which this 2-tuple satisfies.
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)  # type: ignore[assignment]

    def __init__(self, context: cst.codemod.CodemodContext, old_name: str, new_name: str) -> None:
        super().__init__(context, old_name, new_name)
        self._annotation_depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        self._top_level = {
            id(small) for line in node.body if isinstance(line, cst.SimpleStatementLine) for small in line.body
        }
        self._nested_renamed = False
        self._top_level_seen = False

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        """RenameCommand's import handling, but a nested import (in ``if TYPE_CHECKING:``,
        ``try:``, a function) renamed on the spot keeps its place and gets the new object name,
        instead of a duplicate import being added at the top of the module."""
        # RenameCommand's leave_import_decorator types its result as Import | ImportFrom; what it
        # wraps returns the ImportFrom it was given
        result = cast(cst.ImportFrom, super().leave_ImportFrom(original_node, updated_node))
        if not self._imports_old_name(original_node):
            return result
        if id(original_node) in self._top_level:
            self._top_level_seen = True
            return result
        if result.module is None or cst.helpers.get_full_name_for_node(result.module) != self.new_module:
            return result
        if isinstance(result.names, cst.ImportStar) or not self.new_mod_or_obj:
            return result
        names = [self._renamed_alias(alias) for alias in result.names]
        self._nested_renamed = True
        return result.with_changes(names=names)

    def _imports_old_name(self, node: cst.ImportFrom) -> bool:
        if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
            return False
        module = cst.helpers.get_full_name_for_node(node.module)
        return any(f"{module}.{cst.helpers.get_full_name_for_node(a.name)}" == self.old_name for a in node.names)

    def _renamed_alias(self, alias: cst.ImportAlias) -> cst.ImportAlias:
        if cst.helpers.get_full_name_for_node(alias.name) != self.old_mod_or_obj:
            return alias
        return alias.with_changes(name=cst.Name(self.new_mod_or_obj.split(".")[0]))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self._nested_renamed and not self._top_level_seen:
            self.bypass_import = True
            self.scheduled_removals = {r for r in self.scheduled_removals if not isinstance(r, cst.ImportFrom)}
        return super().leave_Module(original_node, updated_node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_depth += 1

    def leave_Annotation(self, original_node: cst.Annotation, updated_node: cst.Annotation) -> cst.Annotation:
        self._annotation_depth -= 1
        return updated_node

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        if not self._annotation_depth:
            return updated_node
        value = original_node.evaluated_value
        if not isinstance(value, str) or not all(p.isidentifier() for p in value.strip().split(".")):
            return updated_node
        replacement = self._string_replacement(original_node, value.strip())
        if replacement is None:
            return updated_node
        quote = original_node.quote
        return updated_node.with_changes(value=f"{original_node.prefix}{quote}{replacement}{quote}")

    def _string_replacement(self, node: cst.SimpleString, value: str) -> str | None:
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return None
        names = {q.name for q in scope.get_qualified_names_for(value)}
        if self.old_name not in names:
            return None
        head = value.split(".", maxsplit=1)[0]
        _module, _, _obj = self.old_name.rpartition(".")
        if value == head and self.new_mod_or_obj:
            # ``"Old"`` bound by ``from mod import Old``: that import is renamed with the code.
            return self.new_mod_or_obj
        AddImportsVisitor.add_needed_import(self.context, self.new_module)
        return self.new_name


class _Absolutize(cst.CSTTransformer):
    """Make relative ``from`` imports absolute where they reach the renamed name."""

    def __init__(self, package: str, old_name: str) -> None:
        super().__init__()
        self.package = package
        self.old_name = old_name
        self.changed = False

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if not updated_node.relative:
            return updated_node
        dotted = cst.helpers.get_full_name_for_node(updated_node.module) if updated_node.module else None
        module = absolute_module(self.package, len(updated_node.relative), dotted)
        if not module or not self._reaches(module, updated_node.names):
            return updated_node
        self.changed = True
        return updated_node.with_changes(relative=(), module=cst.parse_expression(module))

    def _reaches(self, module: str, names: Sequence[cst.ImportAlias] | cst.ImportStar) -> bool:
        if self.old_name == module:
            return True
        if not self.old_name.startswith(module + ".") or isinstance(names, cst.ImportStar):
            return False
        for alias in names:
            qualified = f"{module}.{cst.helpers.get_full_name_for_node(alias.name)}"
            if qualified == self.old_name or self.old_name.startswith(qualified + "."):
                return True
        return False


def _absolutize(source: Source, old_name: str, code: str) -> str:
    if "from ." not in code:
        return code
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        return code  # the rename itself reports the parse error with its line
    transformer = _Absolutize(source.package, old_name)
    new = module.visit(transformer)
    return new.code if transformer.changed else code


COMMAND = Rename()

__all__ = ["COMMAND", "FileSkipped", "Rename", "RenameCodemod", "rename_text", "wants_name"]
