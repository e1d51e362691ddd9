"""The repository's own libcst codemods: discovered and run by the project's interpreter.

libcst's tool finds codemods in the modules ``.libcst.codemod.yaml`` lists. Those modules
belong to the project (they may import its code), so they are imported by the project's
interpreter in a subprocess (:mod:`._external_helper`), never into Mission Control. A run
streams one JSON line per file; the engine turns them into the same per-file results (diffs,
hunks, skips, failures) as a built-in codemod, and nothing is written.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any, TypedDict

from mission_control.codemods.base import GENERATED_MARKER, CodemodError
from mission_control.codemods.diffs import file_result
from mission_control.codemods.engine import Eta
from mission_control.codemods.model import FAILED, SKIPPED, ArgSpec, CodemodInfo, CodemodRun, FileResult
from mission_control.codemods.registry import builtin_infos
from mission_control.codemods.resolve import module_and_package
from mission_control.util.files import python_files
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

CONFIG_NAME = ".libcst.codemod.yaml"
HELPER = Path(__file__).with_name("_external_helper.py")
DISCOVER_TIMEOUT = 60.0


class _JobFile(TypedDict):
    path: str
    module: str
    package: str


class _Job(TypedDict):
    """What the helper's ``run`` reads on stdin."""

    repo: str
    command: str
    files: list[_JobFile]
    argv: list[str]


def project_python(repo: Path, python: str | None = None) -> str:
    """The project's interpreter: ``python`` if given, else the config's, its venv's, or ours."""
    from mission_control.testing.interpreter import choose_interpreter

    if python is None:
        try:
            from mission_control.config import load_config

            python = load_config(repo).python
        except Exception:  # a broken config is reported by the commands that need it
            python = None
    return choose_interpreter(repo, python)[0]


def discover(repo: Path, python: str | None = None) -> tuple[list[CodemodInfo], list[str]]:
    """The codemods of ``repo``'s ``.libcst.codemod.yaml`` modules, and problems found."""
    if not (repo / CONFIG_NAME).is_file():
        return [], []
    interpreter = project_python(repo, python)
    try:
        done = subprocess.run(
            [interpreter, str(HELPER), "discover", str(repo)],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=DISCOVER_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], [f"{repo / CONFIG_NAME}: cannot run {interpreter}: {exc}"]
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [], [f"{repo / CONFIG_NAME}: discovery with {interpreter} failed: {last}"]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    infos = [
        CodemodInfo(
            c["name"],
            c["description"],
            tuple(ArgSpec(a["name"], a["help"], a["required"]) for a in c["args"]),
            builtin=False,
            source=c["source"],
        )
        for c in data["commands"]
    ]
    return infos, list(data["problems"])


def run_external(
    repo: Path,
    name: str,
    args: dict[str, str],
    *,
    paths: list[str] | None = None,
    python: str | None = None,
    include_generated: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> CodemodRun:
    """Dry-run the repository's codemod ``name`` (``module.ClassName``) over its files."""
    started = time.monotonic()
    report = on_progress or no_progress
    files = list(paths) if paths is not None else python_files(repo)
    results: list[FileResult] = []
    items: list[tuple[_JobFile, str]] = []
    for rel in files:
        try:
            text = (repo / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            results.append(FileResult(rel, FAILED, reason=f"{rel}: cannot read as UTF-8: {exc}"))
            continue
        if GENERATED_MARKER in text and not include_generated:
            results.append(FileResult(rel, SKIPPED, old_text=text, reason="generated code"))
            continue
        module, package = module_and_package(rel)
        items.append(({"path": rel, "module": module, "package": package}, text))
    job: _Job = {
        "repo": str(repo),
        "command": name,
        "files": [i for i, _ in items],
        "argv": [f"--{k}={v}" for k, v in args.items()],
    }
    texts = {i["path"]: t for i, t in items}
    cancelled = _stream(repo, project_python(repo, python), job, texts, results, report, cancel)
    ordered = tuple(sorted(results, key=lambda r: r.path))
    return CodemodRun(str(repo), name, dict(args), ordered, len(files), 0, 0, time.monotonic() - started, cancelled, 1)


def _stream(
    repo: Path,
    interpreter: str,
    job: _Job,
    texts: dict[str, str],
    results: list[FileResult],
    report: ProgressCallback,
    cancel: CancelToken | None,
) -> bool:
    """Run the helper, turning each JSON line into a result; True when cancelled."""
    eta = Eta(len(texts))
    try:
        process = subprocess.Popen(
            [interpreter, str(HELPER), "run"],
            cwd=repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as exc:
        raise CodemodError(f"cannot run {interpreter}: {exc}") from None
    assert process.stdin and process.stdout and process.stderr  # all three are PIPE
    process.stdin.write(json.dumps(job))
    process.stdin.close()
    for done, line in enumerate(process.stdout, start=1):
        if cancel and cancel.cancelled:
            process.kill()
            process.wait()
            return True
        data = json.loads(line)
        if "fatal" in data:
            process.wait()
            raise CodemodError(data["fatal"])
        results.append(_result(data, texts[data["path"]]))
        report(Progress(done, len(texts), eta.message(done)))
    stderr = process.stderr.read()
    if process.wait() != 0:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        raise CodemodError(f"{job['command']} failed in {interpreter}: {last}")
    return False


def _result(data: dict[str, Any], text: str) -> FileResult:
    """The result of one file from the helper's JSON line (``path``, ``status``, ...)."""
    if data["status"] == "ok":
        return file_result(data["path"], text, data["new_text"])
    status = SKIPPED if data["status"] == "skipped" else FAILED
    reason = data.get("reason", "")
    return FileResult(
        data["path"],
        status,
        old_text=text,
        reason=f"{data['path']}: {reason}" if status == FAILED else reason,
        line=data.get("line"),
    )


def list_codemods(repo: str | Path | None = None, python: str | None = None) -> tuple[list[CodemodInfo], list[str]]:
    """Every codemod the user can run in ``repo``, and problems met discovering the repo's own.

    The repository's codemods come from the modules its ``.libcst.codemod.yaml`` names,
    imported by the project's interpreter in a subprocess (see :mod:`.external`).
    """
    infos = builtin_infos()
    if repo is None:
        return infos, []
    found, problems = discover(Path(repo), python)
    return infos + found, problems
