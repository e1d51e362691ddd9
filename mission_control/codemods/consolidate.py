"""Built-in codemod ``consolidate``: one source of truth for duplicated definitions.

Given the canonical definition (``pkg.mod.Name``) and its duplicates (qualified names, comma
separated), every import and qualified use of a duplicate becomes one of the canonical
definition (a rename, see :mod:`.rename`); then each duplicate definition is deleted. Where
the duplicate's own module still uses the name, it imports the canonical one instead; a module
left with nothing but a docstring, ``__future__`` imports, comments or ``pass`` is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem

from mission_control.codemods.base import CodemodError, FileFailed, Source, parse_dotted
from mission_control.codemods.model import ArgSpec, FileResult
from mission_control.codemods.rename import rename_text, wants_name
from mission_control.codemods.verify import compile_problems, new_broken_imports


class Consolidate:
    """Point every use of duplicate definitions at the canonical one, then delete the duplicates."""

    name = "consolidate"
    description = (
        "Consolidate duplicates into one source of truth: rewrite imports and uses of each "
        "duplicate to the canonical definition, delete the duplicates and emptied modules."
    )
    args: tuple[ArgSpec, ...] = (
        ArgSpec(
            "canonical", "qualified name of the definition to keep, e.g. app.services.emitter.Emitter", kind="qualname"
        ),
        ArgSpec("duplicates", "comma-separated qualified names of the copies to remove", kind="qualname"),
    )

    def prepare(self, repo: Any, args: dict[str, str]) -> dict[str, Any]:
        """Find the file of the canonical definition and of every duplicate."""
        if not args.get("canonical") or not args.get("duplicates"):
            raise CodemodError("consolidate needs --arg canonical=pkg.mod.Name --arg duplicates=a.B,c.D")
        canonical = parse_dotted(args["canonical"], "canonical")
        duplicates = [parse_dotted(d, "duplicates") for d in args["duplicates"].split(",") if d.strip()]
        if canonical in duplicates:
            raise CodemodError(f"the canonical {canonical} is also listed as a duplicate")
        _module_file(Path(repo), canonical)
        files = {d: _module_file(Path(repo), d) for d in duplicates}
        return {"canonical": canonical, "duplicates": duplicates, "files": files}

    def review(
        self, params: dict[str, Any], results: Sequence[FileResult], *, repo: Path, paths: Sequence[str]
    ) -> list[str]:
        """What makes the dry run unsafe to apply: a file that would not compile, an import it breaks."""
        return compile_problems(results, "the consolidation") + new_broken_imports(
            repo, paths, results, "the consolidation"
        )

    def wants(self, params: dict[str, Any], source: Source) -> str | None:
        """The duplicates' own files, and files importing or using a duplicate."""
        if source.path in params["files"].values():
            return ""
        reasons = []
        for duplicate in params["duplicates"]:
            wanted = wants_name(duplicate, source)
            if wanted == "":
                return ""
            if wanted:
                reasons.append(wanted)
        return "; ".join(reasons) or None

    def transform(self, params: dict[str, Any], source: Source) -> str | None:
        """Rename uses of each duplicate, then delete definitions this file holds."""
        code = source.text
        for duplicate in params["duplicates"]:
            if wants_name(duplicate, Source(source.path, source.module, source.package, code)) == "":
                code = rename_text(source, duplicate, params["canonical"], code)
        for duplicate, path in params["files"].items():
            if path == source.path:
                code = _remove_definition(source, code, duplicate, params["canonical"])
        return None if _is_empty(code) else code


def _module_file(repo: Path, qualified: str) -> str:
    module, _, name = qualified.rpartition(".")
    if not module:
        raise CodemodError(f"{qualified}: give the module too (pkg.mod.{name})")
    base = module.replace(".", "/")
    for rel in (f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"):
        if (repo / rel).is_file():
            return rel
    raise CodemodError(f"{qualified}: no module {module} in {repo} (looked for {base}.py)")


def _remove_definition(source: Source, code: str, duplicate: str, canonical: str) -> str:
    """Delete the top-level definition of the duplicate; import the canonical if still used."""
    name = duplicate.rpartition(".")[2]
    try:
        tree = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        raise FileFailed(f"{source.path}:{exc.raw_line}: does not parse", exc.raw_line) from None
    body = [s for s in tree.body if not _defines(s, name)]
    if len(body) == len(tree.body):
        raise FileFailed(f"{source.path}: no top-level definition of {name} to remove")
    if body and len(tree.body) and body[0] is not tree.body[0]:
        body[0] = body[0].with_changes(leading_lines=tree.body[0].leading_lines)
    tree = tree.with_changes(body=body)
    if _uses(tree, name):
        module, _, canon_name = canonical.rpartition(".")
        alias = name if name != canon_name else None
        context = CodemodContext(full_module_name=source.module, full_package_name=source.package)
        tree = AddImportsVisitor(context, [ImportItem(module, canon_name, alias)]).transform_module(tree)
    return tree.code


def _defines(statement: cst.CSTNode, name: str) -> bool:
    if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
        return statement.name.value == name
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        targets = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        return any(isinstance(t, cst.Name) and t.value == name for t in targets)
    return False


def _uses(tree: cst.Module, name: str) -> bool:
    found = []

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                found.append(node)

    tree.visit(_Finder())
    return bool(found)


def _is_empty(code: str) -> bool:
    """Nothing left but a docstring, ``__future__`` imports, ``pass`` and comments."""
    try:
        tree = cst.parse_module(code)
    except cst.ParserSyntaxError:
        return False
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.module, cst.Name)
                and small.module.value == "__future__"
            ):
                continue
            return False
    return True


COMMAND = Consolidate()
