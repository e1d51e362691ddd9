"""``mission-control codemod list|run|undo``: the codemods from the command line.

``run`` is a dry run with ``--dry-run`` (prints the unified diff) and otherwise applies every
change after a snapshot (prints the files changed and the snapshot to undo with). Progress
goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, add_json_flag, print_json
from mission_control.util.progress import Progress

if TYPE_CHECKING:
    from mission_control.codemods import ApplyResult, CodemodRun


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``codemod`` with its ``list``, ``run`` and ``undo`` subcommands."""
    parser = subparsers.add_parser("codemod", help="run libcst codemods: dry run, apply, undo")
    sub = parser.add_subparsers(dest="codemod_command", metavar="ACTION")
    listing = sub.add_parser("list", help="built-in codemods and the repository's own")
    listing.add_argument("--repo", default=".", help="repository (default: current folder)")
    add_json_flag(listing)
    listing.set_defaults(handler=cmd_list)
    run = sub.add_parser("run", help="run a codemod (a dry run with --dry-run)")
    run.add_argument(
        "name",
        help="rename, consolidate, remove-unused-imports, remove-commented-code, "
        "or a repository codemod module.ClassName",
    )
    run.add_argument("--arg", action="append", default=[], metavar="K=V", help="a codemod argument")
    run.add_argument("--repo", default=".", help="repository (default: current folder)")
    run.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    run.add_argument("--jobs", "-j", type=int, default=None, help="processes (default: automatic)")
    run.add_argument("--no-cache", action="store_true", help="ignore cached results")
    run.add_argument("--force", action="store_true", help="apply even if the dry run's review found problems (unsafe)")
    run.add_argument(
        "--task", default=None, metavar="ID", help="the plan task this codemod serves (its Gantt bar shows it ran)"
    )
    add_json_flag(run)
    run.set_defaults(handler=cmd_run)
    undo = sub.add_parser("undo", help="restore the files of the last codemod not yet undone (or SNAPSHOT)")
    undo.add_argument("snapshot", nargs="?", default=None)
    undo.add_argument("--repo", default=".")
    undo.add_argument(
        "--force", action="store_true", help="undo even if files changed after the codemod (their state is kept first)"
    )
    add_json_flag(undo)
    undo.set_defaults(handler=cmd_undo)
    history = sub.add_parser("history", help="codemods applied here, newest first (undone ones marked)")
    history.add_argument("--repo", default=".")
    add_json_flag(history)
    history.set_defaults(handler=cmd_history)

    def show_help(_ns: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    parser.set_defaults(handler=show_help)


def parse_args(pairs: list[str]) -> dict[str, str]:
    """``["k=v", ...]`` as a dict; raises CliError on a pair without ``=``."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--arg {pair!r}: expected NAME=VALUE")
        out[key.strip().lstrip("-")] = value
    return out


def cmd_list(ns: argparse.Namespace) -> int:
    from mission_control.codemods import list_codemods

    infos, problems = list_codemods(_repo(ns.repo))
    if ns.json:
        print_json(
            {
                "codemods": [
                    {
                        "name": i.name,
                        "description": i.description,
                        "builtin": i.builtin,
                        "source": i.source,
                        "args": [a.__dict__ for a in i.args],
                    }
                    for i in infos
                ],
                "problems": problems,
            }
        )
    else:
        for info in infos:
            args = " ".join(f"--arg {a.name}=..." for a in info.args)
            print(f"{info.name:28} {info.description}" + (f"\n{'':28} {args}" if args else ""))
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_run(ns: argparse.Namespace) -> int:
    from mission_control.codemods import CodemodError, apply_run, run_codemod
    from mission_control.util.git import RepoError

    repo = _repo(ns.repo)
    try:
        run = run_codemod(
            repo, ns.name, parse_args(ns.arg), jobs=ns.jobs, use_cache=not ns.no_cache, on_progress=_progress
        )
    except CodemodError as exc:
        raise CliError(str(exc)) from None
    _clear_progress()
    applied = None
    if not ns.dry_run and run.changed:
        try:
            applied = apply_run(repo, run, task=ns.task, force=ns.force, on_progress=_progress)
        except RepoError as exc:
            raise CliError(f"{exc} (use --dry-run outside a git repository)", EXIT_PROBLEMS) from None
        _clear_progress()
    if ns.json:
        data = run.to_json()
        if applied is not None:
            data["applied"] = {
                "written": list(applied.written),
                "deleted": list(applied.deleted),
                "snapshot": applied.snapshot_id,
                "problems": list(applied.problems),
            }
        print_json(data)
    else:
        _print_run(run, applied, ns.dry_run)
    problems = run.failed or run.problems or (applied is not None and applied.problems)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_undo(ns: argparse.Namespace) -> int:
    from mission_control.codemods import undo_codemod
    from mission_control.util.git import RepoError

    try:
        restored = undo_codemod(_repo(ns.repo), ns.snapshot, force=ns.force)
    except RepoError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json({"restored": restored})
    else:
        print("\n".join(f"restored {p}" for p in restored))
    return EXIT_OK


def cmd_history(ns: argparse.Namespace) -> int:
    from mission_control.codemods import codemod_history
    from mission_control.util.git import RepoError

    try:
        applied = codemod_history(_repo(ns.repo))
    except RepoError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json(
            {
                "applied": [
                    {
                        "snapshot": a.snapshot_id,
                        "codemod": a.codemod,
                        "args": a.args,
                        "task": a.task,
                        "created": a.created.isoformat(),
                        "files": list(a.paths),
                        "undone": a.undone,
                    }
                    for a in applied
                ]
            }
        )
    else:
        for a in applied:
            task = f" for task {a.task}" if a.task else ""
            state = " (undone)" if a.undone else ""
            print(f"{a.created:%Y-%m-%d %H:%M} {a.codemod}{task}: {len(a.paths)} files{state}  [{a.snapshot_id}]")
    return EXIT_OK


def _print_run(run: CodemodRun, applied: ApplyResult | None, dry_run: bool) -> None:
    if dry_run:
        for result in run.changed:
            sys.stdout.write(result.diff)
    elif applied is not None:
        for path in applied.written:
            print(f"changed {path}")
        for path in applied.deleted:
            print(f"deleted {path}")
        for problem in applied.problems:
            print(f"refused {problem}", file=sys.stderr)
        if applied.snapshot_id:
            print(f"undo with: mission-control codemod undo {applied.snapshot_id}", file=sys.stderr)
    for result in run.skipped:
        print(f"skipped {result.path}: {result.reason}", file=sys.stderr)
    for result in run.failed:
        print(f"failed {result.reason}", file=sys.stderr)
    for problem in run.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for mention in run.mentions:
        state = "rewritten" if mention.rewritten else "not rewritten"
        print(f"also mentions {mention.path}:{mention.line}: {mention.text}  ({state})", file=sys.stderr)
    if any(not m.rewritten for m in run.mentions):
        print(
            "  (strings that tools resolve at run time: check them, or --arg rewrite_mentions=true rewrites them)",
            file=sys.stderr,
        )
    print(
        f"{len(run.changed)} changed, {len(run.skipped)} skipped, {len(run.failed)} failed of "
        f"{run.scanned} files ({run.prefiltered} ruled out without parsing) in {run.seconds:.1f} s",
        file=sys.stderr,
    )


def _repo(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise CliError(f"{path}: not a folder")
    return path.resolve()


def _progress(progress: Progress) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{progress.message[:100]:100}")
        sys.stderr.flush()


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 100 + "\r")
