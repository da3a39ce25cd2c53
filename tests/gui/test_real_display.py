"""The application started as a person starts it, on a real X server (Xvfb with a window manager, not
Qt's offscreen platform): it must load Qt's xcb platform plugin (which needs libraries offscreen tests
never load), open its window, and fit the window — title bar and status bar included — into a
1366×768 screen whose bottom 40 pixels a taskbar keeps (available area 1366×728)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.gui.xserver import TASKBAR, x_display

pytestmark = pytest.mark.gui

LINE = re.compile(
    r"SMOKE-TEST OK window=(?P<window>\w+) .* platform=(?P<platform>\w+)"
    r" frame=(?P<frame>\S+) available=(?P<available>\S+) statusbar=(?P<statusbar>\S+)"
)


def _rect(text: str) -> tuple[int, int, int, int]:
    w, h, x, y = (int(v) for v in re.fullmatch(r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)", text).groups())  # type: ignore[union-attr]
    return x, y, w, h


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox and y >= oy and x + w <= ox + ow and y + h <= oy + oh


@pytest.fixture(scope="module")
def display():
    with x_display(1366, 768) as d:
        yield d


def start(display, tmp_path: Path, *args: str) -> dict[str, str]:
    shot = tmp_path / "window.png"
    env = display.env(DXDESK_SMOKE_TEST=str(shot), DXDESK_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    match = LINE.search(r.stdout)
    assert match, f"no window was drawn:\n{r.stdout}\n{r.stderr[-3000:]}"
    assert shot.stat().st_size > 10_000  # a drawn window, not an empty picture
    return match.groupdict()


@pytest.mark.parametrize(
    ("args", "window"), [(("--demo",), "MainWindow"), (("--central-demo",), "CentralWindow")]
)
def test_window_fits_the_available_area_of_a_real_display(display, tmp_path, args, window):
    seen = start(display, tmp_path, *args)
    assert seen["window"] == window
    assert seen["platform"] == "xcb"  # a real X server, not offscreen
    available = _rect(seen["available"])
    assert available == (0, 0, 1366, 768 - TASKBAR)
    frame = _rect(seen["frame"])
    assert _inside(frame, available), f"window {seen['frame']} outside the available area {seen['available']}"
    assert frame[2] == 1366 and frame[3] == 728  # maximised on a screen this small
    statusbar = _rect(seen["statusbar"])  # where 「保存しました」 and every confirmation appear
    assert _inside(statusbar, available) and statusbar[3] > 10
