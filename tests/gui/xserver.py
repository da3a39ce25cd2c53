"""A real X display for tests and screenshots: Xvfb (an X server in memory) at 1366×768 with the openbox
window manager, which draws title bars and keeps a 40-pixel strip at the bottom free as a taskbar
would — so the screen's available area is 1366×728, as on a small Windows laptop.

Both come from Debian packages that scripts/bootstrap.sh installs (scripts/apt-packages.extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["TASKBAR", "XDisplay", "x_display"]

TASKBAR = 40  # pixels kept free at the bottom of the screen

OPENBOX_RC = f"""<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <margins><top>0</top><bottom>{TASKBAR}</bottom><left>0</left><right>0</right></margins>
  <desktops><number>1</number></desktops>
  <theme><name>Clearlooks</name></theme>
</openbox_config>
"""


class XDisplay:
    def __init__(self, name: str, width: int, height: int):
        self.name = name
        self.width = width
        self.height = height

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a program that should open its windows on this display."""
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        env.update(DISPLAY=self.name, QT_QPA_PLATFORM="xcb", **extra)
        return env


def missing_programs() -> list[str]:
    return [p for p in ("Xvfb", "openbox", "xprop") if shutil.which(p) is None]


@contextmanager
def x_display(width: int = 1366, height: int = 768, *, timeout: float = 20.0) -> Iterator[XDisplay]:
    """Start Xvfb (it picks a free display number) and openbox on it; stop both afterwards."""
    missing = missing_programs()
    if missing:
        raise RuntimeError(f"not installed: {', '.join(missing)} (run scripts/bootstrap.sh)")
    work = Path(tempfile.mkdtemp(prefix="dxdesk-x-"))
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=(work / "xvfb.log").open("wb"),
    )
    os.close(write_fd)
    wm: subprocess.Popen[bytes] | None = None
    try:
        number = b""
        with os.fdopen(read_fd, "rb") as pipe:  # Xvfb writes the display number once it accepts clients
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start: {(work / 'xvfb.log').read_text(errors='replace')}")
        display = XDisplay(f":{number.decode()}", width, height)
        rc = work / "rc.xml"
        rc.write_text(OPENBOX_RC, encoding="utf-8")
        wm = subprocess.Popen(
            ["openbox", "--config-file", str(rc)],
            env=display.env(),
            stdout=subprocess.DEVNULL,
            stderr=(work / "openbox.log").open("wb"),
        )
        want = f"0, 0, {width}, {height - TASKBAR}"
        end = time.monotonic() + timeout
        while True:  # openbox is ready once it publishes the work area (screen less the taskbar)
            out = subprocess.run(
                ["xprop", "-root", "_NET_WORKAREA"], env=display.env(), capture_output=True, text=True
            ).stdout
            if want in out:
                break
            if time.monotonic() > end or wm.poll() is not None:
                raise RuntimeError(
                    f"openbox did not start: {(work / 'openbox.log').read_text(errors='replace')}"
                )
            time.sleep(0.1)
        yield display
    finally:
        for proc in (wm, xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(work, ignore_errors=True)
