#!/usr/bin/env bash
# Build the Linux bundle with PyInstaller (packaging/dxdesk.spec) and smoke-test it: the GUI starts
# offscreen from the bundle and draws its main window, the command-line subcommands run from the
# bundle, resources, migrations and fonts are found, an older database is upgraded without loss.
# Called by `make bundle-test` (part of `make test`, so CI runs it). Prints how long each part took.
#   scripts/build_bundle.sh [--clean]     --clean: discard PyInstaller's cache (CI starts clean anyway)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "build_bundle: run scripts/bootstrap.sh first" >&2; exit 1; }

SECONDS=0
"$PY" packaging/build_dist.py --installer no "$@"
built=$SECONDS
rm -rf build/smoke
mkdir -p build/smoke
QT_QPA_PLATFORM=offscreen "$PY" packaging/smoke_test.py dist/dxdesk --work build/smoke
echo "build_bundle: build ${built} s, smoke test $((SECONDS - built)) s;" \
  "bundle $(du -sh dist/dxdesk | cut -f1), portable zip $(du -sh dist/dxdesk-*-portable.zip | tail -1 | cut -f1);" \
  "window drawing: build/smoke/smoke-window.png"
