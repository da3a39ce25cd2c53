"""The welcome screen shown when the database holds no plan yet: open the distribution file (配布ファイル)
the central office sent, or try the application on the demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    open_kit = Signal()
    try_demo = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QVBoxLayout()
        title = QLabel("dxdesk へようこそ")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        text = QLabel(
            "まだデータがありません。\n"
            "DX推進担当課（計画の所管課）から届いた「配布ファイル」（.xlsx）を開くと、\n"
            "担当する施策のシートに入力できるようになります。\n\n"
            "操作を試したいときは、架空の「デモ市」のデータで始められます。"
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        box.addWidget(text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.open_button = QPushButton("配布ファイルを開く…", objectName="welcomeOpenKit")
        self.open_button.setDefault(True)
        self.demo_button = QPushButton("デモデータで試す", objectName="welcomeDemo")
        for b in (self.open_button, self.demo_button):
            b.setMinimumHeight(b.sizeHint().height() * 3 // 2)
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 48)
            buttons.addWidget(b)
        buttons.addStretch(1)
        box.addSpacing(16)
        box.addLayout(buttons)
        outer.addLayout(box)
        outer.addStretch(2)
        self.open_button.clicked.connect(self.open_kit.emit)
        self.demo_button.clicked.connect(self.try_demo.emit)
