"""Per-project run and metric history in one SQLite file under the user data folder.

Why SQLite: the dashboard plots tests and metrics over weeks, the runner needs "the last green
run" and "what passed last time" in milliseconds, and several threads (a scheduled test run, the
audit) write while the UI reads. One file per project keeps projects apart; WAL mode lets readers
and a writer overlap.

Tables:

* ``test_runs``   one row per run: when, commit, selection, exit code, duration, totals.
* ``run_failures`` the failing node ids of each run (failed or error).
* ``test_last``   the last known outcome of every node id, so a regression ("passed last time it
  ran, fails now") is found even when the previous run was a partial selection. A finished full
  run replaces it (tests it did not see no longer exist), so deleted tests are forgotten.
* ``metrics``     a generic (source, name, value, commit, when) series, written by any worker.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mission_control.util import appdirs
from mission_control.util.outcomes import FAILING, OUTCOMES

SCHEMA_VERSION = 1
TOTAL_KEYS = OUTCOMES  # the totals stored per run: one per outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS test_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    commit_sha TEXT,
    selection TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    duration REAL NOT NULL,
    totals TEXT NOT NULL,
    collection_errors INTEGER NOT NULL DEFAULT 0,
    green INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS test_runs_at ON test_runs(at);
CREATE TABLE IF NOT EXISTS run_failures (
    run_id INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
    nodeid TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_failures_run ON run_failures(run_id);
CREATE TABLE IF NOT EXISTS test_last (
    nodeid TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    run_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    commit_sha TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_name_at ON metrics(name, at);
"""


#: A ``test_runs`` row: id, at, commit_sha, selection, exit_code, duration, totals, collection_errors, green.
_RunRow = tuple[int, str, str | None, str, int, float, str, int, int]


class HistoryError(Exception):
    """The history database cannot be opened or used; the message names the file."""


@dataclass(frozen=True)
class TestRunRecord:
    """One stored test run.

    ``green`` means exit code 0 with no failure, error or collection error.
    """

    __test__ = False  # not a pytest test class, despite the name

    id: int
    when: datetime
    commit: str | None
    selection: str
    exit_code: int
    duration: float
    totals: Mapping[str, int]
    failing: tuple[str, ...]
    collection_errors: int = 0
    green: bool = False
    regressions: tuple[str, ...] = field(default=())


def history_path(repo: Path) -> Path:
    """The SQLite file holding ``repo``'s history: one per resolved repository path."""
    resolved = Path(repo).resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", resolved.name)[:40] or "repo"
    folder = appdirs.data_dir() / "history"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{slug}-{digest}.sqlite3"


def open_history(repo: Path) -> History:
    """Open (creating if needed) the history of the project at ``repo``."""
    return History(history_path(repo))


def _to_utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    if when.tzinfo is None:
        when = when.astimezone()  # naive = local time
    return when.astimezone(UTC)


def _iso(when: datetime | None) -> str:
    return _to_utc(when).isoformat(timespec="microseconds")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


