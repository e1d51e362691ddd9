"""The audit's per-file cache: one :mod:`marshal` file per repository in the user cache folder.

Two maps live in it:

- ``paths``: repo-relative path -> ``(stat key, blob id)``. A file whose ``(mtime_ns, size,
  inode)`` is unchanged is not even opened on a warm run.
- ``facts``: blob id (git's content hash) -> facts tuple. A touched-but-unchanged file, or a
  file identical in the baseline tree, is never parsed twice.

marshal (not pickle) because it loads plain data only and is the fastest stdlib codec for
tuples of str/int. A corrupt or old-version file is treated as empty, never as an error.
Facts not referenced by the working tree or the last baseline tree are pruned on save.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

from mission_control.audit.extract import FACTS_VERSION, Facts
from mission_control.util import appdirs
from mission_control.util.fsutil import atomic_write_bytes

_FORMAT = ("mission-control-audit", FACTS_VERSION, 1)


#: ``(mtime in ns, size, inode)``: a file whose key is unchanged is trusted without reading it.
StatKey = tuple[int, int, int]


def stat_key(st: os.stat_result) -> StatKey:
    """What must not change for a cached entry to be trusted without reading the file."""
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def cache_file(repo: Path) -> Path:
    """Where the cache of ``repo`` lives (one file per absolute repo path)."""
    digest = hashlib.sha1(str(repo.resolve()).encode()).hexdigest()[:20]
    folder = appdirs.cache_dir() / "audit"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}.marshal"


class AuditCache:
    """In-memory view of one repository's cache; :meth:`save` writes it back atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.paths: dict[str, tuple[StatKey, str]] = {}
        self.facts: dict[str, Facts] = {}
        self.baseline_blobs: set[str] = set()
        self.dirty = False

    @classmethod
    def load(cls, repo: Path, enabled: bool = True) -> AuditCache:
        """Read the cache of ``repo`` (an empty one if missing, unreadable or disabled)."""
        cache = cls(cache_file(repo) if enabled else None)
        if cache.path is None:
            return cache
        try:
            data = marshal.loads(cache.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return cache
        if not isinstance(data, tuple) or len(data) != 4 or data[0] != _FORMAT:
            return cache
        _, cache.paths, cache.facts, baseline = data
        cache.baseline_blobs = set(baseline)
        return cache

    def put(self, blob: str, facts: Facts) -> None:
        """Remember the facts of one blob."""
        self.facts[blob] = facts
        self.dirty = True

    def set_path(self, rel: str, key: StatKey, blob: str) -> None:
        """Remember that ``rel`` with stat ``key`` has content ``blob``."""
        if self.paths.get(rel) != (key, blob):
            self.paths[rel] = (key, blob)
            self.dirty = True

    def forget_paths_except(self, keep: set[str]) -> None:
        """Drop entries of files that are gone from the working tree."""
        gone = [rel for rel in self.paths if rel not in keep]
        for rel in gone:
            del self.paths[rel]
        self.dirty = self.dirty or bool(gone)

    def set_baseline(self, blobs: set[str]) -> None:
        """Keep the facts of the last baseline tree alive across prunes."""
        if blobs != self.baseline_blobs:
            self.baseline_blobs = blobs
            self.dirty = True

    def save(self) -> None:
        """Prune unreferenced facts and write the file atomically (no-op when unchanged)."""
        if self.path is None or not self.dirty:
            return
        live = {blob for _, blob in self.paths.values()} | self.baseline_blobs
        facts = {blob: f for blob, f in self.facts.items() if blob in live}
        self.facts = facts
        data = marshal.dumps((_FORMAT, self.paths, facts, tuple(sorted(self.baseline_blobs))))
        try:
            atomic_write_bytes(self.path, data)
        except OSError:
            return  # a cache that cannot be written only costs speed next time
        self.dirty = False
