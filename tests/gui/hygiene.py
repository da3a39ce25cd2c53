"""What a person would notice on any screen, checked on every window and dialog: a program word
(``in_progress``, ``AUD-…``, ``None``) where Japanese belongs, the same Alt key twice among what is on
screen at once, and a label or button cut short (narrower than the text it holds).

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python -m tests.gui.hygiene

prints one line per problem (and exits 1 when there is any); tests/gui/test_ui_hygiene.py runs it at
100 % in the test process and at 200 % in a process of its own.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QRadioButton,
    QTabBar,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

SIZE = (1366, 768)
SHEETS = ("多様化1-1-1", "098", "防災1-3-6")  # demo measures: KPI, 事務事業 (costs, perspectives), schedule
PROGRAM_WORDS = re.compile(
    r"(?<![\w/.-])(?:[a-z]+_[a-z_]+|AUD-[A-Z0-9-]+|complete|in_progress|empty|needs_check|not_started|"
    r"pending|accepted|returned|rejected|discarded|duplicate|stale|None|True|False|nan|Decimal)(?![\w/.-])"
)
MNEMONIC = re.compile(r"&([^&\s])")


def _visible(w: QWidget) -> bool:
    return w.isVisibleTo(w.window()) and w.isVisible()


def _shown_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a person reads in ``root`` (tooltips and paths excepted)."""
    for w in [root, *root.findChildren(QWidget)]:
        if not _visible(w):
            continue
        name = f"{type(w).__name__}#{w.objectName() or '?'}"
        if w.objectName() == "licenceList":  # the names of shipped packages, as their authors spell them
            continue
        if (isinstance(w, QLabel) and w.objectName() not in ("dbLabel",)) or isinstance(w, QAbstractButton):
            yield name, w.text()
        elif isinstance(w, QGroupBox):
            yield name, w.title()
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield name, w.itemText(i)
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.isTabVisible(i):
                    yield name, w.tabText(i)
        elif isinstance(w, QTreeWidget):
            header = w.headerItem()
            for c in range(w.columnCount()):
                yield name, header.text(c)
            for i in range(min(w.topLevelItemCount(), 200)):
                item = w.topLevelItem(i)
                stack = [item]
                while stack:
                    it = stack.pop()
                    for c in range(w.columnCount()):
                        yield name, it.text(c)
                    stack.extend(it.child(k) for k in range(it.childCount()))
        elif isinstance(w, QTableWidget):
            for c in range(w.columnCount()):
                h = w.horizontalHeaderItem(c)
                yield name, h.text() if h else ""
            for r in range(min(w.rowCount(), 200)):
                for c in range(w.columnCount()):
                    it = w.item(r, c)
                    yield name, it.text() if it else ""
    if isinstance(root, QMainWindow):
        for a in root.menuBar().actions():
            yield "menu", a.text()
            menu = a.menu()
            if isinstance(menu, QMenu):
                for sub in menu.actions():
                    yield "menu", sub.text()


def program_words(root: QWidget, where: str) -> list[str]:
    out = []
    for name, text in _shown_texts(root):
        plain = re.sub(r"<[^>]+>", " ", text)  # rich text: the markup is not read
        plain = " ".join(t for t in plain.split() if "/" not in t and "\\" not in t)  # paths and dates
        for m in PROGRAM_WORDS.finditer(plain):
            out.append(f"{where}: {name} shows the program word {m.group(0)!r} in {text[:80]!r}")
    return out


def _mnemonic(text: str) -> str | None:
    m = MNEMONIC.search(text.replace("&&", ""))
    return m.group(1).upper() if m else None


def duplicate_mnemonics(root: QWidget, where: str) -> list[str]:
    """Alt+<letter> keys among what is on screen at once: the menu bar, buttons, labels with a buddy,
    check boxes, group boxes and tabs."""
    keys: dict[str, list[str]] = {}
    if isinstance(root, QMainWindow):
        for a in root.menuBar().actions():
            if (k := _mnemonic(a.text())) is not None:
                keys.setdefault(k, []).append(f"menu {a.text()}")
    for w in root.findChildren(QWidget):
        if not _visible(w):
            continue
        texts: list[str] = []
        if (isinstance(w, QAbstractButton) and w.isEnabled()) or (
            isinstance(w, QLabel) and w.buddy() is not None
        ):
            texts.append(w.text())
        elif isinstance(w, QGroupBox) and w.isCheckable():
            texts.append(w.title())
        elif isinstance(w, QTabBar):
            texts.extend(w.tabText(i) for i in range(w.count()) if w.isTabVisible(i))
        for text in texts:
            if (k := _mnemonic(text)) is not None:
                keys.setdefault(k, []).append(text)
    return [f"{where}: Alt+{k} is used {len(v)} times: {v}" for k, v in sorted(keys.items()) if len(v) > 1]


