"""Application logging: a rotating log file in the user log folder plus an in-memory ring buffer.

The desktop app calls :func:`setup_logging` once at start. Records then go to
``appdirs.log_dir()/mission-control.log`` (rotated at 1 MB, three old files kept) and to a
:class:`RingBufferHandler` that keeps the last records in memory, so the Log dock can show what
happened before it was opened and follow new records live (listeners are called on the thread
that logged; the dock re-emits them as a Qt signal). Qt-free, so the CLI could use it too.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from mission_control.util import appdirs

LOG_FILE_NAME = "mission-control.log"
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
RING_CAPACITY = 5000

Listener = Callable[[logging.LogRecord], None]


class RingBufferHandler(logging.Handler):
    """Keep the last ``capacity`` records in memory and tell listeners about each new one.

    Thread-safe: any thread may log; :meth:`records` returns a snapshot.
    """

    def __init__(self, capacity: int = RING_CAPACITY, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._records: deque[logging.LogRecord] = deque(maxlen=capacity)
        self._listeners: list[Listener] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Store the record (its message formatted once) and notify the listeners."""
        try:
            record.message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
        except Exception:
            self.handleError(record)
            return
        with self._guard:
            self._records.append(record)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(record)
            except Exception:
                self.remove_listener(listener)

    def records(self) -> list[logging.LogRecord]:
        """A snapshot of the kept records, oldest first."""
        with self._guard:
            return list(self._records)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(record)`` for every record from now on."""
        with self._guard:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener`` (no error if it was not registered)."""
        with self._guard:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def clear(self) -> None:
        """Forget the kept records."""
        with self._guard:
            self._records.clear()


_ring: RingBufferHandler | None = None
_file_handler: logging.handlers.RotatingFileHandler | None = None


def level_number(level: str | int) -> int:
    """``"info"``/``"INFO"``/``20`` → 20; unknown names fall back to INFO."""
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).upper())
    return value if isinstance(value, int) else logging.INFO


def setup_logging(level: str | int = "INFO", log_file: Path | None = None) -> RingBufferHandler:
    """Send ``mission_control`` and Python warnings to the log file and the ring buffer.

    Idempotent: calling it again only changes the level (and moves the file if ``log_file``
    differs). Returns the ring buffer the Log dock reads.
    """
    global _ring
    root = logging.getLogger()
    path = Path(log_file) if log_file is not None else appdirs.log_dir() / LOG_FILE_NAME
    if _ring is None:
        _ring = RingBufferHandler()
        root.addHandler(_ring)
    if _file_handler is None or Path(_file_handler.baseFilename) != path.resolve():
        _replace_file_handler(root, path)
    set_level(level)
    logging.captureWarnings(True)
    return _ring


def _replace_file_handler(root: logging.Logger, path: Path) -> None:
    global _file_handler
    if _file_handler is not None:
        root.removeHandler(_file_handler)
        _file_handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    _file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )
    _file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
    root.addHandler(_file_handler)


def set_level(level: str | int) -> None:
    """Change the level of the app's logs live (the ``mission_control`` logger and the root)."""
    number = level_number(level)
    # Other libraries stay at WARNING even when the app's own logs go down to DEBUG.
    logging.getLogger().setLevel(max(number, logging.WARNING))
    logging.getLogger("mission_control").setLevel(number)


def ring_buffer() -> RingBufferHandler:
    """The ring buffer the Log dock reads, attached to the root logger on first use.

    Attaching it changes no level and opens no file, so windows built without
    :func:`setup_logging` (tests, embedding) still get a working Log dock.
    """
    global _ring
    if _ring is None:
        _ring = RingBufferHandler()
        logging.getLogger().addHandler(_ring)
    return _ring


def log_file_path() -> Path | None:
    """Where the log file is written (None before :func:`setup_logging`)."""
    return Path(_file_handler.baseFilename) if _file_handler is not None else None


def shutdown_logging() -> None:
    """Remove both handlers again (tests; the app leaves them until exit)."""
    global _ring, _file_handler
    root = logging.getLogger()
    for handler in (_ring, _file_handler):
        if handler is not None:
            root.removeHandler(handler)
            handler.close()
    _ring = _file_handler = None
    logging.captureWarnings(False)
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("mission_control").setLevel(logging.NOTSET)


def format_record(record: logging.LogRecord) -> str:
    """One record as the log file shows it (with its traceback, if any)."""
    return _DISPLAY.format(record)


_DISPLAY = logging.Formatter(FILE_FORMAT)
