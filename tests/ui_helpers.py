"""Helpers for tests that drive the real widgets (Qt imported here, not in ``helpers``, so Qt-free tests stay so)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


def click(qtbot, button: QtWidgets.QAbstractButton) -> None:
    """A real left click on a button the user can see and press."""
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def button(win, name: str) -> QtWidgets.QPushButton:
    """The push button named ``name`` in ``win`` (fails the test when there is none)."""
    found = win.findChild(QtWidgets.QPushButton, name)
    assert found is not None, name
    return found
