"""The window on laptop screens (issue 17): at 1280×800 and 1366×768, with every dock shown, the
Gantt and the graph keep a useful height, the graph reads at the UI font size, and after a sign-off
every checklist button is still inside the checklist's viewport. The window's minimum size fits a
1024×700 screen."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from mission_control.services.demo import create_demo
from mission_control.signoff import read_ledger
from mission_control.ui import create_window

GANTT_MIN_HEIGHT = 200  # the chart's axis, five team lanes and its legend
GRAPH_MIN_HEIGHT = 140  # three rows of nodes at the UI font size


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> object:
    return create_demo(tmp_path_factory.mktemp("small") / "demo")


def open_at(qtbot, repo, size: tuple[int, int]):
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    docks = [d for d in win.findChildren(QtWidgets.QDockWidget) if d.parent() is win]
    for dock in docks:
        dock.show()
    QtWidgets.QApplication.processEvents()
    return win, docks


def test_the_minimum_size_fits_a_small_screen(qtbot, demo):
    win, docks = open_at(qtbot, demo, (1024, 700))
    hint = win.minimumSizeHint().expandedTo(win.minimumSize())
    assert hint.width() <= 1024 and hint.height() <= 700, hint
    assert (win.width(), win.height()) == (1024, 700)
    assert all(not d.isHidden() for d in docks)
    win.panels["checklist_panel"].cleanup()


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768)])
def test_every_part_is_usable_on_a_laptop_screen(qtbot, demo, size, monkeypatch):
    win, docks = open_at(qtbot, demo, size)
    assert (win.width(), win.height()) == size  # no minimum pushed the window past the screen
    assert len(docks) >= 10 and all(not d.isHidden() for d in docks)
    assert win.gantt.height() >= GANTT_MIN_HEIGHT, win.gantt.height()
    assert win.graph.height() >= GRAPH_MIN_HEIGHT, win.graph.height()
    assert win.graph.zoom >= 0.9  # the fitted graph reads at (about) the UI font size
    view = win.graph.viewport().rect()
    assert all(view.contains(win.graph.node_rect(n)) for n in win.graph.nodes)

    panel = win.panels["checklist_panel"]
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)
    win.findChild(QtWidgets.QDockWidget, "checklistPanelDock").raise_()
    QtWidgets.QApplication.processEvents()
    texts = [r.text(0) for r in panel._item_rows()]
    item = next(t for t in texts if texts.count(t) == 1 and panel.button_for(t).text() == "Sign off")
    panel.note_edit.setText("checked on a laptop")
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        qtbot.mouseClick(panel.button_for(item), QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)
    QtWidgets.QApplication.processEvents()
    assert panel.button_for(item).text() == "Revoke…", read_ledger(demo).entries
    viewport = panel.tree.viewport()
    for row in panel._item_rows():
        button = panel.tree.itemWidget(row, 3)
        left = button.mapTo(viewport, QtCore.QPoint(0, 0)).x()
        assert left >= 0 and left + button.width() <= viewport.width(), (row.text(0), left, viewport.width())
    panel.cleanup()


def test_the_dock_tab_bars_are_the_two_groups_and_no_stray_one(qtbot, demo):
    """Opened fresh on a laptop screen, the docks sit in two tab groups (right, bottom); Qt used to leave a third,
    stale 'Tests | Dashboard' tab bar drawn over the Tests dock's title."""
    win = create_window(demo)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    for _ in range(5):
        QtWidgets.QApplication.processEvents()
    shown = [
        [bar.tabText(i) for i in range(bar.count())]
        for bar in win.findChildren(QtWidgets.QTabBar)
        if bar.isVisible() and bar.count() and win.rect().intersects(bar.geometry())
    ]
    assert sorted(len(tabs) for tabs in shown) == [4, 5], shown  # right: 4 tabs; bottom: 5 (the Log is hidden)
    win.panels["checklist_panel"].cleanup()
