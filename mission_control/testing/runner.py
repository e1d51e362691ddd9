"""Run a repository's own pytest in a subprocess and stream its results per test.

The target environment needs nothing installed: the one-file plugin in ``plugin/`` is put on
``PYTHONPATH`` and loaded with ``-p mission_control_stream``; it appends JSON lines to a file this
module tails while the run goes on. pytest runs in its own process group (session), so a cancel
or a timeout sends SIGINT to the whole group (pytest finishes cleanly and says which test it was
in), then kills the group after a short grace period: xdist workers and anything the tests
spawned go with it.

Expected failures (no pytest, a crashing interpreter, a hang, no tests) come back as a
:class:`TestRunResult` with a clear ``message``; nothing here raises for them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from mission_control.testing.interpreter import Interpreter, InterpreterError, find_interpreter
from mission_control.testing.results import (
    OUTCOMES,
    Collected,
    Collecting,
    CollectionError,
    CollectionFailed,
    EventCallback,
    RunEvent,
    TestFinished,
    TestResult,
    TestRunResult,
    TestStarted,
)
from mission_control.util.progress import CancelToken, Progress, ProgressCallback

#: One parsed line of the plugin's stream (shapes in :mod:`.plugin.mission_control_stream`); it comes
#: from another process, so its fields are read defensively rather than trusted.
StreamEvent = dict[str, Any]

PLUGIN_DIR = Path(__file__).resolve().parent / "plugin"
PLUGIN_MODULE = "mission_control_stream"
STREAM_ENV = "MISSION_CONTROL_STREAM"
PACKAGES_ENV = "MISSION_CONTROL_PACKAGES"
_NOT_PACKAGES = {"tests", "test", "testing", "docs", "build", "dist", "venv", "env", "node_modules"}
POLL_SECONDS = 0.05
OUTPUT_KEEP = 200_000
EXIT_INTERRUPTED = 2
EXIT_INTERNAL = 3
EXIT_UNAVAILABLE = 4
EXIT_NO_TESTS = 5
#: A run that neither prints nor reports a result for this long is stopped (a hung test).
DEFAULT_IDLE_TIMEOUT = 900.0


def build_command(interpreter: Interpreter, args: Sequence[str] = (), workers: str | int | None = "auto") -> list[str]:
    """The pytest command line: the streaming plugin, xdist when available, then ``args``."""
    cmd = [interpreter.path, "-m", "pytest", "-p", PLUGIN_MODULE, "--color=no"]
    if workers is not None and interpreter.has_xdist:
        cmd += ["-n", str(workers)]
    return cmd + list(args)


def packages_under_test(repo: Path) -> tuple[str, ...]:
    """The top-level packages and modules the repository itself holds (``src/`` layout or flat)."""
    found: set[str] = set()
    for folder in (repo / "src", repo):
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            name = child.stem if child.suffix == ".py" else child.name
            if not name.isidentifier() or name.startswith(("_", "test")) or name in _NOT_PACKAGES:
                continue
            package = child.is_dir() and (child / "__init__.py").is_file()
            src_module = child.is_file() and child.suffix == ".py" and folder.name == "src" and name != "conftest"
            if package or src_module:
                found.add(name)
    return tuple(sorted(found))


def build_env(
    stream_path: Path,
    base: dict[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
    packages: Sequence[str] = (),
) -> dict[str, str]:
    """The child's environment: ``extra`` (the config's ``[tests] env``) over ``base``, the plugin
    folder first on PYTHONPATH, no leaked xdist state."""
    env = dict(os.environ if base is None else base)
    env.update(extra or {})
    for key in list(env):
        if key.startswith("PYTEST_XDIST_") or key == "PYTEST_CURRENT_TEST":
            del env[key]
    env[PACKAGES_ENV] = ",".join(packages)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(PLUGIN_DIR) + (os.pathsep + old if old else "")
    env[STREAM_ENV] = str(stream_path)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


class _Tail:
    """Reads complete JSON lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""

    def read(self) -> list[StreamEvent]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self.offset += len(chunk)
        lines = (self.partial + chunk).split(b"\n")
        self.partial = lines.pop()
        events: list[StreamEvent] = []
        for line in lines:
            try:
                events.append(json.loads(line))
            except ValueError:
                continue  # a torn or foreign line: skip it, never stop the run
        return events


