"""The list of measures as the plan tree (分野 → … → 施策), with grade and status per sheet, filtered by
a search text and a status. Grades and statuses come from dxdesk (``MeasureRow`` or the open sheet's
evaluation); this widget only lays them out."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from dxdesk.domain.enums import EntryStatus
from dxdesk.domain.evaluation import NO_GRADE, Evaluation
from dxdesk.section_desk import SheetSubmission, SubmissionState, TreeNode

COLUMNS = ("コード・名称", "担当課", "ステージ", "評価", "状態", "提出")
ROLE_MEASURE_ID = Qt.ItemDataRole.UserRole + 1
ROLE_STATUS = Qt.ItemDataRole.UserRole + 2
ROLE_ERRORS = Qt.ItemDataRole.UserRole + 3
ROLE_SUBMISSION = Qt.ItemDataRole.UserRole + 4

# status filter choices: (label, predicate key)
FILTERS = (
    ("すべての状態", ""),
    ("未入力", EntryStatus.EMPTY.value),
    ("入力中", EntryStatus.IN_PROGRESS.value),
    ("入力完了", EntryStatus.COMPLETE.value),
    ("要確認", EntryStatus.NEEDS_CHECK.value),
    ("エラーのあるシート", "errors"),
)
STATUS_FG = {
    EntryStatus.EMPTY: QColor("#666666"),
    EntryStatus.IN_PROGRESS: QColor("#8a5a00"),
    EntryStatus.COMPLETE: QColor("#2e7d32"),
    EntryStatus.NEEDS_CHECK: QColor("#b00020"),
}
SUBMISSION_FG = {
    SubmissionState.NOT_SUBMITTED: QColor("#666666"),
    SubmissionState.SUBMITTED: QColor("#1f5f8b"),
    SubmissionState.CHANGED: QColor("#8a5a00"),
    SubmissionState.RETURNED: QColor("#b00020"),
    SubmissionState.ACCEPTED: QColor("#2e7d32"),
}


def grade_text(ev: Evaluation) -> str:
    """「A」「B*」(changed from the computed grade), 「対象外」, 「未入力」; 「—」 where the plan does not grade."""
    shown = ev.grade_display
    if not shown or shown == NO_GRADE:
        return "—"
    return f"{shown}*" if ev.grade is not None and ev.is_override else shown


class WrappedNameDelegate(QStyledItemDelegate):
    """Shows a long name whole, wrapped over as many lines as the column's width needs (Japanese
    breaks between characters), instead of cutting it with 「…」; the row grows to fit."""

    def __init__(self, tree: QTreeWidget, column: int = 0):
        super().__init__(tree)
        self.tree = tree
        self.column = column

    def _text_width(self, index: QModelIndex | QPersistentModelIndex) -> int:
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        indent = self.tree.indentation() * (depth + (1 if self.tree.rootIsDecorated() else 0))
        margin = 2 * (
            self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.tree) + 1
        )
        return max(40, self.tree.columnWidth(self.column) - indent - margin - 2)

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.column() == self.column:
            option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText  # type: ignore[operator]
            option.textElideMode = Qt.TextElideMode.ElideNone

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != self.column:
            return hint
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        bounds = opt.fontMetrics.boundingRect(
            QRect(0, 0, self._text_width(index), 10_000),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        one_line = opt.fontMetrics.height()
        return QSize(hint.width(), max(hint.height(), hint.height() - one_line + bounds.height()))


def wrap_names(tree: QTreeWidget, column: int = 0) -> WrappedNameDelegate:
    """Show ``tree``'s ``column`` whole on several lines (the rows take the height they need, again
    whenever the column's width changes)."""
    delegate = WrappedNameDelegate(tree, column)
    tree.setItemDelegateForColumn(column, delegate)
    tree.setUniformRowHeights(False)
    tree.setWordWrap(True)
    relayout = QTimer(tree, singleShot=True, interval=0)
    relayout.timeout.connect(tree.doItemsLayout)
    tree.header().sectionResized.connect(lambda col, _old, _new: col == column and relayout.start())
    return delegate


class MeasureTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("measureTree")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setAlternatingRowColors(True)
        # Shift/Ctrl-click selects several sheets (printing a selection); the current item is still
        # the one being edited.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        fm = self.fontMetrics()
        # fixed widths from the longest text each column can show, so nothing is cut at any scaling
        for col, samples in (
            (1, ("あ" * 5,)),
            (2, ("ステージ", "3・4")),
            (3, ("評価", "対象外")),
            (4, ("状態", "入力完了")),
            (5, ("提出", "変更あり", "第10版", "差戻し", "未提出")),
        ):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(col, max(fm.horizontalAdvance(t) for t in samples) + 12)
        self.items: dict[int, QTreeWidgetItem] = {}
        self.setIndentation(max(12, self.fontMetrics().horizontalAdvance("あ")))
        wrap_names(self)  # long measure names whole, on two or three lines

    def populate(self, roots: list[TreeNode], *, show_section: bool) -> None:
        self.blockSignals(True)
        self.clear()
        self.items.clear()
        for node in roots:
            self.addTopLevelItem(self._node_item(node))
        self.expandAll()
        self.setColumnHidden(1, not show_section)
        self.blockSignals(False)

    def _node_item(self, node: TreeNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{node.level_name} {node.code}　{node.name}", "", "", "", "", ""])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        item.setToolTip(0, f"{node.level_name} {node.code}　{node.name}")
        for child in node.children:
            item.addChild(self._node_item(child))
        for r in node.measures:
            m_item = QTreeWidgetItem(
                [f"{r.code}　{r.name}", r.section_name, r.stage.short if r.stage else "", "", "", ""]
            )
            m_item.setData(0, ROLE_MEASURE_ID, r.id)
            m_item.setToolTip(0, f"{r.code}　{r.name}")
            m_item.setToolTip(1, r.section_name)
            self.items[r.id] = m_item
            self.set_state(
                r.id,
                grade_text(r.evaluation),
                r.suggestion.explanation,
                r.status,
                r.errors,
                r.warnings,
                r.stage.short if r.stage else "",
            )
            item.addChild(m_item)
        return item

    def set_submission(self, mid: int, state: SheetSubmission) -> None:
        """The sheet's state with the central office: 未提出, 提出済み 第N版, 差戻し, 受理 …"""
        item = self.items.get(mid)
        if item is None:
            return
        item.setText(5, state.short)
        item.setToolTip(5, state.label)
        item.setForeground(5, QBrush(SUBMISSION_FG[state.state]))
        item.setData(5, ROLE_SUBMISSION, state)

    def submission(self, mid: int) -> SheetSubmission | None:
        item = self.items.get(mid)
        state = item.data(5, ROLE_SUBMISSION) if item is not None else None
        return state if isinstance(state, SheetSubmission) else None

    def set_state(
        self, mid: int, grade: str, why: str, status: EntryStatus, errors: int, warnings: int, stage: str
    ) -> None:
        item = self.items.get(mid)
        if item is None:
            return
        item.setText(2, stage)
        item.setText(3, grade)
        item.setToolTip(3, why)
        item.setText(4, status.label)
        item.setForeground(4, QBrush(STATUS_FG[status]))
        item.setData(0, ROLE_STATUS, status.value)
        item.setData(0, ROLE_ERRORS, errors)
        item.setToolTip(4, f"エラー {errors}件・警告 {warnings}件" if errors or warnings else status.label)

    def statuses(self) -> list[EntryStatus]:
        return [EntryStatus(i.data(0, ROLE_STATUS)) for i in self.items.values()]

    # --- navigation and filtering ---------------------------------------------------------------------
    def measure_items(self) -> list[QTreeWidgetItem]:
        """Visible measure items in display order."""
        out: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            if item.data(0, ROLE_MEASURE_ID) is not None and not item.isHidden():
                out.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.topLevelItemCount()):
            walk(self.topLevelItem(i))
        return out

    def selected_measure_ids(self) -> list[int]:
        """The selected sheets in tree order (the current one when nothing else is selected)."""
        ids = [i.data(0, ROLE_MEASURE_ID) for i in self.measure_items() if i.isSelected()]
        ids = [i for i in ids if i is not None]
        current = self.current_measure_id()
        return ids or ([current] if current is not None else [])

    def current_measure_id(self) -> int | None:
        item = self.currentItem()
        return item.data(0, ROLE_MEASURE_ID) if item is not None else None

    def select_measure(self, mid: int | None) -> bool:
        item = self.items.get(mid) if mid is not None else None
        if item is None or item.isHidden():
            return False
        self.setCurrentItem(item)
        self.scrollToItem(item)
        return True

    def step(self, delta: int) -> bool:
        items = self.measure_items()
        if not items:
            return False
        current = self.currentItem()
        idx = items.index(current) if current in items else -1
        nxt = items[(idx + delta) % len(items)] if idx >= 0 else items[0]
        self.setCurrentItem(nxt)
        self.scrollToItem(nxt)
        return True

    def apply_filter(self, text: str, status: str) -> None:
        needle = text.strip().lower()

        def matches(item: QTreeWidgetItem) -> bool:
            if needle and needle not in item.text(0).lower():
                return False
            if status == "errors":
                return bool(item.data(0, ROLE_ERRORS))
            return not status or item.data(0, ROLE_STATUS) == status

        def walk(item: QTreeWidgetItem) -> bool:
            visible_children = False
            for i in range(item.childCount()):
                visible_children |= walk(item.child(i))
            if item.data(0, ROLE_MEASURE_ID) is not None:
                visible = matches(item)
            else:
                visible = visible_children or (not needle and not status)
            item.setHidden(not visible)
            return visible

        for i in range(self.topLevelItemCount()):
            walk(self.topLevelItem(i))
