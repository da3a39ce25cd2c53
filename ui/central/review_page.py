"""審査: per section, per measure — read the merged sheet (the section application's read-only sheet
view), see the audit-readiness findings, write comments, mark 受理 or 差戻し; then write the signed
審査結果ファイル (review workbook) that carries the results back to the section.

Everything is ``dxdesk.central.review`` / ``review_sheets``: decisions, comments, findings and the
workbook. Keys: Ctrl+PgDown / Ctrl+PgUp next / previous measure, Alt+A 受理, Alt+R 差戻し, Ctrl+Enter in the
comment box adds the comment.

A decision is never changed by a key press alone: 受理 on a sheet already 受理 moves on, 差戻し on one
already 差戻し only adds the typed comment, and turning a 差戻し into 受理 (or a 受理 into 差戻し) asks first —
for 差戻し → 受理 also whether the comments asking for corrections stay or are deleted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.errors import CentralError
from dxdesk.central.office import CentralOffice, Database, MeasureRow
from dxdesk.central.review import Comment, Decision, MeasureReview, field_label
from dxdesk.central.review_sheets import ReviewExport
from dxdesk.central.status import JST, SectionState
from dxdesk.domain.enums import IndicatorKind, Severity
from dxdesk.domain.glossary import NO_GRADE, grade_label
from dxdesk.domain.settings import PlanSettings
from dxdesk.exchange.errors import ExchangeError
from ui.central.common import (
    ERROR_COLOR,
    MUTED_COLOR,
    OK_COLOR,
    WARN_COLOR,
    error_label,
    html,
    review_folder,
)
from ui.central.indicator_kind_dialog import IndicatorKindDialog
from ui.measure_tree import wrap_names
from ui.measure_view import MeasureView, render_measure
from ui.notice import notify
from ui.passphrase_prompt import unlock_ca
from ui.people import person
from ui.widgets import name_column_stretches

__all__ = ["DECISION_COLORS", "ReviewPage"]

DECISION_COLORS = {Decision.PENDING: MUTED_COLOR, Decision.ACCEPTED: OK_COLOR, Decision.RETURNED: WARN_COLOR}
SEVERITY_COLORS = {Severity.ERROR: ERROR_COLOR, Severity.WARNING: WARN_COLOR, Severity.INFO: "#1f5f8b"}
ROLE = Qt.ItemDataRole.UserRole


class ReviewPage(QWidget):
    status = Signal(str, str)
    reviewed = Signal()  # a decision changed (the status board follows)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.fiscal_year: int | None = None
        self.settings = PlanSettings.default()
        self.reviews: list[MeasureReview] = []
        self.rows: dict[str, MeasureRow] = {}
        self.names: dict[str, str] = {}
        self.last_export: ReviewExport | None = None
        self._build()

    # --- layout -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        section_label = QLabel("課所室(&S)")
        self.section = QComboBox(objectName="reviewSection")
        self.section.setMinimumContentsLength(24)
        section_label.setBuddy(self.section)
        top.addWidget(section_label)
        top.addWidget(self.section)
        self.counts = QLabel(objectName="reviewCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.counts, 1)
        self.export_button = QPushButton("審査結果ファイルを作成(&W)…", objectName="exportReview")
        top.addWidget(self.export_button)
        layout.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="reviewSplitter")
        self.measures = QTreeWidget(objectName="reviewMeasures")
        self.measures.setHeaderLabels(["施策", "評価", "審査"])
        self.measures.setRootIsDecorated(False)
        wrap_names(self.measures)  # long measure names whole, on two or three lines
        name_column_stretches(self.measures.header(), 3)
        splitter.addWidget(self.measures)
        self.sheet = MeasureView()
        self.sheet.setObjectName("reviewSheet")
        splitter.addWidget(self.sheet)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        decision_box = QGroupBox("審査", objectName="decisionBox")
        decision_layout = QVBoxLayout(decision_box)
        self.decision_label = QLabel(objectName="decisionLabel")
        self.decision_label.setWordWrap(True)
        decision_layout.addWidget(self.decision_label)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("受理(&A)", objectName="acceptButton")
        self.return_button = QPushButton("差戻し(&R)", objectName="returnButton")
        self.pending_button = QPushButton("未審査に戻す", objectName="pendingButton")
        for b in (self.accept_button, self.return_button, self.pending_button):
            buttons.addWidget(b)
        decision_layout.addLayout(buttons)
        side_layout.addWidget(decision_box)
        findings_box = QGroupBox("チェックの指摘（監査対応）", objectName="findingsBox")
        findings_layout = QVBoxLayout(findings_box)
        self.findings = QListWidget(objectName="findingsList")
        self.findings.setWordWrap(True)
        findings_layout.addWidget(self.findings)
        self.kind_button = QPushButton("指標の活動/成果を確定(&K)…", objectName="indicatorKindButton")
        self.kind_button.setToolTip("「成果指標なし」の判断に使う指標の区分を確定・訂正します")
        self.kind_button.clicked.connect(self.edit_indicator_kinds)
        findings_layout.addWidget(self.kind_button)
        side_layout.addWidget(findings_box, 2)
        comments_box = QGroupBox("コメント（課所室に返す内容）", objectName="commentsBox")
        comments_layout = QVBoxLayout(comments_box)
        self.comments = QListWidget(objectName="commentList")
        self.comments.setWordWrap(True)
        comments_layout.addWidget(self.comments, 2)
        field_row = QHBoxLayout()
        field_label_w = QLabel("項目(&I)")
        self.field = QComboBox(objectName="commentField")
        field_label_w.setBuddy(self.field)
        field_row.addWidget(field_label_w)
        field_row.addWidget(self.field, 1)
        comments_layout.addLayout(field_row)
        self.comment_edit = QPlainTextEdit(objectName="commentEdit")
        self.comment_edit.setPlaceholderText("直してほしい点などを入力（Ctrl+Enter で追加）")
        self.comment_edit.setTabChangesFocus(True)
        comments_layout.addWidget(self.comment_edit, 1)
        comment_buttons = QHBoxLayout()
        self.add_button = QPushButton("コメントを追加(&C)", objectName="addComment")
        self.delete_button = QPushButton("選んだコメントを削除", objectName="deleteComment")
        comment_buttons.addWidget(self.add_button)
        comment_buttons.addWidget(self.delete_button)
        comments_layout.addLayout(comment_buttons)
        self.error = error_label()
        comments_layout.addWidget(self.error)
        side_layout.addWidget(comments_box, 3)
        splitter.addWidget(side)
        em = self.fontMetrics().horizontalAdvance("あ")
        splitter.setSizes([em * 24, em * 40, em * 26])  # the measure list wide enough for most names
        layout.addWidget(splitter, 1)

        self.section.currentIndexChanged.connect(lambda _i: self.load_section())
        self.measures.currentItemChanged.connect(lambda _c, _p: self.show_measure())
        self.accept_button.clicked.connect(lambda: self.decide(Decision.ACCEPTED))
        self.return_button.clicked.connect(lambda: self.decide(Decision.RETURNED))
        self.pending_button.clicked.connect(lambda: self.decide(Decision.PENDING))
        self.add_button.clicked.connect(self.add_comment)
        self.delete_button.clicked.connect(self.delete_comment)
        self.export_button.clicked.connect(lambda: self.export_review())
        self.comments.itemSelectionChanged.connect(self._update_buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self.comment_edit, activated=self.add_comment)
        QShortcut(QKeySequence("Ctrl+Enter"), self.comment_edit, activated=self.add_comment)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, activated=lambda: self.step(+1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, activated=lambda: self.step(-1))

    # --- sections -----------------------------------------------------------------------------------------
    def set_fiscal_year(self, fy: int | None) -> None:
        self.fiscal_year = fy
        self.refresh()

    def refresh(self) -> None:
        """Reload the sections (keeping the one shown) and the shown section's measures."""
        if self.fiscal_year is None:
            return
        keep = self.section.currentData()
        try:
            sections = CentralOffice(self.db).review_sections(self.fiscal_year)
            if sections is None:
                return
            self.settings, board = sections.settings, sections.board
        except CentralError as exc:
            self.counts.setText(f'<span style="color:{ERROR_COLOR}">{html(exc)}</span>')
            return
        self.section.blockSignals(True)
        self.section.clear()
        for r in board.rows:
            if r.state is SectionState.MISSING:
                continue
            self.section.addItem(
                f"{r.section_code}　{r.section_name}（{r.state.label}・第{r.revision}版）", r.section_code
            )
        if not self.section.count():
            self.section.addItem("（提出された課所室はまだありません）", None)
        index = self.section.findData(keep) if keep else 0
        self.section.setCurrentIndex(max(0, index))
        self.section.blockSignals(False)
        self.load_section()

    def show_section(self, code: str) -> bool:
        index = self.section.findData(code)
        if index < 0:
            return False
        self.section.setCurrentIndex(index)
        return True

    @property
    def section_code(self) -> str | None:
        data = self.section.currentData()
        return str(data) if data else None

    def load_section(self, keep_measure: str | None = None) -> None:
        code = self.section_code
        keep = keep_measure or (self.current().measure_code if self.current() else None)
        self.measures.blockSignals(True)
        self.measures.clear()
        self.reviews, self.rows = [], {}
        if code is None or self.fiscal_year is None:
            self.measures.blockSignals(False)
            self.sheet.clear()
            self._update_counts()
            self._show_review(None)
            return
        try:
            review = CentralOffice(self.db).section_review(code, self.fiscal_year)
            self.reviews, self.rows, self.names = review.reviews, review.rows, review.names
        except CentralError as exc:
            self.measures.blockSignals(False)
            self.counts.setText(f'<span style="color:{ERROR_COLOR}">{html(exc)}</span>')
            return
        for rv in self.reviews:
            row = self.rows.get(rv.measure_code)
            grade = (
                grade_label(
                    row.grade,
                    row.suggestion.rule,
                    row.self_grade is not None and row.self_grade != row.suggestion.grade,
                )
                if row is not None
                else rv.grade or NO_GRADE
            )
            item = QTreeWidgetItem([f"{rv.measure_code}　{rv.measure_name}", grade, rv.decision.label])
            for c in range(3):
                item.setToolTip(
                    c, f"{rv.measure_code}　{rv.measure_name}（評価 {grade}・{rv.decision.label}）"
                )
            item.setData(0, ROLE, rv.measure_code)
            item.setForeground(2, QColor(DECISION_COLORS[rv.decision]))
            self.measures.addTopLevelItem(item)
        self.measures.blockSignals(False)
        self._update_counts()
        if not self.select_measure(keep) and self.measures.topLevelItemCount():
            self.measures.setCurrentItem(self.measures.topLevelItem(0))
        self.show_measure()

    def _update_counts(self) -> None:
        counts = {d: sum(1 for r in self.reviews if r.decision is d) for d in Decision}
        chips = "　".join(
            f'<span style="color:{DECISION_COLORS[d]}"><b>{d.label}</b> {counts[d]}</span>'
            for d in (Decision.ACCEPTED, Decision.RETURNED, Decision.PENDING)
        )
        self.counts.setText(f"　施策 {len(self.reviews)}　{chips}" if self.reviews else "")
        self.export_button.setEnabled(bool(self.reviews))

    # --- one measure -------------------------------------------------------------------------------------------
    def current(self) -> MeasureReview | None:
        item = self.measures.currentItem()
        code = item.data(0, ROLE) if item is not None else None
        return next((r for r in self.reviews if r.measure_code == code), None)

    def select_measure(self, code: str | None) -> bool:
        for i in range(self.measures.topLevelItemCount()):
            item = self.measures.topLevelItem(i)
            if item.data(0, ROLE) == code:
                self.measures.setCurrentItem(item)
                return True
        return False

    def step(self, delta: int) -> None:
        i = (
            self.measures.indexOfTopLevelItem(self.measures.currentItem())
            if self.measures.currentItem()
            else -1
        )
        j = i + delta
        if 0 <= j < self.measures.topLevelItemCount():
            self.measures.setCurrentItem(self.measures.topLevelItem(j))

    def show_measure(self) -> None:
        rv = self.current()
        self.error.clear()
        if rv is None:
            self.sheet.clear()
            self._show_review(None)
            return
        row = self.rows.get(rv.measure_code)
        if row is not None:
            html_text = render_measure(row, self.settings, rv.fiscal_year, list(rv.findings), self.names)
            self.sheet.show_html(html_text)
        self._fill_fields(row)
        self._show_review(rv)

    def _fill_fields(self, row: MeasureRow | None) -> None:
        keep = self.field.currentData()
        self.field.clear()
        self.field.addItem("シート全体", "")
        if row is not None:
            kind = row.kind
            for spec in self.settings.text_fields:
                if self.settings.uses(spec.part, kind):
                    self.field.addItem(spec.label, f"texts.{spec.key}")
            for i, _ind in enumerate(row.snapshot.indicators):
                for cell in ("actual", "target"):
                    path = f"indicators[{i}].{cell}"
                    self.field.addItem(f"{field_label(self.settings, path)}（{_ind.name[:20]}）", path)
            for path in ("stage", "self_grade", "direction", "direction_reason"):
                self.field.addItem(field_label(self.settings, path), path)
        index = self.field.findData(keep)
        self.field.setCurrentIndex(max(0, index))

    def _show_review(self, rv: MeasureReview | None) -> None:
        self.findings.clear()
        self.comments.clear()
        if rv is None:
            self.decision_label.setText("")
            self._update_buttons()
            return
        when = f"（{rv.decided_by}・{rv.decided_at.astimezone(JST):%m/%d %H:%M}）" if rv.decided_at else ""
        carried = (
            "　前の版で受理した内容から変わっていないため、受理を引き継いでいます。"
            if rv.carried_over
            else ""
        )
        self.decision_label.setText(
            f'<span style="color:{DECISION_COLORS[rv.decision]}; font-size: 13pt"><b>{rv.decision.label}</b></span>'
            f"{html(when)}　提出 第{rv.revision or '—'}版{carried}"
        )
        for f in rv.findings:
            item = QListWidgetItem(f"{f.severity.label}：{f.title}\n{f.message}")
            item.setForeground(QColor(SEVERITY_COLORS.get(f.severity, "#333333")))
            item.setToolTip(f.message)
            self.findings.addItem(item)
        if not rv.findings:
            self.findings.addItem("指摘はありません。")
        for c in rv.comments:
            item = QListWidgetItem(self._comment_text(c))
            item.setData(ROLE, c.id)
            self.comments.addItem(item)
        for c in rv.earlier_comments:
            item = QListWidgetItem(f"（第{c.revision}版へのコメント）" + self._comment_text(c))
            item.setForeground(QColor(MUTED_COLOR))
            self.comments.addItem(item)
        self._update_buttons()

    @staticmethod
    def _comment_text(c: Comment) -> str:
        return f"［{c.field_label}］{c.text}\n— {c.author}　{c.created_at.astimezone(JST):%m/%d %H:%M}"

    def _update_buttons(self) -> None:
        rv = self.current()
        has = rv is not None
        for b in (self.accept_button, self.return_button, self.add_button):
            b.setEnabled(has)
        row = self.rows.get(rv.measure_code) if rv is not None else None
        self.kind_button.setEnabled(row is not None and bool(row.snapshot.indicators))
        self.pending_button.setEnabled(has and rv is not None and rv.decision is not Decision.PENDING)
        selected = self.comments.currentItem()
        self.delete_button.setEnabled(has and selected is not None and selected.data(ROLE) is not None)

    # --- actions -----------------------------------------------------------------------------------------------
    def edit_indicator_kinds(self) -> None:
        rv = self.current()
        row = self.rows.get(rv.measure_code) if rv is not None else None
        if rv is None or row is None or not row.snapshot.indicators:
            return
        dialog = IndicatorKindDialog(f"{rv.measure_code}　{rv.measure_name}", row.snapshot.indicators, self)
        if dialog.exec() == IndicatorKindDialog.DialogCode.Accepted:
            self.save_indicator_kinds(rv.measure_code, dialog.choices())

    def save_indicator_kinds(self, code: str, kinds: list[IndicatorKind | None]) -> None:
        """Store the central office's 活動/成果 per indicator of measure ``code`` and check again."""
        CentralOffice(self.db).confirm_indicator_kinds(code, kinds)
        self.status.emit("指標の区分を確定しました。", "ok")
        self._refresh_measure(code)

    def _refresh_measure(self, code: str) -> None:
        self.load_section(keep_measure=code)
        self.reviewed.emit()

    def _ask_accept_returned(self, rv: MeasureReview) -> str | None:
        """差戻し → 受理: "keep" the comments, "clear" them, or None (leave it 差戻し)."""
        box = QMessageBox(self)
        box.setObjectName("acceptReturnedBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("受理にする")
        n = len(rv.comments)
        comments = (
            f"差戻しのコメントが{n}件あります。残すと、受理の結果と一緒に課所室へ届きます。"
            if n
            else "差戻しのコメントはありません。"
        )
        box.setText(f"{rv.measure_code}　{rv.measure_name} は差戻し中です。受理にしますか？\n\n{comments}")
        keep = box.addButton(
            "受理にする（コメントを残す）" if n else "受理にする", QMessageBox.ButtonRole.AcceptRole
        )
        clear = (
            box.addButton("受理にしてコメントを削除", QMessageBox.ButtonRole.DestructiveRole) if n else None
        )
        cancel = box.addButton("差戻しのままにする", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is keep:
            return "keep"
        if clear is not None and clicked is clear:
            return "clear"
        return None

    def decide(self, decision: Decision) -> None:
        rv = self.current()
        if rv is None:
            return
        typed = self.comment_edit.toPlainText().strip()
        clear_comments = False
        if decision is rv.decision and not (decision is Decision.RETURNED and typed):
            self.status.emit(
                f"{rv.measure_code} はすでに「{decision.label}」です（変更していません）", "info"
            )
            if decision is Decision.ACCEPTED:
                self.step(+1)  # 受理 through the list: a decided sheet is passed over
            return
        if rv.decision is Decision.RETURNED and decision is Decision.ACCEPTED:
            answer = self._ask_accept_returned(rv)
            if answer is None:
                return
            clear_comments = answer == "clear"
        elif rv.decision is Decision.ACCEPTED and decision is Decision.RETURNED:
            sure = QMessageBox.question(
                self,
                "差戻しにする",
                f"{rv.measure_code}　{rv.measure_name} は受理済みです。差戻しにしますか？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if sure != QMessageBox.StandardButton.Yes:
                return
        if decision is Decision.RETURNED and not rv.comments and not self.comment_edit.toPlainText().strip():
            self.error.setText(
                "差戻しにしました。直してほしい点をコメントに書いてください（審査結果ファイルで課所室に届きます）。"
            )
        try:
            office = CentralOffice(self.db)
            if clear_comments:
                for c in rv.comments:
                    office.delete_comment(c.id)
            office.decide(
                rv.measure_code,
                decision,
                self.fiscal_year,
                user=person("reviewer"),
                comment=self.comment_edit.toPlainText() if decision is Decision.RETURNED else "",
                field=self.field.currentData() or "",
            )
        except CentralError as exc:
            self.error.setText(str(exc))
            return
        if decision is Decision.RETURNED:
            self.comment_edit.clear()  # written with the decision
        cleared = f"（差戻しのコメント {len(rv.comments)}件を削除）" if clear_comments else ""
        self.status.emit(f"{rv.measure_code} を「{decision.label}」にしました{cleared}", "ok")
        self._refresh_measure(rv.measure_code)
        if decision is Decision.ACCEPTED:
            self.step(+1)

    def add_comment(self) -> None:
        rv = self.current()
        text = self.comment_edit.toPlainText()
        if rv is None:
            return
        try:
            CentralOffice(self.db).add_comment(
                rv.measure_code,
                text,
                self.fiscal_year,
                user=person("reviewer"),
                field=self.field.currentData() or "",
            )
        except CentralError as exc:
            self.error.setText(str(exc))  # the text stays in the box
            return
        self.comment_edit.clear()
        self.status.emit(f"{rv.measure_code} にコメントを追加しました", "ok")
        self._refresh_measure(rv.measure_code)
        self.comment_edit.setFocus()

    def delete_comment(self) -> None:
        rv = self.current()
        item = self.comments.currentItem()
        if rv is None or item is None or item.data(ROLE) is None:
            return
        try:
            CentralOffice(self.db).delete_comment(int(item.data(ROLE)))
        except CentralError as exc:
            self.error.setText(str(exc))
            return
        self._refresh_measure(rv.measure_code)

    def export_review(self, folder: Path | None = None) -> ReviewExport | None:
        """Write the section's signed review workbook (asks for the folder unless given)."""
        code = self.section_code
        if code is None or self.fiscal_year is None:
            return None
        if folder is None:
            folder = review_folder(self, self.db)
            if folder is None:
                return None
        if not unlock_ca(self, self.db):  # the CA signs the review workbook
            self.error.setText("中央のパスワードが入力されなかったため、審査結果ファイルを作成していません。")
            return None
        pending = sum(1 for r in self.reviews if r.decision is Decision.PENDING)
        try:  # one section's workbook takes a fraction of a second
            result = CentralOffice(self.db).export_review_workbook(
                code, folder, fiscal_year=self.fiscal_year, user=person("reviewer")
            )
        except (CentralError, ExchangeError) as exc:
            self.error.setText(str(exc))
            return None
        except OSError as exc:
            self.error.setText(f"ファイルを保存できません（{exc.strerror or exc}）。保存先を変えてください。")
            return None
        CentralOffice(self.db).set_setting("central.review_dir", str(folder))
        note = f"（未審査 {pending}件を含みます）" if pending else ""
        notify(self, f"審査結果ファイルを作成しました：{result.path.name}{note}", folder=result.path.parent)
        self.last_export = result
        return result

    def open_export_folder(self) -> None:
        result = self.last_export
        if result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path.parent)))

    def print_selection(self) -> tuple[str | None, list[int]]:
        rv = self.current()
        row = self.rows.get(rv.measure_code) if rv else None
        return self.section_code, ([row.id] if row is not None else [])

    def on_show(self) -> None:
        if self.section.count() == 0:
            self.refresh()
