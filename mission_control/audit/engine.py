"""Running the audit: find the files, reuse cached facts, parse the rest (in parallel), analyse.

:class:`Auditor` is the long-lived object the app keeps per repository: after the first
run it knows every file's stat and facts, so a watcher's change set costs only the changed
files (``auditor.run(changed=paths)``). :func:`audit` is the one-shot call the CLI makes.
A cold run parses in worker processes (one per core); the parent only stats, merges and
analyses.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TypeVar

from mission_control.audit import extract as fx
from mission_control.audit.analysis import DEFAULT_ROLES, AuditResult, LiveAnalysis, analyse, component_matcher
from mission_control.audit.cache import AuditCache, StatKey, stat_key
from mission_control.audit.files import NotARepository, check_repo
from mission_control.util.files import is_ignored_part, project_files
from mission_control.util.files import python_files as list_python_files
from mission_control.util.git import GitError, run_git
from mission_control.util.progress import CancelToken, Progress, ProgressCallback

PARALLEL_THRESHOLD = 200  # below this many files to parse, process start-up is not worth it


class AuditError(Exception):
    """The audit cannot run (missing folder, unknown git ref); the message names which."""


class Auditor:
    """Audits one repository repeatedly, reusing the per-file cache in memory and on disk.

    Args:
        repo: the repository folder.
        components: component name -> path globs (from the config) for lines per component.
        roles: class-name suffixes to count.
        jobs: worker processes for cold runs (default: CPU count; 1 = in-process only).
        use_cache: read and write the on-disk cache in ``appdirs.cache_dir()``.
    """

    def __init__(
        self,
        repo: str | os.PathLike[str],
        *,
        components: Mapping[str, Sequence[str]] | None = None,
        roles: Sequence[str] = DEFAULT_ROLES,
        jobs: int | None = None,
        use_cache: bool = True,
    ) -> None:
        try:
            self.repo = check_repo(repo)
        except NotARepository as exc:
            raise AuditError(str(exc)) from None
        self.components = dict(components or {})
        self.roles = tuple(roles)
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self._cache = AuditCache.load(self.repo, use_cache)
        self._files: set[str] | None = None
        self._last: dict[str, fx.Facts] | None = None
        self._analysis = LiveAnalysis()  # one changed file: only its part of the analysis is redone
        self._others: dict[str, tuple[StatKey, int]] = {}  # the components' other files: stat, lines
        self._lock = threading.Lock()

    def run(
        self,
        changed: Iterable[str | os.PathLike[str]] | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> AuditResult:
        """Audit the working tree.

        Without ``changed``: list the files (git or a walk), re-validate every one by stat,
        and save the cache. With ``changed`` (paths of a watcher's change set, absolute or
        repo-relative) after a first run: only those paths are looked at and the cache is
        saved later (:meth:`flush`), so one changed file costs one file.
        """
        with self._lock:
            if not self.repo.is_dir():
                raise AuditError(f"{self.repo}: the repository folder is gone")
            if changed is not None:
                changed = list(changed)
            incremental = changed is not None and self._last is not None
            if changed is not None and self._last is not None:  # incremental
                facts, parsed, read = self._refresh(changed, self._last, cancel)
            else:
                files = self._current_files(None)
                facts, parsed, read = self._facts_for(files, on_progress, cancel)
                self._cache.forget_paths_except(set(facts))
                self._cache.save()
            self._last = facts
            relist = not incremental or any(self._needs_relist(p) for p in changed or ())
            others = self._other_files(None if relist else changed)
            result = self._analysis.analyse(facts, components=self.components, roles=self.roles, others=others)
            return _with_counts(result, parsed, read)

    def flush(self) -> None:
        """Write what incremental runs learnt to the on-disk cache (call when idle or closing)."""
        with self._lock:
            if self._last is not None:
                self._cache.forget_paths_except(set(self._last))
            self._cache.save()

    def _refresh(
        self, changed: Iterable[str | os.PathLike[str]], last: Mapping[str, fx.Facts], cancel: CancelToken | None
    ) -> tuple[dict[str, fx.Facts], int, int]:
        """Re-examine only ``changed``; a folder or an unknown non-.py path forces a relist."""
        paths = list(changed)
        if any(self._needs_relist(p) for p in paths):
            files = self._current_files(None)
            return self._facts_for(files, None, cancel)
        files = self._current_files(paths)
        facts = {rel: f for rel, f in last.items() if rel in files}
        touched = {rel for rel in map(self._relative, paths) if rel and rel in files}
        fresh, parsed, read = self._facts_for(touched, None, cancel)
        facts.update(fresh)
        return facts, parsed, read

    def _needs_relist(self, path: str | os.PathLike[str]) -> bool:
        rel = self._relative(path)
        if rel is None or rel.endswith(".py"):
            return False
        return (self.repo / rel).is_dir() or not (self.repo / rel).exists()

    def run_ref(
        self,
        ref: str,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> AuditResult:
        """Audit the tree of git ``ref`` (the baseline) without touching the working tree."""
        with self._lock:
            commit = _resolve_ref(self.repo, ref)
            listing = _ls_tree(self.repo, commit)
            missing = sorted({blob for blob in listing.values() if blob not in self._cache.facts})
            parsed = self._parse_blobs(missing, on_progress, cancel)
            facts = {rel: self._cache.facts[blob] for rel, blob in listing.items()}
            self._cache.set_baseline(set(listing.values()))
            self._cache.save()
            others = self._other_blobs(commit)
            result = analyse(facts, components=self.components, roles=self.roles, ref=ref, others=others)
            return _with_counts(result, parsed, parsed)

    # -- the components' files that are not Python ------------------------------------------

    def _belongs(self) -> Callable[[str], bool]:
        """Whether a non-Python path belongs to a component (only those are counted)."""
        matchers = [component_matcher(globs) for globs in self.components.values()]
        return lambda rel: not rel.endswith(".py") and any(m(rel) for m in matchers)

    def _other_files(self, changed: Iterable[str | os.PathLike[str]] | None) -> dict[str, int]:
        """Lines of the components' non-Python files; with ``changed``, only those are looked at."""
        if not self.components:
            return {}
        belongs = self._belongs()
        if changed is None:
            rels: Iterable[str] = [r for r in project_files(self.repo, None) if belongs(r)]
            listed = set(rels)
            self._others = {r: v for r, v in self._others.items() if r in listed}
        else:
            rels = [r for r in map(self._relative, changed) if r and belongs(r)]
        for rel in rels:
            try:
                key = stat_key(os.stat(self.repo / rel))
                if self._others.get(rel, (None, 0))[0] != key:
                    self._others[rel] = (key, fx.count_lines((self.repo / rel).read_bytes()))
            except OSError:
                self._others.pop(rel, None)
        return {rel: lines for rel, (_key, lines) in self._others.items()}

    def _other_blobs(self, commit: str) -> dict[str, int]:
        """Lines of the components' non-Python files in ``commit``."""
        if not self.components:
            return {}
        belongs = self._belongs()
        listing = {r: b for r, b in _ls_tree(self.repo, commit, python=False).items() if belongs(r)}
        contents = _cat_blobs(self.repo, sorted(set(listing.values()))) if listing else {}
        return {rel: fx.count_lines(contents[blob]) for rel, blob in listing.items()}

    # -- working tree -------------------------------------------------------------------

    def _current_files(self, changed: Iterable[str | os.PathLike[str]] | None) -> set[str]:
        if changed is None or self._files is None:
            self._files = set(list_python_files(self.repo))
            return set(self._files)
        for path in changed:
            rel = self._relative(path)
            if rel is None or not rel.endswith(".py"):
                continue
            if (self.repo / rel).is_file():
                self._files.add(rel)
            else:
                self._files.discard(rel)
        return set(self._files)

    def _relative(self, path: str | os.PathLike[str]) -> str | None:
        candidate = Path(path)
        if candidate.is_absolute():
            try:
                candidate = candidate.relative_to(self.repo)
            except ValueError:
                return None
        rel = candidate.as_posix()
        if any(is_ignored_part(part) for part in rel.split("/")[:-1]):
            return None
        return rel

    def _facts_for(
        self, files: set[str], on_progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> tuple[dict[str, fx.Facts], int, int]:
        facts: dict[str, fx.Facts] = {}
        stale: list[tuple[str, StatKey]] = []
        for rel in sorted(files):
            try:
                key = stat_key(os.stat(self.repo / rel))
            except OSError:
                continue  # deleted since listing
            cached = self._cache.paths.get(rel)
            if cached and cached[0] == key and cached[1] in self._cache.facts:
                facts[rel] = self._cache.facts[cached[1]]
            else:
                stale.append((rel, key))
        if len(stale) >= PARALLEL_THRESHOLD and self.jobs > 1:
            results = _parallel(_extract_files, str(self.repo), [r for r, _ in stale], self.jobs, on_progress, cancel)
            parsed = len(results)
        else:
            results, parsed = self._extract_here(stale, on_progress, cancel)
        keys = dict(stale)
        for rel, blob, file_facts in results:
            if blob is None or file_facts is None:
                continue  # vanished while reading
            if blob not in self._cache.facts:
                self._cache.put(blob, file_facts)
            self._cache.set_path(rel, keys[rel], blob)
            facts[rel] = file_facts
        return facts, parsed, len(stale)

    def _extract_here(
        self, stale: list[tuple[str, StatKey]], on_progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> tuple[list[_FileFacts], int]:
        results: list[_FileFacts] = []
        parsed = 0
        for done, (rel, _key) in enumerate(stale, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                data = (self.repo / rel).read_bytes()
            except OSError:
                continue
            blob = fx.blob_id(data)
            file_facts = self._cache.facts.get(blob)
            if file_facts is None:
                file_facts = fx.extract(data)
                parsed += 1
            results.append((rel, blob, file_facts))
            if on_progress is not None:
                on_progress(Progress(done, len(stale), rel))
        return results, parsed

    # -- baseline tree --------------------------------------------------------------------

    def _parse_blobs(self, blobs: list[str], on_progress: ProgressCallback | None, cancel: CancelToken | None) -> int:
        if not blobs:
            return 0
        contents = _cat_blobs(self.repo, blobs)
        results: list[_BlobFacts]
        if len(blobs) >= PARALLEL_THRESHOLD and self.jobs > 1:
            items = list(contents.items())
            results = _parallel(_extract_blobs, "", items, self.jobs, on_progress, cancel)
        else:
            results = []
            for done, (blob, data) in enumerate(contents.items(), 1):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                results.append((blob, fx.extract(data)))
                if on_progress is not None:
                    on_progress(Progress(done, len(contents), blob[:10]))
        for blob, file_facts in results:
            self._cache.put(blob, file_facts)
        return len(results)


def audit(
    repo: str | os.PathLike[str],
    *,
    ref: str | None = None,
    components: Mapping[str, Sequence[str]] | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    jobs: int | None = None,
    use_cache: bool = True,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> AuditResult:
    """Audit ``repo``'s working tree, or the tree of git ``ref`` (e.g. the baseline).

    Raises:
        AuditError: the folder is missing, or ``ref`` is not a commit of this repository.
        Cancelled: ``cancel`` was cancelled.
    """
    auditor = Auditor(repo, components=components, roles=roles, jobs=jobs, use_cache=use_cache)
    if ref is not None:
        return auditor.run_ref(ref, on_progress=on_progress, cancel=cancel)
    return auditor.run(on_progress=on_progress, cancel=cancel)


def _with_counts(result: AuditResult, parsed: int, read: int) -> AuditResult:
    from dataclasses import replace

    return replace(result, parsed=parsed, read=read)


# -- worker processes -----------------------------------------------------------------------


#: ``(rel, blob, facts)`` of one working-tree file; blob and facts are None when it vanished.
_FileFacts = tuple[str, str | None, fx.Facts | None]
#: ``(blob, facts)`` of one baseline blob.
_BlobFacts = tuple[str, fx.Facts]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def _extract_files(root: str, rels: list[str]) -> list[_FileFacts]:
    """Worker: read, hash and extract files; returns ``(rel, blob | None, facts)``."""
    gc.disable()  # ast trees are acyclic: reference counting frees them, the GC only slows
    try:
        out: list[_FileFacts] = []
        for rel in rels:
            try:
                with open(os.path.join(root, rel), "rb") as handle:
                    data = handle.read()
            except OSError:
                out.append((rel, None, None))
                continue
            out.append((rel, fx.blob_id(data), fx.extract(data)))
        return out
    finally:
        gc.enable()


def _extract_blobs(_root: str, items: list[tuple[str, bytes]]) -> list[_BlobFacts]:
    """Worker: extract blobs already read from git; returns ``(blob, facts)``."""
    gc.disable()
    try:
        return [(blob, fx.extract(data)) for blob, data in items]
    finally:
        gc.enable()


def _parallel(
    func: Callable[[str, list[_Item]], list[_Result]],
    root: str,
    items: list[_Item],
    jobs: int,
    on_progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> list[_Result]:
    chunks = _chunks(items, jobs * 4)
    results: list[_Result] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()) as pool:
        futures = [pool.submit(func, root, chunk) for chunk in chunks]
        try:
            for future in as_completed(futures):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                results.extend(future.result())
                if on_progress is not None:
                    on_progress(Progress(len(results), len(items), "parsing"))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return results


def _chunks(items: list[_Item], count: int) -> list[list[_Item]]:
    """Round-robin split so every chunk gets a similar mix of big and small files."""
    count = max(1, min(count, len(items)))
    return [items[i::count] for i in range(count)]


def _mp_context() -> BaseContext:
    """fork is fastest, but forking a multi-threaded process (the Qt app) is unsafe."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


# -- git plumbing ------------------------------------------------------------------------------


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    """git's stdout; AuditError naming the repository and git's words when it fails."""
    try:
        return run_git(repo, *args, input=data)
    except GitError as exc:
        raise AuditError(f"{repo}: git {' '.join(args)} failed: {exc.stderr.strip() or exc.returncode}") from None


def _resolve_ref(repo: Path, ref: str) -> str:
    try:
        out = run_git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        try:
            run_git(repo, "rev-parse", "--git-dir")
        except GitError:
            raise AuditError(f"{repo}: not a git repository, so it has no baseline {ref!r}") from None
        raise AuditError(f"{repo}: unknown git ref {ref!r} (is the baseline tag or branch created?)") from None
    return out.decode().strip()


def _ls_tree(repo: Path, commit: str, *, python: bool = True) -> dict[str, str]:
    """Repo-relative path -> blob id of every ``.py`` file of ``commit`` (every other file: ``python=False``)."""
    out = _git(repo, "ls-tree", "-r", "-z", commit)
    listing = {}  # without --full-tree, paths are relative to (and limited to) ``repo``
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        path = os.fsdecode(raw_path)
        if kind != "blob" or mode == "120000" or path.endswith(".py") != python:
            continue
        if not any(is_ignored_part(part) for part in path.split("/")[:-1]):
            listing[path] = blob
    return listing


def _cat_blobs(repo: Path, blobs: list[str]) -> dict[str, bytes]:
    """Read many blobs with one ``git cat-file --batch``."""
    out = _git(repo, "cat-file", "--batch", data="".join(b + "\n" for b in blobs).encode())
    pos, contents = 0, {}
    for blob in blobs:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        if len(header) != 3:
            raise AuditError(f"{repo}: git cat-file could not read blob {blob}")
        size = int(header[2])
        contents[blob] = out[header_end + 1 : header_end + 1 + size]
        pos = header_end + 1 + size + 1
    return contents
