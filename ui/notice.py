"""A short notice where the eye is: a small box over the bottom-right corner of the window, above the
status bar, that says what was just done (「提出ファイルを作成しました」) and, for an action that wrote a
file, offers 「フォルダを開く」. It takes no focus, blocks nothing, and goes away by itself after a few
seconds (not while the pointer is on it) or with its × button. The same text stays in the status bar.

Any screen calls :func:`notify` with one of its widgets; the window it belongs to shows the notice.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QEnterEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QPushButton, QToolButton, QWidget

__all__ = ["NOTICE_MS", "Notice", "notify"]

NOTICE_MS = 12000
COLORS = {"ok": ("#e8f5e9", "#2e7d32"), "error": ("#fdecea", "#b00020"), "info": ("#eef3f8", "#1f5f8b")}


class Notice(QFrame):
    def __init__(self, host: QWidget):
        super().__init__(host)
        self.setObjectName("notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.folder: Path | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 6, 8)
        self.text = QLabel(objectName="noticeText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        self.open_button = QPushButton("フォルダを開く", objectName="noticeOpenFolder")
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.open_folder)
        layout.addWidget(self.open_button)
        close = QToolButton(objectName="noticeClose", text="×")
        close.setToolTip("閉じる")
        close.setAutoRaise(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self._timer.timeout.connect(self.hide)
        host.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, *, folder: Path | None = None, kind: str = "ok") -> None:
        background, border = COLORS.get(kind, COLORS["info"])
        self.setStyleSheet(
            f"#notice {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#noticeText {{ color: {border}; }}"
        )
        self.text.setText(text)
        self.folder = folder
        self.open_button.setVisible(folder is not None)
        self.open_button.setToolTip(str(folder) if folder is not None else "")
        self._place()
        self.show()
        self.raise_()
        self._timer.start()

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        em = self.fontMetrics().horizontalAdvance("あ")
        width = min(em * 34, max(host.width() - 24, em * 10))
        self.setFixedWidth(width)
        self.adjustSize()
        bottom = host.height()
        if isinstance(host, QMainWindow) and host.statusBar().isVisible():
            bottom = host.statusBar().geometry().top()
        self.move(host.width() - self.width() - 12, max(0, bottom - self.height() - 8))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def enterEvent(self, event: QEnterEvent) -> None:  # reading it: stay
        self._timer.stop()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._timer.start()
        super().leaveEvent(event)


def notify(widget: QWidget, text: str, *, folder: Path | None = None, kind: str = "ok") -> Notice:
    """Say ``text`` in the status bar of ``widget``'s window and in a notice over its corner; with
    ``folder`` (where a file was just written) the notice offers 「フォルダを開く」."""
    window = widget.window()
    show_status = getattr(window, "show_status", None)
    if callable(show_status):
        show_status(text, kind)
    notice = window.findChild(Notice, "notice", Qt.FindChildOption.FindDirectChildrenOnly)
    if notice is None:
        notice = Notice(window)
    notice.show_message(text, folder=folder, kind=kind)
    return notice
