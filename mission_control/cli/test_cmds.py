"""The ``test`` command: run the repository's suite (or a selection) with live progress.

Live progress goes to stderr, the summary (or ``--json``) to stdout, and the exit code is
pytest's, so scripts and CI can use it like pytest itself.

``--team TEAM`` runs them in that team's worktree (``mission-control teams launch`` made it) instead
of the lead's checkout; the selection flags apply there, and the run is recorded in the history of
that worktree (the history is kept per folder). A team that is not launched is refused with exit 1.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, TextIO

from mission_control.cli import EXIT_PROBLEMS, EXIT_USAGE, CliError, add_json_flag, print_json
from mission_control.testing import (
    ProjectRun,
    Selection,
    TestFinished,
    run_project_tests,
    summary_line,
)
from mission_control.testing.results import RunEvent, short_summary
from mission_control.testing.runner import DEFAULT_IDLE_TIMEOUT
from mission_control.util.progress import CancelToken


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``test``."""
    parser = subparsers.add_parser("test", help="run the repository's tests (live progress on stderr)")
    parser.add_argument("--repo", default=".", help="the repository (default: current folder)")
    parser.add_argument(
        "--team",
        metavar="TEAM",
        help="run in the team's worktree instead of the repository's checkout (see `teams launch`)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--component", metavar="C", help="only component C's tests")
    group.add_argument("--task", metavar="T", help="only the tests of the components serving plan task T")
    group.add_argument("--failed", action="store_true", help="rerun the tests that failed last time")
    group.add_argument(
        "--affected", action="store_true", help="only tests affected by changes since the last green run"
    )
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="stop the run after this long")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        metavar="SECONDS",
        default=DEFAULT_IDLE_TIMEOUT,
        help=f"stop a run that shows no progress for this long (default {DEFAULT_IDLE_TIMEOUT:g}; 0: never)",
    )
    parser.add_argument("--no-parallel", action="store_true", help="do not use pytest-xdist even when installed")
    parser.add_argument("--no-history", action="store_true", help="do not record this run in the project history")
    add_json_flag(parser)
    parser.set_defaults(handler=cmd_test)


def selection_from_args(ns: argparse.Namespace) -> Selection:
    """The selection the flags ask for."""
    if ns.component:
        return Selection("component", ns.component)
    if ns.task:
        return Selection("task", ns.task)
    if ns.failed:
        return Selection("failed")
    if ns.affected:
        return Selection("affected")
    return Selection()


class _Live:
    """Prints one status character per finished test to stderr, pytest-style, with a count per line."""

    marks: ClassVar[dict[str, str]] = {
        "passed": ".",
        "failed": "F",
        "error": "E",
        "skipped": "s",
        "xfailed": "x",
        "xpassed": "X",
    }

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr  # the current one, not import time's
        self.column = 0

    def __call__(self, event: RunEvent) -> None:
        if not isinstance(event, TestFinished):
            return
        self.stream.write(self.marks.get(event.result.outcome, "?"))
        self.column += 1
        if self.column == 60 or event.done == event.total:
            total = f"/{event.total}" if event.total else ""
            self.stream.write(f" [{event.done}{total}]\n")
            self.column = 0
        self.stream.flush()

    def close(self) -> None:
        if self.column:
            self.stream.write("\n")
            self.column = 0


@contextlib.contextmanager
def _stopping_on_signals(cancel: CancelToken, received: list[int]) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP cancel the run (pytest's group is interrupted, then killed), so
    pytest never outlives this command; the previous handlers come back afterwards."""

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        cancel.cancel()

    wanted = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def cmd_test(ns: argparse.Namespace) -> int:
    repo = Path(ns.repo)
    if not repo.is_dir():
        raise CliError(f"repository folder not found: {repo}", EXIT_USAGE)
    if ns.team:
        repo = _team_worktree(repo, ns.team)
        print(f"team {ns.team}: running the tests in its worktree {repo}", file=sys.stderr)
    live = _Live()
    cancel = CancelToken()
    stopped_by: list[int] = []
    try:
        with _stopping_on_signals(cancel, stopped_by):
            run = run_project_tests(
                repo,
                selection_from_args(ns),
                workers=None if ns.no_parallel else "auto",
                timeout=ns.timeout,
                idle_timeout=ns.idle_timeout or None,
                store=not ns.no_history,
                on_event=live,
                cancel=cancel,
            )
    finally:
        live.close()
    if stopped_by:
        name = signal.Signals(stopped_by[0]).name
        print(f"mission-control: {name}: {run.result.message or 'the run was stopped'}", file=sys.stderr)
        return 128 + stopped_by[0]
    result = run.result
    if ns.json:
        data = result.to_json()
        if ns.team:
            data["team"] = ns.team
            data["worktree"] = str(repo)
        data["parallel"] = run.parallel
        data["alerts"] = [{"level": a.level, "title": a.title, "message": a.message} for a in run.alerts]
        print_json(data)
    else:
        _print_summary(run)
    return result.exit_code


def _team_worktree(repo: Path, team: str) -> Path:
    """The worktree of ``team`` in the repository at ``repo``; CliError (exit 1) if it has none."""
    from mission_control.services.teams import worktree_of
    from mission_control.teams.model import TeamError

    try:
        return worktree_of(repo, team)
    except TeamError as exc:
        hint = f"; launch it with `mission-control teams launch --teams {team}`" if "not launched" in str(exc) else ""
        raise CliError(f"{exc}{hint}", EXIT_PROBLEMS) from None


def _print_summary(run: ProjectRun) -> None:
    result = run.result
    summary = short_summary(result)
    if summary:
        print(" short test summary info ".center(72, "="))
        for line in summary:
            print(line)
    if run.note:
        print(f"selection: {result.selection} ({run.note})", file=sys.stderr)
    if run.parallel:
        print(run.parallel, file=sys.stderr)
    if result.message:
        print(result.message, file=sys.stderr)
    for alert in run.alerts:
        print(f"{alert.level.upper()}: {alert.title}: {alert.message}", file=sys.stderr)
    print(summary_line(result))
