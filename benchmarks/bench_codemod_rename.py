"""Benchmark: the same rename over Django's source by libcst's CLI and by Mission Control's engine.

Usage: ``nice python benchmarks/bench_codemod_rename.py [--wide] [-j 2]``

The Django 5.2 sdist is fetched once with ``pip download --no-deps --no-binary :all:`` into
``benchmarks/.data/`` (git-ignored) and extracted into two temporary copies. One copy is
rewritten in place by ``python -m libcst.tool codemod rename.RenameCommand --no-format``; the
engine dry-runs the other (no cache) and its per-file results are compared with the files the
CLI wrote. Both run in this one invocation, each with the same number of processes.

How files are compared: byte for byte. Two kinds of difference are expected and counted, never
hidden: (1) RenameCommand adds an unused ``from <new module> import <new name>`` to files that
import the old module but never use the old name; the engine leaves those files alone, so for
them we check that the CLI's only change is that one added import line. (2) Files where the
engine does more than RenameCommand can (relative imports, string annotations, imports in
``if TYPE_CHECKING:``/``try:`` blocks). Anything else is reported as a mismatch.

Scenarios: the default renames ``django.utils.timezone.now`` (a few % of the files); ``--wide``
renames ``django.db.migrations.Migration`` over the migration modules (it touches almost all).
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mission_control.codemods import run_codemod
from mission_control.codemods.engine import python_files

DATA = ROOT / "benchmarks" / ".data"
SCENARIOS = {
    "narrow": ("django.utils.timezone.now", "django.utils.timezone.localtime", None),
    "wide": ("django.db.migrations.Migration", "django.db.migrations.migration.Migration", "migrations"),
}


def django_sdist() -> Path:
    """The Django sdist tarball, downloaded once."""
    found = sorted(DATA.glob("[dD]jango-5.2.*.tar.gz"))
    if not found:
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "django==5.2.*",
                "-d",
                str(DATA),
            ],
            check=True,
        )
        found = sorted(DATA.glob("[dD]jango-5.2.*.tar.gz"))
    return found[-1]


def extract(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


def selected(root: Path, part: str | None) -> list[str]:
    files = python_files(root)
    return [f for f in files if part is None or f"/{part}/" in f]


def run_cli(root: Path, old: str, new: str, files: list[str], jobs: int) -> float:
    started = time.monotonic()
    targets = files if len(files) < 500 else ["."]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "rename.RenameCommand",
            "-j",
            str(jobs),
            "--no-format",
            f"--old_name={old}",
            f"--new_name={new}",
            *targets,
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    print("libcst CLI:", (done.stderr.strip().splitlines() or ["?"])[-4:], file=sys.stderr)
    return seconds


def compare(original: Path, cli_root: Path, run, files: list[str], new: str) -> dict[str, list[str]]:
    module, _, name = new.rpartition(".")
    added = f"from {module} import {name}"
    ours = {r.path: r.new_text for r in run.changed}
    out = {"identical": [], "quirk": [], "engine_more": [], "mismatch": []}
    for rel in files:
        before = (original / rel).read_text(encoding="utf-8")
        theirs = (cli_root / rel).read_text(encoding="utf-8")
        mine = ours.get(rel, before)
        if mine == theirs:
            if mine != before:
                out["identical"].append(rel)
        elif mine == before and _only_added(before, theirs, added):
            out["quirk"].append(rel)
        elif theirs == before:
            out["engine_more"].append(rel)
        else:
            out["mismatch"].append(rel)
    return out


def _only_added(before: str, after: str, line: str) -> bool:
    diff = [d for d in difflib.ndiff(before.splitlines(), after.splitlines()) if d[:1] in "+-"]
    return [d for d in diff if d.strip() not in ("+", "-")] == [f"+ {line}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wide", action="store_true")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    ns = parser.parse_args()
    old, new, part = SCENARIOS["wide" if ns.wide else "narrow"]
    tarball = django_sdist()
    with tempfile.TemporaryDirectory(prefix="bench-codemod-") as tmp:
        os.environ["MISSION_CONTROL_HOME"] = str(Path(tmp) / "home")  # a cold cache
        original = extract(tarball, Path(tmp) / "original")
        cli_root = Path(shutil.copytree(original, Path(tmp) / "cli"))
        files = selected(original, part)
        started = time.monotonic()
        run = run_codemod(original, "rename", {"old_name": old, "new_name": new}, paths=files, jobs=ns.jobs)
        engine = time.monotonic() - started
        started = time.monotonic()
        run_codemod(original, "rename", {"old_name": old, "new_name": new}, paths=files, jobs=ns.jobs)
        cached_seconds = time.monotonic() - started
        cli = run_cli(cli_root, old, new, files, ns.jobs)
        result = compare(original, cli_root, run, files, new)
    touched = len(result["identical"]) + len(result["quirk"]) + len(result["mismatch"])
    print(f"Django {tarball.name}: {len(files)} files, rename {old} -> {new}, {ns.jobs} processes each")
    print(f"files libcst's CLI changed: {touched} ({100 * touched / len(files):.1f} %)")
    print(
        f"engine: {len(run.changed)} changed, {run.prefiltered} ruled out without libcst, "
        f"{len(run.failed)} failed ({', '.join(f.path for f in run.failed)}), {run.jobs} jobs"
    )
    print(f"identical results: {len(result['identical'])} files byte for byte")
    print(
        f"RenameCommand quirk (only an unused '{new.rpartition('.')[0]} import' added; engine leaves the "
        f"file alone): {len(result['quirk'])}"
    )
    print(f"engine renamed what RenameCommand cannot (relative/string/nested imports): {result['engine_more']}")
    print(f"MISMATCHES: {result['mismatch']}")
    print(
        f"libcst CLI {cli:.1f} s, engine {engine:.1f} s (cached re-run {cached_seconds:.2f} s): "
        f"engine is {cli / engine:.1f}x faster"
    )
    return 1 if result["mismatch"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
