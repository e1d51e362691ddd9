"""The Codemods dock's review: the dry run's files and hunks to accept or reject, and the diff view.

:class:`ReviewTree` (objectName ``codemodFiles``) lists a :class:`~mission_control.codemods.CodemodRun`:
the problems its review found (red, first: they make Apply refuse the run), each changed file
(checkable; with several hunks, each hunk checkable too), then the files skipped and those that
failed to parse. :meth:`ReviewTree.accepted` is what Apply writes.
:class:`DiffView` (objectName ``codemodDiff``) shows the selected file's or hunk's diff, coloured
by :class:`DiffHighlighter`. Neither knows about the panel, the repository or workers.
"""

from __future__ import annotations

import keyword
import re

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.codemods import CodemodRun, FileResult

Qt = QtCore.Qt
FILE_ROLE = Qt.ItemDataRole.UserRole
HUNK_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 3
PROBLEM_COLOUR = "#c62828"
MENTION_COLOUR = "#a35200"
MENTIONS_HELP = (
    "Strings that tools resolve at run time (mock.patch, importlib.import_module, entry points) name the "
    "renamed object; no import analysis sees them. Check 'rewrite mentions' and run again to rewrite them."
)


def diff_counts(diff: str) -> tuple[int, int]:
    """Lines added and removed by a unified diff (its ``+++``/``---`` headers not counted)."""
    added = removed = 0
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def result_text(result: FileResult, hunk: int | None = None) -> str:
    """What the diff view shows for ``result`` (one of its hunks when ``hunk`` is an index)."""
    if result.status != "changed":
        where = f" (line {result.line})" if result.line else ""
        return f"{result.path}{where}: {result.status}\n\n{result.reason}"
    if hunk is not None:
        header = "".join(result.diff.splitlines(keepends=True)[:2])
        return header + result.hunks[hunk].text
    if result.deleted:
        return f"{result.path}: deleted (nothing left in it)\n\n{result.diff}"
    return result.diff


class DiffHighlighter(QtGui.QSyntaxHighlighter):
    """Unified-diff colours (added, removed, hunk headers) with Python keywords, strings and comments."""

    _WORDS = re.compile(r"\b(?:{})\b".format("|".join(keyword.kwlist)))
    _STRING = re.compile(r"(?:[rbfuRBFU]{0,2})(\"[^\"\n]*\"|'[^'\n]*')")
    _COMMENT = re.compile(r"#.*$")

    def __init__(self, document: QtGui.QTextDocument) -> None:
        super().__init__(document)

        def fmt(colour: str | None = None, background: str | None = None, bold: bool = False) -> QtGui.QTextCharFormat:
            out = QtGui.QTextCharFormat()
            if colour:
                out.setForeground(QtGui.QColor(colour))
            if background:
                out.setBackground(QtGui.QColor(background))
            if bold:
                out.setFontWeight(QtGui.QFont.Weight.Bold)
            return out

        self.added = fmt(background="#dff5e1")
        self.removed = fmt(background="#fbe3e4")
        self.header = fmt("#555555", bold=True)
        self.hunk = fmt("#6a4fb3", background="#f1ecfb")
        self.keyword = fmt("#0b4f9c", bold=True)
        self.string = fmt("#a34d00")
        self.comment = fmt("#6b7a6b")

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            self.setFormat(0, len(text), self.header)
            return
        if text.startswith("@@"):
            self.setFormat(0, len(text), self.hunk)
            return
        line = None
        if text.startswith("+"):
            line = self.added
        elif text.startswith("-"):
            line = self.removed
        if line is not None:
            self.setFormat(0, len(text), line)
        for pattern, style in ((self._WORDS, self.keyword), (self._STRING, self.string), (self._COMMENT, self.comment)):
            for match in pattern.finditer(text, 1):
                merged = QtGui.QTextCharFormat(style)
                if line is not None:
                    merged.setBackground(line.background())
                self.setFormat(match.start(), match.end() - match.start(), merged)


