"""One call for the faces: resolve a selection, run it, store it in history, raise alerts.

The CLI and the UI's Tests dock both call :func:`run_project_tests` (the UI from a worker thread,
turning ``on_event``/``on_progress`` into signals and holding the :class:`CancelToken`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mission_control.config import ConfigError, ProjectConfig, load_config
from mission_control.history import History, HistoryError, TestRunRecord, history_path, open_history
from mission_control.testing.interpreter import InterpreterError, find_interpreter
from mission_control.testing.results import FAILING, EventCallback, TestRunResult
from mission_control.testing.runner import DEFAULT_IDLE_TIMEOUT, EXIT_UNAVAILABLE, run_tests
from mission_control.testing.selection import (
    Selection,
    SelectionError,
    resolve_selection,
    test_exists,
)
from mission_control.util.git import head_commit
from mission_control.util.progress import CancelToken, ProgressCallback

GREEN_SELECTIONS = ("all", "affected")
#: Below this many seconds (the last recorded run of the selection) xdist's start-up costs more
#: than it saves: the run stays serial.
PARALLEL_MIN_SECONDS = 10.0
#: Fewer cores than this: serial.
PARALLEL_MIN_CORES = 2


@dataclass(frozen=True)
class Parallelism:
    """How a run uses pytest-xdist: ``workers`` for ``-n`` (None: serial) and why, for the output."""

    workers: int | None
    reason: str


def decide_parallelism(
    requested: str | int | None,
    *,
    cores: int | None,
    last_duration: float | None,
    has_xdist: bool,
    load: float | None = None,
) -> Parallelism:
    """Whether "parallel by default" runs with ``-n``: never when it would be slower than plain pytest.

    ``requested`` None means serial, an int that many workers, "auto" decides: serial without
    xdist, below :data:`PARALLEL_MIN_CORES` cores, with no recorded run to go by, or when the last
    one took under :data:`PARALLEL_MIN_SECONDS`; else one worker per core left free by the
    machine's ``load`` (the 1-minute load average), and serial when that leaves fewer than
    :data:`PARALLEL_MIN_CORES`: workers fighting other processes for the cores are slower than one
    process (measured: 1.6-2x slower on a busy 2-core machine).
    """
    if requested is None:
        return Parallelism(None, "serial: parallel runs are off")
    if not has_xdist:
        return Parallelism(None, "serial: pytest-xdist is not installed")
    if isinstance(requested, int) or requested != "auto":
        return Parallelism(int(requested), f"-n {requested}")
    cores = cores or 1
    if cores < PARALLEL_MIN_CORES:
        return Parallelism(None, f"serial: {cores} core")
    if last_duration is None:
        return Parallelism(None, "serial: no recorded run to judge the suite's length by")
    if last_duration < PARALLEL_MIN_SECONDS:
        return Parallelism(None, f"serial: last run {last_duration:.0f} s")
    if load is None:
        return Parallelism(cores, f"-n {cores}: last run {last_duration:.0f} s")
    free = min(cores, int(cores - load + 0.5))
    if free < PARALLEL_MIN_CORES:
        return Parallelism(None, f"serial: the machine is busy (load {load:.1f} on {cores} cores)")
    return Parallelism(free, f"-n {free}: last run {last_duration:.0f} s, load {load:.1f} on {cores} cores")


def machine_load() -> float | None:
    """The 1-minute load average (None where the system has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def last_duration(history: History, selection: str) -> float | None:
    """How long the last recorded run of ``selection`` (else of the whole suite) took."""
    runs = history.test_runs(limit=100)
    for wanted in (selection, "all"):
        for run in runs:
            if run.selection == wanted and run.exit_code in (0, 1):
                return run.duration
    return None


@dataclass(frozen=True)
class Alert:
    """Something the lead must see now; ``level`` "critical" for a test regression."""

    level: str
    title: str
    message: str
    nodeids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectRun:
    """A run with its context: the result, the stored history record, alerts and how tests were chosen."""

    result: TestRunResult
    record: TestRunRecord | None = None
    alerts: tuple[Alert, ...] = ()
    note: str = ""
    parallel: str = ""  # "serial: last run 3 s", "-n 2: last run 40 s"


@dataclass(frozen=True)
class RecordedRun:
    """What the history remembers of the last run: its record and every test's last known outcome."""

    record: TestRunRecord
    outcomes: dict[str, str]


def last_recorded_run(repo: Path) -> RecordedRun | None:
    """The newest stored run of ``repo`` with the last outcome of every test (None without history;
    a history that cannot be read counts as none). Reads only: no history file is created."""
    if not history_path(repo).is_file():
        return None
    try:
        with open_history(repo) as history:
            runs = history.test_runs(limit=1)
            return RecordedRun(runs[0], history.last_outcomes()) if runs else None
    except HistoryError:
        return None


def regression_alerts(record: TestRunRecord) -> tuple[Alert, ...]:
    """The plan's critical alert: tests that passed the last time they ran and fail now."""
    if not record.regressions:
        return ()
    names = record.regressions
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (
        Alert(
            "critical",
            "Test regression detected",
            f"{len(names)} test(s) passed in the previous run and fail now: {shown}",
            names,
        ),
    )


def record_run(
    history: History, result: TestRunResult, commit: str | None, when: datetime | None = None
) -> tuple[TestRunRecord, tuple[Alert, ...]]:
    """Store ``result`` in ``history`` and return the record with its alerts."""
    record = history.record_test_run(
        selection=result.selection,
        exit_code=result.exit_code,
        duration=result.duration,
        totals=result.totals,
        outcomes=result.outcomes,
        commit=commit,
        when=when,
        collection_errors=len(result.collection_errors),
    )
    return record, regression_alerts(record)


def run_project_tests(
    repo: Path,
    selection: Selection | None = None,
    *,
    config: ProjectConfig | None = None,
    extra_args: tuple[str, ...] = (),
    workers: str | int | None = "auto",
    timeout: float | None = None,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    store: bool = True,
    on_event: EventCallback | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ProjectRun:
    """Run ``selection`` in ``repo`` with its configured interpreter; store it unless ``store`` is False.

    History is read either way (``failed`` and ``affected`` need it); ``store`` only decides
    whether this run is recorded. ``workers`` "auto" uses xdist only when it cannot be slower
    than plain pytest (:func:`decide_parallelism`); the run's ``parallel`` says what was chosen.

    Never raises for expected failures: a bad config, an unusable interpreter or an empty
    selection come back as a result with exit code 4 (or 5 for "nothing to run") and a message.
    Cancelled and unavailable runs are not stored.
    """
    repo = Path(repo)
    selection = Selection() if selection is None else selection
    started = datetime.now(UTC)
    try:
        config = config if config is not None else load_config(repo)
        interpreter = find_interpreter(repo, config.python)
        with _history(repo) as history:
            last = history.last_outcomes()
            gone = [n for n, o in last.items() if o in FAILING and not test_exists(repo, n)]
            if gone and store:
                history.forget_tests(gone)  # deleted or renamed: `--failed` must not ask for them
            resolved = resolve_selection(
                repo,
                selection,
                config,
                last_outcomes=last,
                green_commit=_green_commit(history),
                has_testmon=interpreter.has_testmon,
            )
            commit = head_commit(repo)
            parallel = decide_parallelism(
                workers,
                cores=available_cores(),
                last_duration=last_duration(history, selection.label),
                has_xdist=interpreter.has_xdist,
                load=machine_load(),
            )
            result = run_tests(
                repo,
                config.pytest_args + resolved.args + tuple(extra_args),
                selection=selection.label,
                interpreter=interpreter,
                workers=parallel.workers,
                timeout=timeout,
                idle_timeout=idle_timeout,
                on_event=on_event,
                on_progress=on_progress,
                cancel=cancel,
                env=config.test_env,
            )
            if not store or result.cancelled or result.exit_code == EXIT_UNAVAILABLE:
                return ProjectRun(result, note=resolved.note, parallel=parallel.reason)
            record, alerts = record_run(history, result, commit, when=started)
            return ProjectRun(result, record, alerts, resolved.note, parallel.reason)
    except SelectionError as exc:
        return _failed(selection, str(exc), exc.exit_code)
    except (ConfigError, InterpreterError, HistoryError) as exc:
        return _failed(selection, str(exc), EXIT_UNAVAILABLE)


def _failed(selection: Selection, message: str, code: int) -> ProjectRun:
    return ProjectRun(TestRunResult(code, 0.0, {}, message=message, selection=selection.label))


def _green_commit(history: History) -> str | None:
    green = history.last_green_run(GREEN_SELECTIONS)
    return green.commit if green else None


class _history:
    """Context manager yielding the project's history: always read (``--failed``, ``--affected``),
    written only when the run is stored."""

    def __init__(self, repo: Path) -> None:
        self.history = open_history(repo)

    def __enter__(self) -> History:
        return self.history

    def __exit__(self, *exc: object) -> None:
        self.history.close()
