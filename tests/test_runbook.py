"""The runbook: the plan's shell blocks, a real run with live output, a real stop, the ledger record."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers import process_alive, wait_until

from mission_control.cli import run as cli
from mission_control.plan import load_plan, parse_plan
from mission_control.signoff import read_ledger
from mission_control.signoff.runbook import GRACE_SECONDS, record_run, run_block, runbook_blocks
from mission_control.util.progress import CancelToken

PLAN = """# Plan

## Rollback Strategy:
```bash
echo rolling back
echo "in $(basename "$PWD")"
exit 3
```

## Monitoring
```python
print("not a shell block")
```

## Launch (Hour 0)
```sh
echo launched
```
"""


def test_sample_plan_blocks_are_its_shell_commands(sample_plan_path: Path) -> None:
    blocks = runbook_blocks(load_plan(sample_plan_path).plan)
    assert [b.title for b in blocks] == [
        "Rollback Strategy",
        "Phase 1: Launch All Teams (Hour 0)",
        "Phase 2: Integration (Hour 14)",
        "Phase 3: Cutover (Hour 18)",
    ]
    assert blocks[0].summary == "python scripts/emergency_rollback.py --component factory"
    assert "--full" in blocks[0].text


def test_run_streams_output_in_the_repo_and_records_it(git_repo: Path) -> None:
    block = runbook_blocks(parse_plan(PLAN))[0]
    lines: list[str] = []
    result = run_block(git_repo, block, on_event=lines.append)
    assert lines == ["rolling back", f"in {git_repo.name}"]
    assert result.exit_status == 3 and not result.ok and not result.stopped
    entry = record_run(git_repo, block, result)
    (stored,) = read_ledger(git_repo).entries
    assert stored.kind == "run" and stored.heading == ("Rollback Strategy:",)
    assert stored.extra["exit_status"] == 3 and stored.extra["output_tail"] == lines
    assert stored.extra["command"] == block.text and stored.who == "Test Lead" and entry.line == 1


def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pidfile}; echo started; wait"
    token = CancelToken()
    lines: list[str] = []
    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(r=run_block(tmp_path, script, on_event=lines.append, cancel=token))
    )
    thread.start()
    wait_until(lambda: lines and pidfile.exists() and pidfile.read_text().strip(), timeout=10)
    child = int(pidfile.read_text())
    assert process_alive(child)
    token.cancel()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert outcome["r"].stopped and outcome["r"].exit_status != 0
    assert wait_until(lambda: not process_alive(child), timeout=5)  # the reaper may need a moment


def test_cli_runbook_list_and_run(git_repo: Path, capsys) -> None:
    (git_repo / "plan.md").write_text(PLAN.replace("```python", "```mermaid\ngantt\n```\n```python"))
    assert cli(["runbook", "list", "--repo", str(git_repo), "--plan", str(git_repo / "plan.md")]) == 0
    out = capsys.readouterr().out
    assert "1. Rollback Strategy:" in out and "2. Launch (Hour 0)" in out and "not a shell" not in out
    args = ["runbook", "run", "--repo", str(git_repo), "--plan", str(git_repo / "plan.md")]
    assert cli([*args, "2"]) == 1  # not a terminal and no --yes: nothing runs
    assert read_ledger(git_repo).entries == ()
    assert cli([*args, "2", "--yes"]) == 0
    assert "launched" in capsys.readouterr().out
    assert cli([*args, "1", "--yes"]) == 1
    assert [e.extra["exit_status"] for e in read_ledger(git_repo).entries] == [0, 3]
    assert cli([*args, "9", "--yes"]) == 2


RUNNER = """
import signal, sys, threading, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # how nohup, a background job or a harness starts the app
from mission_control.signoff.runbook import run_block
from mission_control.util.progress import CancelToken

token, lines = CancelToken(), []
script = "grep -E '^SigIgn' /proc/$$/status; echo started; sleep 300"
threading.Thread(target=lambda: (time.sleep(1.5), token.cancel()), daemon=True).start()
started = time.monotonic()
result = run_block(sys.argv[1], script, on_event=lines.append, cancel=token)
print(lines[0])
print(result.outcome, result.exit_status, round(time.monotonic() - started, 1))
"""


def test_children_get_default_signals_and_stop_ends_them_as_stopped(tmp_path: Path) -> None:
    """A runner started with SIGINT ignored: its command still has SIGINT at default, and Stop ends it promptly."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tmp_path)], capture_output=True, text=True, timeout=60, check=True
    )
    sig_ign, summary = done.stdout.splitlines()[-2:]
    mask = int(sig_ign.split()[1], 16)
    assert not mask & (1 << (signal.SIGINT - 1)), sig_ign  # the child does not inherit "ignore SIGINT"
    outcome, status, seconds = summary.split()
    assert outcome == "stopped" and int(status) == -signal.SIGTERM
    assert float(seconds) < 1.5 + GRACE_SECONDS  # SIGTERM ended it; no wait for the SIGKILL


class _LateStop(CancelToken):
    """Stop clicked just as the command finished by itself: the cancel arrives after its exit."""

    def wait(self, timeout: float) -> bool:
        time.sleep(0.5)
        return True


def test_a_run_that_ended_by_itself_is_completed_not_stopped(tmp_path: Path) -> None:
    result = run_block(tmp_path, "echo done", cancel=_LateStop())
    assert (result.outcome, result.exit_status, result.stopped) == ("completed", 0, False)
    assert result.summary().startswith("completed")
    failed = run_block(tmp_path, "exit 4", cancel=_LateStop())
    assert (failed.outcome, failed.exit_status) == ("failed", 4)