class DiffView(QtWidgets.QPlainTextEdit):
    """The read-only, coloured diff of the review's current row (objectName ``codemodDiff``)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("codemodDiff")
        self.setReadOnly(True)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.setPlaceholderText("Run a codemod: its diffs appear here for review before anything is written.")
        self.highlighter = DiffHighlighter(self.document())


class ReviewTree(QtWidgets.QTreeWidget):
    """A dry run's files and hunks, checkable (objectName ``codemodFiles``)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("codemodFiles")
        self.setHeaderLabels(["File", "Change"])
        header = self.header()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)

    def show_run(self, run: CodemodRun | None) -> None:
        """List ``run`` (nothing when None); a cancelled run is shown but cannot be accepted."""
        self.clear()
        if run is None:
            return
        if run.problems:
            self._add_problems(run.problems)
        for result in run.changed:
            self._add_changed(result, checkable=not run.cancelled)
        if run.mentions:
            self._add_mentions(run)
        for title, results in (("Skipped", run.skipped), ("Failed to parse (left untouched)", run.failed)):
            if not results:
                continue
            group = QtWidgets.QTreeWidgetItem(self, [f"{title} ({len(results)})", ""])
            group.setData(0, KIND_ROLE, "group")
            for result in results:
                where = f":{result.line}" if result.line else ""
                row = QtWidgets.QTreeWidgetItem(group, [f"{result.path}{where}", result.reason])
                row.setToolTip(1, result.reason)
                row.setData(0, FILE_ROLE, result)
                row.setData(0, KIND_ROLE, result.status)
                row.setForeground(0, QtGui.QColor("#c62828" if result.status == "failed" else "#777777"))
        first = self.topLevelItem(0)
        if first is not None:
            self.setCurrentItem(first)

    def _add_problems(self, problems: tuple[str, ...]) -> None:
        """The review's findings first, in red: what makes Apply refuse this run."""
        red = QtGui.QColor(PROBLEM_COLOUR)
        group = QtWidgets.QTreeWidgetItem(self, [f"Problems ({len(problems)}): Apply refused", ""])
        group.setData(0, KIND_ROLE, "problems")
        group.setData(0, FILE_ROLE, None)
        group.setData(0, PROBLEM_ROLE, "\n\n".join(problems))
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        group.setForeground(0, red)
        group.setToolTip(0, "Fix these and run again, or use Apply anyway")
        for problem in problems:
            row = QtWidgets.QTreeWidgetItem(group, [problem, ""])
            row.setData(0, KIND_ROLE, "problem")
            row.setData(0, PROBLEM_ROLE, problem)
            row.setForeground(0, red)
            row.setToolTip(0, problem)
        group.setFirstColumnSpanned(True)
        group.setExpanded(True)

    def _add_mentions(self, run: CodemodRun) -> None:
        """Strings and config entries naming the renamed object, which no import analysis sees."""
        pending = sum(not m.rewritten for m in run.mentions)
        title = f"Also mentions ({len(run.mentions)})" + (f": {pending} not rewritten" if pending else ": rewritten")
        group = QtWidgets.QTreeWidgetItem(self, [title, ""])
        group.setData(0, KIND_ROLE, "mentions")
        group.setToolTip(0, MENTIONS_HELP)
        for mention in run.mentions:
            state = "rewritten" if mention.rewritten else "not rewritten"
            row = QtWidgets.QTreeWidgetItem(group, [f"{mention.path}:{mention.line}  {mention.text}", state])
            row.setData(0, KIND_ROLE, "mention")
            row.setData(0, PROBLEM_ROLE, f"{mention.path}:{mention.line}: {mention.text}\n\n{state}. {MENTIONS_HELP}")
            row.setToolTip(0, mention.text)
            row.setForeground(0, QtGui.QColor("#777777" if mention.rewritten else MENTION_COLOUR))
        group.setExpanded(bool(pending))

    def mention_items(self) -> list[QtWidgets.QTreeWidgetItem]:
        """The rows of the run's "also mentions"."""
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        group = next((i for i in items if i is not None and i.data(0, KIND_ROLE) == "mentions"), None)
        return [] if group is None else [c for c in (group.child(i) for i in range(group.childCount())) if c]

    def problem_items(self) -> list[QtWidgets.QTreeWidgetItem]:
        """The rows of the run's problems (empty when it has none)."""
        group = self.topLevelItem(0)
        if group is None or group.data(0, KIND_ROLE) != "problems":
            return []
        return [c for c in (group.child(i) for i in range(group.childCount())) if c is not None]

    def _add_changed(self, result: FileResult, checkable: bool) -> None:
        added, removed = diff_counts(result.diff)
        change = "deleted" if result.deleted else f"new +{added}" if result.created else f"+{added} −{removed}"
        row = QtWidgets.QTreeWidgetItem(self, [result.path, change])
        row.setData(0, FILE_ROLE, result)
        row.setData(0, KIND_ROLE, "file")
        flags = row.flags() | Qt.ItemFlag.ItemIsUserCheckable
        if checkable and not result.deleted and len(result.hunks) > 1:
            flags |= Qt.ItemFlag.ItemIsAutoTristate
        if checkable:
            row.setFlags(flags)
            row.setCheckState(0, Qt.CheckState.Checked)
        if result.warnings:
            row.setToolTip(0, "\n".join(result.warnings))
        if result.deleted or len(result.hunks) < 2:
            return  # one hunk (or a deleted module): the file's own box says it all
        for hunk in result.hunks:
            child = QtWidgets.QTreeWidgetItem(row, [hunk.header.strip(), f"+{hunk.new_count} −{hunk.old_count}"])
            child.setData(0, FILE_ROLE, result)
            child.setData(0, HUNK_ROLE, hunk.index)
            child.setData(0, KIND_ROLE, "hunk")
            if checkable:
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked)

    def _files(self) -> list[QtWidgets.QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None and item.data(0, KIND_ROLE) == "file"]

    def file_item(self, path: str) -> QtWidgets.QTreeWidgetItem | None:
        """The row of changed file ``path``."""
        return next((item for item in self._files() if item.text(0) == path), None)

    def current_is_prose(self) -> bool:
        """Whether the current row shows text rather than a diff (a problem, a mention)."""
        item = self.currentItem()
        return item is not None and bool(item.data(0, PROBLEM_ROLE))

    def current_text(self) -> str:
        """The diff (or the reason) of the current row; empty when no file row is current."""
        item = self.currentItem()
        if item is not None and item.data(0, PROBLEM_ROLE):
            return str(item.data(0, PROBLEM_ROLE))
        result: FileResult | None = item.data(0, FILE_ROLE) if item is not None else None
        if item is None or result is None:
            return ""
        return result_text(result, item.data(0, HUNK_ROLE))

    def accepted(self) -> dict[str, list[int] | None]:
        """What Apply writes: path -> None (the whole file) or the accepted hunk indices."""
        out: dict[str, list[int] | None] = {}
        for item in self._files():
            if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                continue
            state = item.checkState(0)
            if state == Qt.CheckState.Checked:
                out[item.text(0)] = None
            elif state == Qt.CheckState.PartiallyChecked:
                children = (item.child(c) for c in range(item.childCount()))
                out[item.text(0)] = [
                    child.data(0, HUNK_ROLE)
                    for child in children
                    if child is not None and child.checkState(0) == Qt.CheckState.Checked
                ]
        return out
