"""The codemod engine: a dry run over a repository, fast on large ones.

Each file is read once. The command's text prefilter and ``ast`` pre-resolution decide which
files can be affected; only those are parsed by libcst, across processes when there are many,
and their results are cached by content (a re-run over unchanged files costs a hash). The run
reports progress with an ETA and stops at the next file when cancelled; nothing is written
(see :mod:`.apply` for that).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import libcst

from mission_control.codemods import mentions
from mission_control.codemods.base import (
    GENERATED_MARKER,
    BuiltinCodemod,
    CodemodError,
    FileFailed,
    FileSkipped,
    Source,
)
from mission_control.codemods.diffs import file_result
from mission_control.codemods.model import CHANGED, FAILED, SKIPPED, UNCHANGED, CodemodRun, FileResult, Mention
from mission_control.codemods.resolve import module_and_package
from mission_control.util import appdirs
from mission_control.util.files import project_files, python_files
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

ENGINE_VERSION = "1"
#: Below this many files for libcst, processes cost more than they save.
PARALLEL_MIN_FILES = 24


def run_builtin(
    repo: Path,
    command: BuiltinCodemod,
    args: dict[str, str],
    *,
    paths: Iterable[str] | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    include_generated: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> CodemodRun:
    """Dry-run a built-in codemod over ``repo`` (or the given repo-relative ``paths``)."""
    started = time.monotonic()
    report = on_progress or no_progress
    params = command.prepare(repo, args)
    files = list(paths) if paths is not None else python_files(repo)
    cache = _Cache(command.name, params) if use_cache else None
    forms_of = getattr(command, "mention_forms", None)  # optional: strings naming what it renames
    needle_of = getattr(command, "mention_needle", None)  # text every such string contains
    needle: str = needle_of(params) if forms_of is not None and needle_of is not None else ""
    mentioning: dict[str, str] = {}  # path -> text of the files that may mention it
    results: list[FileResult] = []
    work: list[Source] = []
    prefiltered = cached = 0
    for i, rel in enumerate(files):
        if cancel and cancel.cancelled:
            return _finish(repo, command, args, results, len(files), prefiltered, cached, started, True, 1)
        if i % 200 == 0:
            report(Progress(0, len(files), f"scanning {i}/{len(files)} files"))
        outcome = _triage(repo, rel, command, params, cache, include_generated, needle, mentioning)
        if outcome is None:
            prefiltered += 1
        elif isinstance(outcome, FileResult):
            cached += outcome.reason == "" and outcome.status in (CHANGED, UNCHANGED)
            results.append(outcome)
        else:
            work.append(outcome)
    jobs_used = _jobs(jobs, len(work))
    done, was_cancelled = _transform_all(command, params, work, jobs_used, report, cancel)
    if cache:
        cache.store(done)
    results.extend(done)
    finish = getattr(command, "finish", None)  # optional: results of the whole run reshaped (a moved file)
    if finish is not None and not was_cancelled:
        results = finish(params, results)
    found: list[Mention] = []
    if forms_of is not None and not was_cancelled:
        forms: list[tuple[str, str]] = forms_of(params, results, list(mentioning.values()))
        rewrite = bool(params.get("rewrite_mentions"))
        doctest_of = getattr(command, "doctest_name", None)  # a bare name doctests in changed files spell
        doctest = doctest_of(params) if doctest_of is not None else None
        results, found = _mentions(repo, paths is None, results, mentioning, forms, rewrite, doctest)
    run = _finish(repo, command, args, results, len(files), prefiltered, cached, started, was_cancelled, jobs_used)
    run = dataclasses.replace(run, mentions=tuple(found))
    review = getattr(command, "review", None)  # optional: checks of the whole dry run
    if review is None or was_cancelled:
        return run
    return dataclasses.replace(run, problems=tuple(review(params, run.files, repo=repo, paths=files)))


def _mentions(
    repo: Path,
    whole_project: bool,
    results: list[FileResult],
    mentioning: dict[str, str],
    forms: list[tuple[str, str]],
    rewrite: bool,
    doctest: tuple[str, str] | None = None,
) -> tuple[list[FileResult], list[Mention]]:
    """The run's "also mentions" (strings, config entries, doctests of the files it changes), and its
    results with them rewritten if asked."""
    by_path = {r.path: r for r in results}
    texts = dict(mentioning)
    if doctest is not None:  # the files the run changes may show the bare name in doctests
        for changed in results:
            if changed.status == CHANGED and changed.old_text is not None and doctest[0] in changed.old_text:
                texts.setdefault(changed.path, changed.old_text)
    for rel in mentions.config_paths(project_files(repo, mentions.CONFIG_FILES) if whole_project else ()):
        try:
            text = (repo / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if mentions.contains(text, forms):
            texts[rel] = text
    found: list[Mention] = []
    for rel, original in sorted(texts.items()):
        result = by_path.get(rel)
        if result is not None and result.status not in (CHANGED, UNCHANGED):
            rewrite_here = False  # a failed or skipped file is left as it is
        else:
            rewrite_here = rewrite and not (result is not None and result.deleted)
        current = result.new_text if result is not None and result.status == CHANGED else original
        if current is None:
            continue
        changed_here = result is not None and result.status == CHANGED
        listed, new_text = mentions.find(rel, current, forms, rewrite_here, doctest if changed_here else None)
        found.extend(listed)
        if new_text is not None:
            by_path[rel] = file_result(rel, original, new_text)
    return list(by_path.values()), found


def _triage(
    repo: Path,
    rel: str,
    command: BuiltinCodemod,
    params: dict[str, Any],
    cache: _Cache | None,
    include_generated: bool,
    needle: str = "",
    mentioning: dict[str, str] | None = None,
) -> FileResult | Source | None:
    """Read one file: None (cannot be affected), a final result, or a Source for libcst
    (a file containing ``needle`` is kept in ``mentioning``, for the "also mentions" scan)."""
    try:
        text = (repo / rel).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileResult(rel, FAILED, reason=f"{rel}: cannot read as UTF-8: {exc}")
    if needle and mentioning is not None and needle in text:
        mentioning[rel] = text
    module, package = module_and_package(rel)
    source = Source(rel, module, package, text, str(repo / rel))
    try:
        wanted = command.wants(params, source)
    except FileFailed as exc:
        return FileResult(rel, FAILED, old_text=text, reason=str(exc), line=exc.line)
    if wanted is None:
        return None
    if wanted:
        return FileResult(rel, SKIPPED, old_text=text, reason=wanted)
    if not include_generated and GENERATED_MARKER in text:
        return FileResult(rel, SKIPPED, old_text=text, reason=f"generated code ({GENERATED_MARKER} marker)")
    hit = cache.lookup(source) if cache else None
    return hit if hit is not None else source


def transform_one(command: BuiltinCodemod, params: dict[str, Any], source: Source) -> FileResult:
    """Run the command on one file and describe the outcome (never raises for the file)."""
    try:
        new_text = command.transform(params, source)
    except FileSkipped as exc:
        return FileResult(source.path, SKIPPED, old_text=source.text, reason=str(exc))
    except FileFailed as exc:
        return FileResult(source.path, FAILED, old_text=source.text, reason=str(exc), line=exc.line)
    except Exception as exc:  # a codemod bug must not end the run: report it on the file
        return FileResult(
            source.path, FAILED, old_text=source.text, reason=f"{source.path}: {type(exc).__name__}: {exc}"
        )
    return file_result(source.path, source.text, new_text)


def _worker(name: str, params: dict[str, Any], source: Source) -> FileResult:
    from mission_control.codemods.registry import builtin  # the worker process imports lazily

    return transform_one(builtin(name), params, source)


def _jobs(jobs: int | None, count: int) -> int:
    """Processes for ``count`` files: at most ``jobs``; one below :data:`PARALLEL_MIN_FILES`
    (starting a process that imports libcst costs more than it saves on a few files)."""
    if count < PARALLEL_MIN_FILES:
        return 1
    if jobs is not None:
        return max(1, min(jobs, count))
    return max(1, min(os.cpu_count() or 1, count // 4))


def _transform_all(
    command: BuiltinCodemod,
    params: dict[str, Any],
    work: list[Source],
    jobs: int,
    report: ProgressCallback,
    cancel: CancelToken | None,
) -> tuple[list[FileResult], bool]:
    """Transform every source, in this process or in ``jobs`` processes; (results, cancelled)."""
    eta = Eta(len(work))
    report(Progress(0, len(work), eta.message(0)))
    if jobs <= 1:
        results: list[FileResult] = []
        for source in work:
            if cancel and cancel.cancelled:
                return results, True
            results.append(transform_one(command, params, source))
            report(Progress(len(results), len(work), eta.message(len(results))))
        return results, False
    return _transform_parallel(command, params, work, jobs, report, cancel, eta)


def _transform_parallel(
    command: BuiltinCodemod,
    params: dict[str, Any],
    work: list[Source],
    jobs: int,
    report: ProgressCallback,
    cancel: CancelToken | None,
    eta: Eta,
) -> tuple[list[FileResult], bool]:
    pool = cf.ProcessPoolExecutor(jobs, mp_context=_process_context())
    ordered = sorted(work, key=lambda s: len(s.text), reverse=True)  # big files first: even finish
    futures = {pool.submit(_worker, command.name, params, s): s for s in ordered}
    results: list[FileResult] = []
    try:
        pending = set(futures)
        while pending:
            finished, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                results.append(_future_result(future, futures[future]))
            if finished:
                report(Progress(len(results), len(work), eta.message(len(results))))
            if cancel and cancel.cancelled:
                _stop(pool)
                return results, True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results, False


def _process_context() -> multiprocessing.context.BaseContext:
    """``fork`` in a single-threaded process (the command line: workers start with libcst already
    imported, a second or more saved each), else ``spawn`` (the UI calls from a worker thread,
    and forking a threaded Qt process is unsafe)."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _future_result(future: cf.Future[FileResult], source: Source) -> FileResult:
    try:
        return future.result()
    except Exception as exc:  # the worker died (out of memory, killed)
        return FileResult(
            source.path,
            FAILED,
            old_text=source.text,
            reason=f"{source.path}: worker failed: {type(exc).__name__}: {exc}",
        )


