"""The window starts without the heavy libraries a dock needs only later (libcst: ~0.5 s of imports).

Each check runs a fresh interpreter and reads ``sys.modules``: in this process the other tests have
long imported everything. A positive control shows the check sees libcst when it is imported.
Start-up time itself is measured by ``benchmarks/bench_startup.py``, never asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mission_control import cli

ROOT = Path(__file__).resolve().parent.parent


def imported_after(code: str, tmp_path: Path) -> set[str]:
    """The top-level packages and ``mission_control`` modules loaded after running ``code``."""
    script = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MISSION_CONTROL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_the_main_window_does_not_import_libcst(tmp_path):
    modules = imported_after("import mission_control.ui.main_window", tmp_path)
    assert "mission_control.ui.codemods_panel" in modules  # the dock's module is there...
    assert "libcst" not in modules  # ...without the library its work needs


def test_the_codemods_package_loads_libcst_only_when_a_codemod_is_listed(tmp_path):
    modules = imported_after(
        "import mission_control.codemods as c\nfrom mission_control.codemods import CodemodRun, apply_run", tmp_path
    )
    assert "libcst" not in modules
    modules = imported_after("import mission_control.codemods as c\nc.builtin_infos()", tmp_path)
    assert "libcst" in modules  # the control: the same check sees it once a codemod is needed


def test_the_codemods_dock_lists_codemods_when_first_shown(tmp_path):
    """The window on the demo is built and painted without libcst; raising the dock lists the codemods."""
    code = (
        "import sys\n"
        "from PySide6 import QtWidgets\n"
        "app = QtWidgets.QApplication([])\n"
        "from mission_control.services.demo import create_demo\n"
        "from mission_control.ui import create_window\n"
        f"window = create_window(create_demo({str(tmp_path / 'demo')!r}))\n"
        "app.processEvents()\n"
        "panel = window.panels['codemods_panel']\n"
        "assert panel.infos == [] and 'libcst' not in sys.modules, 'listed before the dock was shown'\n"
        "window.findChild(QtWidgets.QDockWidget, 'codemodsPanelDock').raise_()\n"
        "assert [i.name for i in panel.infos][:1] == ['rename'], panel.infos\n"
        "assert panel.choice.findData('consolidate') >= 0\n"
        "window.close()\n"
    )
    assert "libcst" in imported_after(code, tmp_path)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "show", "x.md"], True),
        (["--help"], True),
        (["--demo"], False),
        (["--plan", "docs/plan.md"], False),
        (["/tmp/some-repo"], False),
        (["./repo"], False),
        ([], False),
    ],
)
def test_is_subcommand(args, expected):
    assert cli.is_subcommand(args) is expected


def test_the_app_arguments_do_not_build_the_command_parser(tmp_path):
    """``mission-control --demo`` decides "the app" without importing every command module (~0.3 s)."""
    modules = imported_after("from mission_control import cli\nassert not cli.is_subcommand(['--demo'])", tmp_path)
    assert "mission_control.cli.codemod_cmds" not in modules
    modules = imported_after("from mission_control import cli\nassert cli.is_subcommand(['plan'])", tmp_path)
    assert "mission_control.cli.codemod_cmds" in modules  # the control: a word builds the parser
