#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller: dist/mission-control/mission-control
#
# Uses the repository's .venv (or the venv named by MC_BUILD_VENV, created and filled with the
# project if missing), installs PyInstaller into it, builds from packaging/mission-control.spec,
# then lays the Linux desktop files beside the app under share/ (applications, metainfo, icons),
# ready to be copied to /usr/local or ~/.local.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MC_BUILD_VENV:-$ROOT/.venv}"
APP_ID="io.github.missioncontrol.MissionControl"
DIST="$ROOT/dist"
APP="$DIST/mission-control"

if [ ! -x "$VENV/bin/python" ]; then
    echo "build: creating $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet "$ROOT"
fi
"$VENV/bin/python" -m pip install --quiet "pyinstaller>=6.10,<7"

start=$(date +%s)
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" "$ROOT/packaging/mission-control.spec"

share="$APP/share"
install -D -m 644 "$ROOT/packaging/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -D -m 644 "$ROOT/packaging/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "$ROOT/mission_control/resources/icons/mission-control.svg" \
    "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
for png in "$ROOT"/mission_control/resources/icons/mission-control-*.png; do
    size="${png##*-}"; size="${size%.png}"
    install -D -m 644 "$png" "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done

echo "build: $APP/mission-control ($(du -sh "$APP" | cut -f1), $(( $(date +%s) - start )) s)"
