"""Long measure names are shown whole in the sheet list at 1366×768: the row wraps them over as many
lines as the column needs and grows to fit, nothing is cut with 「…」 (the tooltip is no longer the only
place to read them) — in the list of all sections, in one section's list, and after the list is narrowed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QSplitter, QTreeWidget, QTreeWidgetItem

pytestmark = pytest.mark.gui

LONGEST = (
    "仕掛け1"  # 「CDO補佐官・DXコーディネータと連携したDX推進」, the demo's longest name (25 characters)
)
LONG = "職場2-2-1"  # 「基幹業務システムの標準化・ガバメントクラウド移行」


def shown_whole(tree: QTreeWidget, item: QTreeWidgetItem) -> bool:
    """The item's text, wrapped to the width it is drawn in, fits the height of its row."""
    rect = tree.visualItemRect(item)
    text_width = tree.columnWidth(0) - (rect.left() - tree.header().sectionViewportPosition(0)) - 8
    need = tree.fontMetrics().boundingRect(
        QRect(0, 0, text_width, 10_000), Qt.TextFlag.TextWordWrap, item.text(0)
    )
    return need.height() <= rect.height() and tree.fontMetrics().horizontalAdvance(item.text(0)) > text_width


def item_of(window, code: str) -> QTreeWidgetItem:
    return next(i for i in window.tree.measure_items() if i.text(0).split("　")[0] == code)


def test_the_longest_names_wrap_instead_of_being_cut(qtbot, window):
    tree = window.tree
    one_line = tree.fontMetrics().height()
    for code in (LONGEST, LONG):
        item = item_of(window, code)
        tree.scrollToItem(item)
        QApplication.processEvents()
        assert tree.visualItemRect(item).height() >= 2 * one_line  # two lines or more
        assert shown_whole(tree, item), code

    # one section chosen: more room (the 担当課 column hides), still whole, fewer lines
    item = item_of(window, LONGEST)
    tall = tree.visualItemRect(item).height()
    section = window.section_combo
    section.setCurrentIndex(next(i for i in range(section.count()) if "DX推進課" in section.itemText(i)))
    QApplication.processEvents()
    item = item_of(window, LONGEST)
    tree.scrollToItem(item)
    QApplication.processEvents()
    assert shown_whole(tree, item)
    assert tree.visualItemRect(item).height() < tall
    short = item_of(window, "推進2")  # 「生成AIの業務活用」 fits: one line, as before
    assert tree.visualItemRect(short).height() < 2 * one_line

    # the person drags the divider to narrow the list: the rows grow again
    before = tree.visualItemRect(item).height()
    splitter = tree.parentWidget()
    while not isinstance(splitter, QSplitter):
        splitter = splitter.parentWidget()
    left, right = splitter.sizes()
    splitter.setSizes([left - 120, right + 120])
    qtbot.waitUntil(lambda: tree.visualItemRect(item).height() > before, timeout=2000)
    assert shown_whole(tree, item)
