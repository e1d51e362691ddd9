"""Entry point of ``mission-control`` and ``python -m mission_control``: a headless subcommand, or the desktop app.

``mission-control plan show PLAN`` (and every other subcommand) runs headless through
:mod:`mission_control.cli`; anything else (``mission-control``, ``mission-control REPO``,
``mission-control --demo``) starts the Qt app. Qt is imported only in the second case, so
the command line works on machines without a display or Qt libraries.
"""

from __future__ import annotations

import sys

from mission_control import cli


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI or the GUI and return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if cli.is_subcommand(args):
        return cli.run(args)
    from mission_control.ui.app import run_app  # Qt only when the window is wanted

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
