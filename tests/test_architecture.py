"""The core stays Qt-free: checked statically (import-linter) and at runtime (a fresh interpreter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ["mission_control.plan", "mission_control.schedule", "mission_control.repo", "mission_control.testing",
        "mission_control.codemods", "mission_control.audit", "mission_control.watch", "mission_control.history",
        "mission_control.metrics", "mission_control.project", "mission_control.cli", "mission_control.demo",
        "mission_control.settings", "mission_control.graphlayout"]


def test_import_linter_contract_holds():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed in this environment")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_and_cli_import_without_qt():
    code = ("import sys, importlib\n"
            f"for name in {CORE!r}:\n"
            "    importlib.import_module(name)\n"
            "import mission_control.cli as cli; cli.build_parser()\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("module", CORE)
def test_each_core_package_imports_on_its_own(module):
    """No import cycles: whichever package a script imports first must work."""
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_cli_help_works_headless():
    result = subprocess.run([sys.executable, "-m", "mission_control", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("plan", "check", "reschedule", "rollback", "test", "audit", "demo"):
        assert command in result.stdout