def clipped(root: QWidget, where: str) -> list[str]:
    """Labels (not wrapping) and buttons narrower than their text."""
    out = []
    for w in root.findChildren(QWidget):
        if not _visible(w) or isinstance(w, QHeaderView):
            continue
        if isinstance(w, QLabel):
            if w.wordWrap() or not w.text() or (w.pixmap() is not None and not w.pixmap().isNull()):
                continue
            need = w.sizeHint().width()
        elif isinstance(w, (QCheckBox, QRadioButton)) or (
            isinstance(w, QAbstractButton) and type(w).__name__ == "QPushButton"
        ):
            if not w.text():
                continue
            need = w.sizeHint().width()
        else:
            continue
        if w.width() + 1 < need:
            out.append(
                f"{where}: {type(w).__name__}#{w.objectName() or '?'} {w.text()[:40]!r} is {w.width()} px"
                f" wide for {need} px of text"
            )
    return out


def check(root: QWidget, where: str) -> list[str]:
    QApplication.processEvents()
    return program_words(root, where) + duplicate_mnemonics(root, where) + clipped(root, where)


def _dialog(dialog: QDialog, where: str) -> list[str]:
    dialog.show()
    QApplication.processEvents()
    try:
        return check(dialog, where)
    finally:
        dialog.close()
        dialog.deleteLater()


def section_problems(db_path: Path) -> list[str]:
    from dxdesk.store.database import open_database
    from ui.about_dialog import AboutDialog
    from ui.backup_dialog import RestoreDialog
    from ui.exchange_dialogs import ExportSubmissionDialog
    from ui.help import SECTION_PAGES, GuideDialog
    from ui.main_window import MainWindow
    from ui.people import PeopleDialog
    from ui.print_dialog import PrintDialog

    db = open_database(db_path)
    w = MainWindow(db)
    w.resize(*SIZE)
    w.show()
    QApplication.processEvents()
    problems: list[str] = []
    try:
        tabs = w.editor.tabs
        for code in SHEETS:  # a KPI measure and an 事務事業 sheet: between them every part
            item = next(i for i in w.tree.measure_items() if i.text(0).split("　")[0] == code)
            w.tree.setCurrentItem(item)
            for i in range(tabs.count()):
                if tabs.isTabVisible(i):
                    tabs.setCurrentIndex(i)
                    problems += check(w, f"section window, {code} tab {tabs.tabText(i)}")
        w.actionCheck.trigger()
        problems += check(w, "section window with 提出前チェック")
        section = w.section_combo.itemData(1)
        problems += _dialog(AboutDialog(db, w), "dxdesk について")
        problems += _dialog(PeopleDialog(("author", "chief"), w), "名前の設定")
        problems += _dialog(GuideDialog(SECTION_PAGES, w), "操作の手引き")
        problems += _dialog(RestoreDialog(db_path, w), "バックアップから復元")
        problems += _dialog(PrintDialog(w, db, w.fiscal_year, section, []), "印刷・PDF出力")
        problems += _dialog(ExportSubmissionDialog(db, w.fiscal_year, section, w), "提出ファイルの作成")
    finally:
        if w.entry is not None:
            w.entry.flush(10)
        w.close()
        db.dispose()
    return problems


def central_problems(db_path: Path) -> list[str]:
    from dxdesk.store.database import open_database
    from ui.about_dialog import AboutDialog
    from ui.central.window import PAGES, CentralWindow
    from ui.help import CENTRAL_PAGES, GuideDialog
    from ui.people import PeopleDialog

    db = open_database(db_path)
    w = CentralWindow(db)
    w.resize(*SIZE)
    w.show()
    problems: list[str] = []
    try:
        for i, page in enumerate(PAGES):
            w.show_page(i)
            QApplication.processEvents()
            problems += check(w, f"central window, {page}")
        problems += _dialog(AboutDialog(db, w, central=True), "dxdesk について（中央）")
        problems += _dialog(PeopleDialog(("reviewer",), w), "名前の設定（中央）")
        problems += _dialog(GuideDialog(CENTRAL_PAGES, w), "操作の手引き（中央）")
    finally:
        w.close()
        db.dispose()
    return problems


def all_problems(folder: Path) -> list[str]:
    """Build the demo data (section and central) in ``folder`` and check every window and dialog."""
    from dxdesk.central.demo import ensure_central_demo
    from dxdesk.store.demo import create_demo_database
    from ui.app import make_app

    make_app()
    demo = create_demo_database(folder / "demo.sqlite")
    demo.dispose()
    central = ensure_central_demo(folder / "central")
    return section_problems(folder / "demo.sqlite") + central_problems(central)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="dxdesk-hygiene-") as tmp:
        os.environ.setdefault("DXDESK_DATA_DIR", str(Path(tmp) / "data"))
        problems = all_problems(Path(tmp))
    for p in problems:
        print(p)
    print(f"hygiene: {len(problems)} problems at scale {os.environ.get('QT_SCALE_FACTOR', '1')}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