class History:
    """A project's test-run and metric history. Thread-safe; use as a context manager or close()."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit does not wait for the disk (the database stays consistent; a
            # power cut may lose the last records). A dock records an audit on every file change.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path}: not a usable history database ({exc})") from None

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{self.path}: written by a newer Mission Control (schema {version})")
        if version == SCHEMA_VERSION:
            return  # up to date: no write (each open would otherwise commit, and wait for the disk)
        with self._conn:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- test runs -------------------------------------------------------------------------

    def record_test_run(
        self,
        *,
        selection: str,
        exit_code: int,
        duration: float,
        totals: Mapping[str, int],
        outcomes: Mapping[str, str],
        commit: str | None = None,
        when: datetime | None = None,
        collection_errors: int = 0,
    ) -> TestRunRecord:
        """Store one finished run and return it with its regressions.

        ``outcomes`` maps every node id that ran to its outcome (passed, failed, error, skipped,
        xfailed, xpassed). A regression is a node id whose last known outcome was "passed" and
        is now failing; the returned record lists them so the caller can raise the alert.
        """
        clean_totals = {key: int(totals.get(key, 0)) for key in TOTAL_KEYS}
        failing = tuple(sorted(n for n, o in outcomes.items() if o in FAILING))
        green = exit_code == 0 and not failing and not collection_errors
        at = _iso(when)
        with self._lock, self._conn:
            regressions = self._regressions(failing)
            cur = self._conn.execute(
                "INSERT INTO test_runs (at, commit_sha, selection, exit_code, duration, totals,"
                " collection_errors, green) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    commit,
                    selection,
                    exit_code,
                    float(duration),
                    json.dumps(clean_totals),
                    int(collection_errors),
                    int(green),
                ),
            )
            run_id = cur.lastrowid
            if run_id is None:  # pragma: no cover - sqlite sets it after every INSERT
                raise HistoryError(f"{self.path}: the test run was not stored")
            self._conn.executemany(
                "INSERT INTO run_failures (run_id, nodeid, outcome) VALUES (?, ?, ?)",
                [(run_id, n, outcomes[n]) for n in failing],
            )
            if selection == "all" and exit_code in (0, 1) and not collection_errors:
                # a finished full run saw every test there is: the ones it did not see are gone
                self._conn.execute("DELETE FROM test_last")
            self._conn.executemany(
                "INSERT OR REPLACE INTO test_last (nodeid, outcome, run_id) VALUES (?, ?, ?)",
                [(n, o, run_id) for n, o in outcomes.items()],
            )
        return TestRunRecord(
            run_id,
            _parse_iso(at),
            commit,
            selection,
            exit_code,
            float(duration),
            clean_totals,
            failing,
            int(collection_errors),
            green,
            regressions,
        )

    def _regressions(self, failing: Iterable[str]) -> tuple[str, ...]:
        found = []
        for nodeid in failing:
            row = self._conn.execute("SELECT outcome FROM test_last WHERE nodeid = ?", (nodeid,)).fetchone()
            if row is not None and row[0] == "passed":
                found.append(nodeid)
        return tuple(found)

    def test_runs(self, limit: int | None = 50) -> list[TestRunRecord]:
        """The most recent runs, newest first (all of them when ``limit`` is None)."""
        sql = "SELECT * FROM test_runs ORDER BY at DESC, id DESC"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (int(limit),)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
            return [self._run_from_row(row) for row in rows]

    def last_green_run(self, selections: Iterable[str] | None = None) -> TestRunRecord | None:
        """The newest green run (optionally only of the given selection kinds), or None."""
        sql = "SELECT * FROM test_runs WHERE green = 1"
        params: list[str] = []
        if selections is not None:
            wanted = list(selections)
            sql += f" AND selection IN ({','.join('?' * len(wanted))})"
            params.extend(wanted)
        sql += " ORDER BY at DESC, id DESC LIMIT 1"
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return self._run_from_row(row) if row else None

    def last_outcomes(self) -> dict[str, str]:
        """The last known outcome of every node id ever run (for tree icons and "last failed")."""
        with self._lock:
            return dict(self._conn.execute("SELECT nodeid, outcome FROM test_last").fetchall())

    def forget_tests(self, nodeids: Iterable[str]) -> None:
        """Drop the last known outcome of tests that no longer exist (deleted or renamed)."""
        with self._lock, self._conn:
            self._conn.executemany("DELETE FROM test_last WHERE nodeid = ?", [(n,) for n in nodeids])

    def _run_from_row(self, row: _RunRow) -> TestRunRecord:
        run_id, at, commit, selection, exit_code, duration, totals, coll, green = row
        failing = tuple(
            r[0]
            for r in self._conn.execute("SELECT nodeid FROM run_failures WHERE run_id = ? ORDER BY nodeid", (run_id,))
        )
        return TestRunRecord(
            run_id,
            _parse_iso(at),
            commit,
            selection,
            exit_code,
            duration,
            json.loads(totals),
            failing,
            coll,
            bool(green),
        )

    # -- metrics ---------------------------------------------------------------------------

    def record_metrics(
        self,
        source: str,
        metrics: Mapping[str, float],
        commit: str | None = None,
        when: datetime | None = None,
    ) -> None:
        """Store a batch of named values measured at one moment by ``source`` (e.g. "audit")."""
        at = _iso(when)
        rows = []
        for name, value in metrics.items():
            try:
                rows.append((source, str(name), float(value), commit, at))
            except (TypeError, ValueError):
                raise HistoryError(f"metric {name!r} from {source!r}: {value!r} is not a number") from None
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT INTO metrics (source, name, value, commit_sha, at) VALUES (?, ?, ?, ?, ?)", rows
            )

    def metric_series(self, name: str, source: str | None = None) -> list[tuple[datetime, float]]:
        """Every recorded value of ``name`` (optionally from one source), oldest first."""
        sql = "SELECT at, value FROM metrics WHERE name = ?"
        params: list[str] = [name]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        sql += " ORDER BY at, id"
        with self._lock:
            return [(_parse_iso(at), value) for at, value in self._conn.execute(sql, params)]

    def metric_names(self) -> list[str]:
        """The names of every metric recorded so far, sorted."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT name FROM metrics ORDER BY name")]
