"""Make the screenshots of 操作の手引き from the application itself, so the guide shows this version's screens.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_guide.py [resources/guide]

Opens the windows on the demo data (デモ市) offscreen at 1366×768 in a temporary data folder and writes the
PNG files the pages of :mod:`dxdesk.guide` name (``Shot.file``):
  section-window.png       the section window: the list of measures and a sheet on 基本情報
  section-indicators.png   the 指標 tab
  section-unreadable.png   a value that cannot be read, kept in red with its reason
  section-check.png        提出前チェック (F8) with its list
  section-export.png       提出ファイルの作成 for a section whose sheets are complete
  central-kits.png         配布ファイル
  central-inbox.png        受信箱 after taking in the sections' submissions
  central-status.png       提出状況 with the sections still missing
  central-review.png       審査: a sheet returned with a comment
Then ``dxdesk guide --out FILE.pdf`` (or ヘルプ → 操作の手引きをPDFで書き出す…) puts them in the printable guide.
Run it again after a change to a screen the guide shows, and commit the PNG files.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scripts.screen_steps import show_measure, wait_until  # noqa: E402 - after the path is set

SIZE = (1366, 768)
KPI = "多様化1-1-1"  # a measure of the demo data with indicators over several years


def _save(widget, out: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    raw = out / f".{name}"
    widget.grab().save(str(raw))
    # 256 colours without dithering: the text stays sharp and the file is a third of the size
    with Image.open(raw) as image:
        image.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(out / name, optimize=True)
    raw.unlink()
    print(f"wrote {out / name}", flush=True)


def section_shots(app, folder: Path, out: Path, complete_section: Path) -> None:  # type: ignore[no-untyped-def]
    from dxdesk.store.database import open_database
    from dxdesk.store.demo import create_demo_database
    from ui.exchange_dialogs import ExportSubmissionDialog
    from ui.main_window import MainWindow

    db = create_demo_database(folder / "demo.sqlite")
    w = MainWindow(db)
    w.resize(*SIZE)
    w.show()
    # a clerk sees their own section (会計課, which holds the measure shown)
    combo = w.section_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if "会計課" in combo.itemText(i)))
    app.processEvents()
    show_measure(app, w, KPI, "基本情報")
    _save(w, out, "section-window.png")
    show_measure(app, w, KPI, "指標")
    _save(w, out, "section-indicators.png")
    part = w.editor.tabs.currentWidget()
    index = part.model.index(0, part.model.column_of("actual", w.editor.sheet.fy))
    part.grid.setCurrentIndex(index)
    old = part.model.data(index)
    part.model.setData(index, "約5割")
    app.processEvents()
    _save(w, out, "section-unreadable.png")
    part.model.setData(index, old if old else "－")
    w.run_check()
    app.processEvents()
    _save(w, out, "section-check.png")
    w.check_dock.hide()
    w.entry.flush(10)
    w.close()
    db.dispose()

    # 提出ファイルの作成 on a section of the central demo, whose sheets are all filled in
    db = open_database(complete_section)
    w = MainWindow(db)
    w.resize(*SIZE)
    w.show()
    app.processEvents()
    code = complete_section.stem
    dialog = ExportSubmissionDialog(db, w.fiscal_year, code, w)
    dialog.folder.setText(r"C:\Users\yamada\Documents\評価シート提出")  # as on the clerk's PC
    dialog.confirmed.setChecked(True)
    dialog.show()
    dialog.adjustSize()
    app.processEvents()
    _save(dialog, out, "section-export.png")
    dialog.reject()
    w.close()
    db.dispose()


def central_shots(app, demo, out: Path) -> None:  # type: ignore[no-untyped-def]
    from dxdesk.central.review import Decision
    from dxdesk.store.database import open_database
    from ui.central.window import CentralWindow

    db = open_database(demo.central)
    w = CentralWindow(db)
    w.resize(*SIZE)
    w.show()
    app.processEvents()
    w.show_page(1)
    app.processEvents()
    _save(w, out, "central-kits.png")

    subs = sorted(demo.submissions)
    w.show_page(2)
    inbox = w.inbox_page
    inbox.merge(subs[:-2])  # two sections have not sent theirs yet
    wait_until(app, lambda: inbox.report is not None and not inbox.busy())
    _save(w, out, "central-inbox.png")

    w.show_page(3)
    status = w.status_page
    status.deadline.setText("6月5日（金）")
    status.sender.setText("DX推進課 山田（内線1234）")
    app.processEvents()
    _save(w, out, "central-status.png")

    code = next(r.section_code for r in status.board.rows if r.state.value != "missing" and not r.conflicts)
    w.open_review(code)
    review = w.review_page
    app.processEvents()
    review.field.setCurrentIndex(max(0, review.field.findData("texts.result")))
    review.comment_edit.setPlainText("成果を数値（件数・割合）で書き加えてください。")
    returned = review.current().measure_code
    review.decide(Decision.RETURNED)
    review.select_measure(returned)
    app.processEvents()
    _save(w, out, "central-review.png")
    w.close()
    db.dispose()


def main(out: Path) -> None:
    from dxdesk.exchange.demo import build_demo
    from ui.app import make_app
    from ui.people import set_person

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="dxdesk-guide-"))
    os.environ["DXDESK_DATA_DIR"] = str(folder / "data")
    app = make_app()
    try:
        # the names a clerk and a reviewer set once (ファイル → 名前の設定…), not the login name
        set_person("author", "山田 太郎")
        set_person("chief", "佐藤 花子")
        set_person("reviewer", "DX推進課 鈴木")
        demo = build_demo(folder / "central")
        section_shots(app, folder, out, sorted(demo.sections)[0])
        central_shots(app, demo, out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"OK {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "guide")
