"""Open a test's file at its line in the lead's editor ($VISUAL, else $EDITOR, else the system default).

Editors disagree on how to say "file at line": VS Code wants ``-g file:line``, Sublime and Zed
``file:line``, and the vi/emacs/nano family ``+line file``. :func:`editor_command` knows the common
ones; the launch itself is detached so the GUI never waits for the editor.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from PySide6 import QtCore, QtGui

COLON_EDITORS = {"subl", "sublime_text", "zed", "atom", "gedit", "kate", "pycharm", "charm", "idea", "mate"}
GOTO_EDITORS = {"code", "codium", "code-insiders", "cursor"}


def editor_command(path: Path, line: int | None, env: Mapping[str, str] | None = None) -> list[str] | None:
    """The command that opens ``path`` at ``line`` in the user's editor, or None when none is set."""
    env = os.environ if env is None else env
    value = (env.get("VISUAL") or env.get("EDITOR") or "").strip()
    if not value:
        return None
    try:
        argv = shlex.split(value)
    except ValueError:
        argv = [value]
    name = Path(argv[0]).name.lower()
    if line is None:
        return argv + [str(path)]
    if name in GOTO_EDITORS:
        return argv + ["-g", f"{path}:{line}"]
    if name in COLON_EDITORS:
        return argv + [f"{path}:{line}"]
    return argv + [f"+{line}", str(path)]


def open_in_editor(path: Path, line: int | None) -> str:
    """Open ``path`` (at ``line``); returns a short sentence saying how, or why it could not."""
    if not path.exists():
        return f"{path} does not exist"
    command = editor_command(path, line)
    if command is not None:
        ok, _pid = QtCore.QProcess.startDetached(command[0], command[1:], str(path.parent))
        if ok:
            return f"Opened {path.name}:{line or 1} with {command[0]}"
        return f"Could not start the editor {command[0]!r} ($VISUAL/$EDITOR); check that it is installed"
    if QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(path))):
        return f"Opened {path.name} with the system's default application"
    return f"No application opens {path}; set $VISUAL or $EDITOR"
