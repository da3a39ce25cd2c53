"""Main window: the plan tree with the measures of the chosen year and section, and one measure's sheet.

The fiscal year and section are always visible at the top; counts per status sit beside them. The
tree is filtered by the search box (code or name). Everything displayed comes from
``dxdesk.store.queries``; this module lays it out and reacts to the user.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk import __version__
from dxdesk.domain.audit import check_measure
from dxdesk.domain.enums import EntryStatus
from dxdesk.domain.fiscal import fy_label
from dxdesk.store.database import Database
from dxdesk.store.models import Plan
from dxdesk.store.queries import (
    MeasureRow,
    TreeNode,
    current_plan,
    measure_rows,
    plan_tree,
    section_names,
    sections_for_year,
)
from dxdesk.store.snapshot import plan_settings
from ui.measure_view import MeasureView, render_measure

ALL_SECTIONS = ""
COLUMNS = ("コード・名称", "担当課", "ステージ", "評価", "状態")
ROLE_MEASURE_ID = Qt.ItemDataRole.UserRole + 1


class MainWindow(QMainWindow):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.rows: dict[int, MeasureRow] = {}
        self.resize(1280, 760)
        self._build()
        self._load_plan()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)

        top = QHBoxLayout()
        self.context_label = QLabel(objectName="contextLabel")
        top.addWidget(self.context_label)
        top.addWidget(QLabel("年度"))
        self.year_combo = QComboBox(objectName="yearCombo")
        self.year_combo.setMinimumContentsLength(8)
        top.addWidget(self.year_combo)
        top.addWidget(QLabel("課所室"))
        self.section_combo = QComboBox(objectName="sectionCombo")
        self.section_combo.setMinimumContentsLength(14)
        top.addWidget(self.section_combo)
        self.search = QLineEdit(objectName="searchBox")
        self.search.setPlaceholderText("コード・名称で検索")
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        self.counts_label = QLabel(objectName="countsLabel")
        top.addWidget(self.counts_label)
        layout.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget(objectName="measureTree")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        splitter.addWidget(self.tree)
        self.view = MeasureView()
        self.view.setObjectName("measureView")
        splitter.addWidget(self.view)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([560, 700])
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.section_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._show_item(cur))

        self._build_menu()

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        quit_action = QAction("終了(&X)", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("表示(&V)")
        find = QAction("検索(&F)", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        view_menu.addAction(find)
        nxt = QAction("次の施策(&N)", self)
        nxt.setShortcut(QKeySequence("Ctrl+PgDown"))
        nxt.triggered.connect(lambda: self.step_measure(+1))
        prv = QAction("前の施策(&P)", self)
        prv.setShortcut(QKeySequence("Ctrl+PgUp"))
        prv.triggered.connect(lambda: self.step_measure(-1))
        view_menu.addActions([nxt, prv])
        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        about = QAction("dxdesk について(&A)", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(self, "dxdesk について", f"dxdesk {__version__}\nデータベース：{self.db.url}")

    # --- data -------------------------------------------------------------------------------
    def _load_plan(self) -> None:
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                self.plan_id = None
                self.context_label.setText("計画が登録されていません")
                return
            self.plan_id = plan.id
            self.plan_name = plan.name
            self.settings = plan_settings(plan)
            start = plan.period_start_fy or (plan.current_fy or 2026) - 5
            end = max(plan.current_fy or start, start)
            current = plan.current_fy or end
        self.year_combo.blockSignals(True)
        for fy in range(end, start - 1, -1):
            self.year_combo.addItem(fy_label(fy), fy)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(current)))
        self.year_combo.blockSignals(False)
        self._fill_sections()
        self.reload()

    def _plan(self, s) -> Plan:  # type: ignore[no-untyped-def]
        plan = s.get(Plan, self.plan_id)
        assert plan is not None
        return plan

    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    @property
    def section_code(self) -> str | None:
        code = self.section_combo.currentData()
        return code or None

    def _fill_sections(self) -> None:
        keep = self.section_combo.currentData()
        with self.db.session() as s:
            sections = sections_for_year(s, self._plan(s), self.fiscal_year)
        self.section_combo.blockSignals(True)
        self.section_combo.clear()
        self.section_combo.addItem("すべての課所室", ALL_SECTIONS)
        for code, name in sections:
            self.section_combo.addItem(f"{name}（{code}）", code)
        idx = self.section_combo.findData(keep) if keep else 0
        self.section_combo.setCurrentIndex(max(0, idx))
        self.section_combo.blockSignals(False)

    def reload(self) -> None:
        if self.plan_id is None:
            return
        selected = self.current_measure_id()
        fy = self.fiscal_year
        with self.db.session() as s:
            plan = self._plan(s)
            rows = measure_rows(s, plan, fy, section_code=self.section_code, settings=self.settings)
            tree = plan_tree(s, plan, rows)
            self.section_names = section_names(s, fy)
        self.rows = {r.id: r for r in rows}
        self.tree.blockSignals(True)
        self.tree.clear()
        for node in tree:
            self.tree.addTopLevelItem(self._node_item(node))
        self.tree.expandAll()
        self.tree.blockSignals(False)
        section = self.section_combo.currentText()
        self.context_label.setText(f"{self.plan_name}　{fy_label(fy)}　{section}")
        self.setWindowTitle(f"dxdesk — {self.plan_name}（{fy_label(fy)}）")
        self._update_counts()
        self._apply_filter()
        if not self.select_measure(selected):
            self.step_measure(+1)

    def _node_item(self, node: TreeNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{node.level_name} {node.code}　{node.name}", "", "", "", ""])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        for child in node.children:
            item.addChild(self._node_item(child))
        for r in node.measures:
            grade = (
                r.grade.value
                if r.grade
                else ("対象外" if r.suggestion.rule.value == "not_evaluated" else "—")
            )
            stage = r.stage.short if r.stage else ""
            m_item = QTreeWidgetItem([f"{r.code}　{r.name}", r.section_name, stage, grade, r.status.label])
            m_item.setData(0, ROLE_MEASURE_ID, r.id)
            m_item.setToolTip(0, f"{r.code} {r.name}")
            m_item.setToolTip(3, r.suggestion.explanation)
            if r.errors:
                m_item.setToolTip(4, f"エラー {r.errors}件・警告 {r.warnings}件")
            item.addChild(m_item)
        return item

    def _update_counts(self) -> None:
        counts = {st: 0 for st in EntryStatus}
        for r in self.rows.values():
            counts[r.status] += 1
        text = f"施策 {len(self.rows)}件　" + "　".join(f"{st.label} {counts[st]}" for st in EntryStatus)
        self.counts_label.setText(text)

    # --- navigation -------------------------------------------------------------------------
    def _measure_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            if item.data(0, ROLE_MEASURE_ID) is not None and not item.isHidden():
                out.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return out

    def current_measure_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE_MEASURE_ID) if item is not None else None

    def select_measure(self, measure_id: int | None) -> bool:
        if measure_id is None:
            return False
        for item in self._measure_items():
            if item.data(0, ROLE_MEASURE_ID) == measure_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def step_measure(self, delta: int) -> None:
        items = self._measure_items()
        if not items:
            self.view.clear()
            return
        current = self.tree.currentItem()
        idx = items.index(current) if current in items else -1
        nxt = items[(idx + delta) % len(items)] if idx >= 0 else items[0]
        self.tree.setCurrentItem(nxt)

    def _apply_filter(self) -> None:
        needle = self.search.text().strip().lower()

        def walk(item: QTreeWidgetItem) -> bool:
            visible_children = False
            for i in range(item.childCount()):
                visible_children |= walk(item.child(i))
            is_measure = item.data(0, ROLE_MEASURE_ID) is not None
            match = not needle or (is_measure and needle in item.text(0).lower())
            visible = (match and is_measure) or visible_children or (not needle and not is_measure)
            item.setHidden(not visible)
            return visible

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))

    def _show_item(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        mid = item.data(0, ROLE_MEASURE_ID)
        row = self.rows.get(mid) if mid is not None else None
        if row is None:
            return
        findings = check_measure(row.snapshot, self.settings, row.suggestion)
        self.view.show_html(
            render_measure(row, self.settings, self.fiscal_year, findings, self.section_names)
        )
