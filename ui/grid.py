"""A spreadsheet-like grid for sheet fields: Enter commits and moves down, Tab moves right, typing
starts editing (input methods included), Ctrl+V pastes a block copied from Excel, Ctrl+C copies a
block Excel understands, Delete clears the selected cells. Each cell is one field path; the grid's
model (:class:`FieldGridModel`) turns paths into text and hands typed text to the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from dxdesk.domain.clipboard import MAX_BLOCK_CELLS, format_block, parse_block
from dxdesk.domain.values import NA_MARK
from dxdesk.section_desk import EditableSheet
from ui.parts.base import PartHost

Index = QModelIndex | QPersistentModelIndex

READONLY_BG = QBrush(QColor("#f0f2f5"))
ERROR_BG = QBrush(QColor("#fde8ea"))
ERROR_FG = QBrush(QColor("#b00020"))
COMPUTED_BG = QBrush(QColor("#f7f4e8"))


class FieldGridModel(QAbstractTableModel):
    """Base for grids whose editable cells are sheet fields. Subclasses give ``path_at`` and display."""

    def __init__(self, host: PartHost):
        super().__init__()
        self.host = host
        self.errors: dict[str, tuple[str, str]] = {}  # path -> (typed text, message), not saved
        self.last_error: str | None = None
        self.after_commit: Callable[[], None] | None = None

    def path_at(self, index: Index) -> str | None:
        raise NotImplementedError

    def keep_unread(self, sheet: EditableSheet) -> None:
        """Show the sheet's unread input (kept in memory and in the database) as typed, marked red."""
        self.errors = {path: (u.typed, u.reason) for path, u in sheet.unread.items()}

    def is_editable(self, index: Index) -> bool:
        path = self.path_at(index)
        sheet = self.host.sheet
        return path is not None and sheet is not None and sheet.editable(path)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.is_editable(index) else base

    def edit_text(self, index: Index) -> str:
        path = self.path_at(index)
        sheet = self.host.sheet
        if path is None or sheet is None:
            return ""
        if path in self.errors:
            return self.errors[path][0]
        return sheet.display(path)

    def cell_style(self, index: Index, role: int) -> Any:
        """Background, foreground and tooltip of field cells (errors, read-only)."""
        path = self.path_at(index)
        if path is None:
            return None
        error = self.errors.get(path)
        if role == Qt.ItemDataRole.BackgroundRole:
            if error:
                return ERROR_BG
            return None if self.is_editable(index) else READONLY_BG
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return ERROR_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            if error:
                return error[1]
            sheet = self.host.sheet
            if sheet is not None and not sheet.editable(path):
                from dxdesk.domain.fields import FieldPath

                return sheet.readonly_reason(FieldPath.parse(path).with_year(sheet.fy))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole:
            return False
        path = self.path_at(index)
        if path is None:
            return False
        text = "" if value is None else str(value)
        error = self.host.commit(path, text)
        self.last_error = error
        if error:
            self.errors[path] = (text, error)
        else:
            self.errors.pop(path, None)
        self.changed_row(index.row())
        if self.after_commit is not None:
            self.after_commit()
        return error is None

    def changed_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def changed_all(self) -> None:
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


class _Delegate(QStyledItemDelegate):
    """Line editors that show what was typed (even when it was refused) and can be committed from
    outside (sheet switch, close)."""

    def __init__(self, view: SheetGrid):
        super().__init__(view)
        self.view = view
        self.editor: QLineEdit | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        self.editor = editor
        editor.destroyed.connect(lambda *_: setattr(self, "editor", None))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        model = index.model()
        if isinstance(editor, QLineEdit) and isinstance(model, FieldGridModel):
            editor.setText(model.edit_text(index))
        else:
            super().setEditorData(editor, index)

    def destroyEditor(self, editor: QWidget, index: Index) -> None:
        if editor is self.editor:
            self.editor = None
        super().destroyEditor(editor, index)

    def commit_open_editor(self) -> None:
        if self.editor is not None:
            editor = self.editor
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