@dataclass
class _State:
    """Everything folded from the stream so far."""

    total: int = 0
    collected: int | None = None
    done: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    tests: list[TestResult] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    current: str | None = None
    started: bool = False
    finish: StreamEvent | None = None
    stopped_where: str | None = None
    imports: dict[str, str] = field(default_factory=dict)

    def where(self) -> str:
        """Where the run is now, for a cancel or timeout message."""
        if self.current:
            return f"while running {self.current}"
        return "while collecting tests" if self.collected is None else "between tests"

    def count(self, category: str) -> None:
        if category in self.totals:
            self.totals[category] += 1


class _Dispatcher:
    """Turns stream lines into state and callbacks (cheap per test: one dataclass, two calls)."""

    def __init__(self, on_event: EventCallback | None, on_progress: ProgressCallback | None) -> None:
        self.state = _State()
        self.on_event = on_event
        self.on_progress = on_progress

    def handle(self, data: StreamEvent) -> None:
        handler = getattr(self, "_on_" + str(data.get("e")), None)
        if handler is not None:
            handler(data)

    def _emit(self, event: RunEvent, message: str) -> None:
        if self.on_event is not None:
            self.on_event(event)
        if self.on_progress is not None:
            self.on_progress(Progress(self.state.done, self.state.total, message))

    def _on_start(self, data: StreamEvent) -> None:
        self.state.started = True

    def _on_collecting(self, data: StreamEvent) -> None:
        self._emit(Collecting(int(data["count"])), f"collecting: {data['count']} tests found")

    def _on_collected(self, data: StreamEvent) -> None:
        self.state.total = self.state.collected = int(data["count"])
        self._emit(Collected(self.state.total), f"collected {self.state.total} tests")

    def _on_collect(self, data: StreamEvent) -> None:
        self.state.count(data.get("category") or "")
        if data.get("outcome") == "failed":
            error = CollectionError(data["nodeid"], data.get("longrepr") or "")
            self.state.errors.append(error)
            self._emit(CollectionFailed(error), f"cannot collect {error.nodeid}")

    def _on_begin(self, data: StreamEvent) -> None:
        self.state.current = data["nodeid"]
        if self.on_event is not None:
            self.on_event(TestStarted(data["nodeid"]))

    def _on_test(self, data: StreamEvent) -> None:
        location = data.get("location")
        result = TestResult(
            data["nodeid"],
            data["outcome"],
            float(data.get("duration") or 0.0),
            data.get("longrepr"),
            tuple((s[0], s[1]) for s in data.get("sections") or ()),
            (location[0], location[1], location[2]) if location else None,
            data.get("message"),
        )
        for category in data.get("categories", ()):
            self.state.count(category)
        self.state.tests.append(result)
        self.state.done += 1
        self.state.current = None
        self._emit(TestFinished(result, self.state.done, self.state.total), result.nodeid)

    def _on_imports(self, data: StreamEvent) -> None:
        modules = data.get("modules")
        if isinstance(modules, dict) and not self.state.imports:
            self.state.imports = {str(k): str(v) for k, v in modules.items() if v}

    def _on_finish(self, data: StreamEvent) -> None:
        self.state.finish = data


