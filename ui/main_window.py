"""Main window of the section application: the measures of the chosen year and section as the plan
tree with a status per sheet and counts, search and filter, the sheet editor, the pre-submission check,
autosave status, undo/redo, and backups.

The fiscal year and section are always visible at the top. Everything displayed comes from the core's
façade (``dxdesk.section_desk.SectionDesk``); this module lays it out and turns menu choices into calls. The kit import, submission export and printing are provided by
other modules and wired into :meth:`MainWindow.open_kit`, :meth:`MainWindow.export_submission` and
:meth:`MainWindow.print_sheets`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import EntryStatus
from dxdesk.domain.fields import jump_target
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.settings import PlanSettings
from dxdesk.paths import data_dir
from dxdesk.section_desk import (
    BackupError,
    CheckItem,
    Database,
    DatabaseError,
    EditableSheet,
    EditError,
    EntrySession,
    MeasureRow,
    SaveResult,
    SectionDesk,
    SectionSubmission,
    SheetSubmission,
    SubmissionState,
    backup_dir,
    backup_due,
    create_backup,
    open_database,
    restore_backup,
)
from ui.backup_dialog import RestoreDialog
from ui.check_list import CheckList
from ui.geometry import fit_size, remember
from ui.help import first_start_page, show_guide
from ui.measure_tree import FILTERS, ROLE_MEASURE_ID, MeasureTree, grade_text
from ui.notice import notify
from ui.people import edit_people, person
from ui.review_notes import install_review_notes
from ui.sheet_editor import SheetEditor
from ui.welcome import WelcomePage, start_central_office
from ui.widgets import TopBar, window_action

log = logging.getLogger(__name__)

__all__ = ["ALL_SECTIONS", "ROLE_MEASURE_ID", "MainWindow"]

ALL_SECTIONS = ""
BACKUP_INTERVAL = timedelta(minutes=10)
STARTUP_BACKUP_DELAY_MS = 3000


class _Bridge(QObject):
    """Carries results from the autosave thread to the window's thread (queued signals)."""

    saved = Signal(object)
    backup_failed = Signal(str)


