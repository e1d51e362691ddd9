"""The plan's "quick rollback script" (dry run): which files a rollback would restore.

Usage: python scripts/emergency_rollback.py (--component NAME | --full)

It reads the components from mission-control.toml and lists the files that differ from the
baseline. The real, undoable rollback is ``mission-control rollback --component NAME``.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        sys.exit("emergency_rollback: Python 3.11+ is needed to read mission-control.toml")
    with open(ROOT / "mission-control.toml", "rb") as handle:
        return tomllib.load(handle)


def _changed_files(baseline: str) -> list[str]:
    def git(*args: str) -> list[str]:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"emergency_rollback: git {' '.join(args)} failed: {done.stderr.strip()}")
        return [line for line in done.stdout.splitlines() if line]

    changed = set(git("diff", "--name-only", baseline))
    untracked = set(git("ls-files", "--others", "--exclude-standard"))
    return sorted(changed | untracked)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--component")
    group.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    config = _config()
    components = config.get("components", {})
    if args.component and args.component not in components:
        print(f"unknown component {args.component!r}; known: {', '.join(sorted(components))}", file=sys.stderr)
        return 2
    files = _changed_files(config.get("baseline", "pre-ssot"))
    if args.component:
        patterns = components[args.component].get("paths", [])
        files = [f for f in files if any(fnmatch.fnmatch(f, p) for p in patterns)]
    target = f"component {args.component}" if args.component else "the whole tree"
    print(f"Dry run: {len(files)} file(s) of {target} differ from the baseline")
    for path in files:
        print(f"  {path}")
    option = f"--component {args.component}" if args.component else "--full"
    print(f"Roll back for real (with a snapshot and undo): mission-control rollback {option}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