def run_tests(
    repo: Path,
    args: Sequence[str] = (),
    *,
    selection: str = "all",
    interpreter: Interpreter | None = None,
    python: str | None = None,
    workers: str | int | None = "auto",
    timeout: float | None = None,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    grace: float = 3.0,
    on_event: EventCallback | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    env: Mapping[str, str] | None = None,
) -> TestRunResult:
    """Run pytest in ``repo`` with ``args`` and return the finished run.

    ``env`` is added to the child's environment (e.g. ``PYTHONPATH=src``). When a package the
    repository holds was imported from outside it (an installed, non-editable copy), the tests
    did not test the working tree: the result's ``outside_imports`` names it and its ``message``
    warns.

    ``interpreter`` (else ``python``, else the repo's venv or ours) runs pytest; ``workers``
    is passed to ``-n`` when the environment has pytest-xdist (None: never). ``on_event`` gets
    :class:`Collected`, :class:`TestStarted`, :class:`TestFinished` and :class:`CollectionFailed`
    while it runs, from the calling thread; ``on_progress`` gets done/total per test. A
    ``cancel``, a ``timeout`` (seconds) or ``idle_timeout`` seconds without output or a result
    interrupts the run and kills its process tree; so does an exception in the caller's thread
    (Ctrl-C), which is then re-raised: pytest never outlives the run.
    """
    repo = Path(repo)
    started = time.monotonic()
    if not repo.is_dir():
        return _unavailable(f"repository folder not found: {repo}", selection, started)
    if interpreter is None:
        try:
            interpreter = find_interpreter(repo, python)
        except InterpreterError as exc:
            return _unavailable(str(exc), selection, started)
    if not interpreter.has_pytest:
        return _unavailable(
            f"pytest is not installed for {interpreter.path} ({interpreter.source}); install it there "
            "or set `python` in mission-control.toml",
            selection,
            started,
        )
    cmd = build_command(interpreter, args, workers)
    with tempfile.TemporaryDirectory(prefix="mc-test-") as tmp:
        stream, out_path = Path(tmp) / "stream.jsonl", Path(tmp) / "output.txt"
        dispatcher = _Dispatcher(on_event, on_progress)
        with open(out_path, "wb") as out:
            proc = _spawn(cmd, repo, build_env(stream, extra=env, packages=packages_under_test(repo)), out)
            limits = _Limits(timeout, idle_timeout, grace, started)
            stop_reason = _pump(proc, _Tail(stream), dispatcher, cancel, limits, out_path)
        output = out_path.read_text("utf-8", errors="replace")[-OUTPUT_KEEP:]
    return _result(dispatcher.state, proc.returncode, stop_reason, limits, selection, cmd, output, repo)


def _spawn(cmd: list[str], repo: Path, env: dict[str, str], out: BinaryIO) -> subprocess.Popen[bytes]:
    kwargs: dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    return subprocess.Popen(
        cmd, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs
    )


@dataclass(frozen=True)
class _Limits:
    """When a run is stopped: ``timeout`` seconds in all, ``idle`` seconds without any sign of life."""

    timeout: float | None
    idle: float | None
    grace: float
    started: float


def _pump(
    proc: subprocess.Popen[bytes],
    tail: _Tail,
    dispatcher: _Dispatcher,
    cancel: CancelToken | None,
    limits: _Limits,
    out_path: Path,
) -> str | None:
    """Feed stream events to the dispatcher until pytest ends; return why it was stopped, if it was.

    Whatever interrupts this thread (KeyboardInterrupt, SystemExit) stops pytest's group first.
    """
    try:
        return _pump_until_done(proc, tail, dispatcher, cancel, limits, out_path)
    except BaseException:
        dispatcher.state.stopped_where = dispatcher.state.where()
        _stop(proc, tail, dispatcher, limits.grace)
        raise


def _pump_until_done(
    proc: subprocess.Popen[bytes],
    tail: _Tail,
    dispatcher: _Dispatcher,
    cancel: CancelToken | None,
    limits: _Limits,
    out_path: Path,
) -> str | None:
    reason = None
    last_sign, last_size = time.monotonic(), 0
    while proc.poll() is None:
        now = time.monotonic()
        for data in tail.read():
            dispatcher.handle(data)
            last_sign = now
        size = _size(out_path)
        if size != last_size:
            last_sign, last_size = now, size
        if cancel is not None and cancel.cancelled:
            reason = "cancelled"
        elif limits.timeout is not None and now - limits.started > limits.timeout:
            reason = "timeout"
        elif limits.idle and now - last_sign > limits.idle:
            reason = "stalled"
        if reason:
            dispatcher.state.stopped_where = dispatcher.state.where()
            _stop(proc, tail, dispatcher, limits.grace)
            break
        if cancel is not None:
            cancel.wait(POLL_SECONDS)
        else:
            time.sleep(POLL_SECONDS)
    for data in tail.read():
        dispatcher.handle(data)
    return reason


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _stop(proc: subprocess.Popen[bytes], tail: _Tail, dispatcher: _Dispatcher, grace: float) -> None:
    """SIGINT the process group, let pytest finish its session, then kill whatever is left."""
    _signal_group(proc, interrupt=True)
    deadline = time.monotonic() + grace
    while proc.poll() is None and time.monotonic() < deadline:
        for data in tail.read():
            dispatcher.handle(data)
        time.sleep(POLL_SECONDS)
    _signal_group(proc, interrupt=False)
    proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], interrupt: bool) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGINT if interrupt else signal.SIGKILL)
        elif interrupt:
            proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
        else:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)], capture_output=True)
    except (ProcessLookupError, PermissionError, OSError):
        pass  # already gone