class MainWindow(QMainWindow):
    geometry_key = "section"  # ui.geometry: where this window opens next time

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.entry: EntrySession | None = None
        self.plan_id: int | None = None
        self.plan_name = ""
        self.survey_fy: int | None = None
        self.settings = PlanSettings.default()
        self._changes_since_backup = False
        self._submission = SectionSubmission(None, None)
        self._bridge = _Bridge()
        self._bridge.saved.connect(self._on_saved)
        self._bridge.backup_failed.connect(lambda msg: self.show_status(msg, "error"))
        fit_size(self)  # ui.app places it (saved geometry, maximised on a small screen) before showing
        self._build()
        self._build_menu()
        self.review_notes = install_review_notes(
            self
        )  # ファイル → 審査結果ファイルを読み込む…, the central office's comments
        self._load_plan()

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.welcome = WelcomePage()
        self.welcome.open_kit.connect(lambda: self.actionOpenKit.trigger())
        self.welcome.try_demo.connect(self.try_demo)
        self.welcome.start_central.connect(lambda: start_central_office(self))
        self.stack.addWidget(self.welcome)

        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(6, 6, 6, 2)
        self.top_bar = TopBar(sections=True)
        self.context_label, self.year_combo = self.top_bar.context_label, self.top_bar.year_combo
        self.section_combo: QComboBox = self.top_bar.section_combo  # type: ignore[assignment]
        layout.addWidget(self.top_bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.counts_label = QLabel(objectName="countsLabel")
        self.counts_label.setWordWrap(True)
        left_layout.addWidget(self.counts_label)
        self.submission_label = QLabel(objectName="submissionLabel")
        self.submission_label.setWordWrap(True)
        left_layout.addWidget(self.submission_label)
        filters = QHBoxLayout()
        self.search = QLineEdit(objectName="searchBox")
        self.search.setPlaceholderText("コード・名称で検索（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        filters.addWidget(self.search, 1)
        self.status_filter = QComboBox(objectName="statusFilter")
        for label, key in FILTERS:
            self.status_filter.addItem(label, key)
        filters.addWidget(self.status_filter)
        left_layout.addLayout(filters)
        self.tree = MeasureTree()
        left_layout.addWidget(self.tree, 1)
        splitter.addWidget(left)
        self.editor = SheetEditor()
        self.editor.setObjectName("sheetEditor")
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 7)
        splitter.setSizes([520, 846])
        layout.addWidget(splitter, 1)
        self.stack.addWidget(workspace)
        self.setCentralWidget(self.stack)

        self.check_list = CheckList()
        self.check_dock = QDockWidget("提出前チェック", self, objectName="checkDock")
        self.check_dock.setWidget(self.check_list)
        self.check_dock.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.check_dock)
        self.check_dock.hide()
        self.check_list.activated.connect(self.jump_to)
        self.check_list.rerun.connect(self.run_check)

        self.save_label = QLabel(objectName="saveStatus")
        self.statusBar().addWidget(self.save_label, 1)
        self.db_label = QLabel(objectName="dbLabel")
        self.db_label.setStyleSheet("color: #666666;")
        self.statusBar().addPermanentWidget(self.db_label)

        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_filter)
        self._check_timer = QTimer(self, singleShot=True, interval=1500)
        self._check_timer.timeout.connect(lambda: self.check_dock.isVisible() and self.run_check())
        self._backup_timer = QTimer(self, interval=int(BACKUP_INTERVAL.total_seconds() * 1000))
        self._backup_timer.timeout.connect(lambda: self._changes_since_backup and self.backup_now(quiet=True))
        self._backup_timer.start()
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.section_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._show_item(cur))
        self.editor.sheet_changed.connect(self._sheet_changed)
        self.editor.notice.connect(self.show_status)

    def _action(self, text: str, slot: object, shortcut: object = None, name: str = "") -> QAction:
        return window_action(self, text, slot, shortcut, name)

    def _build_menu(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("ファイル(&F)")
        self.actionOpenKit = self._action(
            "配布ファイルを開く(&O)…", self.open_kit, QKeySequence.StandardKey.Open, "actionOpenKit"
        )
        self.actionExportSubmission = self._action(
            "提出ファイルを作成(&E)…", self.export_submission, None, "actionExportSubmission"
        )
        self.actionPrint = self._action(
            "印刷・PDF出力(&P)…", self.print_sheets, QKeySequence("Ctrl+P"), "actionPrint"
        )
        self.actionBackup = self._action(
            "バックアップを作成(&B)", lambda: self.backup_now(), None, "actionBackup"
        )
        self.actionRestore = self._action("バックアップから復元(&R)…", self.restore, None, "actionRestore")
        self.actionPeople = self._action("名前の設定(&N)…", self.edit_people, None, "actionPeople")
        quit_action = self._action("終了(&X)", self.close, QKeySequence.StandardKey.Quit, "actionQuit")
        file_menu.addActions([self.actionOpenKit, self.actionExportSubmission, self.actionPrint])
        file_menu.addSeparator()
        file_menu.addActions([self.actionBackup, self.actionRestore])
        file_menu.addSeparator()
        file_menu.addAction(self.actionPeople)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("編集(&E)")
        self.actionUndo = self._action(
            "元に戻す(&U)", self.editor.undo, QKeySequence.StandardKey.Undo, "actionUndo"
        )
        self.actionRedo = self._action(
            "やり直し(&R)",
            self.editor.redo,
            [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")],
            "actionRedo",
        )
        edit_menu.addActions([self.actionUndo, self.actionRedo])
        edit_menu.aboutToShow.connect(self._update_undo_actions)

        view_menu = bar.addMenu("表示(&V)")
        find = self._action("検索(&F)", self._focus_search, QKeySequence.StandardKey.Find, "actionFind")
        self.actionNext = self._action(
            "次のシート(&N)", lambda: self.step_measure(+1), QKeySequence("Ctrl+PgDown"), "actionNextSheet"
        )
        self.actionPrev = self._action(
            "前のシート(&P)", lambda: self.step_measure(-1), QKeySequence("Ctrl+PgUp"), "actionPrevSheet"
        )
        swap = self._action(
            "一覧と入力欄を切り替え(&L)", self._swap_focus, QKeySequence("F6"), "actionSwapFocus"
        )
        view_menu.addActions([find, self.actionNext, self.actionPrev, swap])
        view_menu.addSeparator()
        for n in range(1, 10):
            view_menu.addAction(
                self._action(
                    f"入力欄のタブ {n}",
                    lambda _c=False, n=n: self._open_tab(n - 1),
                    QKeySequence(f"Ctrl+{n}"),
                )
            )

        check_menu = bar.addMenu("チェック(&C)")
        self.actionCheck = self._action(
            "提出前チェック(&C)", self.run_check, QKeySequence("F8"), "actionCheck"
        )
        check_menu.addAction(self.actionCheck)

        help_menu = bar.addMenu("ヘルプ(&H)")
        self.actionGuide = self._action(
            "操作の手引き(&G)", lambda: show_guide(self, "section"), QKeySequence("F1"), "actionGuide"
        )
        self.actionFirstStart = self._action(
            "はじめての方へ(&S)",
            lambda: first_start_page(self, "section", force=True),
            None,
            "actionFirstStart",
        )
        help_menu.addActions([self.actionGuide, self.actionFirstStart])
        help_menu.addSeparator()
        help_menu.addAction(self._action("dxdesk について(&A)", self._about, None, "actionAbout"))

    # --- database and plan ----------------------------------------------------------------------------
    def _load_plan(self) -> None:
        QTimer.singleShot(0, self.review_notes.reload)  # once the plan and year below are set
        self.db_label.setText(f"データ：{self.db.path or self.db.url}")
        can_backup = self.db.path is not None
        self.actionBackup.setEnabled(can_backup)
        self.actionRestore.setEnabled(can_backup)
        state = self.desk.start_state()
        if state is None:
            self.plan_id = None
            self.stack.setCurrentWidget(self.welcome)
            self.setWindowTitle("dxdesk")
            for a in (self.actionExportSubmission, self.actionPrint, self.actionCheck, self.actionUndo):
                a.setEnabled(False)
            return
        self.plan_id = state.plan.plan_id
        self.plan_name = state.plan.name
        self.settings = state.plan.settings
        self.survey_fy = state.plan.survey_fy
        for a in (self.actionExportSubmission, self.actionPrint, self.actionCheck, self.actionUndo):
            a.setEnabled(True)
        self.stack.setCurrentIndex(1)
        self.entry = self.desk.entry_session(
            settings=self.settings,
            survey_fy=self.survey_fy,
            user=person("author"),
            on_saved=self._bridge.saved.emit,
            defer=lambda submit: QTimer.singleShot(0, submit),
        )
        self.editor.set_session(self.entry, self.settings)
        self.top_bar.set_years(state.plan.years, state.fiscal_year)
        self._fill_sections(state.own_section or state.last_section)
        self.reload(select=state.last_measure)
        if self.db.path is not None and backup_due(self.db.path, BACKUP_INTERVAL):
            # a little after start-up, so the copy does not compete with drawing the window
            QTimer.singleShot(STARTUP_BACKUP_DELAY_MS, self, lambda: self.backup_now(quiet=True))

    def set_database(self, db: Database) -> None:
        """Switch to another database (the demo data, an imported kit)."""
        self._shutdown_entry()
        if db is not self.db:
            self.db.dispose()
        self.db = db
        self._load_plan()

    def reload_plan(self) -> None:
        """Read the plan again (after a kit was imported into this database)."""
        self._shutdown_entry()
        self._load_plan()

    def _shutdown_entry(self) -> None:
        if self.entry is not None:
            self.editor.commit_pending()
            self.editor.show_sheet(None)
            self.entry.flush(30)
            self.entry.close()
            self.entry = None

    def try_demo(self) -> None:
        from ui.app import open_demo

        try:
            db = open_demo()
        except DatabaseError as exc:
            QMessageBox.critical(self, "dxdesk", f"デモデータを開けませんでした。\n\n{exc}")
            return
        self.set_database(db)
        self.show_status(
            "デモデータ（デモ市）を開きました。入力内容はデモ用のデータベースに保存されます。", "info"
        )

    @property
    def desk(self) -> SectionDesk:
        """The core's façade on the open database (the window never opens a session itself)."""
        return SectionDesk(self.db)

    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    @property
    def section_code(self) -> str | None:
        return self.section_combo.currentData() or None

    def _fill_sections(self, keep: str | None) -> None:
        assert self.plan_id is not None
        sections = self.desk.sections_for_year(self.plan_id, self.fiscal_year)
        self.section_combo.blockSignals(True)
        self.section_combo.clear()
        self.section_combo.addItem("すべての課所室", ALL_SECTIONS)
        for code, name in sections:
            self.section_combo.addItem(f"{name}（{code}）", code)
        index = self.section_combo.findData(keep) if keep else 0
        self.section_combo.setCurrentIndex(max(0, index))
        self.section_combo.blockSignals(False)

    def _year_changed(self) -> None:
        self._fill_sections(self.section_code)
        self.reload()

    def reload(self, select: int | None = None) -> None:
        if self.plan_id is None or self.entry is None:
            return
        selected = select or self.current_measure_id()
        self.editor.commit_pending()
        fy = self.fiscal_year
        rows, roots = self.desk.measure_list(self.plan_id, fy, self.section_code, self.settings)
        self.tree.populate(roots, show_section=self.section_code is None)
        self._show_submission(rows)
        for key, sheet in self.entry.cached_sheets().items():
            if key[1] == fy:
                self._update_row(sheet)  # changes still on their way to the disk
        section = self.section_combo.currentText()
        self.context_label.setText(f"{self.plan_name}　{fy_label(fy)}　{section}")
        editable = "" if fy == self.survey_fy else "（参照のみ）"
        self.setWindowTitle(f"dxdesk — {self.plan_name}（{fy_label(fy)}{editable}）")
        self._update_counts()
        self._apply_filter()
        if not self.select_measure(selected):
            self.step_measure(+1)

    # --- the list -----------------------------------------------------------------------------------
    def _show_submission(self, rows: list[MeasureRow]) -> None:
        """未提出 / 提出済み 第N版 / 提出後に変更あり / 差戻し / 受理 per sheet, and the section's line."""
        if self.plan_id is None:
            return
        state = self.desk.submission_states(self.plan_id, self.fiscal_year, rows)
        for mid, sheet_state in state.sheets.items():
            self.tree.set_submission(mid, sheet_state)
        self._submission = state
        self.submission_label.setText(state.label)

    def _mark_changed_since_submission(self, measure_id: int) -> None:
        """A sheet edited after it was submitted: no database round trip, the list says so at once."""
        current = self.tree.submission(measure_id)
        if current is None or current.state in (SubmissionState.NOT_SUBMITTED, SubmissionState.CHANGED):
            return
        changed = SheetSubmission(SubmissionState.CHANGED, current.revision, current.submitted_at)
        self.tree.set_submission(measure_id, changed)
        sheets = dict(self._submission.sheets)
        sheets[measure_id] = changed
        self._submission = SectionSubmission(self._submission.revision, self._submission.submitted_at, sheets)
        self.submission_label.setText(self._submission.label)

    def _update_counts(self) -> None:
        statuses = self.tree.statuses()
        counts = {st: statuses.count(st) for st in EntryStatus}
        self.counts_label.setText(
            f"施策 {len(statuses)}件　" + "　".join(f"{st.label} {counts[st]}" for st in EntryStatus)
        )

    def _update_row(self, sheet: EditableSheet) -> None:
        ev = sheet.evaluate()
        stage = sheet.snapshot.sheet.stage
        self.tree.set_state(
            sheet.measure_id,
            grade_text(ev),
            ev.suggestion.explanation,
            ev.status,
            ev.errors,
            ev.warnings,
            stage.short if stage else "",
        )

    def _apply_filter(self) -> None:
        self.tree.apply_filter(self.search.text(), self.status_filter.currentData() or "")

    def _measure_items(self) -> list[QTreeWidgetItem]:
        return self.tree.measure_items()

    def current_measure_id(self) -> int | None:
        return self.tree.current_measure_id()

    def select_measure(self, measure_id: int | None) -> bool:
        return self.tree.select_measure(measure_id)

    def step_measure(self, delta: int) -> None:
        self.editor.commit_pending()
        if not self.tree.step(delta):
            self.editor.show_sheet(None)

    def _show_item(self, item: QTreeWidgetItem | None) -> None:
        if item is None or self.entry is None:
            return
        mid = item.data(0, ROLE_MEASURE_ID)
        if mid is None:
            return
        self.editor.commit_pending()
        try:
            sheet = self.entry.open_sheet(mid, self.fiscal_year)
        except EditError as exc:
            self.show_status(str(exc), "error")
            return
        self.editor.show_sheet(sheet)
        self._update_undo_actions()

    def _sheet_changed(self, sheet: EditableSheet) -> None:
        self._update_row(sheet)
        self._mark_changed_since_submission(sheet.measure_id)
        self._update_counts()
        self._update_undo_actions()
        self.show_status("保存中…", "info")
        if self.check_dock.isVisible():
            self._check_timer.start()

    # --- saving, undo ---------------------------------------------------------------------------------
    def _on_saved(self, result: SaveResult) -> None:
        if result.is_task:
            return  # backups report their own failures
        if result.ok:
            self._changes_since_backup = True
            if result.pending == 0:
                self.show_status(f"保存しました（{result.at:%H:%M:%S}）", "ok")
            return
        self.show_status("保存できませんでした", "error")
        QMessageBox.warning(self, "保存できませんでした", result.message)
        sheet = self.editor.sheet
        if sheet is not None and self.entry is not None and self.entry.is_stale(sheet):
            self.editor.show_sheet(self.entry.open_sheet(*sheet.key))  # show what is really saved

    def show_status(self, text: str, kind: str = "info") -> None:
        color = {"error": "#b00020", "ok": "#2e7d32"}.get(kind, "#333333")
        self.save_label.setStyleSheet(f"color: {color};")
        self.save_label.setText(text)

    def _update_undo_actions(self) -> None:
        undo, redo = self.editor.undo_state()
        self.actionUndo.setText(f"元に戻す：{undo}(&U)" if undo else "元に戻す(&U)")
        self.actionRedo.setText(f"やり直し：{redo}(&R)" if redo else "やり直し(&R)")

    # --- pre-submission check -------------------------------------------------------------------------
    def run_check(self) -> None:
        if self.plan_id is None or self.entry is None:
            return
        self.editor.commit_pending()
        report = self.desk.presubmission_check(
            self.plan_id, self.fiscal_year, self.section_code, self.entry.cached_sheets()
        )
        self.check_list.show_report(report)
        if not self.check_dock.isVisible():
            self.check_dock.show()
            self.check_list.list.setFocus()
        self.show_status(report.summary, "error" if report.errors else "ok")

    def jump_to(self, item: CheckItem) -> None:
        """Show the sheet of a finding and put the cursor on its field."""
        if not self.select_measure(item.measure_id):
            self.search.clear()
            self.status_filter.setCurrentIndex(0)
            self._apply_filter()
            self.select_measure(item.measure_id)
        self.editor.focus_target(item.target)

    # --- backups --------------------------------------------------------------------------------------
    def backup_now(self, *, quiet: bool = False) -> None:
        path = self.db.path
        if path is None or self.entry is None:
            return
        self._changes_since_backup = False
        bridge = self._bridge

        def task() -> None:
            try:
                dest = create_backup(path)
            except BackupError as exc:
                bridge.backup_failed.emit(str(exc))
                return
            log.info("backup written: %s", dest)

        self.entry.saver.submit_task("バックアップ", task)
        if not quiet:
            self.show_status("バックアップを作成しています…", "info")
            self.entry.flush(30)
            notify(self, "バックアップを作成しました。", folder=backup_dir(path))

    def restore(self) -> None:
        path = self.db.path
        if path is None:
            return
        self.editor.commit_pending()
        if self.entry is not None:
            self.entry.flush(30)
        dialog = RestoreDialog(path, self)
        if not dialog.exec() or dialog.chosen() is None:
            return
        chosen = dialog.chosen()
        assert chosen is not None
        answer = QMessageBox.question(
            self,
            "バックアップから復元",
            f"{chosen.label} の状態に戻します。\n現在のデータは「復元前の状態」として保存されます。よろしいですか？",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._shutdown_entry()
        self.db.dispose()
        message = ""
        try:
            kept = restore_backup(path, chosen.path)
            message = f"{chosen.label} の状態に戻しました（復元前のデータ：{kept.name}）。"
        except BackupError as exc:
            QMessageBox.critical(self, "復元できませんでした", str(exc))
        try:
            self.db = open_database(path)
        except DatabaseError as exc:
            QMessageBox.critical(self, "データベースを開けません", str(exc))
            return
        self._load_plan()
        if message:
            self.show_status(message, "ok")

    # --- features provided by other modules ---------------------------------------------------------------
    def open_kit(self) -> None:
        """Import a distribution file (kit) and switch to the section database it created or updated."""
        from ui.exchange_dialogs import import_kit_interactive

        self._save_everything()
        path = import_kit_interactive(self, data_dir())
        if path is None:
            return
        current = self.db.path
        if current is not None and current.resolve() == Path(path).resolve():
            self.reload_plan()
        else:
            try:
                db = open_database(path)
            except DatabaseError as exc:
                QMessageBox.critical(self, "配布ファイルを開く", str(exc))
                return
            self.set_database(db)
        self.show_status(f"配布ファイルを読み込みました（{Path(path).name}）", "ok")

    def export_submission(self) -> None:
        """Write the signed submission workbook of the chosen section (refused while errors remain)."""
        from ui.exchange_dialogs import export_submission_interactive

        if self.plan_id is None:
            return
        section = self.section_code
        if section is None:
            QMessageBox.information(
                self,
                "提出ファイルを作成",
                "提出ファイルは課所室ごとに作成します。画面上の「課所室」で課所室を選んでから、もう一度実行してください。",
            )
            return
        self._save_everything()
        path = export_submission_interactive(
            self, self.db, self.fiscal_year, section, on_finding=self._jump_to_finding
        )
        if path is not None:
            self.reload()  # the list says 提出済み 第N版 now
            notify(self, f"提出ファイルを作成しました（{Path(path).name}）", folder=Path(path).parent)

    def _jump_to_finding(self, finding: Finding) -> None:
        """Jump to a finding listed by the export dialog (it knows the measure by code)."""
        mid = self.desk.measure_id(self.plan_id, finding.measure_code) if self.plan_id is not None else None
        if mid is None:
            return
        target = jump_target(finding.field, finding.fiscal_year, self.settings)
        self.jump_to(CheckItem(finding=finding, measure_id=mid, measure_name="", target=target))

    def _save_everything(self) -> None:
        """Commit the field being typed and wait for the autosave queue (before export or print)."""
        self.editor.commit_pending()
        if self.entry is not None:
            self.entry.flush(30)

    def print_sheets(self) -> None:
        from ui.print_dialog import open_print_dialog

        if self.plan_id is None:
            return
        self._save_everything()
        open_print_dialog(
            self, self.db, self.fiscal_year, self.section_code, self.tree.selected_measure_ids()
        )

    # --- small things ------------------------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _swap_focus(self) -> None:
        if self.tree.hasFocus():
            part = self.editor.current_part()
            (part or self.editor).setFocus()
            if part is not None:
                part.focusNextChild()
        else:
            self.editor.commit_pending()
            self.tree.setFocus()

    def _open_tab(self, n: int) -> None:
        visible = [i for i in range(self.editor.tabs.count()) if self.editor.tabs.isTabVisible(i)]
        if n < len(visible):
            self.editor.tabs.setCurrentIndex(visible[n])
            self.editor.tabs.currentWidget().setFocus()
            self.editor.tabs.currentWidget().focusNextChild()

    def edit_people(self) -> None:
        """ファイル → 名前の設定…: 作成者 and 所属長, used for the submission and the record of changes."""
        if edit_people(self, ("author", "chief")):
            if self.entry is not None:
                self.entry.saver.user = person("author")
            self.show_status(f"名前を設定しました（作成者：{person('author')}）", "ok")

    def _about(self) -> None:
        from ui.about_dialog import show_about

        show_about(self, self.db)

    def _save_preferences(self) -> None:
        if self.plan_id is None:
            return
        try:
            self.desk.save_window_state(self.fiscal_year, self.section_code, self.current_measure_id())
        except Exception:  # preferences are not worth a failed close
            log.exception("could not save window preferences")

    def closeEvent(self, event: QCloseEvent) -> None:
        # what was typed is committed (unreadable text is kept as typed), so closing asks only when
        # the disk has not taken it yet
        self.editor.commit_pending()
        if self.entry is not None:
            if not self.entry.flush(30):
                answer = QMessageBox.question(
                    self,
                    "保存が終わっていません",
                    "入力の保存がまだ終わっていません（ディスクが応答していません）。\n"
                    "いま終了すると、最後の入力が失われるおそれがあります。終了しますか？",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    event.ignore()
                    return
            if self._changes_since_backup:
                self.backup_now(quiet=True)
            self._shutdown_entry()
        self._save_preferences()
        remember(self, self.geometry_key)
        super().closeEvent(event)
