"""Grab screenshots of the central office's screens on the demo scenario (デモ市), for people to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_central.py [out/screenshots-central]

Builds ``dxdesk demo`` in a temporary folder (about 10 s), holds two sections' submissions back, makes one
conflicting file, and writes at 1366×768:
  central-plan.png              計画: tree, measures per section, settings
  central-plan-problems.png     a plan master with mistakes: the problem list (シート・行・列・内容)
  central-kits.png              配布ファイル: sections with their kits
  central-inbox.png             受信箱 after dropping the submissions, bad files and a conflicting file
  central-inbox-again.png       the same files again: 重複
  central-status.png            提出状況 with the missing sections and the reminder mail
  central-status-filtered.png   filtered to 未提出
  central-review.png            審査: a sheet returned with a comment
  central-conflict.png          the conflict dialog
  section-review-notes.png      the section application after importing the review workbook
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

from scripts.screen_steps import wait_until  # noqa: E402 - after the path is set


def main(out: Path) -> None:
    import openpyxl
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from dxdesk.central.review import Decision
    from dxdesk.exchange.demo import build_demo
    from dxdesk.store.database import open_database
    from tests.central.conftest import _conflicting_submission
    from ui.app import main_window_for, make_app

    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    folder = Path(tempfile.mkdtemp(prefix="dxdesk-shots-"))
    os.environ["DXDESK_DATA_DIR"] = str(folder / "data")
    try:
        demo = build_demo(folder / "demo")
        subs = sorted(demo.submissions)
        held_back = subs[-2:]
        first_code = sorted(p.stem for p in demo.sections)[0]
        copy = folder / "other.sqlite"
        shutil.copyfile(next(p for p in demo.sections if p.stem == first_code), copy)
        conflict = _conflicting_submission(copy, first_code, folder / "conflict")
        (folder / "bad").mkdir()
        (folder / "bad" / "空のファイル.xlsx").write_bytes(b"")
        (folder / "bad" / "メモ.txt").write_text("メモ", encoding="utf-8")

        db = open_database(demo.central)
        w = main_window_for(db)
        w.resize(1366, 768)
        w.show()
        app.processEvents()
        w.show_page(0)
        w.plan_page.tree.expandToDepth(1)
        app.processEvents()
        w.grab().save(str(out / "central-plan.png"))

        master = w.plan_page.export_template(folder / "master.xlsx")
        assert master is not None
        wb = openpyxl.load_workbook(master)
        wb["施策"]["B3"].value = None
        wb["施策"]["E4"].value = "S999"
        wb["指標"].cell(row=2, column=20).value = "abc"
        wb["課所室"].append(["S011", "重複した課"])
        wb.save(master)
        w.plan_page.check_master(master)
        wait_until(app, lambda: not w.plan_page.busy() and w.plan_page.last_result is not None)
        w.plan_page.splitter.setSizes([330, 330])
        app.processEvents()
        w.grab().save(str(out / "central-plan-problems.png"))

        w.show_page(1)
        app.processEvents()
        w.grab().save(str(out / "central-kits.png"))

        w.show_page(2)
        inbox = w.inbox_page
        bad = [folder / "bad" / "空のファイル.xlsx", folder / "bad" / "メモ.txt", demo.kits[0]]
        inbox.merge([p for p in subs if p not in held_back] + [conflict, *bad])
        wait_until(app, lambda: inbox.report is not None and not inbox.busy())
        w.grab().save(str(out / "central-inbox.png"))
        before = inbox.report
        conflict_id = next(r.submission_id for r in before.files if r.outcome.value == "conflict")
        inbox.merge([p for p in subs if p not in held_back][:4])
        wait_until(app, lambda: inbox.report is not before and not inbox.busy())
        w.grab().save(str(out / "central-inbox-again.png"))

        w.show_page(3)
        status = w.status_page
        status.deadline.setText("6月5日（金）")
        status.sender.setText("DX推進課 山田（内線1234）")
        app.processEvents()
        w.grab().save(str(out / "central-status.png"))
        status.state.setCurrentIndex(status.state.findData("missing"))
        app.processEvents()
        w.grab().save(str(out / "central-status-filtered.png"))
        status.state.setCurrentIndex(0)

        code = next(
            r.section_code for r in status.board.rows if r.state.value != "missing" and not r.conflicts
        )
        w.open_review(code)
        review = w.review_page
        app.processEvents()
        review.field.setCurrentIndex(max(0, review.field.findData("texts.result")))
        review.comment_edit.setPlainText("成果を数値（件数・割合）で書き加えてください。")
        returned_code = review.current().measure_code
        review.decide(Decision.RETURNED)
        review.step(+1)
        review.decide(Decision.ACCEPTED)
        review.select_measure(returned_code)
        app.processEvents()
        w.grab().save(str(out / "central-review.png"))
        exported = review.export_review(folder / "reviews")

        def grab_dialog() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is not None:
                dialog.resize(1100, 620)
                app.processEvents()
                dialog.grab().save(str(out / "central-conflict.png"))
                dialog.reject()

        QTimer.singleShot(300, grab_dialog)
        w.resolve_conflict(conflict_id)
        w.close()
        db.dispose()

        if exported is not None:
            from ui.main_window import MainWindow
            from ui.review_notes import import_review_interactive

            section_db = open_database(next(p for p in demo.sections if p.stem == code))
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information = staticmethod(lambda *a, **k: None)  # type: ignore[method-assign]
            import_review_interactive(None, section_db, exported.path)  # type: ignore[arg-type]
            sw = MainWindow(section_db)
            sw.resize(1366, 768)
            sw.show()
            app.processEvents()
            returned = next(r.measure_code for r in review.reviews if r.decision.value == "returned")
            item = next(i for i in sw.tree.measure_items() if i.text(0).split("　")[0] == returned)
            sw.tree.setCurrentItem(item)
            wait_until(
                app, lambda: sw.review_notes.isVisible() and returned in sw.review_notes.head.text(), 10
            )
            sw.grab().save(str(out / "section-review-notes.png"))
            sw.close()
            section_db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"OK {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots-central")
