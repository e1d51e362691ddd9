"""The sign-off ledger: ``.mission-control/signoffs.jsonl`` in the repository.

One JSON object per line, only ever appended. Each append takes an exclusive ``fcntl`` lock
on the file (so two app instances, or the app and the CLI, never interleave), repairs a last
line cut by a crash (it starts the new entry on a fresh line), and is flushed and fsynced
before the lock is released. Reading skips unreadable lines and reports them with their line
numbers instead of failing, so a crash can never lock the lead out of the history.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeAlias, TypedDict

from mission_control.util.fsutil import UnsafePathError, open_for_append

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: single-writer only
    _CAN_LOCK = False
else:
    _CAN_LOCK = True

LEDGER_DIR: Final = ".mission-control"
LEDGER_NAME: Final = "signoffs.jsonl"
KINDS: Final = ("signoff", "revoke", "run", "integrate")


#: A JSON object as ``json`` reads and writes it: the test totals and extra fields of a ledger line.
JSONObject: TypeAlias = dict[str, Any]


class LedgerRecord(TypedDict):
    """The fields every ledger line stores (a line may hold more: :attr:`LedgerEntry.extra`)."""

    kind: str
    text: str
    heading: list[str]
    who: str
    email: str
    at: str | None  # ISO 8601, UTC
    commit: str | None
    tests: JSONObject | None
    note: str
    reason: str


class LedgerError(Exception):
    """The ledger cannot be written; the message names the file."""


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger line.

    Attributes:
        kind: ``"signoff"``, ``"revoke"``, ``"run"`` (a runbook command) or ``"integrate"`` (a team merged or ejected).
        text, heading: the checklist item (or the runbook block's first line and heading).
        who, email: the git identity of whoever acted.
        at: when, in UTC.
        commit: HEAD at that moment (None outside git or before the first commit).
        tests: the latest test run's totals, or None when no run is recorded.
        note: the optional sign-off note; reason: why it was revoked.
        extra: everything else in the line (a run's exit status and output tail...).
        line: the 1-based line of the ledger file.
    """

    kind: str
    text: str
    heading: tuple[str, ...]
    who: str = ""
    email: str = ""
    at: datetime | None = None
    commit: str | None = None
    tests: JSONObject | None = None
    note: str = ""
    reason: str = ""
    extra: JSONObject = field(default_factory=dict)
    line: int = 0

    def to_json(self) -> JSONObject:
        """The entry as it is stored (and as ``--json`` prints it)."""
        record: LedgerRecord = {
            "kind": self.kind,
            "text": self.text,
            "heading": list(self.heading),
            "who": self.who,
            "email": self.email,
            "at": self.at.isoformat() if self.at else None,
            "commit": self.commit,
            "tests": self.tests,
            "note": self.note,
            "reason": self.reason,
        }
        return {**record, **self.extra}

    @classmethod
    def from_json(cls, data: JSONObject, line: int = 0) -> LedgerEntry:
        """Rebuild an entry from a stored line (ValueError/TypeError/KeyError when malformed)."""
        known = {"kind", "text", "heading", "who", "email", "at", "commit", "tests", "note", "reason"}
        at = data.get("at")
        return cls(
            kind=str(data["kind"]),
            text=str(data["text"]),
            heading=tuple(str(h) for h in data.get("heading") or ()),
            who=str(data.get("who") or ""),
            email=str(data.get("email") or ""),
            at=datetime.fromisoformat(at) if at else None,
            commit=data.get("commit"),
            tests=data.get("tests"),
            note=str(data.get("note") or ""),
            reason=str(data.get("reason") or ""),
            extra={k: v for k, v in data.items() if k not in known},
            line=line,
        )


@dataclass(frozen=True)
class LedgerRead:
    """Every readable entry (file order) and one message per unreadable line."""

    entries: tuple[LedgerEntry, ...] = ()
    problems: tuple[str, ...] = ()


def ledger_path(repo: str | os.PathLike[str]) -> Path:
    """Where ``repo``'s ledger lives."""
    return Path(repo) / LEDGER_DIR / LEDGER_NAME


def read_ledger(repo: str | os.PathLike[str]) -> LedgerRead:
    """Read the ledger (an empty result when there is none yet)."""
    path = ledger_path(repo)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LedgerRead()
    except OSError as exc:
        return LedgerRead((), (f"{path}: cannot read the ledger: {exc.strerror}",))
    entries: list[LedgerEntry] = []
    problems: list[str] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            entries.append(LedgerEntry.from_json(json.loads(raw.decode("utf-8")), number))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, RecursionError):
            problems.append(f"{path}:{number}: unreadable ledger line skipped (cut by a crash?)")
    return LedgerRead(tuple(entries), tuple(problems))


def append_entry(repo: str | os.PathLike[str], entry: LedgerEntry) -> LedgerEntry:
    """Append ``entry`` durably under an exclusive file lock; return it with its line number.

    Raises:
        LedgerError: the folder or file cannot be created or written.
    """
    with locked_ledger(repo) as append:
        return append(entry)


@contextlib.contextmanager
def locked_ledger(repo: str | os.PathLike[str]) -> Iterator[Callable[[LedgerEntry], LedgerEntry]]:
    """Hold the ledger's exclusive lock for a whole check-write-append step; yields the append.

    Another process's sign-off waits until this one has checked the plan, saved it and appended
    (or given up), so the ledger and the plan never disagree.

    Raises:
        LedgerError: the folder or file cannot be created, locked or written.
    """
    path = ledger_path(repo)
    try:
        fd = open_for_append(path, repo)  # never through a symlink that leads outside the repository
    except UnsafePathError as exc:
        raise LedgerError(str(exc)) from None
    except OSError as exc:
        raise LedgerError(f"{path}: cannot open the ledger: {exc.strerror}") from None

    def append(entry: LedgerEntry) -> LedgerEntry:
        if entry.kind not in KINDS:
            raise LedgerError(f"unknown ledger entry kind {entry.kind!r}")
        line = (json.dumps(entry.to_json(), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        try:
            number = _append_locked(fd, line)
        except OSError as exc:
            raise LedgerError(f"{path}: cannot write the ledger: {exc.strerror}") from None
        return LedgerEntry.from_json(entry.to_json(), number)

    try:
        try:
            _lock(fd)
        except OSError as exc:
            raise LedgerError(f"{path}: cannot lock the ledger: {exc.strerror}") from None
        yield append
    finally:
        os.close(fd)  # closing releases the lock


def _lock(fd: int) -> None:
    if _CAN_LOCK:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _append_locked(fd: int, line: bytes) -> int:
    """Write ``line`` after a newline repair; fsync; return its 1-based line number."""
    size = os.fstat(fd).st_size
    existing = b""
    if size:
        os.lseek(fd, 0, os.SEEK_SET)
        existing = _read_all(fd, size)
    prefix = b"\n" if existing and not existing.endswith(b"\n") else b""
    os.write(fd, prefix + line)
    os.fsync(fd)
    return (existing + prefix).count(b"\n") + 1


def _read_all(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def utc_now() -> datetime:
    """The current moment in UTC (one place, so tests can pass their own)."""
    return datetime.now(UTC)
