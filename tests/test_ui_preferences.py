"""Edit › Preferences… driven like a user would: open it, change each field, OK, and see it applied.

Also the per-user settings file (new fields, tolerant loading) and the rule that every main
action has a keyboard shortcut listed in Help › Keyboard Shortcuts.
"""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.services.settings import Settings, load_settings, save_settings, settings_path
from mission_control.ui import create_window, preferences

Qt = QtCore.Qt
Box = QtWidgets.QDialogButtonBox.StandardButton


@pytest.fixture
def window(qtbot, tmp_path, sample_plan_path):
    plan = tmp_path / "plan.md"
    shutil.copyfile(sample_plan_path, plan)
    win = create_window(None, plan)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    yield win
    preferences.apply_theme(QtWidgets.QApplication.instance(), "system")  # the palette is app-wide


def open_with_keys(qtbot, window) -> preferences.PreferencesDialog:
    window.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(QtWidgets.QDialog, "preferencesDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def choose(combo: QtWidgets.QComboBox, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_edit_menu_has_preferences_with_ctrl_comma(window):
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    action = next(a for a in edit_menu.actions() if a.objectName() == "preferencesAction")
    assert action.shortcut() == QtGui.QKeySequence("Ctrl+,")
    assert isinstance(window.panels["preferences"], preferences.Preferences)


def test_changes_apply_live_and_are_saved(qtbot, window, tmp_path):
    dialog = open_with_keys(qtbot, window)
    changed = []
    window.panels["preferences"].changed.connect(changed.append)
    python = tmp_path / "venv-python"
    python.write_text("")
    choose(dialog.findChild(QtWidgets.QComboBox, "snapStep"), 60)
    dialog.findChild(QtWidgets.QCheckBox, "cascadeDefault").setChecked(True)
    dialog.findChild(QtWidgets.QLineEdit, "interpreterEdit").setText(str(python))
    qtbot.mouseClick(dialog.findChild(QtWidgets.QCheckBox, "testScheduleEnabled"), Qt.MouseButton.LeftButton)
    dialog.findChild(QtWidgets.QSpinBox, "testScheduleMinutes").setValue(45)
    qtbot.mouseClick(dialog.findChild(QtWidgets.QCheckBox, "runTestsOnChange"), Qt.MouseButton.LeftButton)
    choose(dialog.findChild(QtWidgets.QComboBox, "themeChoice"), "dark")
    qtbot.mouseClick(dialog.buttons.button(Box.Ok), Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    assert window.gantt.snap_minutes == 60 and window.act_cascade.isChecked()
    assert preferences.current_theme_is_dark(QtWidgets.QApplication.instance())
    settings = window.settings
    assert changed == [settings]
    assert (settings.python, settings.test_schedule_minutes, settings.run_tests_on_change) == (str(python), 45, True)
    stored = load_settings()
    assert (stored.snap_minutes, stored.cascade, stored.theme) == (60, True, "dark")
    assert (stored.python, stored.test_schedule_minutes, stored.run_tests_on_change) == (str(python), 45, True)


def test_cancel_changes_nothing_and_apply_keeps_the_dialog_open(qtbot, window):
    dialog = window.panels["preferences"]()
    choose(dialog.snap_box, 5)
    qtbot.mouseClick(dialog.buttons.button(Box.Cancel), Qt.MouseButton.LeftButton)
    assert window.gantt.snap_minutes == 15 and load_settings().snap_minutes == 15
    dialog = window.panels["preferences"]()
    assert dialog.snap_box.currentData() == 15  # the cancelled edit is gone
    choose(dialog.snap_box, 30)
    qtbot.mouseClick(dialog.buttons.button(Box.Apply), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and window.gantt.snap_minutes == 30 and load_settings().snap_minutes == 30


def test_schedule_off_means_zero_and_restore_defaults(qtbot, window):
    window.settings.test_schedule_minutes = 20
    window.settings.theme = "light"
    dialog = window.panels["preferences"]()
    assert dialog.schedule_check.isChecked() and dialog.schedule_spin.value() == 20
    qtbot.mouseClick(dialog.schedule_check, Qt.MouseButton.LeftButton)
    assert not dialog.schedule_spin.isEnabled() and dialog.values().test_schedule_minutes == 0
    qtbot.mouseClick(dialog.buttons.button(Box.RestoreDefaults), Qt.MouseButton.LeftButton)
    values = dialog.values()
    assert (values.theme, values.snap_minutes, values.cascade, values.test_schedule_minutes) == ("system", 15, False, 0)
    dialog.reject()


def test_missing_interpreter_is_flagged_not_refused(qtbot, window, tmp_path):
    dialog = window.panels["preferences"]()
    problem = dialog.findChild(QtWidgets.QLabel, "interpreterProblem")
    dialog.python_edit.setText(str(tmp_path / "nope" / "python"))
    assert problem.isVisible() and "does not exist" in problem.text()
    dialog.python_edit.setText(".venv/bin/python")  # relative: resolved against the repository later
    assert not problem.isVisible()
    dialog.reject()


def test_theme_light_dark_and_back_to_the_system_palette(window):
    app = QtWidgets.QApplication.instance()
    system = app.palette().color(QtGui.QPalette.ColorRole.Window)
    preferences.apply_theme(app, "dark")
    assert preferences.current_theme_is_dark(app)
    preferences.apply_theme(app, "light")
    assert not preferences.current_theme_is_dark(app)
    preferences.apply_theme(app, "system")
    assert app.palette().color(QtGui.QPalette.ColorRole.Window) == system


def test_the_gantt_graph_and_legend_follow_the_theme_live(window, qtbot):
    app = QtWidgets.QApplication.instance()

    def lightness() -> tuple[int, int, int]:
        gantt = window.gantt.grab().toImage()
        legend = window.findChild(QtWidgets.QLabel, "ganttLegend").grab().toImage()
        graph = window.graph.grab().toImage()
        # the chart's background (top-left corner), the legend's, the graph's
        return (
            QtGui.QColor(gantt.pixel(3, 3)).lightness(),
            QtGui.QColor(legend.pixel(2, 2)).lightness(),
            QtGui.QColor(graph.pixel(3, 3)).lightness(),
        )

    try:
        preferences.apply_theme(app, "dark")
        qtbot.waitUntil(lambda: all(value < 100 for value in lightness()), timeout=5_000)
        assert all(value < 100 for value in lightness()), lightness()
        preferences.apply_theme(app, "light")
        qtbot.waitUntil(lambda: all(value > 200 for value in lightness()), timeout=5_000)
        assert all(value > 200 for value in lightness()), lightness()
    finally:
        preferences.apply_theme(app, "system")


def test_saved_dark_theme_is_applied_when_the_window_opens(qtbot, tmp_path, sample_plan_path):
    save_settings(Settings(theme="dark"))
    plan = shutil.copyfile(sample_plan_path, tmp_path / "plan.md")
    try:
        win = create_window(None, plan)
        qtbot.addWidget(win)
        assert preferences.current_theme_is_dark(QtWidgets.QApplication.instance())
    finally:
        preferences.apply_theme(QtWidgets.QApplication.instance(), "system")


def test_settings_load_tolerates_old_and_broken_files():
    path = settings_path()
    path.write_text(json.dumps({"version": 1, "snap_minutes": 30, "theme": "dark"}))
    old = load_settings()
    assert (old.snap_minutes, old.theme, old.python, old.test_schedule_minutes, old.run_tests_on_change) == (
        30,
        "dark",
        "",
        0,
        False,
    )
    path.write_text(
        json.dumps(
            {
                "test_schedule_minutes": True,
                "run_tests_on_change": "yes",
                "python": 3,
                "theme": "purple",
                "log_level": "LOUD",
                "snap_minutes": -5,
            }
        )
    )
    bad = load_settings()
    assert (
        bad.test_schedule_minutes,
        bad.run_tests_on_change,
        bad.python,
        bad.theme,
        bad.log_level,
        bad.snap_minutes,
    ) == (0, False, "", "system", "INFO", 15)
    path.write_text("{not json")
    assert load_settings() == Settings()


def test_every_main_action_has_a_shortcut_listed_in_help(window):
    skip = {"recentMenu"}
    missing = []
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator() or action.menu() is not None or action.parent() is not window:
                continue  # separators, sub-menus and dock toggles (owned by their docks)
            if not action.shortcuts() and action.objectName() not in skip:
                missing.append(action.text())
    assert missing == []
    listed = dict(window.shortcut_rows())
    assert listed["Preferences…"] == QtGui.QKeySequence("Ctrl+,").toString(QtGui.QKeySequence.SequenceFormat.NativeText)
    assert "Open Demo Mission" in listed and "About Mission Control" in listed
