"""The section's side of the review: import the central office's review workbook (ファイル →
審査結果ファイルを読み込む…) and show its decision and comments beside the sheet they are about.

Kept apart from the main window: :func:`install_review_notes` adds the menu action and a dock
「中央からの審査結果」 to a :class:`ui.main_window.MainWindow`; the dock follows the measure shown and
is visible only while the year has comments from the central office. The import itself, the reopening
of returned sheets (要確認) and the notes are ``dxdesk.section_review``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dxdesk.domain.fields import jump_target
from dxdesk.domain.fiscal import JST, fy_label
from dxdesk.section_desk import Database, SectionDesk
from ui.people import person
from ui.widgets import ask_workbook

if TYPE_CHECKING:  # the review modules are imported when used: the section application starts fast
    from dxdesk.section_review import ReceivedNote, ReviewImportResult
    from ui.main_window import MainWindow

__all__ = ["ReviewNotesDock", "import_review_interactive", "install_review_notes"]

_COLORS = {"accepted": "#2e7d32", "returned": "#b00020", "pending": "#666666"}


def import_review_interactive(
    parent: QWidget, db: Database, path: Path | None = None
) -> ReviewImportResult | None:
    """Ask for the review workbook (unless ``path``), import it, say what happened."""
    from dxdesk.central.errors import CentralError

    if path is None:
        path = ask_workbook(parent, "審査結果ファイルを読み込む")
        if path is None:
            return None
    try:
        result = SectionDesk(db).import_review(path, user=person("author"))
    except CentralError as exc:
        QMessageBox.warning(
            parent, "審査結果ファイルを読み込む", f"{exc}\n\n入力済みのデータは変更していません。"
        )
        return None
    text = result.summary() + "。"
    if result.returned:
        text += (
            f"\n\n差戻しになった施策（{len(result.returned)}件）は「要確認」になりました：\n"
            + "、".join(result.returned[:10])
            + ("…" if len(result.returned) > 10 else "")
            + "\nコメントを見て直し、もう一度提出ファイルを作成してください。"
        )
    QMessageBox.information(parent, "審査結果ファイルを読み込む", text)
    return result


class ReviewNotesDock(QDockWidget):
    """The decision and comments of the central office on the measure shown."""

    def __init__(self, window: MainWindow):
        super().__init__("中央からの審査結果", window, objectName="reviewNotesDock")
        self.window_ = window
        self.notes: dict[str, list[ReceivedNote]] = {}
        self.codes: dict[int, str] = {}
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.head = QLabel(objectName="reviewNotesHead")
        self.head.setWordWrap(True)
        layout.addWidget(self.head)
        self.view = QTextBrowser(objectName="reviewNotesView")
        self.view.setOpenLinks(False)  # 「この項目を開く」 opens the field in the editor, not a page
        self.view.anchorClicked.connect(lambda url: self.open_field(url.toString()))
        self.shown: list[ReceivedNote] = []
        layout.addWidget(self.view, 1)
        self.setWidget(body)
        self.setMinimumWidth(220)
        self.setMaximumWidth(420)
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.visibilityChanged.connect(lambda shown: shown and QTimer.singleShot(0, self.make_room))
        self.hide()

    def make_room(self) -> None:
        """The dock takes its width from the sheet editor: give the editor back what its tabs need from
        the measure list, so that the tabs do not run out of sight behind scroll arrows."""
        w = self.window_
        splitter = w.findChild(QSplitter, "mainSplitter")
        if splitter is None or self.isFloating():
            return
        bar = w.editor.tabs.tabBar()
        need = sum(bar.tabRect(i).width() for i in range(bar.count()) if bar.isTabVisible(i)) + 16
        left, right = splitter.sizes()[:2]
        short = need - right
        floor = self.fontMetrics().horizontalAdvance("あ") * 16  # the list keeps room for code and name
        if short > 0 and left > floor:
            move = min(short, left - floor)
            splitter.setSizes([left - move, right + move])

    def reload(self) -> None:
        """Read the notes of the year shown (after start-up, a year change, an import)."""
        w = self.window_
        self.notes, self.codes = {}, {}
        if w.plan_id is None:
            self.hide()
            return
        fy = w.fiscal_year
        received = w.desk.received_notes(w.plan_id, fy)
        if received is None:  # the usual case: nothing received yet
            self.hide()
            return
        self.notes, self.codes = received.notes, received.codes
        self.setVisible(bool(self.notes))
        self.follow()

    def follow(self) -> None:
        """Show the notes of the measure selected in the list."""
        if not self.notes:
            return
        mid = self.window_.current_measure_id()
        code = self.codes.get(mid) if mid is not None else None
        notes = self.notes.get(code or "", [])
        if not notes:
            self.head.setText(
                f"{code or ''}　この施策への審査結果はありません。" if code else "施策を選んでください。"
            )
            self.view.clear()
            return
        first = notes[0]
        color = _COLORS.get(first.decision.value, "#333333")
        self.head.setText(
            f'<b>{code}</b>　<span style="color:{color}"><b>{first.decision.label}</b></span>'
            f"（審査結果 第{first.version}版・提出 第{first.revision}版）"
        )
        parts = []
        self.shown = list(notes)
        for i, n in enumerate(notes):
            if not n.text:
                continue
            when = n.created_at.astimezone(JST).strftime("%m/%d %H:%M") if n.created_at else ""
            link = f'　<a href="note:{i}">この項目を開く</a>' if n.field else ""
            parts.append(
                f"<p><b>［{_e(n.field_label)}］</b>{link}<br>{_e(n.text).replace(chr(10), '<br>')}"
                f'<br><span style="color:#666666">— {_e(n.author)}　{when}</span></p>'
            )
        self.view.setHtml("".join(parts) or '<p style="color:#666666">コメントはありません。</p>')

    def open_field(self, href: str) -> None:
        """A comment's 「この項目を開く」: the tab and the field the central office commented on."""
        kind, _, index = href.partition(":")
        if kind != "note" or not index.isdigit() or int(index) >= len(self.shown):
            return
        note = self.shown[int(index)]
        w = self.window_
        w.editor.focus_target(jump_target(note.field, w.fiscal_year, w.settings))


def install_review_notes(window: MainWindow) -> ReviewNotesDock:
    """Add ファイル → 審査結果ファイルを読み込む… and the notes dock to the section application's window."""
    dock = ReviewNotesDock(window)
    action = QAction("審査結果ファイルを読み込む(&V)…", window)
    action.setObjectName("actionImportReview")

    def run() -> None:
        if window.plan_id is None:
            return
        window.editor.commit_pending()
        if window.entry is not None:
            window.entry.flush(30)
        result = import_review_interactive(window, window.db)
        if result is None:
            return
        window.reload_plan()  # returned sheets are 要確認 now
        index = window.year_combo.findData(result.fiscal_year)
        if index >= 0:
            window.year_combo.setCurrentIndex(index)
        dock.reload()
        window.show_status(f"審査結果を読み込みました（{fy_label(result.fiscal_year)}）", "ok")

    action.triggered.connect(run)
    window.actionImportReview = action  # type: ignore[attr-defined]
    menu = window.menuBar().actions()[0].menu()
    if menu is not None:
        menu.insertAction(window.actionPrint, action)
    window.tree.currentItemChanged.connect(lambda _c, _p: QTimer.singleShot(0, dock.follow))
    window.year_combo.currentIndexChanged.connect(lambda _i: QTimer.singleShot(0, dock.reload))
    return dock


def _e(text: object) -> str:
    from html import escape

    return escape("" if text is None else str(text))
