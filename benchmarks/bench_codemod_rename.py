"""Benchmark: the same renames on Django by libcst's CLI and by Mission Control, speed and correctness.

Usage: ``nice python benchmarks/bench_codemod_rename.py [--wide] [-j 2] [--profile]``

The Django 5.2 sdist (``benchmarks/.data/``, fetched once with ``pip download --no-deps
--no-binary :all:``) is cut into a project of the scenario's files (its packages' ``__init__``
files included), committed to git, and copied twice. Both tools run cold, as a user runs them:
a fresh process each, with as many processes as ``-j``:

- libcst: ``python -m libcst.tool codemod rename.RenameCommand --no-format`` over one copy
  (``/work/corpus/venv`` when it exists, else this interpreter);
- Mission Control: ``python -m mission_control codemod run rename --no-cache`` over the
  other, with a fresh ``MISSION_CONTROL_HOME`` (an empty cache), applying what it finds unless
  its review refuses (then nothing is written and the refusal is printed).

Then each side's tree is checked against the original, the way the rename's own review does:
changed files that no longer compile, and imports that resolved before and do not after (the
audit's broken-import rule, :func:`mission_control.codemods.verify.new_broken_imports`). Byte
equality between the two sides is printed too, but it is not the measure: RenameCommand does
not rename the definition, so on a rename in place its result is broken by design.

Scenarios:

- narrow (the "Django slice", 202 files: django/utils, db, http, views, forms): rename
  ``django.utils.timezone.now`` to ``django.utils.timezone.current_time``; target ≥ 10× libcst.
- ``--wide`` (every ``migrations`` module, ~1,100 files): point ``django.db.migrations.Migration``
  at ``django.db.migrations.migration.Migration``, where it is defined; target ≥ 5× libcst.

The load average is printed beside each figure: on a shared machine the seconds are inflated
(the ratio less so: both sides run in the same minute).
"""

from __future__ import annotations

import argparse
import json
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

from mission_control.codemods.diffs import file_result
from mission_control.codemods.verify import new_broken_imports
from mission_control.util.files import python_files

DATA = ROOT / "benchmarks" / ".data"
LIBCST_PYTHON = Path("/work/corpus/venv/bin/python")
SLICE = ("django/utils/", "django/db/", "django/http/", "django/views/", "django/forms/")
SCENARIOS = {
    "narrow": ("django.utils.timezone.now", "django.utils.timezone.current_time", SLICE, 10.0),
    "wide": ("django.db.migrations.Migration", "django.db.migrations.migration.Migration", ("/migrations/",), 5.0),
}


def load() -> str:
    value = os.getloadavg()[0]
    busy = " — busy machine, seconds inflated" if value > 1.5 else ""
    return f"load {value:.2f}{busy}"


def django_sdist() -> Path:
    """The Django sdist tarball, downloaded once."""
    found = sorted(DATA.glob("[dD]jango-5.2.*.tar.gz"))
    if not found:
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "django==5.2.*", "-d", DATA],
            check=True,
        )
        found = sorted(DATA.glob("[dD]jango-5.2.*.tar.gz"))
    return found[-1]