def _stop(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel queued files and end the workers now (their results are not wanted)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() may drop the dict
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


class Eta:
    """Estimates the time left from the pace so far ("12/80 files, about 9 s left")."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()

    def seconds_left(self, done: int) -> float | None:
        """Seconds left at the current pace, None before the first file is done."""
        if done <= 0:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / done * (self.total - done)

    def message(self, done: int) -> str:
        left = self.seconds_left(done)
        tail = "" if left is None or done >= self.total else f", about {left:.0f} s left"
        return f"libcst: {done}/{self.total} files{tail}"


def _finish(
    repo: Path,
    command: BuiltinCodemod,
    args: dict[str, str],
    results: list[FileResult],
    scanned: int,
    prefiltered: int,
    cached: int,
    started: float,
    cancelled: bool,
    jobs: int,
) -> CodemodRun:
    ordered = tuple(sorted(results, key=lambda r: r.path))
    return CodemodRun(
        str(repo),
        command.name,
        dict(args),
        ordered,
        scanned,
        prefiltered,
        cached,
        time.monotonic() - started,
        cancelled,
        jobs,
    )


class _Cache:
    """Results of libcst runs by (engine, libcst, codemod, params, path, text): one JSON file each."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.folder = appdirs.cache_dir() / "codemods"
        self.salt = json.dumps(
            [ENGINE_VERSION, libcst.__version__ if hasattr(libcst, "__version__") else "", name, params],
            sort_keys=True,
            default=str,
        )

    def _key(self, path: str, text: str) -> Path:
        digest = hashlib.sha256(f"{self.salt}\0{path}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"

    def lookup(self, source: Source) -> FileResult | None:
        try:
            data = json.loads(self._key(source.path, source.text).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("status") == CHANGED:
            return file_result(source.path, source.text, data.get("new_text"))
        if data.get("status") == UNCHANGED:
            return FileResult(source.path, UNCHANGED, old_text=source.text, new_text=source.text)
        return None

    def store(self, results: list[FileResult]) -> None:
        for result in results:
            if result.status not in (CHANGED, UNCHANGED) or result.old_text is None:
                continue
            target = self._key(result.path, result.old_text)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(target, json.dumps({"status": result.status, "new_text": result.new_text}))
            except OSError:
                return  # a cache that cannot be written only costs speed


def check_repo(repo: str | os.PathLike[str]) -> Path:
    """The repository folder, resolved; raises :class:`CodemodError` if it is not a folder."""
    root = Path(repo).expanduser().resolve()
    if not root.is_dir():
        raise CodemodError(f"{root}: not a folder")
    return root
