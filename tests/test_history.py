"""Tests for the per-project SQLite history: test runs, regressions, green runs, metrics."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mission_control.history import HistoryError, history_path, open_history
from mission_control.util import appdirs

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _run(history, outcomes, *, exit_code=None, when=T0, selection="all", commit="abc", coll=0):
    totals: dict[str, int] = {}
    for outcome in outcomes.values():
        totals[outcome] = totals.get(outcome, 0) + 1
    if exit_code is None:
        exit_code = 1 if {"failed", "error"} & set(outcomes.values()) else 0
    return history.record_test_run(
        selection=selection,
        exit_code=exit_code,
        duration=1.5,
        totals=totals,
        outcomes=outcomes,
        commit=commit,
        when=when,
        collection_errors=coll,
    )


def test_history_lives_in_the_user_data_folder_one_file_per_repo(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    assert history_path(a).parent == appdirs.data_dir() / "history"
    assert history_path(a) != history_path(b)
    assert history_path(a) == history_path(a / ".." / "a")


def test_records_and_reads_back_runs_newest_first(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        first = _run(history, {"t.py::a": "passed", "t.py::b": "skipped"})
        second = _run(
            history,
            {"t.py::a": "failed", "t.py::b": "error"},
            when=T0 + timedelta(hours=1),
            selection="component:core",
            commit="def",
        )
    with open_history(tmp_path) as history:  # persisted across connections
        runs = history.test_runs(limit=10)
    assert [r.id for r in runs] == [second.id, first.id]
    newest = runs[0]
    assert newest.when == T0 + timedelta(hours=1)
    assert (newest.commit, newest.selection, newest.exit_code, newest.duration) == ("def", "component:core", 1, 1.5)
    assert newest.failing == ("t.py::a", "t.py::b")
    assert newest.totals == {"passed": 0, "failed": 1, "error": 1, "skipped": 0, "xfailed": 0, "xpassed": 0}
    assert not newest.green and runs[1].green


def test_limit_caps_the_number_of_runs(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        for i in range(5):
            _run(history, {"t.py::a": "passed"}, when=T0 + timedelta(minutes=i))
        assert len(history.test_runs(limit=3)) == 3
        assert len(history.test_runs(limit=None)) == 5


def test_a_test_that_passed_last_time_and_fails_now_is_a_regression(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        _run(history, {"t.py::a": "passed", "t.py::b": "failed", "t.py::c": "passed"})
        # a partial run in between does not hide c's last known "passed"
        _run(history, {"t.py::a": "passed"}, when=T0 + timedelta(minutes=1), selection="failed")
        record = _run(
            history,
            {"t.py::a": "failed", "t.py::b": "failed", "t.py::c": "error", "t.py::new": "failed"},
            when=T0 + timedelta(minutes=2),
        )
        assert record.regressions == ("t.py::a", "t.py::c")
        assert history.last_outcomes()["t.py::a"] == "failed"


def test_last_green_run_skips_red_runs_and_filters_by_selection(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        assert history.last_green_run() is None
        green_all = _run(history, {"t.py::a": "passed"}, commit="c1")
        green_comp = _run(history, {"t.py::a": "passed"}, when=T0 + timedelta(minutes=1), selection="component:x")
        _run(history, {"t.py::a": "failed"}, when=T0 + timedelta(minutes=2))
        _run(history, {"t.py::a": "passed"}, when=T0 + timedelta(minutes=3), coll=1, exit_code=2)
        assert history.last_green_run().id == green_comp.id
        found = history.last_green_run(selections=["all", "affected"])
        assert found.id == green_all.id and found.commit == "c1"


def test_metrics_series_in_time_order_per_name_and_source(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        history.record_metrics("audit", {"duplicates": 4, "broken": 1}, commit="c2", when=T0 + timedelta(days=1))
        history.record_metrics("audit", {"duplicates": 7}, when=T0)
        history.record_metrics("other", {"duplicates": 100.5}, when=T0 + timedelta(days=2))
        assert history.metric_series("duplicates", source="audit") == [(T0, 7.0), (T0 + timedelta(days=1), 4.0)]
        assert [v for _, v in history.metric_series("duplicates")] == [7.0, 4.0, 100.5]
        assert history.metric_series("missing") == []
        assert history.metric_names() == ["broken", "duplicates"]


def test_naive_times_are_local_and_default_is_now(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:
        history.record_metrics("audit", {"x": 1}, when=datetime(2025, 1, 1, 12, 0))  # TZ=UTC in tests
        before = datetime.now(UTC)
        history.record_metrics("audit", {"y": 1})
        assert history.metric_series("x")[0][0] == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
        assert history.metric_series("y")[0][0] >= before


def test_non_numeric_metric_is_a_clear_error(tmp_path: Path) -> None:
    with open_history(tmp_path) as history, pytest.raises(HistoryError, match=r"'name'.*'audit'"):
        history.record_metrics("audit", {"name": "abc"})


def test_corrupt_database_names_the_file(tmp_path: Path) -> None:
    path = history_path(tmp_path)
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match=str(path.name)):
        open_history(tmp_path)


def test_writes_from_several_threads(tmp_path: Path) -> None:
    with open_history(tmp_path) as history:

        def work(i: int) -> None:
            for j in range(20):
                history.record_metrics(f"w{i}", {"n": j})

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(history.metric_series("n")) == 80
