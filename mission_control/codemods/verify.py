"""After a dry run: the imports a change would break (the audit's broken-import rule, on the changed tree).

An import of the repository's own code is broken when its module does not exist, or the module
binds no such name (and has no ``import *`` or module ``__getattr__`` that could provide it);
imports of other packages are not judged. Only the imports of the files the run changes are
checked, before and after: an import reported is one that resolved before the change and would
not after, so a repository's existing breakage is never blamed on the codemod. Imports inside
``try:`` count too: a rename that makes ``try: from m import old`` fall back silently is wrong.

Target modules are read (and parsed with the stdlib ``ast``) only when a changed file imports
from them, so the check costs a few parses, not a pass over the repository.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from mission_control.audit import extract as fx
from mission_control.audit.files import is_package_init, module_name
from mission_control.codemods.model import CHANGED, FileResult


class _Tree:
    """The repository's modules in one state (before or after the run), facts read on demand."""

    def __init__(self, repo: Path, paths: Iterable[str], texts: dict[str, str | None]) -> None:
        self.repo = repo
        self.texts = texts  # path -> text in this state (None: the file is gone)
        self.files: dict[str, str] = {}  # module -> path
        self.packages: set[str] = set()
        for path in paths:
            if path in texts and texts[path] is None:
                continue
            module = module_name(path)
            if module:
                self.files[module] = path
            parts = module.split(".") if module else []
            upto = len(parts) if is_package_init(path) else len(parts) - 1
            self.packages.update(".".join(parts[:i]) for i in range(1, upto + 1))
        self.roots = {m.split(".")[0] for m in [*self.files, *self.packages]} - set(sys.stdlib_module_names)
        self._facts: dict[str, fx.Facts | None] = {}

    def exists(self, module: str) -> bool:
        return module in self.files or module in self.packages

    def facts(self, module: str) -> fx.Facts | None:
        if module not in self._facts:
            path = self.files.get(module)
            self._facts[module] = None if path is None else self._read(path)
        return self._facts[module]

    def _read(self, path: str) -> fx.Facts | None:
        text = self.texts.get(path)
        try:
            data = text.encode("utf-8", "surrogatepass") if text is not None else (self.repo / path).read_bytes()
        except OSError:
            return None
        return fx.extract(data)

    def provides(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` can succeed."""
        if self.exists(f"{module}.{name}"):
            return True
        facts = self.facts(module)
        if facts is None:
            return module in self.files  # unreadable: not ours to judge; a namespace package has only submodules
        if facts[fx.FLAGS] & (fx.STAR_IMPORT | fx.HAS_GETATTR | fx.DYNAMIC_GLOBALS) or facts[fx.ERROR] is not None:
            return True  # open-ended, or unreadable: not ours to judge
        return name in facts[fx.BOUND]

    def touches(self, path: str, level: int, module: str, name: str | None, changed: set[str]) -> bool:
        """Whether the import's target module (or ``module.name``) is one of the ``changed`` files."""
        target = self._target(path, level, module)
        if target is None:
            return True
        where = self.files.get(target)
        if where is None or where in changed:
            return True  # not one file of ours (checked cheaply), or one the run changes
        submodule = self.files.get(f"{target}.{name}") if name else None
        return submodule is not None and submodule in changed

    def _target(self, path: str, level: int, module: str) -> str | None:
        if not level:
            return module
        parts = module_name(path).split(".")
        package = parts if is_package_init(path) else parts[:-1]
        if level - 1 > len(package):
            return None
        base = ".".join(package[: len(package) - (level - 1)])
        return f"{base}.{module}" if base and module else (base or module)

    def broken(self, path: str, level: int, module: str, name: str | None) -> str | None:
        """Why ``from <level><module> import name`` (``import module`` when name is None) fails, or None."""
        if level:
            parts = module_name(path).split(".")
            package = parts if is_package_init(path) else parts[:-1]
            if level - 1 > len(package):
                return "it reaches above the top package"
            base = ".".join(package[: len(package) - (level - 1)])
            target = f"{base}.{module}" if base and module else (base or module)
        else:
            target = module
            if target.split(".")[0] not in self.roots:
                return None  # another distribution's module
        if not self.exists(target):
            return f"no module {target} in the repository"
        if name is None or name == "*" or self.provides(target, name):
            return None
        return f"{target} defines no {name}"


def _statements(path: str, text: str) -> list[tuple[int, str, int, str, str | None]]:
    """``(line, shown, level, module, name)`` for each imported name of ``text``."""
    facts = fx.extract(text.encode("utf-8", "surrogatepass"))
    out: list[tuple[int, str, int, str, str | None]] = []
    for line, level, module, names, _guarded in facts[fx.IMPORTS]:
        dots = "." * level
        if not names:
            out.append((line, f"import {module}", level, module, None))
            continue
        for name in names:
            out.append((line, f"from {dots}{module} import {name}", level, module, name))
    return out


def new_broken_imports(repo: Path, paths: Sequence[str], results: Sequence[FileResult], what: str) -> list[str]:
    """Imports in the changed files that resolve now and would not after the run (``what`` names it)."""
    changed = [r for r in results if r.status == CHANGED and r.old_text is not None]
    if not changed:
        return []
    before = _Tree(repo, paths, {r.path: r.old_text for r in changed})
    after = _Tree(repo, paths, {r.path: r.new_text for r in changed})
    problems = []
    changed_paths = {r.path for r in changed}
    for result in changed:
        if result.new_text is None or result.old_text is None:
            continue
        unchanged = {shown for _line, shown, _level, _module, _name in _statements(result.path, result.old_text)}
        for line, shown, level, module, name in _statements(result.path, result.new_text):
            if shown in unchanged and not after.touches(result.path, level, module, name, changed_paths):
                continue  # the same import of a module the run leaves alone resolves as before
            why = after.broken(result.path, level, module, name)
            if why and shown in unchanged and before.broken(result.path, level, module, name):
                continue  # broken before the run already
            if why:
                problems.append(f"{result.path}:{line}: {shown} would not resolve after {what} ({why})")
    return problems


def compile_problems(results: Sequence[FileResult], what: str) -> list[str]:
    """Changed Python files that would not compile after the run (``what`` names it)."""
    problems = []
    for result in results:
        if result.status == CHANGED and result.new_text is not None and result.path.endswith(".py"):
            try:
                compile(result.new_text, result.path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                problems.append(f"{result.path}:{exc.lineno}: does not compile after {what}: {exc.msg}")
    return problems
