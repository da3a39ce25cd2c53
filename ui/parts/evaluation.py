"""自己評価: the lifecycle stage, the suggested grade with the one-line reason dxdesk gives, and the
section's own grade. Choosing a grade other than the suggestion is held back until a reason is
typed; leaving the sheet without one keeps the suggestion and says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dxdesk.domain.editing import EditableSheet
from dxdesk.domain.enums import EvaluationScheme, Grade, GradingRule, Stage
from dxdesk.domain.evaluation import NOT_ENTERED, stage_label, wording_for
from dxdesk.domain.fields import JumpTarget
from ui.parts.base import PartHost, SheetPart, page_layout, scrolling_page
from ui.widgets import CommitTextEdit, MessageLabel


class EvaluationPart(SheetPart):
    keys = ("evaluation",)
    title = "自己評価"

    def __init__(self, host: PartHost):
        super().__init__(host)
        self.pending: str | None = None  # a grade chosen without a reason yet
        content = QWidget()
        layout = page_layout(content)

        form = QFormLayout()
        self.stage_combo = QComboBox(objectName="stageCombo")
        self.stage_combo.addItem("（未選択）", "")
        for stage in Stage:
            self.stage_combo.addItem(stage_label(stage), stage.value)
        self.stage_combo.activated.connect(self._stage_chosen)
        self.stage_label = QLabel("ライフサイクル(&L)")
        self.stage_label.setBuddy(self.stage_combo)
        form.addRow(self.stage_label, self.stage_combo)
        self.stage_message = MessageLabel()
        form.addRow("", self.stage_message)
        settings = host.settings
        lifecycle = settings.evaluation_scheme is EvaluationScheme.LIFECYCLE and settings.stages_enabled
        self.stage_label.setVisible(lifecycle)
        self.stage_combo.setVisible(lifecycle)
        layout.addLayout(form)

        box = QGroupBox("算出結果（入力されたデータから dxdesk が算出）")
        box_layout = QHBoxLayout(box)
        self.grade_label = QLabel("—", objectName="suggestedGrade")
        font = QFont(self.grade_label.font())
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.grade_label.setFont(font)
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_label.setMinimumWidth(self.grade_label.fontMetrics().horizontalAdvance("MM"))
        box_layout.addWidget(self.grade_label)
        text_col = QVBoxLayout()
        self.rule_label = QLabel(objectName="gradeRule")
        self.explanation = QLabel(objectName="gradeExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(objectName="gradeDetails")
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #555555;")
        text_col.addWidget(self.rule_label)
        text_col.addWidget(self.explanation)
        text_col.addWidget(self.details)
        box_layout.addLayout(text_col, 1)
        layout.addWidget(box)

        own = QGroupBox("自己評価")
        own_form = QFormLayout(own)
        self.grade_combo = QComboBox(objectName="selfGradeCombo")
        self.grade_combo.addItem("算出結果どおり", "")
        for grade in Grade:
            self.grade_combo.addItem(f"{grade.value}　{grade.label}", grade.value)
        self.grade_combo.activated.connect(self._grade_chosen)
        grade_title = QLabel("評価(&G)")
        grade_title.setBuddy(self.grade_combo)
        own_form.addRow(grade_title, self.grade_combo)
        self.reason = CommitTextEdit(lines=3)
        self.reason.setObjectName("overrideReason")
        self.reason.setAccessibleName("評価を変更した理由")
        self.reason.committed.connect(self._reason_committed)
        reason_title = QLabel("変更した理由(&R)\n（算出結果と異なる\n　評価にする場合）")
        reason_title.setBuddy(self.reason)
        own_form.addRow(reason_title, self.reason)
        self.grade_message = MessageLabel(objectName="gradeMessage")
        own_form.addRow("", self.grade_message)
        layout.addWidget(own)

        self.findings = MessageLabel(objectName="evaluationFindings")
        layout.addWidget(self.findings)
        layout.addStretch(1)
        scrolling_page(self, content)

    # --- showing ------------------------------------------------------------------------------------
    def load(self, sheet: EditableSheet) -> None:
        self.pending = None
        self.grade_message.clear_message()
        self.stage_combo.setCurrentIndex(max(0, self.stage_combo.findData(sheet.get("stage") or "")))
        self.reason.load(sheet.display("override_reason"))
        editable = sheet.editable("self_grade")
        for w in (self.stage_combo, self.grade_combo):
            w.setEnabled(editable)
        self.reason.setReadOnly(not editable)
        self.refresh(sheet)

    def refresh(self, sheet: EditableSheet) -> None:
        ev = sheet.evaluate()
        s = ev.suggestion
        if not ev.started and s.rule is not GradingRule.NOT_EVALUATED:
            # nothing entered yet: 「未入力」, never a grade computed from empty cells
            self.grade_label.setText("—")
            self.rule_label.setText(f"{s.rule.label}　{NOT_ENTERED}")
            self.explanation.setText("この年度の実績やマイルストーンの状況が入力されると評価を算出します。")
            lines: list[str] = []
        else:
            self.grade_label.setText(s.grade.value if s.grade else "—")
            wording = f"　{wording_for(s.grade, s.rule)}" if s.grade else ""
            self.rule_label.setText(f"{s.rule.label}{wording}")
            self.explanation.setText(s.explanation)
            lines = [f"・{a.name}：{a.explanation}" for a in s.indicators if a.grade is not None]
        self.details.setText("\n".join(lines) if len(lines) > 1 else "")
        self.details.setVisible(len(lines) > 1)
        suggested = ev.suggested.value if ev.suggested else "算出なし"
        self.grade_combo.setItemText(0, f"算出結果どおり（{suggested}）")
        for i, grade in enumerate(Grade, start=1):
            self.grade_combo.setItemText(i, f"{grade.value}　{wording_for(grade, s.rule)}")
        if self.pending is None:
            self.grade_combo.setCurrentIndex(max(0, self.grade_combo.findData(sheet.get("self_grade") or "")))
        stage_findings = [f.message for f in ev.findings if f.field == "stage"]
        self.stage_message.show_message("\n".join(stage_findings), "error")
        mine = [f for f in ev.findings if f.field in ("self_grade", "override_reason")]
        if mine:
            kind = "error" if any(f.severity.value == "error" for f in mine) else "warning"
            self.findings.show_message("\n".join(f.message for f in mine), kind)
        else:
            self.findings.clear_message()

    # --- editing ------------------------------------------------------------------------------------
    def _stage_chosen(self, index: int) -> None:
        error = self.host.commit("stage", self.stage_combo.itemData(index))
        if error:
            self.stage_message.show_message(error)

    def _grade_chosen(self, index: int) -> None:
        grade = self.grade_combo.itemData(index) or None
        error = self.host.set_self_grade(grade, self.reason.toPlainText())
        if error:
            self.pending = grade
            self.grade_message.show_message(f"{error}理由を入力して欄を離れると保存されます。", "error")
        else:
            self.pending = None
            self.grade_message.clear_message()

    def _reason_committed(self, text: str, final: bool) -> None:
        if self.pending is not None:
            if not final:
                return  # the grade and its reason are saved together when the person leaves the field
            error = self.host.set_self_grade(self.pending, text)
            if error:
                self.grade_message.show_message(error, "error")
                return
            self.pending = None
            self.grade_message.clear_message()
            return
        error = self.host.commit("override_reason", text, coalesce=True, final=final)
        if error:
            self.grade_message.show_message(error, "error")
            self.reason.mark_unsaved()
        else:
            self.grade_message.clear_message()

    def commit_pending(self) -> None:
        self.reason.commit_pending()
        if self.pending is not None:
            self.host.notify(
                f"自己評価 {self.pending} は変更した理由が入力されていないため保存されていません。", "error"
            )
            self.pending = None

    def focus_target(self, target: JumpTarget) -> bool:
        if target.path == "stage":
            self.stage_combo.setFocus()
            return True
        if target.path == "override_reason":
            self.reason.setFocus()
            return True
        if target.path == "self_grade":
            self.grade_combo.setFocus()
            return True
        return False


class PerspectivesPart(SheetPart):
    """観点別評価: a score 1–5 per perspective, with the plan's descriptor sentence for each score."""

    keys = ("perspectives",)
    title = "観点別評価"

    def __init__(self, host: PartHost):
        super().__init__(host)
        content = QWidget()
        layout = page_layout(content)
        self.rows: dict[str, tuple[QComboBox, QLabel, MessageLabel]] = {}
        for n, spec in enumerate(host.settings.perspectives):
            box = QGroupBox(spec.label)
            form = QVBoxLayout(box)
            combo = QComboBox(objectName=f"perspective_{spec.key}")
            combo.addItem("（未選択）", "")
            for score in range(1, 6):
                combo.addItem(f"{score}　{spec.descriptor(score)}", str(score))
            combo.setAccessibleName(spec.label)
            combo.activated.connect(lambda i, key=spec.key, c=combo: self._chosen(key, c.itemData(i)))
            descriptor = QLabel(objectName=f"descriptor_{spec.key}")
            descriptor.setWordWrap(True)
            message = MessageLabel()
            title = QLabel(f"点数(&{n + 1})")
            title.setBuddy(combo)
            row = QHBoxLayout()
            row.addWidget(title)
            row.addWidget(combo, 1)
            form.addLayout(row)
            form.addWidget(descriptor)
            form.addWidget(message)
            layout.addWidget(box)
            self.rows[spec.key] = (combo, descriptor, message)
        layout.addStretch(1)
        scrolling_page(self, content)

    def load(self, sheet: EditableSheet) -> None:
        ev = sheet.evaluate()
        for key, (combo, descriptor, message) in self.rows.items():
            path = f"perspectives.{key}"
            score = sheet.get(path)
            combo.setCurrentIndex(max(0, combo.findData(score or "")))
            combo.setEnabled(sheet.editable(path))
            spec = sheet.settings.perspective(key)
            text = spec.descriptor(int(score)) if spec and score else ""
            descriptor.setText(f"「{text}」" if text else "1〜5から選んでください。")
            mine = [f.message for f in ev.findings if f.field == path]
            message.show_message("\n".join(mine), "error")

    def _chosen(self, key: str, score: str) -> None:
        error = self.host.commit(f"perspectives.{key}", score)
        if error:
            self.rows[key][2].show_message(error)

    def focus_target(self, target: JumpTarget) -> bool:
        for key, (combo, _d, _m) in self.rows.items():
            if target.path == f"perspectives.{key}":
                combo.setFocus()
                return True
        return False