def _unavailable(message: str, selection: str, started: float) -> TestRunResult:
    return TestRunResult(
        EXIT_UNAVAILABLE, time.monotonic() - started, dict.fromkeys(OUTCOMES, 0), message=message, selection=selection
    )


def _result(
    state: _State,
    returncode: int,
    stop_reason: str | None,
    limits: _Limits,
    selection: str,
    cmd: list[str],
    output: str,
    repo: Path,
) -> TestRunResult:
    exit_code = _exit_code(state, returncode, stop_reason)
    message = _message(state, exit_code, returncode, stop_reason, limits, output, repo)
    outside = outside_imports(state.imports, repo)
    if outside:
        warning = installed_copy_warning(outside)
        message = f"{warning}\n{message}" if message else warning
    counts = state.finish.get("counts") if state.finish else None
    return TestRunResult(
        exit_code,
        time.monotonic() - limits.started,
        dict(state.totals),
        tuple(state.tests),
        tuple(state.errors),
        message,
        stop_reason == "cancelled",
        stop_reason in ("timeout", "stalled"),
        selection,
        tuple(cmd),
        output,
        counts,
        state.collected,
        outside_imports=outside,
    )


def outside_imports(imports: Mapping[str, str], repo: Path) -> dict[str, str]:
    """The packages under test that were imported from a file outside ``repo``."""
    root = Path(repo).resolve()
    outside = {}
    for name, file in sorted(imports.items()):
        try:
            Path(file).resolve().relative_to(root)
        except ValueError:
            outside[name] = file
    return outside


def installed_copy_warning(outside: Mapping[str, str]) -> str:
    """The loud warning for tests that ran against an installed copy instead of the working tree."""
    where = "; ".join(f"{name} from {file}" for name, file in outside.items())
    return (
        f"WARNING: the tests imported {where}, outside the repository: they tested an installed copy, "
        "not your working tree, so a pass proves nothing about your changes. Install the project "
        'editable (pip install -e .) or set [tests] env = { PYTHONPATH = "src" } in mission-control.toml.'
    )


def _exit_code(state: _State, returncode: int, stop_reason: str | None) -> int:
    """pytest's exit code; 2 for a stopped run; 3 when the interpreter died mid-session."""
    if stop_reason:
        return EXIT_INTERRUPTED
    if state.finish is not None:
        return int(state.finish["exitstatus"])
    if 1 <= returncode <= 5 and not state.started:
        return returncode  # e.g. a usage error before the session began
    return EXIT_INTERNAL


def _message(
    state: _State,
    exit_code: int,
    returncode: int,
    stop_reason: str | None,
    limits: _Limits,
    output: str,
    repo: Path,
) -> str | None:
    where = state.stopped_where or state.where()
    finished = f"({state.done} of {state.total} tests finished)"
    if stop_reason == "cancelled":
        return f"cancelled {where} {finished}"
    if stop_reason == "timeout":
        return f"timed out after {limits.timeout:g} s {where} {finished}"
    if stop_reason == "stalled":
        return f"stopped: no output and no result for {limits.idle:g} s {where} {finished} (a hung test?)"
    if exit_code == EXIT_NO_TESTS:
        return f"no tests were collected in {repo}"
    if exit_code == EXIT_UNAVAILABLE:
        return f"pytest reported a usage error:\n{_tail(output)}".rstrip()
    if state.finish is None:
        how = _describe_exit(returncode)
        last = f"; last test started: {state.current}" if state.current else ""
        return f"pytest ended without finishing its session ({how}){last}\n{_tail(output)}".rstrip()
    if exit_code == EXIT_INTERNAL:
        return f"pytest reported an internal error:\n{_tail(output)}".rstrip()
    if exit_code == EXIT_INTERRUPTED and state.errors:
        names = ", ".join(e.nodeid for e in state.errors[:5])
        return f"interrupted: {len(state.errors)} error(s) during collection ({names})"
    return None


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    if not sys.platform.startswith("win") and returncode > 128:
        return f"exit code {returncode}, likely signal {returncode - 128}"
    return f"exit code {returncode}"


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join(output.strip().splitlines()[-lines:])
