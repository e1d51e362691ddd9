"""Packaging: the desktop entry, the AppStream metainfo, the icons, and (slow) the PyInstaller build.

The quick checks parse the files the way desktop tools do; the slow test runs packaging/build.sh
and starts the built app offscreen on the demo mission.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6 import QtGui, QtSvg

from mission_control import APP_ID, APP_NAME

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "mission_control" / "resources" / "icons"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256)
REQUIRED_DESKTOP_KEYS = {"Type", "Name", "Exec", "Icon", "Categories", "Comment", "StartupWMClass"}
KNOWN_DESKTOP_KEYS = REQUIRED_DESKTOP_KEYS | {
    "Version",
    "GenericName",
    "TryExec",
    "Terminal",
    "Keywords",
    "StartupNotify",
    "MimeType",
    "Actions",
}


def desktop_entry() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser


def test_desktop_entry_has_valid_keys_and_matches_the_app_id():
    entry = desktop_entry()["Desktop Entry"]
    keys = set(entry)
    assert keys >= REQUIRED_DESKTOP_KEYS and keys <= KNOWN_DESKTOP_KEYS, keys ^ KNOWN_DESKTOP_KEYS
    assert entry["Type"] == "Application" and entry["Name"] == APP_NAME and entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "mission-control" and entry["Terminal"] == "false"
    assert all(value.endswith(";") for value in (entry["Categories"], entry["Keywords"], entry["MimeType"]))
    for action in entry["Actions"].rstrip(";").split(";"):
        assert desktop_entry()[f"Desktop Action {action}"]["Exec"].startswith("mission-control")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_parses_and_names_the_desktop_entry():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID and root.findtext("name") == APP_NAME
    assert root.find("launchable").text == DESKTOP.name
    assert root.findtext("metadata_license") and root.findtext("project_license") == "MIT"
    from mission_control import __version__

    assert root.find("releases/release").get("version") == __version__


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli not installed")
def test_metainfo_passes_appstreamcli_validate():
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_exist_and_load_at_their_sizes(qapp):
    renderer = QtSvg.QSvgRenderer(str(ICONS / "mission-control.svg"))
    assert renderer.isValid()
    for size in SIZES:
        image = QtGui.QImage(str(ICONS / f"mission-control-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel() and image.pixelColor(0, 0).alpha() == 0  # transparent corners
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def _render_icons_module():
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING))
    return render_icons


def test_pngs_were_rendered_from_the_current_svg():
    """Editing the SVG without re-running the renderer is caught, whatever renders SVG on this machine."""
    render_icons = _render_icons_module()
    recorded = (ICONS / render_icons.CHECKSUM_FILE).read_text(encoding="utf-8").split()[0]
    assert recorded == render_icons.svg_checksum(ICONS / "mission-control.svg"), (
        f"re-run {PACKAGING / 'render_icons.py'}"
    )


def _difference(a: QtGui.QImage, b: QtGui.QImage) -> tuple[int, float]:
    """Largest and mean per-channel difference of two images of one size (0-255)."""
    a = a.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    diffs = [abs(x - y) for x, y in zip(bytes(a.constBits()), bytes(b.constBits()))]
    return max(diffs), sum(diffs) / len(diffs)


def test_rendered_pngs_match_a_fresh_render_within_antialiasing(tmp_path, qapp, monkeypatch):
    """A fresh render looks like the committed PNGs; Qt and system libraries may shade edges differently."""
    render_icons = _render_icons_module()
    monkeypatch.setattr(render_icons, "ICON_DIR", tmp_path)
    for fresh in render_icons.render(sizes=(32, 256)):
        largest, mean = _difference(QtGui.QImage(str(fresh)), QtGui.QImage(str(ICONS / fresh.name)))
        assert mean < 2.0 and largest < 128, (fresh.name, largest, mean)


def test_image_difference_sees_a_changed_icon(qapp):
    image = QtGui.QImage(str(ICONS / "mission-control-32.png"))
    other = image.copy()
    other.fill(QtGui.QColor("red"))
    assert _difference(image, image) == (0, 0.0)
    assert _difference(image, other)[1] >= 2.0


def test_app_window_icon_has_every_size(qapp):
    from mission_control.ui.app import app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= set(SIZES)


def test_spec_collects_the_data_the_app_reads_from_files():
    spec = (PACKAGING / "mission-control.spec").read_text(encoding="utf-8")
    assert '"resources"' in spec and '"testing/plugin"' in spec
    assert (ROOT / "mission_control" / "testing" / "plugin" / "mission_control_stream.py").is_file()
    assert os.access(PACKAGING / "build.sh", os.X_OK)


@pytest.mark.slow
def test_built_app_starts_offscreen_on_the_demo_and_exits_zero(tmp_path, request):
    if "slow" not in (request.config.getoption("markexpr", "") or ""):
        pytest.skip("builds the app with PyInstaller: run with -m slow")
    build = subprocess.run(["bash", str(PACKAGING / "build.sh")], capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    app_dir = ROOT / "dist" / "mission-control"
    executable = app_dir / "mission-control"
    assert (app_dir / "share" / "applications" / DESKTOP.name).is_file()
    assert (app_dir / "share" / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png").is_file()
    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MISSION_CONTROL_HOME=str(home))
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [str(executable), "--demo", "--exit-after", "1000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert (home / "data" / "demo-mission" / "app" / "agents" / "agent_instance_factory.py").is_file()
    assert "starting" in (home / "log" / "mission-control.log").read_text(encoding="utf-8")
    headless = subprocess.run([str(executable), "--version"], env=env, capture_output=True, text=True, timeout=120)
    assert headless.returncode == 0
