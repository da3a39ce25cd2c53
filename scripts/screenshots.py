"""Grab screenshots of the application's windows on the demo data, for people to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [out/screenshots]

Writes, at 1366×768 (the common LGWAN laptop size):
  welcome.png                     the welcome screen of an empty database
  main-window.png                 the list of all sections' measures and a sheet on the 指標 tab
  main-window-section.png         one section chosen (the 担当課 column hides)
  part-<n>-<tab>.png              each part of the sheet editor (基本情報, 事業費, 市民参加, 指標, …)
  part-evaluation-override.png    a grade chosen without a reason: held back, with the message
  indicators-error.png            a value that cannot be read: kept in red with the message
  check-list.png                  提出前チェック with its findings
and main-window-hidpi.png at 200 % scaling (a separate process with QT_SCALE_FACTOR=2).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scripts.screen_steps import show_measure  # noqa: E402 - after the path is set

# measures of the demo data that show each part well
KPI = "多様化1-1-1"
JIMU = "098"
SCHEDULE = "防災1-3-6"
PART_MEASURE = {"事業費": JIMU, "市民参加": JIMU, "観点別評価": JIMU, "スケジュール": SCHEDULE}


def _window(db):  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    w = MainWindow(db)
    w.resize(1366, 768)
    w.show()
    return w


def main(out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from dxdesk.store.database import open_database
    from dxdesk.store.demo import create_demo_database
    from ui.app import make_app

    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    folder = Path(tempfile.mkdtemp())
    os.environ["DXDESK_DATA_DIR"] = str(folder / "data")

    empty = _window(open_database(folder / "empty.sqlite"))
    app.processEvents()
    empty.grab().save(str(out / "welcome.png"))
    empty.close()

    db = create_demo_database(folder / "demo.sqlite")
    w = _window(db)
    show_measure(app, w, KPI, "指標")
    w.grab().save(str(out / "main-window.png"))

    tabs = w.editor.tabs
    for i in range(tabs.count()):
        title = tabs.tabText(i)
        show_measure(app, w, PART_MEASURE.get(title, KPI))
        if not tabs.isTabVisible(i):
            continue
        tabs.setCurrentIndex(i)
        app.processEvents()
        w.grab().save(str(out / f"part-{i + 1:02d}-{title}.png"))

    # a value that cannot be read, then a grade chosen without a reason
    show_measure(app, w, KPI, "指標")
    part = tabs.currentWidget()
    part.grid.setCurrentIndex(part.model.index(0, part.model.column_of("actual", w.editor.sheet.fy)))
    part.model.setData(part.grid.currentIndex(), "約5割")
    app.processEvents()
    w.grab().save(str(out / "indicators-error.png"))
    part.model.setData(part.grid.currentIndex(), "５．０")
    show_measure(app, w, KPI, "自己評価")
    ev = tabs.currentWidget()
    ev.grade_combo.setFocus()
    for _ in range(4):
        QTest.keyClick(ev.grade_combo, Qt.Key.Key_Down)
    app.processEvents()
    w.grab().save(str(out / "part-evaluation-override.png"))
    ev.load(w.editor.sheet)

    w.run_check()
    app.processEvents()
    w.grab().save(str(out / "check-list.png"))
    w.check_dock.hide()

    section = w.section_combo.findData("S023")
    w.section_combo.setCurrentIndex(max(1, section))
    app.processEvents()
    w.grab().save(str(out / "main-window-section.png"))
    w.entry.flush(10)
    w.close()

    env = dict(os.environ, QT_SCALE_FACTOR="2")
    subprocess.run([sys.executable, __file__, "--hidpi", str(out)], check=True, env=env, cwd=ROOT)
    print(f"screenshots in {out}")


def hidpi(out: Path) -> None:
    from dxdesk.store.demo import create_demo_database
    from ui.app import make_app

    app = make_app()
    folder = Path(tempfile.mkdtemp())
    os.environ["DXDESK_DATA_DIR"] = str(folder / "data")
    w = _window(create_demo_database(folder / "demo.sqlite"))
    show_measure(app, w, KPI, "指標")
    w.grab().save(str(out / "main-window-hidpi.png"))
    w.close()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--hidpi":
        hidpi(Path(sys.argv[2]))
    else:
        main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots"))
