"""Hostile input never crashes or hangs the CLI: a clear message naming the file (and line), exit 0/1/2.

Each reproducer comes from an attack on the product (overflowing epoch dates, superscript digits,
huge time-zone offsets, excluded weekends near the year 9999 or over 9000 years, truncated UTF-16,
UTF-16 without a BOM, a FIFO as the plan, a ledger line nested 100,000 deep, rescheduling an
unscheduled task) and failed on the code before it. An unexpected exception has its own exit code,
3, never the "problems found" code 1. A hypothesis fuzzer runs random plan text through the commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mission_control import cli
from mission_control.plan import gantt as gantt_module
from mission_control.plan import loader, parse_plan
from mission_control.plan.model import Task

ROOT = Path(__file__).resolve().parent.parent


def _gantt(body: str) -> str:
    return f"# Plan\n\n```mermaid\ngantt\n{body}\n```\n"


HOSTILE = {
    "epoch-ms-overflow": _gantt("  dateFormat x\n  section S\n  A :a, 99999999999999999999999, 1h"),
    "epoch-s-negative": _gantt("  dateFormat X\n  section S\n  A :a, -99999999999999999999, 1h"),
    "superscript-digit": _gantt("  dateFormat x\n  section S\n  A :a, ², 1h"),
    "offset-out-of-range": _gantt("  dateFormat YYYY-MM-DD ZZ\n  section S\n  A :a, 2024-01-01 +9999, 1h"),
    "excludes-past-9999": _gantt("  dateFormat YYYY-MM-DD\n  excludes weekends\n  section S\n  A :a, 9999-12-20, 10d"),
    "excludes-9000-years": _gantt(
        "  dateFormat YYYY-MM-DD\n  excludes weekends\n  section S\n  A :a, 0001-01-01, 9000y"
    ),
}


def _run(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "mission_control", *args],
        capture_output=True,
        text=True,
        timeout=timeout,  # a hang fails the test instead of stalling the suite
        cwd=cwd,
        env=env,
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_dates_give_a_line_numbered_error_not_a_traceback(tmp_path, name):
    plan = tmp_path / f"{name}.md"
    plan.write_text(HOSTILE[name])
    for command in (["check", str(plan)], ["plan", "show", str(plan), "--json"]):
        result = _run(*command)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
    check = _run("check", str(plan))
    line = HOSTILE[name].splitlines().index(HOSTILE[name].splitlines()[-2]) + 1  # the task's line
    assert f"{name}.md:{line}:" in check.stdout + check.stderr


def test_excludes_over_9000_years_is_computed_by_weeks(tmp_path):
    plan = parse_plan(_gantt("  dateFormat YYYY-MM-DD\n  excludes weekends\n  section S\n  A :a, 0001-01-01, 5000y"))
    task = plan.tasks[0]
    assert task.end is not None and task.end.year > 5000  # 5000 years plus the weekends they contain


def test_a_fifo_or_device_is_refused_not_read(tmp_path):
    fifo = tmp_path / "plan.md"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = _run("check", str(path), timeout=30)
        assert result.returncode == 2
        assert "not a regular file" in result.stderr and str(path) in result.stderr


def test_utf16_plans_with_and_without_bom_and_truncated(tmp_path):
    text = _gantt("  dateFormat HH:mm\n  section S\n  A task :a, 00:00, 1h")
    (tmp_path / "bom.md").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (tmp_path / "nobom.md").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "be.md").write_bytes(text.encode("utf-16-be"))
    (tmp_path / "cut.md").write_bytes((b"\xff\xfe" + text.encode("utf-16-le"))[:51])
    for name in ("bom.md", "nobom.md", "be.md"):
        result = _run("check", str(tmp_path / name))
        assert result.returncode == 0 and "1 task," in result.stdout, (name, result.stdout, result.stderr)
    cut = _run("check", str(tmp_path / "cut.md"))
    assert cut.returncode == 2 and "cut.md" in cut.stderr and "truncated" in cut.stderr
    assert "Traceback" not in cut.stderr


def test_rescheduling_an_unscheduled_task_is_refused_with_its_line(tmp_path, capsys):
    plan = tmp_path / "plan.md"
    plan.write_text(_gantt("  dateFormat HH:mm\n  section S\n  A :a, 00:00, 1h\n  C :c, not-a-time, 1h"))
    before = plan.read_bytes()
    for option in (["--duration", "2d"], ["--start", "01:00"]):
        code = cli.run(["reschedule", str(plan), "c", *option])
        assert code in (1, 2)
        assert "plan.md:8" in capsys.readouterr().err
    assert plan.read_bytes() == before


def test_a_ledger_line_nested_100000_deep_is_skipped_with_a_warning(git_repo):
    (git_repo / "plan.md").write_text(
        "# Plan\n\n- [ ] item one\n\n" + _gantt("  dateFormat HH:mm\n  section S\n  A :a, 00:00, 1h")
    )
    (git_repo / ".mission-control").mkdir()
    (git_repo / ".mission-control" / "signoffs.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n")
    for command in (["checklist"], ["tasks"], ["signoff", "item one"]):
        result = _run(*command, "--repo", str(git_repo))
        assert result.returncode in (0, 1), (command, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.allow_log_errors(match="^internal error in")
def test_an_internal_error_exits_3_with_one_line_and_the_traceback_in_the_log(tmp_path, monkeypatch, capsys):
    def broken(namespace):
        raise ZeroDivisionError("division by zero in a handler")

    namespace = cli.build_parser().parse_args(["check", str(tmp_path / "x.md")])
    monkeypatch.setattr(cli, "build_parser", lambda: _ParserReturning(namespace, broken))

    code = cli.run(["check", "x.md"])

    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERNAL == 3
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError" in err
    log = Path(err.split("details in ")[1].split(";")[0])
    assert "Traceback" in log.read_text(encoding="utf-8") and "division by zero in a handler" in log.read_text()


class _ParserReturning:
    """A stand-in parser whose namespace runs ``handler``: the way a bug in any command would surface."""

    def __init__(self, namespace, handler) -> None:
        self.namespace = namespace
        self.namespace.handler = handler

    def parse_args(self, args):
        return self.namespace


# --- the faster algorithms agree with the plain ones they replace ---------------------------------------


def _naive_match(tasks: list[Task], node_id: str, label: str):
    """The matcher before indexing: every task tried for every node (the oracle)."""
    by_key = {t.key: t for t in tasks}
    if node_id in by_key:
        return node_id
    words = loader._normal(label).split()
    if not words:
        return None
    tiers = (
        lambda n, t: n == t,
        lambda n, t: len(n) <= len(t) and n[:-1] == t[: len(n) - 1] and t[len(n) - 1].startswith(n[-1]),
        lambda n, t: all(any(w.startswith(x) for w in t) for x in n),
    )
    for tier in tiers:
        unique = list(dict.fromkeys(t.key for t in tasks if tier(words, loader._normal(t.name).split())))
        if len(unique) == 1:
            return unique[0]
        if len(unique) > 1:
            return tuple(unique[:4])
    return None


WORDS = st.sampled_from(["api", "apis", "refactor", "refactoring", "agent", "agents", "core", "db", "a", "ab"])


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(st.lists(WORDS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=12),
    labels=st.lists(st.lists(WORDS, min_size=0, max_size=3).map(" ".join), min_size=1, max_size=8),
)
def test_indexed_label_matcher_agrees_with_the_naive_one(names, labels):
    tasks = [
        Task(key=f"t{i}", id=f"t{i}", name=name, section="S", tags=(), line=i + 1, start_item=None, end_item="1h")
        for i, name in enumerate(names)
    ]
    matcher = loader._TaskMatcher(tasks)
    for index, label in enumerate(labels):
        key, problem = matcher.match(f"n{index}", label)
        expected = _naive_match(tasks, f"n{index}", label)
        if isinstance(expected, tuple):
            assert key is None and all(repr(tasks[int(k[1:])].name) in problem for k in expected)
        else:
            assert key == expected


EXCLUDES = st.lists(
    st.sampled_from(["weekends", "monday", "friday", "2024-01-10", "2024-02-29", "2024-03-01"]), max_size=4, unique=True
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    excludes=EXCLUDES,
    includes=st.lists(st.sampled_from(["2024-01-13", "2024-02-03"]), max_size=2, unique=True),
    start=st.integers(0, 60),
    days=st.integers(0, 120),
    weekend=st.sampled_from(["friday", "saturday"]),
)
def test_week_steps_over_excluded_days_agree_with_walking_day_by_day(
    monkeypatch, excludes, includes, start, days, weekend
):
    first = datetime(2024, 1, 1) + timedelta(days=start)
    body = "  dateFormat YYYY-MM-DD\n"
    body += f"  excludes {' '.join(excludes)}\n" if excludes else ""
    body += f"  includes {' '.join(includes)}\n" if includes else ""
    body += f"  weekend {weekend}\n  section S\n  A :a, {first:%Y-%m-%d}, {days}d"
    fast = parse_plan(_gantt(body)).tasks[0].end
    with monkeypatch.context() as patch:
        patch.setattr(gantt_module, "_any_within", lambda *args: True)  # never step a week: the old walk
        slow = parse_plan(_gantt(body)).tasks[0].end
    assert fast == slow


# --- a fuzzer over plan text and the commands -----------------------------------------------------------

LINES = st.sampled_from(
    [
        "```mermaid",
        "```",
        "gantt",
        "graph TD",
        "dateFormat HH:mm",
        "dateFormat x",
        "dateFormat YYYY-MM-DD ZZ",
        "dateFormat X",
        "excludes weekends",
        "includes 2024-01-06",
        "weekend friday",
        "section Team Alpha",
        "A task :a1, 00:00, 2h",
        "B :b, after a1, 1h",
        "C :c, after zz, 3d",
        "D :crit, d, 2024-01-01, 9000y",
        "E :e, 99999999999999999999, 1h",
        "F :f, ², 1h",
        "G :g, 2024-01-01 +9999, 1h",
        "H :h, until a1",
        "a1 --> b",
        "b -->|Can Start Parallel| c",
        "N[Task] --> M[A task]",
        "- [ ] deploy $(touch x)",
        "- [x] done",
        "## Rollback",
        "mission-control rollback ws",
        "todayMarker off",
        "axisFormat %H",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=25),
    command=st.sampled_from(["check", "show", "reschedule", "duration"]),
)
def test_fuzzed_plans_never_crash_the_cli(tmp_path, capsys, lines, command):
    plan = tmp_path / "fuzz.md"
    plan.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    args = {
        "check": ["check", str(plan)],
        "show": ["plan", "show", str(plan), "--json"],
        "reschedule": ["reschedule", str(plan), "a1", "--start", "01:00", "--cascade"],
        "duration": ["reschedule", str(plan), "b", "--duration", "2d"],
    }[command]
    code = cli.run(args)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err


COMMANDS = st.sampled_from(
    [
        ["plan", "show"],
        ["check"],
        ["checklist"],
        ["tasks"],
        ["status"],
        ["snapshots"],
        ["mission", "show"],
        ["metrics"],
        ["codemod", "history"],
        ["signoff"],
        ["reschedule"],
        ["components", "add-paths"],
    ]
)
ARGS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "--json",
                "--repo",
                ".",
                "--plan",
                "plan.md",
                "nope.md",
                "--revoke",
                "--reason",
                "x",
                "--start",
                "01:00",
                "--duration",
                "2d",
                "--cascade",
                "--dry-run",
                "a1",
                "b",
                "item one",
                "-h",
                "--full",
                "ws",
                "--force",
                "",
                "\x00",
                "--",
                "-",
                "plan.md/..",
                "../outside",
                "9" * 40,
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=COMMANDS, args=ARGS)
def test_fuzzed_command_lines_never_crash(git_repo, capsys, monkeypatch, command, args):
    """Any mix of the read-and-edit commands and their flags: a result or a usage message, never a bug."""
    if not (git_repo / "plan.md").exists():
        (git_repo / "plan.md").write_text(
            "# Plan\n\n- [ ] item one\n\n"
            + _gantt("  dateFormat HH:mm\n  section S\n  A :a1, 00:00, 1h\n  B :b, after a1, 1h")
        )
    monkeypatch.chdir(git_repo)
    try:
        code = cli.run([*command, *args])
    except SystemExit as exc:  # argparse's own exit for -h inside a subcommand
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
