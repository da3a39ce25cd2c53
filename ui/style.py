"""Application-wide look: a Japanese UI font that exists on this machine, the stylesheet, high DPI."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from dxdesk.paths import resource

# Windows system fonts first (LGWAN PCs), then Linux fonts (fonts-ipaexfont is installed by bootstrap).
UI_FONT_CANDIDATES = (
    "Yu Gothic UI",
    "Meiryo UI",
    "Meiryo",
    "MS UI Gothic",
    "IPAexGothic",
    "IPAPGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "TakaoPGothic",
)


def pick_ui_font() -> str | None:
    families = set(QFontDatabase.families())
    return next((f for f in UI_FONT_CANDIDATES if f in families), None)


def apply(app: QApplication) -> None:
    family = pick_ui_font()
    if family:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 10.0))
        app.setFont(font)
    qss = resource("style.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
