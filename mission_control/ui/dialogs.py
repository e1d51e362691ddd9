"""Message boxes that tests and CI can run without a human.

With ``MISSION_CONTROL_NO_DIALOGS=1`` (set by the test suite) nothing modal is shown: a question
returns its given default answer and a message is only logged. Everywhere else these are plain
QMessageBox calls.
"""

from __future__ import annotations

import logging
import os

from PySide6 import QtWidgets

log = logging.getLogger(__name__)
Button = QtWidgets.QMessageBox.StandardButton


def headless() -> bool:
    return os.environ.get("MISSION_CONTROL_NO_DIALOGS") == "1"


def ask(
    parent: QtWidgets.QWidget | None,
    title: str,
    text: str,
    buttons: Button,
    default: Button,
    headless_answer: Button | None = None,
) -> Button:
    """Ask a question; headless runs answer ``headless_answer`` (else ``default``)."""
    if headless():
        answer = headless_answer if headless_answer is not None else default
        log.info("dialog %r answered %s without asking: %s", title, answer, text)
        return answer
    return QtWidgets.QMessageBox.question(parent, title, text, buttons, default)


def inform(parent: QtWidgets.QWidget | None, title: str, text: str, warning: bool = False) -> None:
    """Show a message (only logged when headless)."""
    (log.warning if warning else log.info)("%s: %s", title, text)
    if headless():
        return
    box = QtWidgets.QMessageBox.warning if warning else QtWidgets.QMessageBox.information
    box(parent, title, text)
