#!/usr/bin/env bash
# Sets up everything dxdesk needs on a Debian/Ubuntu machine, idempotently:
#   1. Debian packages (Japanese fonts, Qt runtime libraries, PDF/Office tools used by tests);
#   2. a project virtual environment in .venv with the pinned Python packages (constraints.txt).
# A second run checks and returns in a second or two. Called by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. Keep this list in sync with README.md ("What gets installed").
APT_PACKAGES=(
  fonts-ipaexfont          # Japanese font for the UI and embedded in PDFs
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  poppler-utils            # pdftotext / pdffonts / pdftoppm for print tests
)
if [ -f scripts/apt-packages.extra ]; then
  # Packages added by later features (one per line, '#' comments allowed).
  while read -r line; do
    line="${line%%#*}"; line="$(echo "$line" | xargs)"
    [ -n "$line" ] && APT_PACKAGES+=("$line")
  done < scripts/apt-packages.extra
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  [[ "$pkg" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python virtual environment.
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "bootstrap: Python 3.11 or newer is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.dxdesk-installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing Python packages into .venv"
  # pip's output goes to a log and is shown only when something fails.
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -c constraints.txt -e ".[dev]"; } >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" | tail -40 >&2
    echo "bootstrap: pip install failed (full log: $log)" >&2
    exit 1
  fi
  .venv/bin/python -c "import dxdesk, PySide6, sqlalchemy, openpyxl, reportlab, cryptography, python_calamine"
  echo "$want" > "$stamp"
fi
