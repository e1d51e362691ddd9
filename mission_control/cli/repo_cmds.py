"""Repository commands: ``status``, ``snapshots`` and ``rollback`` (``start-mission`` is ``mission start``).

Exit codes: 0 done, 1 refused (nothing changed) or not a repository, 2 bad usage or an invalid
configuration.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, add_json_flag, print_json
from mission_control.config import ConfigError
from mission_control.repo.components import UnknownComponent
from mission_control.repo.rollback import RollbackPlan, plan_rollback, rollback, undo_rollback
from mission_control.repo.snapshots import Snapshot, find_snapshot, list_snapshots
from mission_control.repo.status import FileChange, repo_status
from mission_control.util.git import Git, RepoError, open_repo
from mission_control.util.progress import Progress

_LATEST = "__latest__"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``status``, ``snapshots`` and ``rollback``."""
    status = subparsers.add_parser("status", help="files changed since the baseline, per component")
    _add_repo(status)
    add_json_flag(status)
    status.set_defaults(handler=cmd_status)

    snaps = subparsers.add_parser("snapshots", help="list the stored snapshots (newest first)")
    _add_repo(snaps)
    add_json_flag(snaps)
    snaps.set_defaults(handler=cmd_snapshots)

    back = subparsers.add_parser(
        "rollback",
        help="return a component (or the whole tree) to the baseline; undoable",
        description="Roll back a component or the whole tree to the baseline. A snapshot is stored first; "
        "`rollback --undo` restores it. Changes stay in the working tree (nothing is committed).",
    )
    _add_repo(back)
    which = back.add_mutually_exclusive_group(required=True)
    which.add_argument("--component", metavar="NAME", help="the component to roll back")
    which.add_argument("--full", action="store_true", help="roll back the whole tree")
    which.add_argument(
        "--undo",
        nargs="?",
        const=_LATEST,
        metavar="SNAPSHOT",
        help="restore a snapshot (default: the latest rollback not yet undone)",
    )
    back.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
    back.add_argument(
        "--yes", action="store_true", help="do not ask when the component shares files with another component"
    )
    add_json_flag(back)
    back.set_defaults(handler=cmd_rollback)


def _add_repo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", default=".", metavar="R", help="the repository (default: the current folder)")


def _open(ns: argparse.Namespace) -> Git:
    try:
        return open_repo(ns.repo)
    except RepoError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None


def _refused(exc: Exception) -> CliError:
    if isinstance(exc, ConfigError):
        return CliError(f"invalid configuration:\n{exc}", EXIT_USAGE)
    if isinstance(exc, UnknownComponent):
        return CliError(str(exc), EXIT_USAGE)
    return CliError(f"refused: {exc}", EXIT_PROBLEMS)


def cmd_status(ns: argparse.Namespace) -> int:
    """Print each component's changes since the baseline."""
    git = _open(ns)
    try:
        status = repo_status(git)
    except (RepoError, ConfigError) as exc:
        raise _refused(exc) from None
    if ns.json:
        print_json(status.to_json())
        return EXIT_OK
    print(f"baseline: {status.baseline.label}")
    for name, comp in status.components.items():
        print(f"{name}: {comp.summary}")
        for change in comp.files:
            print(f"  {_change_line(change)}")
    if status.unassigned:
        print(f"outside any component: {len(status.unassigned)} files")
        for change in status.unassigned:
            print(f"  {_change_line(change)}")
    for note in status.notes:
        print(f"note: {note}")
    return EXIT_OK


def cmd_snapshots(ns: argparse.Namespace) -> int:
    """List snapshots, newest first."""
    git = _open(ns)
    try:
        snapshots = list_snapshots(git)
    except RepoError as exc:
        raise _refused(exc) from None
    if ns.json:
        print_json({"snapshots": [_snapshot_json(s) for s in snapshots]})
        return EXIT_OK
    if not snapshots:
        print("no snapshots")
    for snap in snapshots:
        extra = " ".join(f"{k}={v}" for k, v in snap.info.items() if k != "baseline")
        print(f"{snap.id}  {snap.created:%Y-%m-%d %H:%M:%S}  {len(snap.paths)} paths  {extra}".rstrip())
    return EXIT_OK


