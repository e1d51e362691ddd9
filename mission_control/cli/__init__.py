"""The ``mission-control`` command line: one headless face on the core.

Each module in this package that defines ``register(subparsers)`` adds its subcommands; a
subcommand's handler takes the parsed ``argparse.Namespace`` and returns the exit code:
0 ok, 1 problems found or the action was refused, 2 bad usage or unreadable input, 3 an internal
error (a bug: one line on stderr naming the log file that holds the traceback), 130 interrupted.
Every command offers ``--json`` for machines and readable text otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
import traceback
from typing import Any

from mission_control import __version__

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An expected failure: printed as one clear line, never a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every discovered command module's subcommands."""
    parser = argparse.ArgumentParser(
        prog="mission-control",
        description="Plan, schedule and steer a multi-team Python refactoring. "
        "Without a subcommand, opens the desktop app (mission-control [REPO] [--plan PLAN] | --demo [--reset]).",
    )
    parser.add_argument("--version", action="version", version=f"mission-control {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(subparsers)
    return parser


def _command_modules() -> list[Any]:
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return modules


def is_subcommand(args: list[str]) -> bool:
    """Whether ``args`` ask for a headless subcommand (or top-level help/version)."""
    if not args:
        return False
    if args[0] in ("-h", "--help", "--version"):
        return True
    if args[0].startswith("-") or not args[0].replace("-", "").replace("_", "").isalnum():
        return False  # an option or a path: the app (building the parser imports every command, ~0.3 s)
    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices if parser._subparsers else None
    return args[0] in (choices or {})


def run(args: list[str]) -> int:
    """Parse ``args``, run the subcommand and return its exit code."""
    parser = build_parser()
    try:
        namespace = parser.parse_args(args)
    except SystemExit as exc:  # argparse: --help (0) or bad usage (2)
        return int(exc.code or 0)
    handler = getattr(namespace, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(namespace))
    except CliError as exc:
        print(f"mission-control: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mission-control: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: never the "problems found" code, never a bare traceback
        return _internal_error(namespace, exc)


def _internal_error(namespace: argparse.Namespace, exc: Exception) -> int:
    """Log the traceback to the user's log file and say so in one line; exit code 3."""
    from mission_control.util import logsetup

    where = "the log"
    try:
        logsetup.setup_logging("WARNING")
        logging.getLogger("mission_control.cli").error(
            "internal error in 'mission-control %s'", getattr(namespace, "command", "?"), exc_info=exc
        )
        where = str(logsetup.log_file_path())
    except Exception:  # the log itself failed (a read-only home): the traceback goes to stderr instead
        traceback.print_exception(exc, file=sys.stderr)
        where = "the traceback above"
    message = str(exc).splitlines()[0] if str(exc) else ""
    print(
        f"mission-control: internal error: {type(exc).__name__}: {message[:300]} (details in {where}; "
        "please report it)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    """Run the CLI alone (no GUI fallback)."""
    return run(list(sys.argv[1:] if argv is None else argv))


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every command offers."""
    parser.add_argument("--json", action="store_true", help="print one JSON object for machines")
