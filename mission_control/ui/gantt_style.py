"""What the Gantt's pieces share: colours (light and dark), cached pens, sizes, a bar's geometry.

Kept apart from :mod:`mission_control.ui.gantt` so the graphics items (:mod:`.gantt_items`) and the
view can both use it without importing each other; the graph takes its colours from here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from PySide6 import QtCore, QtGui, QtWidgets

BAR_FILL = 0.75  # the bar's share of its row (the gap under it holds the actual span)
EDGE_GRAB_PX = 7
LABEL_ROOM_PX = 1000  # how far right of a bar its label may reach (culling and repaint margins)
BAR_PAD_PX = 5  # a bar is the UI font's line height plus this (the text sits inside with room)
LANE_COLORS = ["#f7f9fc", "#eef2f8"]
COLORS = {
    "bar": "#5b8def",
    "bar_border": "#3866c4",
    "crit": "#e4606d",
    "crit_border": "#b83a48",
    "done": "#a9b4c2",
    "done_border": "#7d8896",
    "active": "#7fb3ff",
    "conflict": "#d7263d",
    "critical_path": "#ff9f1c",
    "arrow": "#5c6773",
    "arrow_ss": "#7a5cc4",
    "text": "#16202c",
    "milestone": "#2b2f36",
    "now": "#2a9d8f",
    "selection": "#111111",
    "selected_row": "#d3e2fb",
    "background": "#ffffff",
    "axis": "#9aa5b1",
    "graph_background": "#fbfcfe",
    "label_back": "#ffffffdc",
    "tick": "#1b1f24",
    "actual": "#2a9d8f",
    "blocked": "#b5179e",
}
#: What changes on a dark palette (the bar colours read well on both).
_THEMES = {
    False: {
        "text": "#16202c",
        "milestone": "#2b2f36",
        "selection": "#111111",
        "selected_row": "#d3e2fb",
        "arrow": "#5c6773",
        "background": "#ffffff",
        "axis": "#9aa5b1",
        "graph_background": "#fbfcfe",
        "label_back": "#ffffffdc",
        "tick": "#1b1f24",
        "lanes": ("#f7f9fc", "#eef2f8"),
    },
    True: {
        "text": "#e3e8ef",
        "milestone": "#cfd6df",
        "selection": "#f5f5f5",
        "selected_row": "#34425c",
        "arrow": "#9aa5b1",
        "background": "#1e2227",
        "axis": "#5c6773",
        "graph_background": "#23272e",
        "label_back": "#23272edc",
        "tick": "#f5f5f5",
        "lanes": ("#23272e", "#2a2f37"),
    },
}


def use_dark_colours(dark: bool) -> bool:
    """Switch the chart colours (shared by the Gantt and the graph) to the dark or light set.

    Returns whether anything changed.
    """
    theme = _THEMES[bool(dark)]
    if COLORS["background"] == theme["background"]:
        return False
    COLORS.update({k: v for k, v in theme.items() if isinstance(v, str)})  # all but the lanes
    LANE_COLORS[:] = theme["lanes"]
    return True


def palette_is_dark(widget: QtWidgets.QWidget) -> bool:
    """Whether ``widget``'s palette has a dark window background."""
    return widget.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128


@dataclass
class BarGeometry:
    """Where a task is drawn: its row and its hours from the plan's origin."""

    row: int
    x0: float
    x1: float


def hours_between(origin: datetime, value: datetime) -> float:
    return (value - origin).total_seconds() / 3600.0


def row_pixels(font: QtGui.QFont) -> int:
    """The height of a chart row for ``font``: a bar holding one line of text, and the gap around it."""
    line = QtGui.QFontMetrics(font).height()
    return math.ceil((line + BAR_PAD_PX) / BAR_FILL)


_PENS: dict[tuple, QtGui.QPen] = {}


def cosmetic_pen(
    color: str,
    width: float,
    style: QtCore.Qt.PenStyle = QtCore.Qt.PenStyle.SolidLine,
    cap: QtCore.Qt.PenCapStyle = QtCore.Qt.PenCapStyle.SquareCap,
) -> QtGui.QPen:
    """A cached cosmetic pen (mkPen per paint call is a measurable cost on large plans)."""
    key = (color, width, style, cap)
    pen = _PENS.get(key)
    if pen is None:
        pen = QtGui.QPen(QtGui.QColor(color), width)
        pen.setStyle(style)
        pen.setCapStyle(cap)
        pen.setCosmetic(True)
        _PENS[key] = pen
    return pen
