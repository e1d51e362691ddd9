"""Audit commands: ``audit`` (SSOT audit), ``metrics`` (plan success metrics), ``watch``.

Exit codes: ``audit`` 0 clean, 1 broken imports or unparsable files found; ``metrics`` 0 all
gauges met, 1 some not met (or no data); ``watch`` runs until interrupted (0) or until the
repository disappears (1); 2 for bad usage, a missing folder, an unknown ref or a bad config.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from pathlib import Path
from typing import Any

from mission_control.audit import AuditError, Auditor, AuditResult
from mission_control.audit.metrics import MetricStatus, evaluate, load_overrides, parse_plan_metrics, plan_text
from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, add_json_flag, print_json
from mission_control.config import ConfigError, ProjectConfig, load_config
from mission_control.services.dashboard import recorded_test_values
from mission_control.util.git import head_commit
from mission_control.watch import ChangeSet, RepoWatcher, WatchError

_BASELINE_FROM_CONFIG = "__config__"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit``, ``metrics`` and ``watch``."""
    audit = subparsers.add_parser("audit", help="SSOT audit: duplicates, roles, sizes, broken imports")
    _add_repo(audit)
    audit.add_argument(
        "--baseline",
        nargs="?",
        const=_BASELINE_FROM_CONFIG,
        metavar="REF",
        help="audit the baseline tree instead (the configured or recorded baseline, or REF)",
    )
    audit.add_argument("--jobs", type=int, default=None, help="worker processes for a cold run")
    add_json_flag(audit)
    audit.set_defaults(handler=cmd_audit)

    metrics = subparsers.add_parser("metrics", help="the plan's success metrics: baseline -> now -> target")
    _add_repo(metrics)
    metrics.add_argument("--plan", type=Path, default=None, help="plan file (default: from the config)")
    add_json_flag(metrics)
    metrics.set_defaults(handler=cmd_metrics)

    watch = subparsers.add_parser("watch", help="print one JSON line per coalesced change set")
    _add_repo(watch)
    watch.add_argument("--debounce", type=float, default=0.2, help="quiet seconds that end a burst")
    watch.set_defaults(handler=cmd_watch)


def _add_repo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", type=Path, default=Path("."), help="repository folder (default: .)")


# -- audit ----------------------------------------------------------------------------------


def cmd_audit(ns: argparse.Namespace) -> int:
    """``mission-control audit``: print the audit, record it in the history."""
    config = _config(ns.repo)
    auditor = _auditor(ns.repo, config, ns.jobs)
    try:
        if ns.baseline is not None:
            ref = _baseline_ref(auditor.repo, config) if ns.baseline == _BASELINE_FROM_CONFIG else ns.baseline
            result = auditor.run_ref(ref)
        else:
            result = auditor.run()
    except AuditError as exc:
        raise CliError(str(exc)) from None
    _record(auditor.repo, result)
    if ns.json:
        print_json(result.to_json())
    else:
        _print_audit(result)
    return EXIT_PROBLEMS if result.broken_imports or result.parse_errors else EXIT_OK


def _config(repo: Path) -> ProjectConfig:
    try:
        return load_config(repo)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def _auditor(repo: Path, config: ProjectConfig, jobs: int | None = None) -> Auditor:
    components = {name: list(c.paths) for name, c in config.components.items() if c.paths}
    try:
        return Auditor(repo, components=components, jobs=jobs)
    except AuditError as exc:
        raise CliError(str(exc)) from None


def _baseline_ref(repo: Path, config: ProjectConfig) -> str:
    """The configured baseline, else the one ``start-mission`` recorded."""
    try:
        from mission_control.repo.baseline import resolve_baseline

        baseline = resolve_baseline(repo, config)
    except ImportError:  # pragma: no cover - the repo package ships with the app
        baseline = None
    except Exception as exc:  # NotARepository, ConfigError: one clear line
        raise CliError(str(exc)) from None
    if baseline is None:
        if config.baseline:
            return config.baseline
        raise CliError(f"{repo}: no baseline: set `baseline` in mission-control.toml or pass --baseline REF")
    if baseline.commit is None:
        raise CliError(baseline.problem or f"{repo}: no baseline")
    return baseline.commit


def _record(repo: Path, result: AuditResult) -> None:
    """Append the run to the project's history (skipped quietly when there is none)."""
    try:
        from mission_control.history import open_history
    except ImportError:  # pragma: no cover
        return
    source = "audit" if result.ref is None else "audit-baseline"
    commit = head_commit(repo) if result.ref is None else result.ref
    try:
        with open_history(repo) as history:
            history.record_metrics(source, result.metrics(), commit=commit)
    except Exception as exc:  # history is a convenience: never fail the audit for it
        print(f"mission-control: history not recorded: {exc}", file=sys.stderr)


