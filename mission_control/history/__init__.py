"""Run and metric history per project, in SQLite under the user data folder.

Typical use::

    with open_history(repo) as history:
        history.record_metrics("audit", {"duplicates": 3, "broken_imports": 0}, commit=sha)
        series = history.metric_series("duplicates")      # [(datetime, 3.0), ...]
        green = history.last_green_run()
"""

from mission_control.history.store import (
    TOTAL_KEYS,
    History,
    HistoryError,
    TestRunRecord,
    history_path,
    open_history,
)

__all__ = ["TOTAL_KEYS", "History", "HistoryError", "TestRunRecord", "history_path", "open_history"]
