"""ヘルプ: F1 opens 操作の手引き beside the window (Japanese pages a person can follow), and 「はじめての
方へ」 appears once on the first start and again only when asked for."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def _open(name: str):  # type: ignore[no-untyped-def]
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()]


def test_f1_opens_the_guide_and_every_page_reads_in_japanese(qtbot, window):
    qtbot.keyClick(window.tree, Qt.Key.Key_F1)
    dialogs = _open("guideDialog")
    assert len(dialogs) == 1
    guide = dialogs[0]
    titles = [guide.list.item(i).text() for i in range(guide.list.count())]
    assert "入力する（保存は自動）" in titles and "提出ファイルを作る" in titles
    for row in range(guide.list.count()):
        guide.list.setCurrentRow(row)
        text = guide.view.toPlainText()
        assert titles[row] in text
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # no program words
    # the menu and buttons it names are the ones on screen
    guide.list.setCurrentRow(titles.index("提出ファイルを作る"))
    assert "ファイル → 提出ファイルを作成…" in guide.view.toPlainText()
    assert window.actionExportSubmission.text().startswith("提出ファイルを作成")
    guide.close()


def test_the_first_start_page_comes_once(qtbot, window):
    from ui.help import first_start_page

    first = first_start_page(window, "section")
    assert first is not None and first.isVisible() and not first.isModal()
    from PySide6.QtWidgets import QTextBrowser

    text = first.findChild(QTextBrowser, "firstStartText").toPlainText()
    assert "はじめての方へ" in text
    assert "配布ファイルを開く" in text and "F8" in text
    first.close()
    assert first_start_page(window, "section") is None  # not again
    again = first_start_page(window, "section", force=True)  # ヘルプ → はじめての方へ
    assert again is not None
    again.close()
