"""Screenshots of both windows as a person sees them: on a real X server (Xvfb at 1366×768 with the openbox
window manager and a 40-pixel taskbar strip kept free, tests/gui/xserver.py), the whole screen grabbed
— title bar, status bar, notices and all.

    .venv/bin/python scripts/screenshots_x11.py [out/screenshots-x11]

Writes (the demo data in a temporary data folder; the central demo is built on first use, about 10 s):
  x11-section.png            the section application, maximised, a sheet on its 指標 tab
  x11-section-results.png    the 成果と課題 tab
  x11-section-notice.png     after ファイル → バックアップを作成: the notice with 「フォルダを開く」
  x11-section-first-start.png  「はじめての方へ」 over the window
  x11-section-guide.png      ヘルプ → 操作の手引き on its page 入力する
  x11-central-<n>-<page>.png each screen of the central office's window (計画 … 審査)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pause(app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _grab(app, out: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    _pause(app, 0.6)
    screen = app.primaryScreen()
    screen.grabWindow(0).save(str(out / name))
    print(f"wrote {out / name}", flush=True)


def child(kind: str, out: Path) -> None:
    from ui.app import main_window_for, make_app, open_central_demo, open_demo
    from ui.geometry import place

    app = make_app()
    db = open_central_demo() if kind == "central" else open_demo()
    window = main_window_for(db)
    place(window, window.geometry_key)
    window.show()
    _pause(app, 1.5)
    if kind == "section":
        tabs = window.editor.tabs
        for wanted, name in (("指標", "x11-section.png"), ("成果と課題", "x11-section-results.png")):
            index = next((i for i in range(tabs.count()) if tabs.tabText(i) == wanted), None)
            if index is not None:
                tabs.setCurrentIndex(index)
            _grab(app, out, name)
        window.actionBackup.trigger()
        _grab(app, out, "x11-section-notice.png")
        from ui.help import first_start_page, show_guide

        first = first_start_page(window, "section", force=True)
        _grab(app, out, "x11-section-first-start.png")
        if first is not None:
            first.close()
        guide = show_guide(window, "section")
        guide.list.setCurrentRow(2)
        _grab(app, out, "x11-section-guide.png")
        guide.close()
    else:
        from ui.central.window import PAGES

        for i, page in enumerate(PAGES):
            window.show_page(i)
            _grab(app, out, f"x11-central-{i + 1}-{page}.png")
    window.close()
    db.dispose()


def main(out: Path) -> None:
    from tests.gui.xserver import x_display

    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="dxdesk-x11-shots-"))
    with x_display(1366, 768) as display:
        for kind in ("section", "central"):
            subprocess.run(
                [sys.executable, __file__, "--child", kind, str(out)],
                env=display.env(DXDESK_DATA_DIR=str(data)),
                check=True,
                timeout=300,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/screenshots-x11"))
