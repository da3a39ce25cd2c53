"""Small widgets shared by the windows and the sheet editor parts.

:class:`CommitTextEdit` is a multi-line text box that *commits* (asks to be saved) when the person
leaves it and, while they keep typing, after a short pause — so a killed process loses at most the
last few seconds of the field being typed. Tab moves to the next field (Ctrl+Tab inserts a tab), as
in a form. :class:`MessageLabel` shows an inline validation message under a field.
:class:`TopBar` is the line at the top of both windows: what is open, 年度(&Y) and (in the section
application) 課所室(&S). :func:`error_label` is a dialog's red, selectable message line, :func:`html`
escapes text for a rich label, :func:`ask_workbook` asks for an .xlsx file to read, :func:`name_column_stretches` sizes a list's columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from dxdesk.domain.fiscal import fy_label

IDLE_COMMIT_MS = 2000
ERROR_COLOR = "#b00020"
XLSX_FILTER = "Excel ブック (*.xlsx);;すべてのファイル (*)"


class CommitTextEdit(QPlainTextEdit):
    """Emits ``committed(text, final)`` after a pause in typing (final=False) and on leaving (True)."""

    committed = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None, *, lines: int = 4):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self._dirty = False
        self._saved_since_final = False  # an idle commit happened; leaving the field still commits
        self._loading = False
        self._idle = QTimer(self, singleShot=True, interval=IDLE_COMMIT_MS)
        self._idle.timeout.connect(lambda: self._commit(final=False))
        self.textChanged.connect(self._changed)
        line = self.fontMetrics().lineSpacing()
        self.setMinimumHeight(line * lines + 12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def load(self, text: str) -> None:
        """Show stored text without treating it as typing."""
        self._loading = True
        try:
            if self.toPlainText() != text:
                self.setPlainText(text)
        finally:
            self._loading = False
        self._dirty = False
        self._saved_since_final = False
        self._idle.stop()

    @property
    def dirty(self) -> bool:
        return self._dirty

    def mark_unsaved(self) -> None:
        """The last commit was refused: commit again when the person leaves the field."""
        self._dirty = True

    def _changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._idle.start()

    def commit_pending(self) -> None:
        """Commit what is typed now (before switching sheets, closing, checking)."""
        self._commit(final=True)

    def _commit(self, *, final: bool) -> None:
        self._idle.stop()
        if self._dirty or (final and self._saved_since_final):
            self._dirty = False
            self._saved_since_final = not final
            self.committed.emit(self.toPlainText(), final)

    def focusOutEvent(self, e: QFocusEvent) -> None:
        # a context menu or an input method popup is not leaving the field
        if e.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self._commit(final=True)
        super().focusOutEvent(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() == Qt.Key.Key_Tab and e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.insertPlainText("\t")
            return
        super().keyPressEvent(e)


class CommitLineEdit(QLineEdit):
    """A one-line field that emits ``committed(text)`` when edited and left (Enter or focus out)."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dirty = False
        self.textEdited.connect(lambda _t: setattr(self, "_dirty", True))
        self.editingFinished.connect(self.commit_pending)

    def load(self, text: str) -> None:
        self.setText(text)
        self._dirty = False

    def commit_pending(self) -> None:
        if self._dirty:
            self._dirty = False
            self.committed.emit(self.text())


class MessageLabel(QLabel):
    """An inline message: error (red), warning (brown), info (blue), ok (green); hidden when empty
    (or an empty line, with ``keep_space``)."""

    COLORS: ClassVar[dict[str, str]] = {
        "error": "#b00020",
        "warning": "#8a5a00",
        "info": "#1f5f8b",
        "ok": "#2e7d32",
    }

    def __init__(self, parent: QWidget | None = None, *, keep_space: bool = False, **kwargs: object):
        """``keep_space``: hold one line's height even when there is no message, so the fields below do
        not move when a message comes or goes (text boxes that commit while the person types)."""
        super().__init__(parent, **kwargs)
        self.keep_space = keep_space
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if keep_space:
            self.setMinimumHeight(self.fontMetrics().lineSpacing() + 2)
        else:
            self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        if not text:
            self.clear_message()
            return
        self.setStyleSheet(f"color: {self.COLORS.get(kind, '#333333')};")
        self.setText(text)
        self.setProperty("kind", kind)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.setProperty("kind", "")
        if not self.keep_space:
            self.hide()


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("partHeading")
    return label


class TopBar(QWidget):
    """The window's top line: the context (plan, year, what is shown), 年度(&Y) and, with
    ``sections=True``, 課所室(&S). The windows fill the combos and connect to their signals."""

    def __init__(self, parent: QWidget | None = None, *, sections: bool = False):
        super().__init__(parent)
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        self.context_label = QLabel(objectName="contextLabel")
        top.addWidget(self.context_label, 1)
        self.year_combo = self._combo(top, "年度(&Y)", "yearCombo", 7)
        self.section_combo = self._combo(top, "課所室(&S)", "sectionCombo", 12) if sections else None

    @staticmethod
    def _combo(top: QHBoxLayout, label_text: str, name: str, width: int) -> QComboBox:
        label = QLabel(label_text)
        combo = QComboBox(objectName=name)
        combo.setMinimumContentsLength(width)
        label.setBuddy(combo)
        top.addWidget(label)
        top.addWidget(combo)
        return combo

    def set_years(self, years: Sequence[int], current: int | None = None) -> None:
        """Offer ``years`` (newest first) and select ``current`` (else the first), without emitting
        ``currentIndexChanged``: the window loads what the year shows itself."""
        combo = self.year_combo
        combo.blockSignals(True)
        combo.clear()
        for fy in years:
            combo.addItem(fy_label(fy), fy)
        combo.setCurrentIndex(max(0, combo.findData(current)) if years else -1)
        combo.blockSignals(False)

    @property
    def fiscal_year(self) -> int | None:
        data = self.year_combo.currentData()
        return int(data) if data is not None else None


def html(text: object) -> str:
    """``text`` escaped for a rich-text label (None shows as nothing)."""
    return escape("" if text is None else str(text))


def error_label(object_name: str = "errorLabel") -> QLabel:
    """A dialog's message line for what went wrong: red, wrapped, selectable (to copy into a mail)."""
    label = QLabel(objectName=object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def ask_workbook(parent: QWidget | None, title: str, start: str | None = None) -> Path | None:
    """Ask for an Excel workbook to read, starting in ``start`` (default: Documents); None when cancelled."""
    if start is None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    name, _filter = QFileDialog.getOpenFileName(parent, title, start, XLSX_FILTER)
    return Path(name) if name else None


def name_column_stretches(header: QHeaderView, columns: int) -> None:
    """A list whose first column (the name) takes the room and the other ``columns - 1`` fit their text."""
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, columns):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)


def window_action(
    window: QWidget, text: str, slot: object, shortcut: object = None, name: str = ""
) -> QAction:
    """A menu action of ``window``: its object name (tests find it by that), one shortcut or a list of
    them, and the slot it triggers; added to the window so its shortcut works wherever the focus is."""
    action = QAction(text, window)
    if name:
        action.setObjectName(name)
    if shortcut is not None:
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(shortcut)
    action.triggered.connect(slot)
    window.addAction(action)
    return action
