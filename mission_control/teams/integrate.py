"""Integrate a team: merge its branch into the integration branch in a throwaway worktree, test, then move.

The merge happens in a temporary worktree (never the lead's, never the team's); the team's tests (its
components' tests, or the whole suite when none are configured) run on the merged tree with the
project's interpreter; only when they pass does the integration branch move, by a compare-and-swap
ref update, so a concurrent move is detected instead of overwritten. Red or conflicting: the branch
stays where it was and the team is *ejected*, with the conflicted files or the failing tests. A tree
already tested green is not tested again (results kept by tree id). Flaky tests can be retried.

Every integration is recorded in the ledger (kind ``integrate``: who, when, team, outcome, old and new
heads, tree, tests) and can be undone: the branch returns to where it was when nothing was integrated
after it, otherwise a revert commit is added. Never a force-push, never a rewrite of a team's branch,
never a change to the lead's working tree or index.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mission_control.config import ProjectConfig
from mission_control.repo.records import compare_and_swap
from mission_control.signoff.actions import git_identity
from mission_control.signoff.ledger import LedgerEntry, append_entry, read_ledger, utc_now
from mission_control.teams.model import TeamError, TeamSpec, integration_branch
from mission_control.testing.interpreter import InterpreterError, find_interpreter
from mission_control.testing.results import FAILING, TestRunResult
from mission_control.testing.runner import run_tests
from mission_control.util import appdirs
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.git import Git
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

INTEGRATED, EJECTED, UNDONE = "integrated", "ejected", "undone"
LEDGER_KIND = "integrate"

#: ``tests(folder, args)``: run pytest in ``folder`` with ``args`` (for tests, a fake can stand in).
TestRunner = Callable[[Path, list[str]], TestRunResult]


@dataclass(frozen=True)
class IntegrationResult:
    """What ``integrate`` did: ``outcome`` is ``integrated`` or ``ejected`` (the branch did not move)."""

    team: str
    outcome: str
    reason: str
    old_head: str
    new_head: str | None = None
    tree: str | None = None
    conflicts: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    output: str = ""
    tested: bool = False
    totals: dict[str, int] = field(default_factory=dict)
    team_head: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "team": self.team,
            "outcome": self.outcome,
            "reason": self.reason,
            "old_head": self.old_head,
            "new_head": self.new_head,
            "tree": self.tree,
            "conflicts": list(self.conflicts),
            "failing": list(self.failing),
            "tested": self.tested,
            "totals": dict(self.totals),
        }


def integrate(
    git: Git,
    spec: TeamSpec,
    config: ProjectConfig,
    test_args: list[str],
    *,
    tests: TestRunner | None = None,
    retries: int = 0,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> IntegrationResult:
    """Merge ``spec``'s branch into the integration branch, test the merged tree, move the branch if green.

    Raises:
        TeamError: no integration branch or team branch, nothing to integrate, or the integration
            branch moved while this ran (nothing changed).
    """
    report = on_progress or no_progress
    branch = integration_branch(config)
    old = git.resolve_commit(f"refs/heads/{branch}")
    head = git.resolve_commit(f"refs/heads/{spec.branch}")
    if old is None or head is None:
        raise TeamError(f"team {spec.name}: launch the teams first (no {branch if old is None else spec.branch})")
    if git.is_ancestor(head, old):
        raise TeamError(f"team {spec.name}: nothing to integrate; {spec.branch} is already in {branch}")
    report(Progress(0, 3, f"merging {spec.branch} into {branch}"))
    with _throwaway_worktree(git, old) as folder:
        scratch = Git(folder)
        conflicted = _merge_into(git, scratch, spec, branch)
        if conflicted is not None:
            result = IntegrationResult(
                spec.name,
                EJECTED,
                f"merge conflicts in {', '.join(conflicted)}",
                old,
                conflicts=tuple(conflicted),
                team_head=head,
            )
            _record(git, result)
            return result
        commit = scratch.text("rev-parse", "HEAD")
        tree = scratch.text("rev-parse", "HEAD^{tree}")
        report(Progress(1, 3, f"testing the merged tree {tree[:7]}"))
        run = None if _known_green(tree) else _test(folder, test_args, git, config, tests, retries, cancel)
    if run is not None and (run.exit_code != 0 or run.cancelled):
        failing = tuple(t.nodeid for t in run.tests if t.outcome in FAILING)
        why = run.message or f"{len(failing)} failing test(s): {', '.join(failing[:5])}"
        result = IntegrationResult(
            spec.name,
            EJECTED,
            f"tests failed on the merged tree: {why}",
            old,
            None,
            tree,
            failing=failing,
            output=run.output[-4000:],
            tested=True,
            totals=dict(run.totals),
            team_head=head,
        )
        _record(git, result)
        return result
    if run is not None:
        _remember_green(tree)
    report(Progress(2, 3, f"moving {branch}"))
    if not compare_and_swap(git, f"refs/heads/{branch}", commit, old):
        now = git.resolve_commit(f"refs/heads/{branch}")
        raise TeamError(
            f"{branch} moved from {old[:7]} to {(now or '?')[:7]} while {spec.name} was being "
            "integrated; nothing was changed: run it again"
        )
    why = "tests passed on the merged tree" if run is not None else "this merged tree was already tested green"
    result = IntegrationResult(
        spec.name,
        INTEGRATED,
        why,
        old,
        commit,
        tree,
        tested=run is not None,
        totals=dict(run.totals) if run is not None else {},
        team_head=head,
    )
    _record(git, result)
    report(Progress(3, 3, f"{spec.name} integrated"))
    return result


def undo_last(git: Git, config: ProjectConfig) -> str:
    """Undo the latest integration: move the branch back when nothing came after it, else add a revert.

    Raises:
        TeamError: nothing to undo, or the branch moved while this ran.
    """
    branch = integration_branch(config)
    last = _last_integration(git)
    if last is None:
        raise TeamError(f"no integration into {branch} to undo")
    old, new, team = str(last.extra["old_head"]), str(last.extra["new_head"]), str(last.extra["team"])
    current = git.resolve_commit(f"refs/heads/{branch}")
    if current is None:
        raise TeamError(f"there is no branch {branch}")
    if current == new:
        target, how = old, f"{branch} moved back to {old[:7]}"
    else:
        with _throwaway_worktree(git, current) as folder:
            Git(folder).run("revert", "-m", "1", "--no-edit", new, tool_identity=not _has_identity(git))
            target = Git(folder).text("rev-parse", "HEAD")
        how = f"reverted with {target[:7]} (later integrations are kept)"
    if not compare_and_swap(git, f"refs/heads/{branch}", target, current):
        raise TeamError(f"{branch} moved while undoing; nothing was changed: run it again")
    _append(git, team, UNDONE, {"old_head": current, "new_head": target, "undoes": new})
    return f"undid the integration of {team}: {how}"


def last_outcomes(git: Git) -> dict[str, LedgerEntry]:
    """Team -> its latest integration record (integrated, ejected or undone)."""
    latest: dict[str, LedgerEntry] = {}
    for entry in read_ledger(git.root).entries:
        if entry.kind == LEDGER_KIND and isinstance(entry.extra.get("team"), str):
            latest[str(entry.extra["team"])] = entry
    return latest


def _last_integration(git: Git) -> LedgerEntry | None:
    undone = set()
    for entry in reversed(read_ledger(git.root).entries):
        if entry.kind != LEDGER_KIND:
            continue
        outcome = entry.extra.get("outcome")
        if outcome == UNDONE:
            undone.add(entry.extra.get("undoes"))
        elif outcome == INTEGRATED and entry.extra.get("new_head") not in undone:
            return entry
    return None


def _test(
    folder: Path,
    args: list[str],
    git: Git,
    config: ProjectConfig,
    tests: TestRunner | None,
    retries: int,
    cancel: CancelToken | None,
) -> TestRunResult:
    runner = tests or _real_tests(git, config, cancel)
    run = runner(folder, args)
    for _attempt in range(retries):
        failing = [t.nodeid for t in run.tests if t.outcome in FAILING]
        if run.exit_code == 0 or not failing or run.cancelled:
            break
        again = runner(folder, failing)  # only the failures: a flaky test passing now counts as green
        if again.exit_code == 0:
            return again
    return run


def _real_tests(git: Git, config: ProjectConfig, cancel: CancelToken | None) -> TestRunner:
    try:
        interpreter = find_interpreter(git.root, config.python)
    except InterpreterError as exc:
        raise TeamError(f"cannot test the merged tree: {exc}") from None

    def run(folder: Path, args: list[str]) -> TestRunResult:
        return run_tests(folder, args, interpreter=interpreter, workers=None, cancel=cancel)

    return run


@contextmanager
def _throwaway_worktree(git: Git, commit: str) -> Iterator[Path]:
    """A detached worktree at ``commit`` in a temporary folder, removed afterwards whatever happens."""
    parent = Path(tempfile.mkdtemp(prefix="mc-integrate-"))
    folder = parent / "tree"
    git.run("worktree", "add", "--detach", "--quiet", str(folder), commit)
    try:
        yield folder
    finally:
        git.run("worktree", "remove", "--force", str(folder), ok_codes=(0, 128))
        shutil.rmtree(parent, ignore_errors=True)
        git.run("worktree", "prune", ok_codes=(0, 128))


def _merge_into(git: Git, scratch: Git, spec: TeamSpec, branch: str) -> tuple[str, ...] | None:
    """Merge the team's branch in the throwaway worktree ``scratch``: None when clean (committed),
    else the conflicted paths (the merge is aborted, the worktree left as it was)."""
    merged = scratch.run(
        "merge",
        "--no-ff",
        "--no-edit",
        "-m",
        _message(spec, branch),
        spec.branch,
        ok_codes=(0, 1),
        tool_identity=not _has_identity(git),
    )
    conflicted = tuple(scratch.text("diff", "--name-only", "--diff-filter=U").splitlines())
    if not conflicted and b"CONFLICT" not in merged:
        return None
    scratch.run("merge", "--abort", ok_codes=(0, 128))
    return conflicted


def _has_identity(git: Git) -> bool:
    return bool(git.run("config", "user.name", ok_codes=(0, 1)).strip())


def _message(spec: TeamSpec, branch: str) -> str:
    tasks = ", ".join(spec.tasks) or "no tasks"
    return f"Integrate {spec.section} ({spec.branch}) into {branch}\n\nTasks: {tasks}\nTeam: {spec.name}"


def _record(git: Git, result: IntegrationResult) -> None:
    extra: dict[str, object] = {
        "team_head": result.team_head,
        "old_head": result.old_head,
        "new_head": result.new_head,
        "tree": result.tree,
        "conflicts": list(result.conflicts),
        "failing": list(result.failing),
    }
    _append(git, result.team, result.outcome, extra, result.totals or None, result.reason)


def _append(
    git: Git,
    team: str,
    outcome: str,
    extra: dict[str, object],
    totals: dict[str, int] | None = None,
    reason: str = "",
) -> None:
    who = git_identity(git.root)
    entry = LedgerEntry(
        LEDGER_KIND,
        f"integrate {team}",
        (),
        who.name,
        who.email,
        utc_now(),
        git.head(),
        dict(totals) if totals else None,
        "",
        reason,
        {"team": team, "outcome": outcome, **extra},
    )
    append_entry(git.root, entry)


def _green_file(tree: str) -> Path:
    return appdirs.cache_dir() / "integration-trees" / f"{tree}.json"


def _known_green(tree: str) -> bool:
    try:
        return bool(json.loads(_green_file(tree).read_text(encoding="utf-8")).get("green"))
    except (OSError, ValueError, AttributeError):
        return False


def _remember_green(tree: str) -> None:
    path = _green_file(tree)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"green": True}))
    except OSError:
        pass  # only costs a test run next time


@dataclass
class _Candidate:
    """One team in a speculative chain: merged on top of the teams before it (or conflicted)."""

    spec: TeamSpec
    head: str
    folder: Path | None = None
    commit: str | None = None
    tree: str | None = None
    conflicts: tuple[str, ...] = ()


def integrate_queue(
    git: Git,
    specs: list[TeamSpec],
    config: ProjectConfig,
    test_args: dict[str, list[str]],
    *,
    tests: TestRunner | None = None,
    retries: int = 0,
    parallel: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[IntegrationResult]:
    """Integrate ``specs`` in order, speculatively (Zuul's idea): A, A+B, A+B+C are merged at once and
    their tests run side by side (``parallel`` at a time, default half the cores); the integration
    branch then takes the longest green prefix. A conflicting team is ejected and the chain goes on
    without it; after a red one, the teams behind it are merged and tested again without it.

    Raises:
        TeamError: no integration branch, or it moved while this ran (what was accepted before stays).
    """
    report = on_progress or no_progress
    branch = integration_branch(config)
    results: list[IntegrationResult] = []
    pending = list(specs)
    while pending:
        base = git.resolve_commit(f"refs/heads/{branch}")
        if base is None:
            raise TeamError(f"launch the teams first (no {branch})")
        report(Progress(len(results), len(specs), f"merging {', '.join(s.name for s in pending)} on {base[:7]}"))
        with ExitStack() as stack:
            chain = _speculative_chain(git, stack, pending, base, branch, results)
            runs = _test_chain(chain, test_args, git, config, tests, retries, parallel, cancel)
            pending = _accept(git, branch, base, chain, runs, results)
    report(Progress(len(specs), len(specs), "queue done"))
    return results


def _speculative_chain(
    git: Git, stack: ExitStack, pending: list[TeamSpec], base: str, branch: str, results: list[IntegrationResult]
) -> list[_Candidate]:
    chain, tip = [], base
    for spec in pending:
        head = git.resolve_commit(f"refs/heads/{spec.branch}")
        if head is None or git.is_ancestor(head, tip):
            continue  # not launched, or nothing to integrate
        folder = stack.enter_context(_throwaway_worktree(git, tip))
        scratch = Git(folder)
        conflicted = _merge_into(git, scratch, spec, branch)
        if conflicted is not None:
            chain.append(_Candidate(spec, head, conflicts=conflicted))
            continue
        candidate = _Candidate(
            spec, head, folder, scratch.text("rev-parse", "HEAD"), scratch.text("rev-parse", "HEAD^{tree}")
        )
        chain.append(candidate)
        tip = candidate.commit or tip
    return chain


def _test_chain(
    chain: list[_Candidate],
    test_args: dict[str, list[str]],
    git: Git,
    config: ProjectConfig,
    tests: TestRunner | None,
    retries: int,
    parallel: int | None,
    cancel: CancelToken | None,
) -> dict[str, Future[TestRunResult]]:
    """Start the tests of every merged tree not yet known green, side by side."""
    workers = parallel or max(1, (os.cpu_count() or 2) // 2)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mc-integrate")
    runs = {}
    for item in chain:
        if item.folder is not None and item.tree is not None and not _known_green(item.tree):
            args = test_args.get(item.spec.name, [])
            runs[item.spec.name] = pool.submit(_test, item.folder, args, git, config, tests, retries, cancel)
    pool.shutdown(wait=False)
    return runs


def _accept(
    git: Git,
    branch: str,
    base: str,
    chain: list[_Candidate],
    runs: dict[str, Future[TestRunResult]],
    results: list[IntegrationResult],
) -> list[TeamSpec]:
    """Move the branch along the green prefix; return the teams to merge again (those behind a red one)."""
    tip = base
    for index, item in enumerate(chain):
        if item.conflicts:
            results.append(_eject(git, item, tip, f"merge conflicts in {', '.join(item.conflicts)}"))
            continue
        future = runs.get(item.spec.name)
        run = future.result() if future is not None else None
        assert item.commit is not None and item.tree is not None
        if run is not None and (run.exit_code != 0 or run.cancelled):
            failing = tuple(t.nodeid for t in run.tests if t.outcome in FAILING)
            why = run.message or f"{len(failing)} failing test(s): {', '.join(failing[:5])}"
            results.append(_eject(git, item, tip, f"tests failed on the merged tree: {why}", run, failing))
            behind = [runs[c.spec.name] for c in chain[index + 1 :] if c.spec.name in runs]
            for future in behind:  # merged on top of a red tree: their results say nothing
                future.cancel()
            wait(behind)  # their worktrees go away with this chain: let running ones end first
            return [later.spec for later in chain[index + 1 :]]
        if run is not None:
            _remember_green(item.tree)
        if not compare_and_swap(git, f"refs/heads/{branch}", item.commit, tip):
            raise TeamError(
                f"{branch} moved while the queue ran; {', '.join(r.team for r in results if r.outcome == INTEGRATED) or 'nothing'} integrated so far"
            )
        why = "tests passed on the merged tree" if run is not None else "this merged tree was already tested green"
        result = IntegrationResult(
            item.spec.name,
            INTEGRATED,
            why,
            tip,
            item.commit,
            item.tree,
            tested=run is not None,
            totals=dict(run.totals) if run is not None else {},
            team_head=item.head,
        )
        _record(git, result)
        results.append(result)
        tip = item.commit
    return []


def _eject(
    git: Git,
    item: _Candidate,
    tip: str,
    reason: str,
    run: TestRunResult | None = None,
    failing: tuple[str, ...] = (),
) -> IntegrationResult:
    result = IntegrationResult(
        item.spec.name,
        EJECTED,
        reason,
        tip,
        None,
        item.tree,
        conflicts=item.conflicts,
        failing=failing,
        output=run.output[-4000:] if run is not None else "",
        tested=run is not None,
        totals=dict(run.totals) if run is not None else {},
        team_head=item.head,
    )
    _record(git, result)
    return result
