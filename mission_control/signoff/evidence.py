"""Live evidence for checklist items that name something measurable.

"Tests passing 100%" reads the latest test run, "All SSOT violations resolved" and "Zero
broken imports" the latest audit recorded in the history, "Legacy code removed" the files
whose path still says ``legacy``, "Rollback scripts tested" the ledger's runs of the rollback
block. Phrases come from :func:`mission_control.audit.metrics.recognise` plus these few; anything
else has no evidence (a person's judgement). Evidence never blocks a sign-off: the UI warns.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mission_control.signoff.ledger import LedgerEntry
from mission_control.signoff.matching import normalise
from mission_control.testing.results import FAILING, OUTCOMES
from mission_control.util.git import GitError, run_git
from mission_control.watch import ChangeSet

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Evidence:
    """What the repository says about an item.

    ``ok``: True (supports signing), False (contradicts it), None (nothing measured yet).
    ``text``: one short line for beside the button, e.g. ``✓ 0 failed of 42`` or ``✗ 3 broken imports``.
    """

    metric: str
    ok: bool | None
    text: str
    value: float | None = None
    target: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "ok": self.ok, "text": self.text, "value": self.value, "target": self.target}


@dataclass(frozen=True)
class Facts:
    """The measurements evidence is drawn from (gathered off the GUI thread by :func:`gather_facts`)."""

    tests: Mapping[str, Any] | None = None
    audit: Mapping[str, float] | None = None
    legacy_files: tuple[str, ...] | None = None
    runs: tuple[LedgerEntry, ...] = ()


def metric_for(text: str) -> tuple[str, str, float] | None:
    """``(metric, op, target)`` for a measurable item text, else None."""
    norm = normalise(text)
    if re.search(r"\blegacy (code|files?|modules?) removed\b", norm):
        return ("legacy_files", "<=", 0.0)
    if "rollback" in norm and re.search(r"\btested\b", norm):
        return ("rollback_run", "==", 1.0)
    if re.fullmatch(r"no (critical )?failures|no critical failures", norm):
        return ("tests.failed", "<=", 0.0)
    from mission_control.audit.metrics import recognise

    spec = recognise(text)
    if spec is None or spec.target is None:
        return None
    return (spec.metric, spec.op, float(spec.target))


def evidence_for(text: str, facts: Facts) -> Evidence | None:
    """The evidence for item ``text`` from ``facts``; None when the item is not measurable."""
    found = metric_for(text)
    if found is None:
        return None
    metric, op, target = found
    value, detail = _measure(metric, facts)
    if value is None:
        return Evidence(metric, None, detail, None, target)
    ok: bool | None = _OPS[op](value, target)
    caveat = _run_caveat(facts.tests) if metric.startswith("tests.") and ok else None
    if caveat is not None:
        red = caveat.startswith("red")
        ok = False if red else None
        return Evidence(metric, ok, f"{'✗ ' if red else ''}{detail}, but the latest run was {caveat}", value, target)
    return Evidence(metric, ok, ("✓ " if ok else "✗ ") + detail, value, target)


def _run_caveat(tests: Mapping[str, Any] | None) -> str | None:
    """Why a passing count proves less than it seems: a red run (exit code not 0: collection
    errors, a timeout), or a partial one (only some of the tests: ``--failed``, a component)."""
    if not tests:
        return None
    if tests.get("green") is False:
        return f"red (exit code {tests.get('exit_code', '?')})"
    selection = tests.get("selection")
    if selection is not None and selection != "all":
        return f"partial ({selection}): run the whole suite"
    return None


def _measure(metric: str, facts: Facts) -> tuple[float | None, str]:
    if metric.startswith("tests."):
        return _tests(metric, facts.tests)
    if metric == "legacy_files":
        return _legacy(facts.legacy_files)
    if metric == "rollback_run":
        return _rollback(facts.runs)
    if facts.audit is None or metric not in facts.audit:
        return None, "no audit recorded yet (run an audit)"
    value = float(facts.audit[metric])
    return value, f"{value:g} {metric.replace('_', ' ')} (latest audit)"


def _tests(metric: str, tests: Mapping[str, Any] | None) -> tuple[float | None, str]:
    if not tests:
        return None, "no test run recorded yet"
    failed = sum(int(tests.get(k, 0)) for k in FAILING)
    total = sum(int(tests.get(k, 0)) for k in OUTCOMES)
    if metric == "tests.failed":
        return float(failed), f"{failed} failed of {total} (latest run)"
    if metric in tests:
        return float(tests[metric]), f"{tests[metric]} {metric} (latest run)"
    return None, f"{metric}: not in the latest run"


def _legacy(files: Sequence[str] | None) -> tuple[float | None, str]:
    if files is None:
        return None, "not measured"
    if not files:
        return 0.0, "no legacy files left"
    shown = ", ".join(files[:2]) + (" …" if len(files) > 2 else "")
    return float(len(files)), f"{len(files)} legacy file{'s' * (len(files) != 1)} left: {shown}"


def _rollback(runs: Sequence[LedgerEntry]) -> tuple[float | None, str]:
    mine = [r for r in runs if any("rollback" in h.lower() for h in r.heading)]
    if not mine:
        return None, "rollback commands never run from the runbook"
    last = mine[-1]
    status = last.extra.get("exit_status")
    return (1.0 if status == 0 else 0.0), f"last rollback run exited {status}"


def gather_facts(repo: str | Path, entries: Sequence[LedgerEntry] = ()) -> Facts:
    """Read the history (latest test run, latest audit) and the legacy files; slow-ish: a worker's job."""
    from mission_control.signoff.actions import latest_test_totals

    return Facts(
        latest_test_totals(repo),
        latest_audit(repo),
        _legacy_files(Path(repo)),
        tuple(e for e in entries if e.kind == "run"),
    )


def latest_audit(repo: str | Path) -> dict[str, float] | None:
    """The latest value of each metric the audit recorded in the history (None: none, or unreadable)."""
    try:
        from mission_control.history import open_history

        with open_history(Path(repo)) as history:
            values = {}
            for name in history.metric_names():
                series = history.metric_series(name, source="audit")
                if series:
                    values[name] = series[-1][1]
    except Exception:
        return None
    return values or None


def legacy_files_affected(change: ChangeSet) -> bool:
    """Whether a change set can change :attr:`Facts.legacy_files`: a file whose name says legacy
    appeared or went, or a ``.gitignore`` changed which files git lists (an edit inside a file cannot)."""
    came_or_went = [*change.created, *change.deleted, *(p for pair in change.moved for p in pair)]
    return any("legacy" in p.rsplit("/", 1)[-1].lower() for p in came_or_went) or any(
        p.rsplit("/", 1)[-1] == ".gitignore" for p in change.paths
    )


def _legacy_files(repo: Path) -> tuple[str, ...] | None:
    try:
        out = run_git(repo, "ls-files", "-co", "--exclude-standard", "-z", timeout=60)
    except GitError:
        return None
    paths = [p for p in out.decode("utf-8", "replace").split("\0") if p]
    return tuple(sorted(p for p in paths if "legacy" in Path(p).name.lower() and (repo / p).exists()))
