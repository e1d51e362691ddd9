"""The Tests dock's details pane: the selected test's outcome, duration, traceback and output.

:class:`TestDetailsPane` shows one row of the tests tree (a test, a class or a file); the texts
come from :func:`details_title` and :func:`details_text`, which need no widgets. "Open in editor"
(``openInEditorButton``) is only enabled for tests and files; the panel decides what it opens.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.testing import CollectionError, TestResult
from mission_control.ui.tests_model import COLORS, format_duration

NOTHING_SELECTED = "Select a test to see its details."
Payload = TestResult | CollectionError | None


def details_title(nodeid: str, outcome: str, payload: Payload) -> str:
    """The pane's rich-text title: the node id in bold, the outcome in its colour, the duration."""
    color = COLORS.get(outcome, "#777777")
    duration = f" · {format_duration(payload.duration)}" if isinstance(payload, TestResult) else ""
    return f"<b>{nodeid}</b><br><span style='color:{color}'>{outcome}</span>{duration}"


def details_text(payload: Payload, kind: str, outcome: str, counts: str) -> str:
    """The pane's body: a result's report and captured output; for a row without one, why.

    ``counts`` is a group row's outcome counts (shown for files and classes).
    """
    if payload is None:
        if kind == "test":
            return "Still running." if outcome == "running" else "The run stopped during this test."
        return counts
    text = payload.longrepr or ("Passed." if isinstance(payload, TestResult) and payload.outcome == "passed" else "")
    for title, body in payload.sections if isinstance(payload, TestResult) else ():
        text += f"\n\n----- {title} -----\n{body}"
    return text.strip()


class TestDetailsPane(QtWidgets.QWidget):
    """Title (``testDetailsTitle``), "Open in editor" (``openInEditorButton``), body (``testDetails``).

    Signals:
        open_requested(): the lead asked to open the shown test in the editor.
    """

    __test__ = False
    open_requested = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel(NOTHING_SELECTED)
        self.title.setObjectName("testDetailsTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QtWidgets.QPushButton("Open in editor")
        self.open_button.setObjectName("openInEditorButton")
        self.open_button.setToolTip("Open the test at its line in $VISUAL/$EDITOR (else the system default)")
        self.open_button.clicked.connect(self.open_requested)
        self.open_button.setEnabled(False)
        head.addWidget(self.title, 1)
        head.addWidget(self.open_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.body = QtWidgets.QPlainTextEdit()
        self.body.setObjectName("testDetails")
        self.body.setReadOnly(True)
        self.body.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.body.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.body.setMinimumHeight(70)
        self.body.setPlaceholderText("A failure's traceback and captured output show here.")
        layout.addLayout(head)
        layout.addWidget(self.body, 1)

    def show_nothing(self) -> None:
        self.open_button.setEnabled(False)
        self.title.setText(NOTHING_SELECTED)
        self.body.setPlainText("")

    def show_row(self, nodeid: str, kind: str, outcome: str, payload: Payload, counts: str) -> None:
        """Show a row of the tests tree (``kind``: ``test``, ``class`` or ``file``)."""
        self.open_button.setEnabled(kind in ("test", "file"))
        self.title.setText(details_title(nodeid, outcome, payload))
        self.body.setPlainText(details_text(payload, kind, outcome, counts))
