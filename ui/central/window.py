"""The central office's window: the same program opened on a central database (``app_setting.role =
central``). A list of screens on the left — 計画, 配布ファイル, 受信箱, 提出状況, 審査 — and the screen on
the right; the plan and the fiscal year always visible at the top.

Menus: ファイル (計画マスタ, 全庁集計を書き出す, 印刷・PDF出力), 表示 (Ctrl+1 … Ctrl+5 for the screens).
Every screen runs long work in a worker thread with a progress bar; closing the window waits for it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.workbook import merged_workbook_name
from dxdesk.domain.fiscal import fy_label
from dxdesk.errors import DxdeskError
from ui.about_dialog import show_about
from ui.central.common import ERROR_COLOR, OK_COLOR, review_folder, start_dir
from ui.central.conflict_dialog import resolve_conflict_interactive
from ui.central.inbox_page import InboxPage
from ui.central.kits_page import KitsPage
from ui.central.plan_page import PlanPage
from ui.central.review_page import ReviewPage
from ui.central.status_page import StatusPage
from ui.geometry import fit_size, place, remember
from ui.help import export_guide_pdf, first_start_page, show_guide
from ui.notice import notify
from ui.passphrase_prompt import unlock_ca
from ui.people import edit_people, person
from ui.tasks import Task, error_message, run_with_progress
from ui.widgets import TopBar, window_action

log = logging.getLogger(__name__)

__all__ = ["PAGES", "CentralWindow"]

PAGES = ("計画", "配布ファイル", "受信箱", "提出状況", "審査")


class CentralWindow(QMainWindow):
    geometry_key = "central"  # ui.geometry: where this window opens next time

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.plan_name = ""
        self.survey_fy: int | None = None
        fit_size(self)  # ui.app places it (saved geometry, maximised on a small screen) before showing
        self._task: Task | None = None
        self._build()
        self._build_menu()
        self.load_plan()

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 2)
        self.top_bar = TopBar()
        self.context_label, self.year_combo = self.top_bar.context_label, self.top_bar.year_combo
        layout.addWidget(self.top_bar)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.nav = QListWidget(objectName="centralNav")
        self.nav.setMaximumWidth(190)
        for i, name in enumerate(PAGES, start=1):
            item = QListWidgetItem(name)
            item.setToolTip(f"{name}（Ctrl+{i}）")
            self.nav.addItem(item)
        splitter.addWidget(self.nav)
        self.stack = QStackedWidget()
        self.plan_page = PlanPage(self.db)
        self.kits_page = KitsPage(self.db)
        self.inbox_page = InboxPage(self.db)
        self.status_page = StatusPage(self.db)
        self.review_page = ReviewPage(self.db)
        self.pages: list[QWidget] = [
            self.plan_page,
            self.kits_page,
            self.inbox_page,
            self.status_page,
            self.review_page,
        ]
        for page in self.pages:
            self.stack.addWidget(page)
            status = getattr(page, "status", None)
            if status is not None:
                status.connect(self.show_status)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([160, 1200])
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.status_label = QLabel(objectName="statusText")
        self.statusBar().addWidget(self.status_label, 1)
        self.db_label = QLabel(objectName="dbLabel")
        self.db_label.setStyleSheet("color: #666666;")
        self.statusBar().addPermanentWidget(self.db_label)

        self.nav.currentRowChanged.connect(self.show_page)
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.plan_page.plan_changed.connect(self._plan_changed)
        self.inbox_page.merged.connect(lambda _r: self._refresh_after_merge())
        self.inbox_page.conflict_requested.connect(self.resolve_conflict)
        self.status_page.conflict_requested.connect(self.resolve_conflict)
        self.status_page.review_requested.connect(self.open_review)
        self.review_page.reviewed.connect(self.status_page.refresh)

    def _action(self, text: str, slot: object, shortcut: object = None, name: str = "") -> QAction:
        return window_action(self, text, slot, shortcut, name)

    def _build_menu(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("ファイル(&F)")
        self.actionImportMaster = self._action(
            "計画マスタを読み込む(&I)…",
            lambda: self._go(0, self.plan_page.check_master),
            QKeySequence.StandardKey.Open,
            "actionImportMaster",
        )
        self.actionTemplate = self._action(
            "計画マスタのひな形を書き出す(&T)…",
            lambda: self.plan_page.export_template(),
            None,
            "actionTemplate",
        )
        self.actionExportWorkbook = self._action(
            "全庁集計を書き出す(&E)…",
            lambda: self.export_workbook(),
            QKeySequence("Ctrl+E"),
            "actionExportWorkbook",
        )
        self.actionExportReviews = self._action(
            "審査結果ファイルをまとめて作成(&W)…", lambda: self.export_reviews(), None, "actionExportReviews"
        )
        self.actionPrint = self._action(
            "印刷・PDF出力(&P)…", lambda: self.print_sheets(), QKeySequence("Ctrl+P"), "actionPrint"
        )
        self.actionPeople = self._action("名前の設定(&N)…", self.edit_people, None, "actionPeople")
        quit_action = self._action("終了(&X)", self.close, QKeySequence.StandardKey.Quit, "actionQuit")
        file_menu.addActions([self.actionImportMaster, self.actionTemplate])
        file_menu.addSeparator()
        file_menu.addActions([self.actionExportReviews, self.actionExportWorkbook, self.actionPrint])
        file_menu.addSeparator()
        file_menu.addAction(self.actionPeople)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view_menu = bar.addMenu("表示(&V)")
        for i, name in enumerate(PAGES):
            view_menu.addAction(
                self._action(
                    f"{name}(&{i + 1})",
                    lambda _c=False, i=i: self.show_page(i),
                    QKeySequence(f"Ctrl+{i + 1}"),
                )
            )
        view_menu.addSeparator()
        view_menu.addAction(
            self._action("最新の情報に更新(&R)", self.refresh_all, QKeySequence("F5"), "actionRefresh")
        )
        help_menu = bar.addMenu("ヘルプ(&H)")
        self.actionGuide = self._action(
            "操作の手引き(&G)", lambda: show_guide(self, "central"), QKeySequence("F1"), "actionGuide"
        )
        self.actionFirstStart = self._action(
            "はじめての方へ(&S)",
            lambda: first_start_page(self, "central", force=True),
            None,
            "actionFirstStart",
        )
        self.actionGuidePdf = self._action(
            "操作の手引きをPDFで書き出す(&P)…", lambda: export_guide_pdf(self), None, "actionGuidePdf"
        )
        help_menu.addActions([self.actionGuide, self.actionGuidePdf, self.actionFirstStart])
        help_menu.addSeparator()
        help_menu.addAction(self._action("dxdesk について(&A)", self._about, None, "actionAbout"))

    def _go(self, index: int, then: object) -> None:
        self.show_page(index)
        if callable(then):
            then()

    # --- plan and year ------------------------------------------------------------------------------
    def load_plan(self) -> None:
        self.db_label.setText(f"中央のデータ：{self.db.path or self.db.url}")
        office = CentralOffice(self.db)
        plan = office.plan_years()
        self.plan_name = plan.name if plan else ""
        self.survey_fy = plan.declared_fy if plan else None  # the central office works on a named year
        last_page = office.setting("ui.central.page")
        self.top_bar.set_years(plan.years if plan is not None and self.survey_fy is not None else ())
        for a in (self.actionExportWorkbook, self.actionExportReviews, self.actionPrint):
            a.setEnabled(self.survey_fy is not None)
        self._year_changed()
        page = int(last_page) if last_page and last_page.isdigit() and self.survey_fy is not None else 0
        self.nav.setCurrentRow(page if 0 <= page < len(PAGES) else 0)

    @property
    def fiscal_year(self) -> int | None:
        return self.top_bar.fiscal_year

    def _year_changed(self) -> None:
        fy = self.fiscal_year
        past = "" if fy is None or fy == self.survey_fy else "（過去の年度）"
        title = f"{self.plan_name}　{fy_label(fy)}{past}" if fy else "計画がまだありません"
        self.context_label.setText(f"中央（計画の所管課）　{title}")
        self.setWindowTitle(f"dxdesk 中央 — {self.plan_name}" if self.plan_name else "dxdesk 中央")
        self.inbox_page.fiscal_year = fy
        self.status_page.set_fiscal_year(fy)
        self.review_page.set_fiscal_year(fy)

    def _plan_changed(self) -> None:
        self.load_plan()
        self.kits_page.load_years()
        self.refresh_all()

    def _refresh_after_merge(self) -> None:
        self.status_page.refresh()
        self.review_page.refresh()

    def refresh_all(self) -> None:
        for page in self.pages:
            refresh = getattr(page, "refresh", None)
            if refresh is not None and not self._page_busy(page):
                refresh()

    @staticmethod
    def _page_busy(page: QWidget) -> bool:
        busy = getattr(page, "busy", None)
        return bool(busy()) if callable(busy) else False

    def show_page(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            return
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)  # comes back here through the signal
            return
        self.stack.setCurrentIndex(index)
        page = self.pages[index]
        on_show = getattr(page, "on_show", None)
        if on_show is not None:
            on_show()

    def show_status(self, text: str, kind: str = "info") -> None:
        color = {"error": ERROR_COLOR, "ok": OK_COLOR}.get(kind, "#333333")
        self.status_label.setStyleSheet(f"color: {color};")
        self.status_label.setText(text)

    def open_review(self, section_code: str) -> None:
        self.show_page(PAGES.index("審査"))
        self.review_page.show_section(section_code)

    # --- conflicts, merged workbook, printing ------------------------------------------------------------
    def resolve_conflict(self, submission_id: int) -> None:
        if resolve_conflict_interactive(self, self.db, submission_id, self.fiscal_year):
            self._refresh_after_merge()
            self.show_status("競合を解決しました", "ok")

    def export_workbook(self, path: Path | None = None) -> Path | None:
        """全庁集計: the merged workbook of the year, with a progress bar."""
        fy = self.fiscal_year
        if fy is None:
            return None
        if path is None:
            folder = start_dir(self.db, "central.export_dir")
            chosen, _f = QFileDialog.getSaveFileName(
                self,
                "全庁集計を書き出す",
                str(Path(folder) / merged_workbook_name(fy)),
                "Excel ブック (*.xlsx)",
            )
            if not chosen:
                return None
            path = Path(chosen if chosen.lower().endswith(".xlsx") else chosen + ".xlsx")
        target, office = path, CentralOffice(self.db)
        task = self.run_with_progress(
            "全庁集計",
            "全庁集計を書き出しています…",
            lambda report, cancelled: office.export_merged_workbook(
                target, fiscal_year=fy, progress=report, cancel=cancelled
            ),
        )
        if task.error is not None:
            message = error_message(
                task.error,
                "書き出せませんでした",
                hint="Excel で開いたままなら閉じてから、もう一度書き出してください。",
            )
            QMessageBox.warning(self, "全庁集計", message)
            return None
        result = task.result
        if task.cancelled or result is None:
            self.show_status("全庁集計の書き出しを中止しました（前のファイルはそのままです）", "info")
            return None
        CentralOffice(self.db).set_setting("central.export_dir", str(target.parent))
        notify(
            self,
            f"全庁集計を書き出しました（{target.name}：施策 {result.measures:,}件、{result.rows:,}行）",
            folder=target.parent,
        )
        return target

    def run_with_progress(self, title: str, label: str, fn: Any, *, cancellable: bool = True) -> Task:
        """Run ``fn(progress, cancelled)`` behind a modal progress dialog (:mod:`ui.tasks`); returns the
        finished task (``result`` / ``error`` / ``cancelled``)."""
        task = run_with_progress(self, title, label, fn, cancellable=cancellable)
        self._task = task
        return task

    def export_reviews(self, folder: Path | None = None) -> list[Any] | None:
        """審査結果ファイル for every section with a submission, with a progress bar."""
        fy = self.fiscal_year
        if fy is None:
            return None
        if folder is None:
            folder = review_folder(self, self.db)
            if folder is None:
                return None
        if not unlock_ca(self, self.db):  # the CA signs every review workbook
            return None
        target, office = folder, CentralOffice(self.db)
        user = person("reviewer")
        task = self.run_with_progress(
            "審査結果ファイル",
            "審査結果ファイルを作成しています…",
            lambda report, _cancelled: office.export_review_workbooks(
                target, fiscal_year=fy, progress=report, user=user
            ),
            cancellable=False,
        )
        if task.error is not None:
            message = (
                str(task.error)
                if isinstance(task.error, (DxdeskError, OSError))
                else f"{type(task.error).__name__}: {task.error}"
            )
            QMessageBox.warning(self, "審査結果ファイル", f"作成できませんでした：{message}")
            return None
        exports = list(task.result or [])
        CentralOffice(self.db).set_setting("central.review_dir", str(target))
        returned = sum(e.returned for e in exports)
        notify(
            self,
            f"審査結果ファイルを{len(exports)}課分作成しました（差戻し {returned}件）：{target}",
            folder=target,
        )
        return exports

    def print_sheets(self, measure_ids: list[int] | None = None, section_code: str | None = None) -> None:
        from ui.print_dialog import open_print_dialog  # here: PDF making adds ~140 ms to opening the window

        fy = self.fiscal_year
        if fy is None:
            return
        if measure_ids is None:
            current = getattr(self.stack.currentWidget(), "print_selection", None)
            if callable(current):
                section_code, measure_ids = current()
        open_print_dialog(self, self.db, fy, section_code, list(measure_ids or []))

    # --- small things ------------------------------------------------------------------------------------
    def edit_people(self) -> None:
        """ファイル → 名前の設定…: the 審査者 written into decisions, comments and review workbooks."""
        if edit_people(self, ("reviewer",)):
            self.show_status(f"名前を設定しました（審査者：{person('reviewer')}）", "ok")

    def _about(self) -> None:
        show_about(self, self.db, central=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        for page in self.pages:
            shutdown = getattr(page, "shutdown", None)
            if shutdown is not None:
                shutdown()
        if self._task is not None:
            self._task.wait()
        try:
            CentralOffice(self.db).set_setting("ui.central.page", str(self.stack.currentIndex()))
        except Exception:  # preferences are not worth a failed close
            log.exception("could not save window preferences")
        remember(self, self.geometry_key)
        super().closeEvent(event)


def become_central(window: QMainWindow) -> CentralWindow | None:
    """From the section application's welcome screen (an empty database): make the database the central
    office's and open the central window on it, where the plan master is written and read."""
    db: Database = window.db  # type: ignore[attr-defined]
    answer = QMessageBox.question(
        window,
        "中央（計画の所管課）として始める",
        "このデータベースを中央（計画の所管課）用にします。計画マスタ（Excel）のひな形を書き出し、"
        "計画を入力して読み込むと、配布ファイルの作成や提出ファイルの取り込みができるようになります。\n\n"
        "課所室の方は「いいえ」を選び、届いた配布ファイルを開いてください。",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    CentralOffice(db).become_central()
    central = CentralWindow(db)
    place(central, central.geometry_key)
    central.show()
    window._central_window = central  # type: ignore[attr-defined]  # kept alive with the first window
    window.close()
    return central
