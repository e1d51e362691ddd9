"""``mission-control sync``: share the mission (ledger, clock, team branches) through a git remote.

Exit codes: 0 synced, 1 the remote is missing, unreachable or refusing (local work is unaffected),
2 bad usage.
"""

from __future__ import annotations

import argparse

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, CliError, add_json_flag, print_json
from mission_control.repo.sync import SyncError, sync, unpushed
from mission_control.util.git import RepoError, open_repo


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sync``."""
    parser = subparsers.add_parser(
        "sync",
        help="fetch and push the mission's state (sign-offs, clock) and team branches through a git remote",
        description="Fetch the mission's refs and team branches from REMOTE, merge the sign-off ledger and the "
        "mission clock by union, bring in team branches pushed elsewhere, push the merged state back "
        "(never forced; a lost race is retried).",
    )
    parser.add_argument("--remote", default="origin", metavar="REMOTE", help="the git remote (default: origin)")
    parser.add_argument("--repo", default=".", metavar="R", help="the repository (default: the current folder)")
    add_json_flag(parser)
    parser.set_defaults(handler=cmd_sync)


def cmd_sync(ns: argparse.Namespace) -> int:
    try:
        git = open_repo(ns.repo)
        result = sync(git, ns.remote)
        waiting = unpushed(git, ns.remote)
    except (SyncError, RepoError) as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json({**result.to_json(), "waiting_to_push": waiting})
        return EXIT_OK
    print(
        f"synced with {result.remote} at {result.at:%H:%M:%S} UTC"
        + (f" ({result.attempts} attempts)" if result.attempts > 1 else "")
    )
    for ref in result.merged:
        print(f"  merged {result.remote}'s {ref}")
    for ref in result.pushed:
        print(f"  pushed {ref}")
    for branch in result.new_branches:
        print(f"  new team branch {branch}")
    for branch in result.fast_forwarded:
        print(f"  fast-forwarded {branch}")
    for note in result.notes:
        print(f"  note: {note}")
    return EXIT_OK
