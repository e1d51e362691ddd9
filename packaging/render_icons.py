"""Render the app icon's PNG sizes from ``mission_control/resources/icons/mission-control.svg``.

Run after editing the SVG (``.venv/bin/python packaging/render_icons.py``); the PNGs are committed
so the app, the .desktop entry and the PyInstaller build need no renderer at run time. Uses Qt's
QSvgRenderer, offscreen, so it works on a headless build machine.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "mission_control" / "resources" / "icons"
SVG = ICON_DIR / "mission-control.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)
#: The SHA-256 of the SVG the committed PNGs were rendered from (a test checks they are current).
CHECKSUM_FILE = "rendered-from.sha256"


def svg_checksum(svg: Path = SVG) -> str:
    """SHA-256 of the SVG's bytes."""
    return hashlib.sha256(svg.read_bytes()).hexdigest()


def png_path(size: int) -> Path:
    """Where the ``size`` px PNG lives (``mission-control-48.png``)."""
    return ICON_DIR / f"mission-control-{size}.png"


def render(svg: Path = SVG, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Render ``svg`` at each size (transparent background, antialiased) and return the PNG paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtSvg

    _app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication([])
    renderer = QtSvg.QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    written = []
    for size in sizes:
        image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QtCore.QRectF(0, 0, size, size))
        painter.end()
        if not image.save(str(png_path(size)), "PNG"):
            raise SystemExit(f"{png_path(size)}: cannot write")
        written.append(png_path(size))
    (ICON_DIR / CHECKSUM_FILE).write_text(f"{svg_checksum(svg)}  {svg.name}\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in render():
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    sys.exit(0)
