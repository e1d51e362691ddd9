"""Codemods with libcst: dry run, review per file or hunk, apply after a snapshot, undo.

The API the CLI and the UI call::

    run = run_codemod(repo, "rename", {"old_name": "a.b.Old", "new_name": "a.c.New"},
                      on_progress=..., cancel=token)        # nothing is written
    for f in run.changed: f.diff, f.hunks ...               # review
    result = apply_run(repo, run, {"a/x.py": None, "a/y.py": [0, 2]})  # whole file / hunks
    undo_codemod(repo, result.snapshot_id)

Built-in codemods (one module each): ``rename``, ``consolidate``, ``remove-unused-imports``,
``remove-commented-code``; any other name is a codemod of the repository's own
``.libcst.codemod.yaml`` modules (``module.ClassName``), run by the project's interpreter.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from mission_control.codemods.model import (
    CHANGED,
    FAILED,
    SKIPPED,
    UNCHANGED,
    ApplyResult,
    ArgSpec,
    CodemodInfo,
    CodemodRun,
    FileResult,
    Hunk,
)
from mission_control.util.progress import CancelToken, ProgressCallback

if TYPE_CHECKING:
    from mission_control.codemods.apply import (
        AppliedCodemod,
        apply_run,
        codemod_history,
        planned_changes,
        undo_codemod,
    )
    from mission_control.codemods.base import CodemodError
    from mission_control.codemods.completion import qualified_names
    from mission_control.codemods.engine import Eta
    from mission_control.codemods.external import list_codemods
    from mission_control.codemods.registry import builtin_infos

#: Where each name that needs a heavier module lives. libcst takes ~0.5 s to import: the package
#: imports it only when a codemod runs or the built-ins are listed, never when the UI or the CLI
#: merely imports ``mission_control.codemods`` (``tests/test_startup_imports.py`` keeps it so).
_LAZY = {
    "AppliedCodemod": "apply",
    "apply_run": "apply",
    "codemod_history": "apply",
    "planned_changes": "apply",
    "undo_codemod": "apply",
    "CodemodError": "base",
    "qualified_names": "completion",
    "Eta": "engine",
    "list_codemods": "external",
    "builtin_infos": "registry",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def run_codemod(
    repo: str | os.PathLike[str],
    name: str,
    args: dict[str, str] | None = None,
    *,
    paths: list[str] | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    python: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> CodemodRun:
    """Dry-run codemod ``name`` over ``repo`` and return every file's outcome (writes nothing).

    Raises:
        CodemodError: not a folder, unknown codemod, or bad arguments (the message says which).
    """
    from mission_control.codemods.base import CodemodError
    from mission_control.codemods.engine import check_repo, run_builtin
    from mission_control.codemods.registry import BUILTINS, builtin

    root = check_repo(repo)
    args = dict(args or {})
    if name in BUILTINS or name.replace("_", "-") in BUILTINS:
        return run_builtin(
            root,
            builtin(name),
            args,
            paths=paths,
            jobs=jobs,
            use_cache=use_cache,
            on_progress=on_progress,
            cancel=cancel,
        )
    if "." not in name:
        raise CodemodError(
            f"no codemod {name!r}: built-ins are {', '.join(BUILTINS)}; "
            "a repository's own codemod is named module.ClassName"
        )
    from mission_control.codemods.external import run_external

    return run_external(root, name, args, paths=paths, python=python, on_progress=on_progress, cancel=cancel)


__all__ = [
    "CHANGED",
    "FAILED",
    "SKIPPED",
    "UNCHANGED",
    "AppliedCodemod",
    "ApplyResult",
    "ArgSpec",
    "CancelToken",
    "CodemodError",
    "CodemodInfo",
    "CodemodRun",
    "Eta",
    "FileResult",
    "Hunk",
    "apply_run",
    "builtin_infos",
    "codemod_history",
    "list_codemods",
    "planned_changes",
    "qualified_names",
    "run_codemod",
    "undo_codemod",
]
