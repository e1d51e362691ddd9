"""``mission-control demo [--reset] [--path DIR] [--json]``: create the demo mission headless.

Prints the demo's folder (or, with ``--json``, ``{"path", "created", "baseline", "plan",
"config"}``), so scripts and tests can do ``cd "$(mission-control demo)"``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, CliError, add_json_flag, print_json
from mission_control.services import demo


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="create the demo mission (a small repo shaped like the sample plan's target) and print its path",
        description="Create the demo mission in the user data folder, or reuse the existing one, "
        "and print its path. The GUI equivalent is 'mission-control --demo'.",
    )
    parser.add_argument("--reset", action="store_true", help="recreate it from scratch (your edits there are lost)")
    parser.add_argument(
        "--path",
        type=Path,
        metavar="DIR",
        help=f"where to create it (default: {demo.DEMO_DIRNAME} in the user data folder)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run_demo)


def run_demo(ns: argparse.Namespace) -> int:
    """Create or reuse the demo mission and report where it is."""
    target = ns.path if ns.path is not None else demo.default_demo_path()
    existed = demo.is_demo(target)
    try:
        path = demo.create_demo(target, reset=ns.reset)
    except demo.DemoError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    created = ns.reset or not existed
    if ns.json:
        print_json(
            {
                "path": str(path),
                "created": created,
                "baseline": demo.BASELINE_TAG,
                "plan": str(path / demo.PLAN_PATH),
                "config": str(path / "mission-control.toml"),
            }
        )
    else:
        print(path)
    return EXIT_OK