def _print_audit(result: AuditResult) -> None:
    where = f"baseline {result.ref}" if result.ref else "working tree"
    print(f"{where}: {result.files} files, {result.lines} lines")
    for problem in result.parse_errors:
        print(f"  parse error {problem.path}:{problem.line}: {problem.message}")
    for broken in result.broken_imports:
        print(f"  broken import {broken.path}:{broken.line}: {broken.import_}")
    roles = ", ".join(f"{role} {n}" for role, n in result.roles.items() if n)
    print(f"classes by role: {roles or 'none'}")
    for name, size in result.components.items():
        print(f"component {name}: {size.files} files, {size.lines} lines")
    print(f"SSOT violation candidates: {len(result.duplicates)}")
    for dup in result.duplicates[:25]:
        print(
            f"  {dup.kind} {dup.name} ({dup.similarity:.0%} alike) in {', '.join(dup.modules[:6])}"
            + (f" and {len(dup.modules) - 6} more" if len(dup.modules) > 6 else "")
        )


# -- metrics --------------------------------------------------------------------------------------


def cmd_metrics(ns: argparse.Namespace) -> int:
    """``mission-control metrics``: evaluate the plan's success metrics on the audit."""
    config = _config(ns.repo)
    plan = ns.plan or config.plan
    if plan is None:
        raise CliError(f"{ns.repo}: no plan: pass --plan or set `plan` in mission-control.toml")
    try:
        items, _checkpoints = parse_plan_metrics(plan_text(plan))
    except OSError as exc:
        raise CliError(f"{plan}: cannot be read: {exc.strerror}") from None
    except Exception as exc:  # PlanError names file and line
        raise CliError(str(exc)) from None
    try:
        overrides = load_overrides(config.metrics, config.source)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    auditor = _auditor(ns.repo, config)
    try:
        now = auditor.run()
        baseline = _optional_baseline(auditor, config)
    except AuditError as exc:
        raise CliError(str(exc)) from None
    tests, problem = recorded_test_values(auditor.repo)
    if problem:
        print(f"mission-control: test history not read: {problem}", file=sys.stderr)
    statuses = evaluate(items, now, baseline, overrides=overrides, extra_now=tests)
    if ns.json:
        print_json([s.to_json() for s in statuses])
    else:
        _print_metrics(statuses)
    gauges = [s for s in statuses if s.kind == "gauge"]
    return EXIT_OK if all(s.met for s in gauges) else EXIT_PROBLEMS


def _optional_baseline(auditor: Auditor, config: ProjectConfig) -> AuditResult | None:
    try:
        ref = _baseline_ref(auditor.repo, config)
    except CliError as exc:
        print(f"mission-control: {exc} (relative targets have no value)", file=sys.stderr)
        return None
    return auditor.run_ref(ref)


def _print_metrics(statuses: list[MetricStatus]) -> None:
    for s in statuses:
        if s.kind == "manual":
            print(f"[manual]  {s.item.text}  (line {s.item.line})")
            continue
        mark = {True: "met", False: "NOT met", None: "no data"}[s.met]
        assert s.spec is not None  # only manual metrics have none
        print(
            f"[{mark}]  {s.item.text}: {s.spec.metric} {_num(s.baseline)} -> {_num(s.now)}"
            f" (target {s.spec.op} {_num(s.target)})" + (f": {s.note}" if s.note else "")
        )


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


# -- watch ----------------------------------------------------------------------------------------


def cmd_watch(ns: argparse.Namespace) -> int:
    """``mission-control watch``: one JSON line per change set until Ctrl-C."""
    config = _config(ns.repo)
    changes: queue.Queue[ChangeSet] = queue.Queue()
    watcher = RepoWatcher(ns.repo, changes.put, plan=config.plan, debounce=ns.debounce)
    try:
        watcher.start()
    except WatchError as exc:
        raise CliError(str(exc)) from None
    print(
        f"mission-control: watching {watcher.repo} ({watcher.mode})"
        + (f": {watcher.notice}" if watcher.notice else ""),
        file=sys.stderr,
        flush=True,
    )
    try:
        while True:
            change = changes.get()
            _print_line(change.to_json())
            if change.repo_deleted:
                return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        watcher.stop()


def _print_line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


__all__ = ["EXIT_USAGE", "cmd_audit", "cmd_metrics", "cmd_watch", "register"]
