"""Component commands: ``components add-paths NAME PATH…`` gives a component the files it owns.

The same service as the Components dock's "Add paths…" (:mod:`mission_control.services.components_config`):
a minimal, checked edit of ``mission-control.toml`` (or ``[tool.mission-control]`` in pyproject.toml).
Exit codes: 0 written, 1 refused (not a repository, a path outside it, the component already has
paths, the edit would break the file), 2 bad usage.
"""

from __future__ import annotations

import argparse

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, CliError, add_json_flag, print_json
from mission_control.services.components_config import ComponentConfigError, add_component_paths
from mission_control.util.git import RepoError, open_repo


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``components add-paths``."""
    components = subparsers.add_parser("components", help="the configured components: add-paths")
    actions = components.add_subparsers(dest="components_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add-paths",
        help="record the files a component owns (git globs) in the configuration",
        description="Write [components.NAME] paths = [PATH, …] (and tasks) to the project's configuration. "
        "Refused when the component already has paths; the lead's comments and layout are kept.",
    )
    add.add_argument("name", metavar="NAME", help="the component (as named in the plan's rollback commands)")
    add.add_argument("paths", nargs="+", metavar="PATH", help="git glob rules: * stays in a folder, ** spans folders")
    add.add_argument(
        "--task", dest="tasks", action="append", default=[], metavar="ID", help="a gantt task id it serves (repeat)"
    )
    add.add_argument("--repo", default=".", metavar="R", help="the repository (default: the current folder)")
    add_json_flag(add)
    add.set_defaults(handler=cmd_add_paths)


def cmd_add_paths(ns: argparse.Namespace) -> int:
    """Write the component's paths; print the file written."""
    try:
        root = open_repo(ns.repo).root
        written = add_component_paths(root, ns.name, list(ns.paths), list(ns.tasks))
    except (RepoError, ComponentConfigError) as exc:
        raise CliError(f"refused: {exc}", EXIT_PROBLEMS) from None
    if ns.json:
        print_json({"component": ns.name, "paths": ns.paths, "tasks": ns.tasks, "file": str(written)})
    else:
        print(f"component {ns.name}: paths {', '.join(ns.paths)} written to {written}")
    return EXIT_OK
