"""The kit and submission menu items, wired to the exchange dialogs: a clerk opens a kit from the
welcome screen and lands in the section's sheets; export asks for a section and jumps to findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Severity
from dxdesk.exchange.kit import issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.settings_store import set_setting
from dxdesk.store.synthetic import synthetic_dataset

pytestmark = pytest.mark.gui


@pytest.fixture
def kit(tmp_path):
    central = open_database(tmp_path / "central.sqlite")
    with central.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(2, 3, seed=4))
        set_setting(s, "role", "central")
        set_setting(s, "plan_code", plan.code)
    batch = issue_kits(central, 2026, tmp_path / "kits", slips=False)
    central.dispose()
    return next(k for k in batch.kits if k.section_code == "S002")


def test_open_kit_from_the_welcome_screen_switches_to_the_sections_sheets(qtbot, tmp_path, kit, monkeypatch):
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    empty = open_database(tmp_path / "empty.sqlite")
    w = MainWindow(empty)
    qtbot.addWidget(w)
    w.show()
    assert w.welcome.isVisible()

    def fake_dialog(parent, data_dir):  # the dialog's own tests drive the passphrase UI
        assert parent is w
        return import_kit(kit.path, kit.passphrase, data_dir).db_path

    monkeypatch.setattr("ui.exchange_dialogs.import_kit_interactive", fake_dialog)
    qtbot.mouseClick(w.welcome.open_button, Qt.MouseButton.LeftButton)
    assert not w.welcome.isVisible()
    assert w.section_code == "S002"
    codes = {i.text(0).split("　")[0] for i in w.tree.measure_items()}
    assert codes and all(c.startswith("002-") for c in codes)
    assert "配布ファイルを読み込みました" in w.save_label.text()
    assert Path(w.db.path).parent == Path(str(tmp_path / "userdata"))
    w.close()


def test_export_needs_a_chosen_section(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    called = []
    monkeypatch.setattr("ui.exchange_dialogs.export_submission_interactive", lambda *a, **k: called.append(a))
    window.section_combo.setCurrentIndex(0)  # すべての課所室
    window.actionExportSubmission.trigger()
    assert called == [] and "課所室" in shown[0]


def test_export_passes_the_section_and_can_jump_to_a_finding(window, qtbot, monkeypatch):
    idx = next(i for i in range(window.section_combo.count()) if window.section_combo.itemData(i) == "S011")
    window.section_combo.setCurrentIndex(idx)
    seen = {}

    def fake_export(parent, db, fy, section, *, on_finding=None):
        seen["args"] = (parent, db, fy, section)
        # the clerk double-clicks a finding in the dialog
        on_finding(
            Finding("REQ-TEXT", Severity.ERROR, "「取組結果」が未入力です。", "089", fy, "texts.result")
        )
        return None

    monkeypatch.setattr("ui.exchange_dialogs.export_submission_interactive", fake_export)
    window.actionExportSubmission.trigger()
    assert seen["args"] == (window, window.db, 2026, "S011")
    assert window.editor.title.text().startswith("089")


def test_the_first_kit_says_it_was_imported_even_into_an_existing_empty_database(
    qtbot, tmp_path, kit, monkeypatch
):
    """The application creates dxdesk.sqlite on start, so the first kit lands in a database that exists:
    the message must still say the kit was imported, not that the plan was "updated to 第1版"."""
    import ui.exchange_dialogs as dialogs
    from ui.app import make_app

    make_app()
    data = tmp_path / "userdata"
    open_database(data / "dxdesk.sqlite").dispose()  # what opening the application leaves behind

    class Imported:  # the passphrase dialog, answered (its own tests drive the typing)
        def __init__(self, info, data_dir, parent):
            self.result_info = None
            self.data_dir = data_dir

        def exec(self):
            self.result_info = import_kit(kit.path, kit.passphrase, self.data_dir)
            return dialogs.QDialog.DialogCode.Accepted

    said: list[str] = []
    monkeypatch.setattr(dialogs, "KitImportDialog", Imported)
    monkeypatch.setattr(dialogs.QMessageBox, "information", lambda _p, _t, text: said.append(text))
    path = dialogs.import_kit_interactive(None, data, kit_path=kit.path)
    assert path == data / "dxdesk.sqlite"
    assert said and said[0].startswith("配布ファイルを取り込みました") and "第1版" in said[0]
    assert "更新しました" not in said[0]


def test_the_list_says_where_each_sheet_stands_after_export(qtbot, tmp_path, kit, monkeypatch):
    """未提出 before the export, 第1版 on every sheet after it, 変更あり on the sheet typed into since."""
    import time

    from dxdesk.exchange.demo import complete_for_submission
    from dxdesk.exchange.submission import export_submission
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    db = open_database(import_kit(kit.path, kit.passphrase, tmp_path / "data").db_path)
    with db.session() as s:
        complete_for_submission(s, 2026, "S002", seed="gui")
    w = MainWindow(db)
    qtbot.addWidget(w)
    w.show()
    items = w.tree.measure_items()
    assert items and {i.text(5) for i in items} == {"未提出"}
    assert w.submission_label.text() == "提出：未提出"

    def fake_dialog(parent, database, fy, section, on_finding):  # the dialog's own tests drive it
        return export_submission(database, fy, section, "山田 太郎", "佐藤 一郎", tmp_path / "out").path

    monkeypatch.setattr("ui.exchange_dialogs.export_submission_interactive", fake_dialog)
    w.export_submission()
    items = w.tree.measure_items()
    assert {i.text(5) for i in items} == {"第1版"}
    assert items[0].toolTip(5).startswith("提出済み 第1版（")
    assert w.submission_label.text().startswith("提出：第1版（")
    assert w.submission_label.text().endswith(f"提出済み {len(items)}")

    time.sleep(1.0)  # the export's time is kept to the second
    mid = w.current_measure_id()
    assert w.editor.commit("texts.result", "窓口の手続を見直し、待ち時間を短くした。") is None
    row = w.tree.items[mid]
    assert row.text(5) == "変更あり" and row.toolTip(5) == "提出後に変更あり"
    assert "提出後に変更あり 1" in w.submission_label.text()
    w.entry.flush(10)
    w.reload()  # and so it stays when the list is read again from the database
    assert w.tree.items[mid].text(5) == "変更あり"
    w.close()
    db.dispose()