class SheetGrid(QTableView):
    message = Signal(str, str)  # text, kind

    def __init__(self, host: PartHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.host = host
        self.delegate = _Delegate(self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.verticalHeader().setVisible(False)

    def grid_model(self) -> FieldGridModel:
        model = self.model()
        assert isinstance(model, FieldGridModel)
        return model

    # --- keyboard ---------------------------------------------------------------------------------
    def keyPressEvent(self, e: QKeyEvent) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing:
            if e.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
            if e.matches(QKeySequence.StandardKey.Copy):
                self.copy()
                return
            if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_selected()
                return
            if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.move_down()
                return
        super().keyPressEvent(e)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter: like Excel, go down
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            if not self.grid_model().last_error:
                self.move_down()
            return
        super().closeEditor(editor, hint)

    def move_down(self) -> None:
        current = self.currentIndex()
        below = current.siblingAtRow(current.row() + 1)
        if below.isValid():
            self.setCurrentIndex(below)

    def commit_pending(self) -> None:
        self.delegate.commit_open_editor()

    # --- clipboard --------------------------------------------------------------------------------
    def paste(self) -> None:
        text = QApplication.clipboard().text()
        rows = parse_block(text)
        if not rows:
            return
        if sum(len(r) for r in rows) > MAX_BLOCK_CELLS:
            self.message.emit("貼り付ける範囲が大きすぎます。指標の欄だけをコピーしてください。", "error")
            return
        start = self.currentIndex()
        if not start.isValid():
            return
        model = self.grid_model()
        items: list[tuple[str, object]] = []
        skipped = 0
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                index = model.index(start.row() + r, start.column() + c)
                if not index.isValid() or not model.is_editable(index):
                    skipped += 1
                    continue
                path = model.path_at(index)
                assert path is not None
                items.append((path, cell))
        count, errors = self.host.commit_many(items)
        model.errors.update({path: (dict(items)[path], msg) for path, msg in errors})  # type: ignore[misc]
        for path, _ in items:
            if path not in dict(errors):
                model.errors.pop(path, None)
        model.changed_all()
        if model.after_commit is not None:
            model.after_commit()
        parts = [f"{count}件の値を貼り付けました。"]
        if skipped:
            parts.append(f"入力できない欄（過去の年度・範囲外）の{skipped}件は貼り付けていません。")
        if errors:
            parts.append(f"{len(errors)}件は値として読み取れないため赤で表示しています：{errors[0][1]}")
        self.message.emit("".join(parts), "error" if errors else "ok")

    def copy(self) -> None:
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return
        rows_n = sorted({i.row() for i in indexes})
        cols_n = sorted({i.column() for i in indexes})
        model = self.model()
        block = [
            [str(model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole) or "") for c in cols_n]
            for r in rows_n
        ]
        QApplication.clipboard().setText(format_block(block))

    def clear_selected(self) -> None:
        model = self.grid_model()
        items: list[tuple[str, object]] = []
        for index in self.selectedIndexes():
            path = model.path_at(index)
            if path is not None and model.is_editable(index):
                items.append((path, ""))
                model.errors.pop(path, None)
        if items:
            self.host.commit_many(items)
            model.changed_all()
            if model.after_commit is not None:
                model.after_commit()

    def set_current_na(self) -> None:
        index = self.currentIndex()
        if index.isValid() and self.grid_model().is_editable(index):
            self.grid_model().setData(index, NA_MARK)

    def _menu(self, pos: Any) -> None:
        menu = QMenu(self)
        menu.addAction("「—」（該当なし）を入力", self.set_current_na)
        menu.addAction("空欄に戻す", self.clear_selected)
        menu.addSeparator()
        menu.addAction("コピー", QKeySequence.StandardKey.Copy, self.copy)
        menu.addAction("貼り付け", QKeySequence.StandardKey.Paste, self.paste)
        menu.exec(self.viewport().mapToGlobal(pos))
