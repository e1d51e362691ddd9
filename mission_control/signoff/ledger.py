"""The sign-off ledger, kept in git: ``refs/mission-control/ledger``, one commit per entry.

Append-only: each entry is a commit on top of the ref, moved by compare-and-swap
(:mod:`mission_control.repo.records`), so concurrent writers never lose an entry; every entry has a
unique ``id``. Nothing of it is in the working tree: ``git status`` stays clean, ``git clean -fdx``
cannot delete it, and it travels with the repository's refs (``mission-control sync``); two leads'
histories merge by union. A sign-off step (check the plan, save it, append) holds a lock in the git
folder, so the ledger and the plan never disagree.

A repository that still has the old ``.mission-control/signoffs.jsonl`` is migrated on first use:
every line is imported (with an id derived from its bytes, so importing twice adds nothing), and
the file is left in place with a note beside it — never deleted, and never written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeAlias, TypedDict

from mission_control.repo.records import RecordError, append_record, read_records
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.git import Git, RepoError, open_repo

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: single-writer only
    _CAN_LOCK = False
else:
    _CAN_LOCK = True

LEDGER_REF: Final = "refs/mission-control/ledger"
_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)  # entries without a time sort first
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
    """The ledger cannot be written; the message names the repository or file."""


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
    """Where the old file-based ledger lived (read once, to migrate it)."""
    return Path(repo) / LEDGER_DIR / LEDGER_NAME


def read_ledger(repo: str | os.PathLike[str]) -> LedgerRead:
    """Every entry (oldest first, by time) and one message per unreadable record.

    Outside a git repository only an old ledger file can be read.
    """
    try:
        git = open_repo(repo)
    except RepoError:
        return _read_legacy(ledger_path(repo))
    migration = _migrate(git)
    entries, problems = [], list(migration)
    for number, (commit, data) in enumerate(read_records(git, LEDGER_REF), start=1):
        try:
            entries.append(LedgerEntry.from_json(json.loads(data.decode("utf-8")), number))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, RecursionError):
            problems.append(f"{LEDGER_REF} {commit[:10]}: unreadable ledger entry skipped")
    unique = list({entry_id(e): e for e in entries}.values())  # the same entry reached twice counts once
    unique.sort(key=_when)
    return LedgerRead(tuple(unique), tuple(problems))


def _when(entry: LedgerEntry) -> datetime:
    """The entry's time as aware UTC (a naive time written by hand is UTC; none sorts first)."""
    if entry.at is None:
        return _EARLIEST
    return entry.at.replace(tzinfo=UTC) if entry.at.tzinfo is None else entry.at


def entry_id(entry: LedgerEntry) -> str:
    """The entry's unique id (entries written before ids existed: a hash of their content)."""
    value = entry.extra.get("id")
    if isinstance(value, str) and value:
        return value
    return "h" + hashlib.sha256(json.dumps(entry.to_json(), sort_keys=True).encode()).hexdigest()[:24]


def append_entry(repo: str | os.PathLike[str], entry: LedgerEntry) -> LedgerEntry:
    """Append ``entry`` (given a unique id) to the ledger; return it.

    Raises:
        LedgerError: not a git repository, or git cannot record it.
    """
    with locked_ledger(repo) as append:
        return append(entry)


@contextlib.contextmanager
def locked_ledger(repo: str | os.PathLike[str]) -> Iterator[Callable[[LedgerEntry], LedgerEntry]]:
    """Hold the ledger's lock for a whole check-write-append step; yields the append.

    Another process's sign-off in this repository waits until this one has checked the plan, saved
    it and appended (or given up). The append itself is a compare-and-swap, safe without the lock.

    Raises:
        LedgerError: not a git repository, the lock cannot be taken, or git cannot record.
    """
    try:
        git = open_repo(repo)
    except RepoError as exc:
        raise LedgerError(f"{repo}: the ledger lives in git: {exc}") from None
    _migrate(git)
    lock = git.git_path("mission-control-ledger.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise LedgerError(f"{lock}: cannot open the ledger lock: {exc.strerror}") from None

    def append(entry: LedgerEntry) -> LedgerEntry:
        return _append(git, entry)

    try:
        try:
            _lock(fd)
        except OSError as exc:
            raise LedgerError(f"{lock}: cannot lock the ledger: {exc.strerror}") from None
        yield append
    finally:
        os.close(fd)  # closing releases the lock


def _append(git: Git, entry: LedgerEntry) -> LedgerEntry:
    if entry.kind not in KINDS:
        raise LedgerError(f"unknown ledger entry kind {entry.kind!r}")
    data = entry.to_json()
    data.setdefault("id", uuid.uuid4().hex)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        commit = append_record(git, LEDGER_REF, payload, f"ledger: {entry.kind} {entry.text}"[:200])
        number = int(git.text("rev-list", "--count", "--no-merges", commit))
    except RecordError as exc:
        raise LedgerError(str(exc)) from None
    return LedgerEntry.from_json(data, number)


def _lock(fd: int) -> None:
    if _CAN_LOCK:
        fcntl.flock(fd, fcntl.LOCK_EX)


_MIGRATED: dict[tuple[str, int, int], tuple[str, ...]] = {}
MIGRATION_NOTE: Final = "MIGRATED.txt"


def _migrate(git: Git) -> tuple[str, ...]:
    """Import an old ``.mission-control/signoffs.jsonl`` (once per version of the file); problems found."""
    path = ledger_path(git.root)
    try:
        info = path.lstat()
    except OSError:
        return ()
    if not stat.S_ISREG(info.st_mode):  # a symlink named like the old ledger is never followed
        return (f"{path}: not a regular file; not imported",)
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key in _MIGRATED:
        return _MIGRATED[key]
    old = _read_legacy(path)
    known = {entry_id(LedgerEntry.from_json(json.loads(d.decode("utf-8")))) for _c, d in _safe_records(git)}
    for entry in old.entries:
        legacy_id = "legacy-" + hashlib.sha256(json.dumps(entry.to_json(), sort_keys=True).encode()).hexdigest()[:24]
        if legacy_id in known:
            continue
        data = {**entry.to_json(), "id": legacy_id}
        append_record(git, LEDGER_REF, json.dumps(data, ensure_ascii=False, sort_keys=True).encode(), "ledger: import")
    _leave_note(git.root, len(old.entries))
    _MIGRATED[key] = old.problems
    return old.problems


def _safe_records(git: Git) -> list[tuple[str, bytes]]:
    good = []
    for commit, data in read_records(git, LEDGER_REF):
        try:
            json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        good.append((commit, data))
    return good


def _leave_note(root: Path, count: int) -> None:
    note = root / LEDGER_DIR / MIGRATION_NOTE
    if note.exists():
        return
    text = (
        f"This folder's signoffs.jsonl ({count} entries) was imported into git ({LEDGER_REF}) on "
        f"{utc_now():%Y-%m-%d %H:%M} UTC.\nMission Control no longer writes here; the file is kept as it was. "
        "`mission-control checklist` shows the ledger.\n"
    )
    with contextlib.suppress(OSError):  # a symlinked folder: no note, and nothing written through it
        atomic_write_text(note, text, root=root)


def _read_legacy(path: Path) -> LedgerRead:
    """The old file-based ledger (an empty result when there is none)."""
    try:
        if path.is_symlink():
            return LedgerRead((), (f"{path}: a symlink; the old ledger is not read through it",))
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


def utc_now() -> datetime:
    """The current moment in UTC (one place, so tests can pass their own)."""
    return datetime.now(UTC)
