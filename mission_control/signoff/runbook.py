"""The plan's runbook: its shell code blocks, run one at a time in the repository.

Blocks in ``bash``/``sh``/``shell``/``zsh``/``console`` fences are commands (rollback, launch,
integration, deployment), listed under their headings. :func:`run_block` runs one with
``bash -c`` (``sh`` where there is no bash) in the repo, in its own session and process group
with default signal handling (an app started with SIGINT ignored must not pass that on),
streams each output line to ``on_event``, and stops on the cancel token: SIGTERM to the group,
then SIGKILL after a grace period, so child processes never outlive a Stop. The outcome is
told truthfully (:attr:`RunResult.outcome`): a run that ended by itself before the Stop reached
it is "completed" or "failed", never "stopped". :func:`record_run` appends the exit status and
the output tail to the sign-off ledger.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from mission_control.plan import Plan
from mission_control.signoff.ledger import JSONObject, LedgerEntry
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

SHELL_LANGS: Final = ("bash", "sh", "shell", "zsh", "console", "shell-session")
TAIL_LINES: Final = 40
GRACE_SECONDS: Final = 3.0


@dataclass(frozen=True)
class RunbookBlock:
    """A runnable code block: its headings, command text, first line in the plan."""

    heading: tuple[str, ...]
    text: str
    line: int
    lang: str = "bash"

    @property
    def title(self) -> str:
        """The nearest heading (``Phase 2: Integration (Hour 14)``), else ``line N``."""
        return self.heading[-1].rstrip(":") if self.heading else f"line {self.line}"

    @property
    def summary(self) -> str:
        """The first command line (comments skipped), for lists."""
        for row in self.text.splitlines():
            if row.strip() and not row.lstrip().startswith("#"):
                return row.strip()
        return self.text.strip().splitlines()[0] if self.text.strip() else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "heading": list(self.heading),
            "title": self.title,
            "line": self.line,
            "lang": self.lang,
            "text": self.text,
        }


@dataclass(frozen=True)
class RunResult:
    """How a run ended: ``exit_status`` (negative: killed by that signal), ``stopped`` by the lead."""

    exit_status: int | None
    output_tail: tuple[str, ...]
    duration: float
    stopped: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not self.stopped

    @property
    def outcome(self) -> str:
        """``completed`` (exit status 0), ``failed`` (non-zero, or it could not start) or ``stopped`` (by Stop)."""
        if self.stopped:
            return "stopped"
        return "completed" if self.ok else "failed"

    def summary(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        if self.stopped:
            return f"stopped after {self.duration:.1f} s"
        return f"{self.outcome}: exit status {self.exit_status} after {self.duration:.1f} s"


def runbook_blocks(plan: Plan) -> list[RunbookBlock]:
    """The plan's shell blocks in document order."""
    return [
        RunbookBlock(tuple(b.heading), b.text, b.line, b.lang.lower())
        for b in plan.code_blocks
        if (b.lang or "").lower() in SHELL_LANGS and b.text.strip()
    ]


def _shell() -> list[str]:
    bash = shutil.which("bash")
    return [bash, "-c"] if bash else ["/bin/sh", "-c"]


def run_block(
    repo: str | Path,
    block: RunbookBlock | str,
    *,
    on_event: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run ``block`` in ``repo`` with live output lines to ``on_event``; never raises for a failed run."""
    text = block.text if isinstance(block, RunbookBlock) else block
    emit = on_event or (lambda _line: None)
    report = on_progress or no_progress
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            [*_shell(), text],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_default_signals,  # noqa: PLW1509 -- only signal.signal: no lock, no import, no allocation-heavy work
            env={**os.environ, **(env or {})},
        )
    except OSError as exc:
        return RunResult(None, (), 0.0, error=f"{repo}: cannot start the command: {exc.strerror or exc}")
    report(Progress(0, 0, f"running in {repo} (pid {proc.pid})"))
    reader = threading.Thread(target=_pump, args=(proc, tail, emit), daemon=True)
    reader.start()
    stopped = _wait(proc, cancel)
    reader.join(timeout=GRACE_SECONDS)
    return RunResult(proc.returncode, tuple(tail), time.monotonic() - started, stopped)


STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP)


def _default_signals() -> None:
    """In the child, before exec: default handling for the signals a Stop or a terminal sends.

    Ignored signals survive exec; a runner started with SIGINT ignored (``nohup``, a background
    job, a test harness) would otherwise hand that on to every command it runs.
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _pump(proc: subprocess.Popen[bytes], tail: deque[str], emit: Callable[[str], None]) -> None:
    stdout = proc.stdout
    if stdout is None:  # never: run_block pipes it
        return
    for raw in iter(stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        tail.append(line)
        emit(line)
    stdout.close()


def _wait(proc: subprocess.Popen[bytes], cancel: CancelToken | None) -> bool:
    """Wait for the process; on cancel stop its whole group. True if the Stop ended it."""
    while proc.poll() is None:
        if cancel is not None and cancel.wait(0.1):
            return stop_group(proc)
        if cancel is None:
            time.sleep(0.1)
    return False


def stop_group(proc: subprocess.Popen[bytes]) -> bool:
    """SIGTERM the process group, then SIGKILL it if it is still there after the grace period.

    Returns whether the signal reached a running process: False when it had already exited by
    itself (it is then reported as completed or failed, not as stopped).
    """
    if proc.poll() is not None:
        _kill_leftovers(proc.pid)  # its background children must not outlive the Stop either
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            proc.wait()
            return True
        try:
            proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:
            _kill_leftovers(proc.pid)
        return True
    proc.wait()
    return True


def _kill_leftovers(pgid: int) -> None:
    """The leader has exited; children that ignored SIGTERM (or were left running) must not outlive the Stop."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def record_run(repo: str | Path, block: RunbookBlock, result: RunResult, now: datetime | None = None) -> LedgerEntry:
    """Append the run (command, exit status, output tail, who, when, commit) to the ledger."""
    from mission_control.signoff.actions import make_entry
    from mission_control.signoff.ledger import append_entry

    subject = _Subject(block.summary or block.title, block.heading)
    extra: JSONObject = {
        "command": block.text,
        "plan_line": block.line,
        "exit_status": result.exit_status,
        "stopped": result.stopped,
        "outcome": result.outcome,
        "duration": round(result.duration, 3),
        "output_tail": list(result.output_tail),
        "error": result.error,
    }
    return append_entry(repo, make_entry(repo, "run", subject, now=now, extra=extra))


@dataclass(frozen=True)
class _Subject:
    text: str
    heading: Sequence[str]


def last_runs(entries: Sequence[LedgerEntry]) -> dict[tuple[tuple[str, ...], str], LedgerEntry]:
    """The latest ledger run entry per (heading, command text)."""
    latest: dict[tuple[tuple[str, ...], str], LedgerEntry] = {}
    for entry in entries:
        if entry.kind == "run":
            latest[(tuple(entry.heading), entry.extra.get("command", ""))] = entry
    return latest
