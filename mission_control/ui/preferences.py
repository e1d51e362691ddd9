"""Edit › Preferences… (Ctrl+,): per-user settings, applied live (objectName ``preferencesDialog``).

The dialog edits a copy of ``window.settings``; OK or Apply writes the values back into that same
object (other docks keep reading it), saves it through :mod:`mission_control.services.settings` and applies
what the window owns: the Gantt's snap step, the Cascade action, the Qt palette (theme) and the
log level. ``Preferences.changed`` tells docks that read the rest (the Tests dock: ``python``,
``test_schedule_minutes``, ``run_tests_on_change``; the Sync action: ``sync_remote``, ``sync_minutes``).
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.services.settings import (
    DEFAULT_REMOTE,
    LOG_LEVELS,
    THEMES,
    Settings,
    is_remote_name,
    save_settings,
)
from mission_control.util import logsetup

log = logging.getLogger(__name__)
SNAP_CHOICES = (1, 5, 10, 15, 30, 60, 120, 240, 480, 1440)
# Main actions the window builds without keys get these (the lead may move them into main_window).
# Quit is there because QKeySequence.StandardKey.Quit is empty on some platforms (offscreen, bare X11).
DEFAULT_SHORTCUTS = {"act_open_demo": "Ctrl+Shift+D", "act_about": "Ctrl+F1", "act_quit": "Ctrl+Q"}


def _snap_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        return "1 day" if minutes == 1440 else f"{minutes // 1440} days"
    if minutes % 60 == 0:
        return "1 hour" if minutes == 60 else f"{minutes // 60} hours"
    return f"{minutes} min"


def _buddy_label(text: str, buddy: QtWidgets.QWidget) -> QtWidgets.QLabel:
    """A form label whose Alt+letter focuses ``buddy`` (rows holding a layout get none by themselves)."""
    label = QtWidgets.QLabel(text)
    label.setBuddy(buddy)
    return label


class PreferencesDialog(QtWidgets.QDialog):
    """The form. ``values()`` reads it into a new Settings; nothing is applied until OK/Apply.

    Signals:
        applied(object): the lead pressed OK or Apply; carries the edited Settings.
    """

    applied = QtCore.Signal(object)

    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._base = settings
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self._schedule_group())
        layout.addWidget(self._tests_group())
        layout.addWidget(self._sync_group())
        layout.addWidget(self._look_group())
        layout.addStretch(1)
        layout.addWidget(self._button_box())
        self.load(settings)
        self.setMinimumWidth(520)

    # building ------------------------------------------------------------------------------
    def _form(self, title: str) -> tuple[QtWidgets.QGroupBox, QtWidgets.QFormLayout]:
        group = QtWidgets.QGroupBox(title)
        form = QtWidgets.QFormLayout(group)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        return group, form

    def _schedule_group(self) -> QtWidgets.QGroupBox:
        group, form = self._form("Schedule editing")
        self.snap_box = QtWidgets.QComboBox()
        self.snap_box.setObjectName("snapStep")
        for minutes in SNAP_CHOICES:
            self.snap_box.addItem(_snap_label(minutes), minutes)
        self.snap_box.setToolTip("Dragged bars land on multiples of this step (hold Alt to move freely)")
        form.addRow("&Snap step:", self.snap_box)
        self.cascade_check = QtWidgets.QCheckBox("Move dependent tasks along when a task moves")
        self.cascade_check.setObjectName("cascadeDefault")
        form.addRow("&Cascade:", self.cascade_check)
        return group

    def _tests_group(self) -> QtWidgets.QGroupBox:
        group, form = self._form("Tests")
        self.python_edit = QtWidgets.QLineEdit()
        self.python_edit.setObjectName("interpreterEdit")
        self.python_edit.setPlaceholderText("Project default (from mission-control.toml)")
        self.python_edit.textChanged.connect(self._on_python_edited)
        browse = QtWidgets.QPushButton("Browse…")
        browse.setObjectName("interpreterBrowse")
        browse.clicked.connect(self._on_browse_python_clicked)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.python_edit, 1)
        row.addWidget(browse)
        form.addRow(_buddy_label("&Interpreter:", self.python_edit), row)
        self.python_problem = QtWidgets.QLabel()
        self.python_problem.setObjectName("interpreterProblem")
        self.python_problem.setStyleSheet("color: #c0392b;")
        self.python_problem.setWordWrap(True)
        self.python_problem.hide()
        form.addRow("", self.python_problem)
        self.schedule_check = QtWidgets.QCheckBox("Run the whole suite every")
        self.schedule_check.setObjectName("testScheduleEnabled")
        self.schedule_spin = QtWidgets.QSpinBox()
        self.schedule_spin.setObjectName("testScheduleMinutes")
        self.schedule_spin.setRange(1, 24 * 60)
        self.schedule_spin.setSuffix(" min")
        self.schedule_check.toggled.connect(self.schedule_spin.setEnabled)
        schedule_row = QtWidgets.QHBoxLayout()
        schedule_row.addWidget(self.schedule_check)
        schedule_row.addWidget(self.schedule_spin)
        schedule_row.addStretch(1)
        form.addRow(_buddy_label("Sc&hedule:", self.schedule_check), schedule_row)
        self.on_change_check = QtWidgets.QCheckBox("Run the affected tests when files change")
        self.on_change_check.setObjectName("runTestsOnChange")
        form.addRow("On &change:", self.on_change_check)
        return group

    def _sync_group(self) -> QtWidgets.QGroupBox:
        group, form = self._form("Sync through git")
        self.remote_edit = QtWidgets.QLineEdit()
        self.remote_edit.setObjectName("syncRemote")
        self.remote_edit.setPlaceholderText(DEFAULT_REMOTE)
        self.remote_edit.setToolTip("The git remote the sign-offs, mission clock and team branches travel through")
        self.remote_edit.textChanged.connect(self._on_remote_edited)
        form.addRow("&Remote:", self.remote_edit)
        self.remote_problem = QtWidgets.QLabel()
        self.remote_problem.setObjectName("syncRemoteProblem")
        self.remote_problem.setStyleSheet("color: #c0392b;")
        self.remote_problem.setWordWrap(True)
        self.remote_problem.hide()
        form.addRow("", self.remote_problem)
        self.sync_check = QtWidgets.QCheckBox("Sync by itself every")
        self.sync_check.setObjectName("syncScheduleEnabled")
        self.sync_spin = QtWidgets.QSpinBox()
        self.sync_spin.setObjectName("syncMinutes")
        self.sync_spin.setRange(1, 24 * 60)
        self.sync_spin.setSuffix(" min")
        self.sync_check.toggled.connect(self.sync_spin.setEnabled)
        sync_row = QtWidgets.QHBoxLayout()
        sync_row.addWidget(self.sync_check)
        sync_row.addWidget(self.sync_spin)
        sync_row.addStretch(1)
        form.addRow(_buddy_label("S&ync:", self.sync_check), sync_row)
        return group

    def _look_group(self) -> QtWidgets.QGroupBox:
        group, form = self._form("Appearance and log")
        self.theme_box = QtWidgets.QComboBox()
        self.theme_box.setObjectName("themeChoice")
        for theme, label in zip(THEMES, ("Follow the system", "Light", "Dark")):
            self.theme_box.addItem(label, theme)
        form.addRow("&Theme:", self.theme_box)
        self.log_level_box = QtWidgets.QComboBox()
        self.log_level_box.setObjectName("logLevel")
        for level in LOG_LEVELS:
            self.log_level_box.addItem(level.title(), level)
        self.log_level_box.setToolTip("The lowest level written to the log file and the Log dock")
        form.addRow("&Log level:", self.log_level_box)
        return group

    def _button_box(self) -> QtWidgets.QDialogButtonBox:
        sb = QtWidgets.QDialogButtonBox.StandardButton
        buttons = QtWidgets.QDialogButtonBox(sb.Ok | sb.Cancel | sb.Apply | sb.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(sb.Apply).clicked.connect(self.apply)
        buttons.button(sb.RestoreDefaults).clicked.connect(lambda: self.load(Settings()))
        self.buttons = buttons
        return buttons

    # values --------------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        """Show ``settings`` in the form."""
        snap = settings.snap_minutes
        if self.snap_box.findData(snap) < 0:
            self.snap_box.addItem(_snap_label(snap), snap)
        self.snap_box.setCurrentIndex(self.snap_box.findData(snap))
        self.cascade_check.setChecked(settings.cascade)
        self.python_edit.setText(settings.python)
        scheduled = settings.test_schedule_minutes > 0
        self.schedule_check.setChecked(scheduled)
        self.schedule_spin.setValue(settings.test_schedule_minutes if scheduled else 30)
        self.schedule_spin.setEnabled(scheduled)
        self.on_change_check.setChecked(settings.run_tests_on_change)
        self.remote_edit.setText(settings.sync_remote)
        syncing = settings.sync_minutes > 0
        self.sync_check.setChecked(syncing)
        self.sync_spin.setValue(settings.sync_minutes if syncing else 15)
        self.sync_spin.setEnabled(syncing)
        self.theme_box.setCurrentIndex(max(self.theme_box.findData(settings.theme), 0))
        self.log_level_box.setCurrentIndex(max(self.log_level_box.findData(settings.log_level), 0))

    def values(self) -> Settings:
        """The form as Settings (window layout and recent projects kept from the original)."""
        result = copy.deepcopy(self._base)
        result.snap_minutes = int(self.snap_box.currentData())
        result.cascade = self.cascade_check.isChecked()
        result.python = self.python_edit.text().strip()
        result.test_schedule_minutes = self.schedule_spin.value() if self.schedule_check.isChecked() else 0
        result.run_tests_on_change = self.on_change_check.isChecked()
        remote = self.remote_edit.text().strip() or DEFAULT_REMOTE
        result.sync_remote = remote if is_remote_name(remote) else self._base.sync_remote
        result.sync_minutes = self.sync_spin.value() if self.sync_check.isChecked() else 0
        result.theme = self.theme_box.currentData()
        result.log_level = self.log_level_box.currentData()
        return result

    def apply(self) -> None:
        """Hand the values to whoever applies them (the :class:`Preferences` controller)."""
        self.applied.emit(self.values())

    def accept(self) -> None:
        self.apply()
        super().accept()

    def _on_browse_python_clicked(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Python interpreter", self.python_edit.text())
        if path:
            self.python_edit.setText(path)

    def _on_remote_edited(self, text: str) -> None:
        """Flag a name git cannot take as a remote (it is not applied: the previous one stays)."""
        problem = bool(text.strip()) and not is_remote_name(text.strip())
        self.remote_problem.setText("Not a remote name (no spaces; it cannot start with “-”); kept the previous one.")
        self.remote_problem.setVisible(problem)

    def _on_python_edited(self, text: str) -> None:
        """Warn (without refusing: it may be relative to the repository) about a missing interpreter."""
        path = Path(text.strip()).expanduser()
        problem = bool(text.strip()) and path.is_absolute() and not path.is_file()
        self.python_problem.setText(f"{path} does not exist; the tests would not start." if problem else "")
        self.python_problem.setVisible(problem)


# applying ------------------------------------------------------------------------------------
def _palette(dark: bool) -> QtGui.QPalette:
    """A complete light or dark palette (Fusion-like), including disabled colours."""
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    if dark:
        colours = {
            role.Window: "#2b2d30",
            role.WindowText: "#dfe1e5",
            role.Base: "#1e1f22",
            role.AlternateBase: "#26282b",
            role.ToolTipBase: "#3c3f41",
            role.ToolTipText: "#dfe1e5",
            role.Text: "#dfe1e5",
            role.Button: "#3c3f41",
            role.ButtonText: "#dfe1e5",
            role.BrightText: "#ff6b6b",
            role.Highlight: "#2f65ca",
            role.HighlightedText: "#ffffff",
            role.Link: "#6ea8fe",
            role.PlaceholderText: "#8c8f94",
            role.Light: "#4a4d50",
            role.Midlight: "#3f4245",
            role.Mid: "#323437",
            role.Dark: "#1b1c1e",
            role.Shadow: "#101112",
        }
        disabled = "#7a7d82"
    else:
        colours = {
            role.Window: "#f3f3f3",
            role.WindowText: "#1f2328",
            role.Base: "#ffffff",
            role.AlternateBase: "#f6f8fa",
            role.ToolTipBase: "#ffffdc",
            role.ToolTipText: "#1f2328",
            role.Text: "#1f2328",
            role.Button: "#f0f0f0",
            role.ButtonText: "#1f2328",
            role.BrightText: "#d7263d",
            role.Highlight: "#2f65ca",
            role.HighlightedText: "#ffffff",
            role.Link: "#0b5cd5",
            role.PlaceholderText: "#6e7781",
            role.Light: "#ffffff",
            role.Midlight: "#e3e3e3",
            role.Mid: "#b8b8b8",
            role.Dark: "#a0a0a0",
            role.Shadow: "#696969",
        }
        disabled = "#8c959f"
    palette = QtGui.QPalette()
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QtGui.QColor(colour))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QtGui.QColor(disabled))
    return palette


_system_palette: QtGui.QPalette | None = None


def apply_theme(app: QtWidgets.QApplication, theme: str) -> None:
    """Set the app's palette: "light", "dark", or "system" (the desktop's palette, live).

    The system palette is remembered the first time a theme is applied, so switching back to
    "system" restores exactly what the desktop gave the app.
    """
    global _system_palette
    if _system_palette is None:
        _system_palette = QtGui.QPalette(app.palette())
    if theme == "dark":
        app.setPalette(_palette(dark=True))
    elif theme == "light":
        app.setPalette(_palette(dark=False))
    else:
        app.setPalette(_system_palette)


def current_theme_is_dark(app: QtWidgets.QApplication) -> bool:
    """Whether the app's window background is dark now (any theme)."""
    return app.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128


