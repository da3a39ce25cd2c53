"""In 審査 the list of a section's measures shows long names whole (wrapped over two or three lines) at
1366×768, so the reviewer reads which measure it is without hovering for a tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.central.gui.test_review_decisions import open_review
from tests.gui.test_long_names import shown_whole

pytestmark = pytest.mark.gui


def test_review_list_shows_long_names_whole(qtbot, window, office):
    window.resize(1366, 768)
    review = open_review(qtbot, window, office)
    tree = review.measures
    QApplication.processEvents()
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    one_line = tree.fontMetrics().height()
    long = [i for i in items if tree.fontMetrics().horizontalAdvance(i.text(0)) > tree.columnWidth(0) - 8]
    assert long, "the section should have names longer than the column"
    for item in long:
        assert tree.visualItemRect(item).height() >= 2 * one_line, item.text(0)
        assert shown_whole(tree, item), item.text(0)