def cut(tarball: Path, into: Path, parts: tuple[str, ...]) -> Path:
    """A project of the sdist's .py files matching ``parts`` and their packages' ``__init__``s, in git."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        source = next(p for p in Path(tmp).iterdir() if p.is_dir())
        wanted = {rel for rel in python_files(source) if any(part in "/" + rel for part in parts)}
        for rel in list(wanted):
            folder = Path(rel).parent
            while folder != Path("."):
                if (source / folder / "__init__.py").exists():
                    wanted.add(f"{folder.as_posix()}/__init__.py")
                folder = folder.parent
        for rel in wanted:
            (into / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, into / rel)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "cut"]):
        subprocess.run(["git", *args], cwd=into, check=True, capture_output=True)
    return into


def run_libcst(root: Path, old: str, new: str, jobs: int) -> float:
    python = LIBCST_PYTHON if LIBCST_PYTHON.exists() else Path(sys.executable)
    command = [str(python), "-m", "libcst.tool", "codemod", "rename.RenameCommand", "-j", str(jobs), "--no-format"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, f"--old_name={old}", f"--new_name={new}", "."], cwd=root, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    print("  libcst CLI says:", " | ".join(done.stderr.strip().splitlines()[-3:]), file=sys.stderr)
    return seconds


def run_engine(root: Path, old: str, new: str, jobs: int, home: Path, profile: bool) -> tuple[float, dict]:
    env = dict(os.environ, MISSION_CONTROL_HOME=str(home))
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", str(home.parent / "engine.prof")]
    command += ["-m", "mission_control", "codemod", "run", "rename", "--repo", str(root), "--no-cache", "--json"]
    command += ["-j", str(jobs), "--arg", f"old_name={old}", "--arg", f"new_name={new}"]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    try:
        data = json.loads(done.stdout)
    except ValueError:
        data = {"problems": [done.stderr.strip()[-500:]], "changed": []}
    return seconds, data


def correctness(original: Path, side: Path) -> dict[str, list[str]]:
    """What a side's tree broke: changed files that do not compile, imports that no longer resolve."""
    paths = python_files(original)
    results = []
    for rel in paths:
        before = (original / rel).read_text(encoding="utf-8")
        after_path = side / rel
        after = after_path.read_text(encoding="utf-8") if after_path.exists() else None
        if after != before:
            results.append(file_result(rel, before, after))
    created = [rel for rel in python_files(side) if not (original / rel).exists()]
    for rel in created:
        results.append(file_result(rel, "", (side / rel).read_text(encoding="utf-8")))
    not_compiling = []
    for result in results:
        if result.new_text is not None:
            try:
                compile(result.new_text, result.path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                not_compiling.append(f"{result.path}:{exc.lineno}")
    broken = new_broken_imports(original, [*paths, *created], results, "it")
    return {"changed": [r.path for r in results], "not_compiling": not_compiling, "broken_imports": broken}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wide", action="store_true")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="cProfile the engine's process (printed top 25)")
    ns = parser.parse_args()
    name = "wide" if ns.wide else "narrow"
    old, new, parts, target = SCENARIOS[name]
    tarball = django_sdist()
    with tempfile.TemporaryDirectory(prefix="bench-codemod-") as tmp:
        original = cut(tarball, Path(tmp) / "original", parts)
        files = len(python_files(original))
        ours = Path(shutil.copytree(original, Path(tmp) / "engine", symlinks=True))
        theirs = Path(shutil.copytree(original, Path(tmp) / "libcst", symlinks=True))
        print(f"Django {tarball.name}, {name}: {files} files, rename {old} -> {new}, {ns.jobs} processes each")
        print(f"  before: {load()}")
        engine, data = run_engine(ours, old, new, ns.jobs, Path(tmp) / "home", ns.profile)
        print(f"  Mission Control (cold process, empty cache): {engine:.1f} s  [{load()}]")
        cli = run_libcst(theirs, old, new, ns.jobs)
        print(f"  libcst CLI:                                  {cli:.1f} s  [{load()}]")
        ratio = cli / engine
        verdict = "met" if ratio >= target else "MISSED"
        print(f"  ratio: Mission Control is {ratio:.1f}x faster (target >= {target:.0f}x: {verdict})")
        for label, side in (("Mission Control", ours), ("libcst CLI", theirs)):
            found = correctness(original, side)
            print(
                f"  {label}: {len(found['changed'])} files changed, {len(found['not_compiling'])} do not compile, "
                f"{len(found['broken_imports'])} imports broken"
            )
            for line in (found["not_compiling"] + found["broken_imports"])[:6]:
                print(f"      {line}")
        same = differ = 0
        for rel in python_files(original):
            mine, theirs_text = (ours / rel).read_bytes(), (theirs / rel).read_bytes()
            if mine != (original / rel).read_bytes() or theirs_text != (original / rel).read_bytes():
                same, differ = (same + 1, differ) if mine == theirs_text else (same, differ + 1)
        print(f"  byte for byte: {same} changed files identical on both sides, {differ} differ (see above why)")
        for problem in data.get("problems", [])[:6]:
            print(f"  Mission Control refused: {problem}")
        if ns.profile:
            import pstats

            pstats.Stats(str(Path(tmp) / "engine.prof")).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
