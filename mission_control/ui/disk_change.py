"""What to do when the plan changed on disk while the lead edited it (objectName ``diskChangeDialog``).

Saving found the file changed since it was loaded. When the lead's edits and the file's touch
different lines, **Merge** (the default) keeps both (the three-way merge is
:meth:`mission_control.plan.PlanFile.merge_with_disk`); otherwise the choices are **Compare** (the
two sets of changes, shown in the dialog), **Reload** (drop the lead's edits), **Overwrite**
(drop the file's) and **Save As…** (keep both files). Headless runs (tests, CI) answer Cancel.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6 import QtGui, QtWidgets

from mission_control.plan import DiskMerge
from mission_control.plan.merge import unified_diff
from mission_control.ui import dialogs

log = logging.getLogger(__name__)
CHOICES = ("merge", "reload", "overwrite", "save_as", "cancel")


class DiskChangeDialog(QtWidgets.QDialog):
    """The choices for a plan that changed on disk; ``choice`` is one of :data:`CHOICES` once closed."""

    def __init__(self, path: Path, merge: DiskMerge, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diskChangeDialog")
        self.setWindowTitle("Plan changed on disk")
        self.choice = "cancel"
        result = merge.result
        layout = QtWidgets.QVBoxLayout(self)
        text = QtWidgets.QLabel(self._summary(path, merge))
        text.setObjectName("diskChangeSummary")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.diff = QtWidgets.QPlainTextEdit(self._diff_text(path, merge))
        self.diff.setObjectName("diskChangeDiff")
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.diff.setMinimumHeight(220)
        self.diff.hide()
        layout.addWidget(self.diff, 1)
        row = QtWidgets.QHBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for key, label, tip in (
            ("merge", "&Merge", "Keep both: your edits and the file's (they touch different lines)"),
            ("compare", "&Compare", "Show what changed on disk and what you changed"),
            ("reload", "&Reload", "Read the file from disk again; your unsaved edits are dropped"),
            ("overwrite", "&Overwrite", "Write your version; the changes made on disk are lost"),
            ("save_as", "Save &As…", "Write your version to another file and go on editing that one"),
            ("cancel", "Cancel", "Do nothing now"),
        ):
            button = QtWidgets.QPushButton(label)
            button.setObjectName("saveAsButton" if key == "save_as" else f"{key}Button")
            button.setToolTip(tip)
            button.setAutoDefault(False)
            row.addWidget(button)
            self.buttons[key] = button
            if key == "compare":
                button.setCheckable(True)
                button.toggled.connect(self._show_diff)
            else:
                button.clicked.connect(lambda _=False, k=key: self._choose(k))
        row.insertStretch(2)  # Merge and Compare on the left, the ones that drop something on the right
        self.buttons["merge"].setVisible(result.clean)
        (self.buttons["merge"] if result.clean else self.buttons["compare"]).setDefault(True)
        layout.addLayout(row)

    @staticmethod
    def _summary(path: Path, merge: DiskMerge) -> str:
        result = merge.result
        head = f"{path.name} was changed on disk since you opened it, and you have unsaved edits."
        if result.clean:
            return (
                f"{head}\n\nYour edits ({_lines(result.ours_changed)}) and the file's ({_lines(result.theirs_changed)})"
                " touch different lines: Merge keeps both."
            )
        where = ", ".join(str(c.base_start + 1) for c in result.conflicts[:6])
        more = "…" if len(result.conflicts) > 6 else ""
        return (
            f"{head}\n\nBoth changed line{'s' * (len(result.conflicts) != 1)} {where}{more} differently, so they "
            "cannot be merged. Compare them, then Reload (drop your edits), Overwrite (drop the file's) or "
            "Save As… (keep both files)."
        )

    @staticmethod
    def _diff_text(path: Path, merge: DiskMerge) -> str:
        theirs = unified_diff(merge.base, merge.theirs, f"{path.name} (as loaded)", f"{path.name} (on disk now)")
        ours = unified_diff(merge.base, merge.ours, f"{path.name} (as loaded)", f"{path.name} (your edits)")
        parts = ["Changed on disk:", theirs or "(nothing)", "", "Your edits:", ours or "(nothing)"]
        if merge.result.conflicts:
            parts += ["", "Changed differently on both sides:"]
            for conflict in merge.result.conflicts:
                parts.append(f"line {conflict.base_start + 1}:")
                parts += [f"  yours: {line.rstrip()}" for line in conflict.ours]
                parts += [f"  disk:  {line.rstrip()}" for line in conflict.theirs]
        return "\n".join(parts)

    def _show_diff(self, shown: bool) -> None:
        self.diff.setVisible(shown)
        if shown:
            self.resize(max(self.width(), 760), max(self.height(), 480))

    def _choose(self, key: str) -> None:
        self.choice = key
        if key == "cancel":
            self.reject()
        else:
            self.accept()


def _lines(count: int) -> str:
    return f"{count} line{'s' * (count != 1)}"


def ask(parent: QtWidgets.QWidget | None, path: Path, merge: DiskMerge) -> str:
    """The lead's choice for a plan changed on disk (one of :data:`CHOICES`); headless: cancel."""
    if dialogs.headless():
        log.info("plan changed on disk (%s); answered cancel without asking", path)
        return "cancel"
    dialog = DiskChangeDialog(path, merge, parent)
    dialog.exec()
    choice = dialog.choice
    dialog.deleteLater()
    return choice
