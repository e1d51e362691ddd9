"""Export views as PNG or SVG images, chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets


def export_widget(widget: QtWidgets.QGraphicsView, path: Path) -> Path:
    """Render ``widget`` (a graphics view: the Gantt) to ``path`` (.png at 2× for sharpness, or .svg).

    A graphics view renders its scene as shown with ``render(painter)``; a plain QWidget has no
    such call (PySide6 wants a target offset there), so this takes views only.
    """
    if path.suffix.lower() == ".svg":
        generator = _svg(path, widget.size(), widget.windowTitle() or widget.objectName())
        painter = QtGui.QPainter(generator)
        widget.render(painter)
        painter.end()
        return path
    scale = 2
    image = QtGui.QImage(widget.size() * scale, QtGui.QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    widget.render(painter)
    painter.end()
    _save(image, path)
    return path


def export_scene(scene: QtWidgets.QGraphicsScene, path: Path) -> Path:
    """Render a whole graphics scene (not just what is visible) to ``path``."""
    rect = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    size = rect.size().toSize()
    if path.suffix.lower() == ".svg":
        generator = _svg(path, size, "Dependency graph")
        painter = QtGui.QPainter(generator)
        scene.render(painter, QtCore.QRectF(0, 0, size.width(), size.height()), rect)
        painter.end()
        return path
    image = QtGui.QImage(size * 2, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    scene.render(painter, QtCore.QRectF(0, 0, size.width() * 2, size.height() * 2), rect)
    painter.end()
    _save(image, path)
    return path


def _svg(path: Path, size: QtCore.QSize, title: str) -> QtSvg.QSvgGenerator:
    generator = QtSvg.QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(size)
    generator.setViewBox(QtCore.QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    return generator


def _save(image: QtGui.QImage, path: Path) -> None:
    if not image.save(str(path)):
        raise OSError(f"{path}: could not be written")
