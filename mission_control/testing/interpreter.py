"""Which Python runs a project's tests, and what that environment offers.

Order: the config's ``python`` (relative to the repo unless absolute), else the repo's own
``.venv``/``venv``, else the interpreter running Mission Control. A short probe asks the chosen
interpreter for its version and whether pytest, pytest-xdist and pytest-testmon are installed,
through package metadata (cheap: nothing is imported), so a missing pytest is a clear message
before any run starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT = 30.0

_PROBE = r"""
import json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
def version(name):
    if metadata is None:
        return None
    try:
        return metadata.version(name)
    except Exception:
        return None
print(json.dumps({"python": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable,
                  "pytest": version("pytest"), "xdist": version("pytest-xdist"),
                  "testmon": version("pytest-testmon")}))
"""


class InterpreterError(Exception):
    """The interpreter cannot be found or started; the message names it."""


@dataclass(frozen=True)
class Interpreter:
    """A probed interpreter: where it is, why it was chosen and which test tools it has."""

    path: str
    source: str
    python_version: str
    pytest_version: str | None
    xdist_version: str | None = None
    testmon_version: str | None = None

    @property
    def has_pytest(self) -> bool:
        return self.pytest_version is not None

    @property
    def has_xdist(self) -> bool:
        return self.xdist_version is not None

    @property
    def has_testmon(self) -> bool:
        return self.testmon_version is not None


def _venv_python(folder: Path) -> Path | None:
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe"):
        candidate = folder / rel
        if candidate.is_file():
            return candidate
    return None


def choose_interpreter(repo: Path, configured: str | None = None) -> tuple[str, str]:
    """Return (path, reason) of the interpreter to use, without starting it."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute() and (os.sep in configured or "/" in configured):
            path = Path(repo) / path
        elif not path.is_absolute():
            return configured, "config python (on PATH)"
        return str(path), "config python"
    for name in (".venv", "venv"):
        found = _venv_python(Path(repo) / name)
        if found is not None:
            return str(found), f"the repo's {name}"
    return sys.executable, "Mission Control's own Python"


def probe_interpreter(path: str, source: str = "", cwd: Path | None = None) -> Interpreter:
    """Ask ``path`` for its version and test tools (InterpreterError if it cannot run)."""
    try:
        proc = subprocess.run(
            [path, "-c", _PROBE],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise InterpreterError(f"Python interpreter not found: {path} ({source or 'given'})") from None
    except PermissionError:
        raise InterpreterError(f"Python interpreter is not executable: {path}") from None
    except subprocess.TimeoutExpired:
        raise InterpreterError(f"Python interpreter {path} did not answer within {PROBE_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise InterpreterError(f"cannot start Python interpreter {path}: {exc}") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InterpreterError(f"Python interpreter {path} failed (exit {proc.returncode}): {tail[0]}")
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise InterpreterError(f"{path} does not look like a Python interpreter") from None
    return Interpreter(path, source, info["python"], info["pytest"], info["xdist"], info["testmon"])


def find_interpreter(repo: Path, configured: str | None = None) -> Interpreter:
    """Choose and probe the interpreter for ``repo`` (InterpreterError with a clear message)."""
    path, source = choose_interpreter(repo, configured)
    return probe_interpreter(path, source, cwd=Path(repo))
