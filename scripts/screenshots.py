"""Grab screenshots of the application's windows on the demo data, for people to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py out/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main(out: Path) -> None:
    from dxdesk.store.demo import create_demo_database
    from ui.app import make_app
    from ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    db = create_demo_database(Path(tempfile.mkdtemp()) / "demo.sqlite")
    w = MainWindow(db)
    w.resize(1366, 768)
    w.show()
    app.processEvents()
    w.grab().save(str(out / "main-window.png"))
    for n in (5, 17):
        items = w._measure_items()
        if n < len(items):
            w.tree.setCurrentItem(items[n])
            app.processEvents()
            w.grab().save(str(out / f"main-window-measure-{n}.png"))
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots"))