def cmd_rollback(ns: argparse.Namespace) -> int:
    """Roll back, preview a rollback, or undo one."""
    git = _open(ns)
    try:
        if ns.undo is not None:
            return _undo(git, ns)
        if ns.dry_run:
            plan = plan_rollback(git, ns.component, full=ns.full)
            _print_plan(ns, plan.to_json(), plan.target, plan.diffstat, dry_run=True)
            return EXIT_OK
        if ns.component is not None and not ns.yes:
            _confirm_shared(plan_rollback(git, ns.component))
        result = rollback(git, ns.component, full=ns.full, on_progress=None if ns.json else _progress)
    except (RepoError, ConfigError) as exc:
        raise _refused(exc) from None
    _print_plan(ns, result.to_json(), result.plan.target, result.plan.diffstat, dry_run=False)
    if not ns.json:
        print(f"snapshot {result.snapshot.id} stored; undo with: mission-control rollback --undo")
    return EXIT_OK


def _confirm_shared(plan: RollbackPlan) -> None:
    """List the files the component shares with others and ask (refuse without a terminal)."""
    if not plan.shared:
        return
    print(f"{plan.target} shares files that will be rolled back with other components:", file=sys.stderr)
    for line in plan.shared_text:
        print(f"  {line}", file=sys.stderr)
    if not sys.stdin.isatty():
        raise CliError(
            "refused: the rollback changes files of other components; pass --yes to roll back anyway", EXIT_PROBLEMS
        )
    answer = input("Roll back anyway? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("not rolled back", EXIT_PROBLEMS)


def _undo(git: Git, ns: argparse.Namespace) -> int:
    which = None if ns.undo == _LATEST else ns.undo
    if ns.dry_run:
        snap = find_snapshot(git, which) if which else _latest_rollback(git)
        if ns.json:
            print_json({"dry_run": True, "snapshot": _snapshot_json(snap)})
        else:
            print(f"would restore snapshot {snap.id}: {len(snap.paths)} paths ({len(snap.absent)} to remove)")
            for path in snap.paths:
                print(f"  {'remove ' if path in snap.absent else 'restore'} {path}")
        return EXIT_OK
    result = undo_rollback(git, which)
    if ns.json:
        print_json(
            {
                "snapshot": result.snapshot.id,
                "written": list(result.written),
                "removed": list(result.removed),
                "backup": result.backup.id if result.backup else None,
            }
        )
        return EXIT_OK
    print(f"restored snapshot {result.snapshot.id}: {len(result.written)} written, {len(result.removed)} removed")
    if result.backup:
        print(f"the state before the undo is in snapshot {result.backup.id}")
    return EXIT_OK


def _latest_rollback(git: Git) -> Snapshot:
    from mission_control.repo.rollback import RollbackRefused
    from mission_control.repo.snapshots import undoable_rollbacks

    pending = undoable_rollbacks(git)
    if not pending:
        raise RollbackRefused(f"{git.root}: nothing to undo")
    return pending[0]


def _print_plan(ns: argparse.Namespace, data: dict[str, Any], target: str, diffstat: str, dry_run: bool) -> None:
    if ns.json:
        print_json({**data, "dry_run": dry_run})
        return
    verb = "would roll back" if dry_run else "rolled back"
    print(f"{verb} {target} to {data['baseline']} ({(data['baseline_commit'] or '')[:12]}): {diffstat}")
    for item in data["files"]:
        print(f"  {item['action']:<7} {item['path']}  ({item['change']}{_counts(item)})")
    for note in data["notes"]:
        print(f"note: {note}")
    for name, files in data["shared"].items():
        print(f"note: also in component {name}: {', '.join(files)}")


def _counts(item: dict[str, Any]) -> str:
    return ", binary" if item["binary"] else f", +{item['added']} -{item['removed']}"


def _change_line(change: FileChange) -> str:
    counts = "binary" if change.binary else f"+{change.added} -{change.removed}"
    return f"{change.change:<8} {change.path}  ({counts})"


def _snapshot_json(snap: Snapshot) -> dict[str, Any]:
    return {
        "id": snap.id,
        "ref": snap.ref,
        "commit": snap.commit,
        "label": snap.label,
        "created": snap.created.isoformat(),
        "paths": list(snap.paths),
        "absent": list(snap.absent),
        "head": snap.head,
        "info": snap.info,
    }


def _progress(progress: Progress) -> None:
    print(f"[{progress.done}/{progress.total}] {progress.message}", file=sys.stderr)