class Preferences(QtCore.QObject):
    """The dialog factory ``install`` returns: call it to open Preferences.

    Signals:
        changed(object): the settings were applied (the window's Settings object, updated in place).
    """

    changed = QtCore.Signal(object)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.main_window = window
        self.dialog: PreferencesDialog | None = None

    def __call__(self) -> PreferencesDialog:
        """Open the dialog (one at a time) and return it."""
        if self.dialog is None:
            self.dialog = PreferencesDialog(self.main_window.settings, self.main_window)
            self.dialog.applied.connect(self.apply)
            self.dialog.finished.connect(self._on_dialog_finished)
        else:
            self.dialog.load(self.main_window.settings)
        self.dialog.open()
        return self.dialog

    def _on_dialog_finished(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def apply(self, new: Settings) -> None:
        """Copy ``new``'s preferences into ``window.settings``, save, and apply them live."""
        settings = self.main_window.settings
        for name in (
            "snap_minutes",
            "cascade",
            "python",
            "test_schedule_minutes",
            "run_tests_on_change",
            "theme",
            "log_level",
            "sync_remote",
            "sync_minutes",
        ):
            setattr(settings, name, getattr(new, name))
        save_settings(settings)
        apply_settings(self.main_window)
        log.info(
            "Preferences applied: snap %s min, cascade %s, theme %s",
            settings.snap_minutes,
            "on" if settings.cascade else "off",
            settings.theme,
        )
        self.changed.emit(settings)


def apply_settings(window) -> None:
    """Make the window match ``window.settings`` (snap, cascade, theme, log level)."""
    settings = window.settings
    window.gantt.snap_minutes = settings.snap_minutes
    window.act_cascade.setChecked(settings.cascade)
    app = QtWidgets.QApplication.instance()
    if isinstance(app, QtWidgets.QApplication):
        apply_theme(app, settings.theme)
    if logsetup.log_file_path() is not None:  # only once the app set logging up (not in embedding/tests)
        logsetup.set_level(settings.log_level)


def _edit_menu(window) -> QtWidgets.QMenu | None:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == "Edit" and action.menu() is not None:
            return action.menu()
    return None


def _complete_shortcuts(window) -> None:
    """Give the main actions the window built without keys a shortcut (see DEFAULT_SHORTCUTS)."""
    for name, keys in DEFAULT_SHORTCUTS.items():
        action = getattr(window, name, None)
        if action is not None and not action.shortcuts():
            action.setShortcut(QtGui.QKeySequence(keys))


def install(window) -> Preferences:
    """Add Edit › Preferences… (Ctrl+,) to ``window``; apply the saved theme; return the factory."""
    factory = Preferences(window)
    action = QtGui.QAction("&Preferences…", window)
    action.setObjectName("preferencesAction")
    action.setShortcut(QtGui.QKeySequence("Ctrl+,"))
    action.setMenuRole(QtGui.QAction.MenuRole.PreferencesRole)
    action.setStatusTip("Snap step, cascade, interpreter, test schedule, sync remote and interval, theme")
    action.triggered.connect(factory)
    window.addAction(action)
    menu = _edit_menu(window)
    if menu is not None:
        menu.addSeparator()
        menu.addAction(action)
    window.act_preferences = action
    _complete_shortcuts(window)
    app = QtWidgets.QApplication.instance()
    if window.settings.theme != "system" and isinstance(app, QtWidgets.QApplication):
        apply_theme(app, window.settings.theme)
    return factory
