"""The plan file as bytes and lines, so that edits change only the lines they mean to.

A :class:`Document` keeps the original bytes, the detected encoding (BOMs, UTF-8, else
Windows-1252 or Latin-1) and each line's own ending (``\\n``, ``\\r\\n`` or ``\\r``). Saving
re-encodes every line as it was; unchanged lines come out byte-identical because the encodings
used round-trip exactly (checked at load time). Saves are atomic and refuse to overwrite a file
that changed on disk since it was read.
"""

from __future__ import annotations

import codecs
import hashlib
import operator
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mission_control.util.fsutil import UnsafePathError, atomic_write_bytes

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
#: A plan is a document a person edits: far below this. Anything larger is refused, not read into memory.
MAX_PLAN_BYTES: Final = 64 * 1024 * 1024
_LINE_RE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


class PlanError(Exception):
    """A plan file that cannot be read or written; the message names the file (and line)."""


class PlanChangedOnDisk(PlanError):
    """The file on disk is no longer what was loaded; saving would overwrite someone's edit."""


@dataclass(frozen=True)
class LineEdit:
    """Replace line ``index`` (0-based, without its ending) ``old`` → ``new``."""

    index: int
    old: str
    new: str

    def inverted(self) -> LineEdit:
        return LineEdit(self.index, self.new, self.old)


class Document:
    """A text file's lines, its encoding and line endings, and where it came from."""

    def __init__(self, data: bytes, path: Path | None = None) -> None:
        self.path = path
        self.original = data
        self.digest = hashlib.sha256(data).digest()
        self.bom, self.encoding = _detect_encoding(data)
        try:
            text = data[len(self.bom) :].decode(self.encoding, errors="surrogateescape")
        except UnicodeDecodeError as exc:  # UTF-16/32 cut in the middle of a character
            raise PlanError(
                f"{path or '<plan>'}: is not readable as {self.encoding} (byte {exc.start + len(self.bom)}: "
                f"{exc.reason}); the file looks truncated or corrupt"
            ) from None
        if self._encode(text) != data:
            raise PlanError(
                f"{path or '<plan>'}: cannot be edited safely: its bytes do not round-trip in {self.encoding}"
            )
        self.lines: list[str] = []
        self.endings: list[str] = []
        for match in _LINE_RE.finditer(text):
            if match.start() == len(text) and self.lines and not match.group(0):
                break
            self.lines.append(match.group(1))
            self.endings.append(match.group(2))

    @classmethod
    def read(cls, path: str | Path) -> Document:
        """Read ``path``; PlanError if it is missing or unreadable."""
        path = Path(path)
        if "\0" in str(path):
            raise PlanError(f"{str(path)!r}: not a file name (it holds a NUL character)")
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                raise PlanError(f"{path}: is not a regular file (a pipe or device); a plan is a Markdown file")
            if info.st_size > MAX_PLAN_BYTES:
                raise PlanError(f"{path}: is {info.st_size:,} bytes; a plan may have at most {MAX_PLAN_BYTES:,}")
            with path.open("rb") as handle:
                data = handle.read(MAX_PLAN_BYTES + 1)
            if len(data) > MAX_PLAN_BYTES:
                raise PlanError(f"{path}: grew past {MAX_PLAN_BYTES:,} bytes while it was read")
        except FileNotFoundError:
            raise PlanError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise PlanError(f"{path}: is a folder, not a plan file") from None
        except OSError as exc:
            raise PlanError(f"{path}: cannot be read: {exc.strerror}") from None
        return cls(data, path)

    @property
    def text(self) -> str:
        """The whole text with its original line endings (BOM removed)."""
        return "".join(map(operator.add, self.lines, self.endings))  # (a generator: twice as slow at 10,000 lines)

    def to_bytes(self) -> bytes:
        """The document encoded exactly as it was read, with the current lines."""
        return self._encode(self.text)

    @property
    def modified(self) -> bool:
        return self.to_bytes() != self.original

    def apply(self, edits: list[LineEdit]) -> None:
        """Apply line edits; each must find its ``old`` text (else PlanError, nothing changed)."""
        for edit in edits:
            if not 0 <= edit.index < len(self.lines) or self.lines[edit.index] != edit.old:
                raise PlanError(f"{self.path or '<plan>'}:{edit.index + 1}: line is not what the edit expected")
        for edit in edits:
            self._check_encodable(edit)
            self.lines[edit.index] = edit.new

    def _check_encodable(self, edit: LineEdit) -> None:
        try:
            edit.new.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise PlanError(
                f"{self.path or '<plan>'}:{edit.index + 1}: {edit.new[exc.start : exc.end]!r} cannot be written in the file's encoding ({self.encoding})"
            ) from None

    def changed_on_disk(self) -> bool:
        """Whether the file on disk differs from what was loaded (or last saved)."""
        if self.path is None:
            return False
        try:
            return hashlib.sha256(self.path.read_bytes()).digest() != self.digest
        except OSError:
            return True

    def save(self, path: str | Path | None = None, force: bool = False) -> None:
        """Write atomically to ``path`` (default: where it was read).

        Raises:
            PlanChangedOnDisk: the file changed on disk since it was loaded (unless ``force``).
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise PlanError("<plan>: has no file to save to")
        if not force and path is None and self.changed_on_disk():
            raise PlanChangedOnDisk(f"{target}: changed on disk since it was loaded; reload it or save elsewhere")
        data = self.to_bytes()
        try:
            atomic_write_bytes(target, data, root=_containing_folder(target))
        except UnsafePathError as exc:
            raise PlanError(str(exc)) from None
        except OSError as exc:
            raise PlanError(f"{target}: cannot be written: {exc.strerror}") from None
        if path is None or Path(path) == self.path:
            self.original = data
            self.digest = hashlib.sha256(data).digest()

    def save_as(self, path: str | Path) -> None:
        """Write to ``path`` and make it this document's file (File › Save As…)."""
        target = Path(path)
        self.save(target)
        self.path = target
        self.original = self.to_bytes()
        self.digest = hashlib.sha256(self.original).digest()

    def _encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding, errors="surrogateescape")

    def full_lines(self) -> list[str]:
        """Each line with its own ending (for a three-way merge that keeps every line's ending)."""
        return [line + end for line, end in zip(self.lines, self.endings, strict=True)]

    def rebased(self, text: str, onto: Document) -> Document:
        """``text`` as a document whose last known disk state is ``onto`` (after a merge with it):
        encoded as ``onto`` is, modified relative to it, and saved over it without a warning."""
        document = Document(onto._encode(text), onto.path)
        document.original, document.digest = onto.original, onto.digest
        return document


def _detect_encoding(data: bytes) -> tuple[bytes, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return bom, name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return b"", utf16
    try:
        data.decode("utf-8")
        return b"", "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return b"", "cp1252"
    except UnicodeDecodeError:
        return b"", "latin-1"


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the text is UTF-16 without a BOM (Markdown is mostly ASCII: every
    other byte is zero), else None. UTF-8 would accept those zero bytes and find no tasks."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    return None


def _containing_folder(path: Path) -> Path:
    """What a plan write must stay inside: the enclosing git working tree, else the plan's own folder.

    A symlinked plan is written through to its target when that lies inside (the link stays a link).
    """
    folder = Path(os.path.abspath(path)).parent
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return parent
    return folder