class DirectionPart(SheetPart):
    """方向性 with its reason; the plan says which options need a reason."""

    keys = ("direction",)
    title = "方向性"

    def __init__(self, host: PartHost):
        super().__init__(host)
        content = QWidget()
        layout = page_layout(content)
        form = QFormLayout()
        self.combo = QComboBox(objectName="directionCombo")
        self.combo.addItem("（未選択）", "")
        for option in host.settings.direction_options:
            suffix = "（理由が必要）" if option.reason_required else ""
            self.combo.addItem(option.label + suffix, option.key)
        self.combo.activated.connect(self._chosen)
        title = QLabel("方向性(&D)")
        title.setBuddy(self.combo)
        form.addRow(title, self.combo)
        self.reason = CommitTextEdit(lines=5)
        self.reason.setObjectName("directionReason")
        self.reason.setAccessibleName("方向性の理由")
        self.reason.committed.connect(self._reason_committed)
        reason_title = QLabel("理由(&R)")
        reason_title.setBuddy(self.reason)
        form.addRow(reason_title, self.reason)
        self.message = MessageLabel(objectName="directionMessage")
        form.addRow("", self.message)
        layout.addLayout(form)
        layout.addStretch(1)
        scrolling_page(self, content)

    def load(self, sheet: EditableSheet) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(sheet.get("direction") or "")))
        self.reason.load(sheet.display("direction_reason"))
        editable = sheet.editable("direction")
        self.combo.setEnabled(editable)
        self.reason.setReadOnly(not editable)
        self.refresh(sheet)

    def refresh(self, sheet: EditableSheet) -> None:
        mine = [f for f in sheet.evaluate().findings if f.field in ("direction", "direction_reason")]
        if mine and not (self.message.property("kind") == "error" and self.reason.dirty):
            self.message.show_message("\n".join(f.message for f in mine), "error")
        elif not mine:
            self.message.clear_message()

    def _chosen(self, index: int) -> None:
        error = self.host.commit("direction", self.combo.itemData(index))
        if error:
            self.message.show_message(error)

    def _reason_committed(self, text: str, final: bool) -> None:
        error = self.host.commit("direction_reason", text, coalesce=True, final=final)
        if error:
            self.message.show_message(error)
            self.reason.mark_unsaved()

    def commit_pending(self) -> None:
        self.reason.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        if target.path == "direction":
            self.combo.setFocus()
            return True
        if target.path == "direction_reason":
            self.reason.setFocus()
            return True
        return False
