"""The Components dock's dialogs: confirm a rollback, and give a component its paths.

Both are window-modal but opened with ``open()`` (never a nested ``exec()`` loop), so the dock
reacts to ``accepted`` and tests drive them with real clicks on their buttons.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.repo.rollback import RollbackPlan

_CHANGE_TEXT = {
    "added": "remove (added since the baseline)",
    "modified": "restore (modified)",
    "deleted": "restore (deleted since the baseline)",
}
_CHANGE_COLOR = {"added": "#2e7d32", "modified": "#b26a00", "deleted": "#c62828"}


class RollbackConfirmDialog(QtWidgets.QDialog):
    """Lists what a rollback will do (files, what happens to each, the diff stat) and asks.

    ``accepted`` means "roll back"; the dialog itself changes nothing.
    """

    def __init__(self, plan: RollbackPlan, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("rollbackConfirmDialog")
        self.setWindowTitle(f"Roll back {plan.target}?")
        self.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.setMinimumWidth(720)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self._headline())
        layout.addWidget(self._file_list(), 1)
        for note in plan.notes:
            layout.addWidget(_wrapped(f"<i>{_escape(note)}</i>"))
        if plan.shared:
            shared = _wrapped(
                "<b>⚠ Other components own some of these files</b>; rolling back rolls them back for them too:<br>"
                + "<br>".join(_escape(line) for line in plan.shared_text)
            )
            shared.setObjectName("rollbackShared")
            layout.addWidget(shared)
        layout.addWidget(
            _wrapped(
                "A snapshot of the current files is saved first; <b>Undo</b> in the Components "
                "dock puts them back byte for byte. Nothing is committed."
            )
        )
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.addButton("Roll back", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirmRollbackButton")
        self.confirm_button.setDefault(False)
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _headline(self) -> QtWidgets.QLabel:
        base = self.plan.baseline
        where = f"{base.ref} ({(base.commit or '')[:7]})" if base.ref else "the baseline"
        text = (
            f"<b>Roll back {_escape(self.plan.target)}</b> to {_escape(where)}: <b>{_escape(self.plan.diffstat)}</b>."
        )
        if self.plan.component is None:
            text += "<br>Every file of the repository returns to the baseline."
        label = _wrapped(text)
        label.setObjectName("rollbackSummary")
        return label

    def _file_list(self) -> QtWidgets.QTreeWidget:
        tree = QtWidgets.QTreeWidget()
        tree.setObjectName("rollbackFiles")
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels(["File", "Rollback will", "Lines"])
        tree.setAlternatingRowColors(True)
        for change in self.plan.files:
            lines = "binary" if change.binary else f"+{change.added} -{change.removed}"
            item = QtWidgets.QTreeWidgetItem([change.path, _CHANGE_TEXT.get(change.change, change.change), lines])
            item.setForeground(1, QtGui.QColor(_CHANGE_COLOR.get(change.change, "#444")))
            item.setToolTip(0, change.path)
            tree.addTopLevelItem(item)
        tree.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        header = tree.header()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        tree.setMinimumHeight(min(360, 60 + 22 * max(1, len(self.plan.files))))
        return tree


class AddPathsDialog(QtWidgets.QDialog):
    """Asks for the globs (one a line) and task ids of a component that has no paths yet."""

    def __init__(self, name: str, config_file: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addComponentPathsDialog")
        self.setWindowTitle(f"Paths of component {name}")
        self.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            _wrapped(
                f"Which files make up <b>{_escape(name)}</b>? One path or glob per line, relative to the repository "
                "root (<code>*</code> stays in a folder, <code>**</code> spans folders, a folder covers everything "
                f"under it). They are written to <code>{_escape(config_file)}</code> as "
                f"<code>[components.{_escape(name)}] paths = [...]</code>."
            )
        )
        self.globs = QtWidgets.QPlainTextEdit()
        self.globs.setObjectName("componentGlobs")
        self.globs.setPlaceholderText(f"app/{name}/**\napp/services/{name}_*.py")
        self.globs.setMinimumHeight(90)
        layout.addWidget(self.globs)
        form = QtWidgets.QFormLayout()
        self.tasks = QtWidgets.QLineEdit()
        self.tasks.setObjectName("componentTasks")
        self.tasks.setPlaceholderText("alpha2, delta1 (optional)")
        form.addRow("Plan tasks:", self.tasks)
        layout.addLayout(form)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[list[str], list[str]]:
        """The globs and task ids entered."""
        globs = [line.strip() for line in self.globs.toPlainText().splitlines() if line.strip()]
        tasks = [t.strip() for t in self.tasks.text().replace(",", " ").split() if t.strip()]
        return globs, tasks


def _wrapped(html: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    return label


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
