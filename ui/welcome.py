"""The welcome screen shown when the database holds no plan yet: open the distribution file (配布ファイル)
the central office sent, or try the application on the demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    open_kit = Signal()
    try_demo = Signal()
    start_central = Signal()  # the central office starts its database here (ui.central.window)

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
        box.addSpacing(24)
        central_row = QHBoxLayout()
        central_row.addStretch(1)
        self.central_button = QPushButton(
            "中央（計画の所管課）の方：計画マスタから始める…", objectName="welcomeCentral"
        )
        self.central_button.setFlat(True)
        self.central_button.setStyleSheet("color: #1f5f8b; text-decoration: underline;")
        self.central_button.setToolTip(
            "このデータベースを中央用にして、計画マスタ（Excel）のひな形の書き出しと読み込みができる画面を開きます。"
        )
        central_row.addWidget(self.central_button)
        central_row.addStretch(1)
        box.addLayout(central_row)
        outer.addLayout(box)
        outer.addStretch(2)
        self.open_button.clicked.connect(self.open_kit.emit)
        self.demo_button.clicked.connect(self.try_demo.emit)
        self.central_button.clicked.connect(self.start_central.emit)


def start_central_office(window: QWidget) -> None:
    """「計画マスタから始める」: the central office's window on this database (imported when asked for, so
    the section application does not load the central screens)."""
    from ui.central.window import become_central

    become_central(window)  # type: ignore[arg-type]
