"""審査 decisions are deliberate: Alt+A through the list passes over sheets already 受理, Alt+R on a sheet
already 差戻し changes nothing, and turning a 差戻し into 受理 asks — keeping or deleting the comment that
asked for corrections, as the person chooses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from tests.central.gui.conftest import merge_by_drop
from tests.gui.conftest import ime_type

pytestmark = pytest.mark.gui


def open_review(qtbot, window, office):  # type: ignore[no-untyped-def]
    merge_by_drop(qtbot, window, office.submissions)
    window.show_page(4)
    review = window.review_page
    assert review.show_section(office.section_codes()[0])
    review.measures.setCurrentItem(review.measures.topLevelItem(0))
    review.measures.setFocus()
    return review


def alt(qtbot, review, key: Qt.Key) -> None:
    """Alt+<key> as the person presses it: the key press goes through Qt's shortcut map to the one
    visible button of the window whose text marks that letter (a mnemonic clicks with a short
    animation, so the press waits for the click)."""
    letter = chr(key)
    buttons = [
        b
        for b in review.window().findChildren(QAbstractButton)
        if b.isVisible() and f"(&{letter})" in b.text().upper()
    ]
    assert len(buttons) == 1, [b.text() for b in buttons]
    assert buttons[0].isEnabled()
    window = review.window()
    window.activateWindow()  # (a question box that just closed leaves no active window offscreen)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(buttons[0].clicked, timeout=3000):
        qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)


def answer_when_asked(button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` in the question box once it is open (it is modal: checked by a timer)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(50, click)


def test_alt_a_passes_over_a_sheet_already_accepted(qtbot, window, office):
    review = open_review(qtbot, window, office)
    first = review.current().measure_code
    alt(qtbot, review, Qt.Key.Key_A)
    assert review.reviews[0].decision.label == "受理"
    second = review.current().measure_code
    assert second != first  # moved on
    review.select_measure(first)
    alt(qtbot, review, Qt.Key.Key_A)  # again on the accepted one: nothing to decide, just move on
    assert review.current().measure_code == second
    assert "すでに「受理」です" in window.status_label.text()
    assert review.reviews[0].decided_at is not None


def test_returned_to_accepted_asks_and_keeps_or_deletes_the_comment(qtbot, window, office):
    review = open_review(qtbot, window, office)
    code = review.current().measure_code
    review.comment_edit.setFocus()
    ime_type(review.comment_edit, "実績の根拠を追記してください。")
    alt(qtbot, review, Qt.Key.Key_R)
    assert review.current().decision.label == "差戻し" and len(review.current().comments) == 1

    alt(qtbot, review, Qt.Key.Key_R)  # already 差戻し, nothing typed: unchanged, no second comment
    assert review.current().decision.label == "差戻し" and len(review.current().comments) == 1
    assert "すでに「差戻し」です" in window.status_label.text()

    seen: list[str] = []
    answer_when_asked("差戻しのままにする", seen)
    alt(qtbot, review, Qt.Key.Key_A)
    assert seen and "差戻し中です" in seen[0] and "コメントが1件" in seen[0]
    assert review.current().measure_code == code and review.current().decision.label == "差戻し"

    answer_when_asked("受理にする（コメントを残す）", seen)
    alt(qtbot, review, Qt.Key.Key_A)
    rv = next(r for r in review.reviews if r.measure_code == code)
    assert rv.decision.label == "受理" and [c.text for c in rv.comments] == ["実績の根拠を追記してください。"]


def test_returned_to_accepted_can_delete_the_comment(qtbot, window, office):
    review = open_review(qtbot, window, office)
    code = review.current().measure_code
    review.comment_edit.setFocus()
    ime_type(review.comment_edit, "目標値の出典を書いてください。")
    alt(qtbot, review, Qt.Key.Key_R)
    seen: list[str] = []
    answer_when_asked("受理にしてコメントを削除", seen)
    alt(qtbot, review, Qt.Key.Key_A)
    rv = next(r for r in review.reviews if r.measure_code == code)
    assert rv.decision.label == "受理" and rv.comments == ()
    assert "コメント 1件を削除" in window.status_label.text()


def test_the_reviewer_is_the_name_set_once_not_the_login(qtbot, window, office):
    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "peopleDialog":
            QTimer.singleShot(50, fill)
            return
        edit = dialog.edits["reviewer"]
        seen.append(edit.text())  # offered: the login name
        edit.setText("企画 花子")
        dialog.accept()

    QTimer.singleShot(50, fill)
    window.actionPeople.trigger()
    import getpass

    assert seen == [getpass.getuser()]
    review = open_review(qtbot, window, office)
    alt(qtbot, review, Qt.Key.Key_A)
    review.step(-1)
    assert "企画 花子" in review.decision_label.text()
    assert getpass.getuser() not in review.decision_label.text()
