"""基本情報 and 事業の概要: what the plan says about the measure (read-only unless the plan lets sections
edit a field), and who wrote the sheet and which chief confirmed it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from dxdesk.domain.fields import BASIC_FIELDS, JumpTarget
from dxdesk.section_desk import EditableSheet
from ui.parts.base import PartHost, SheetPart, page_layout, scrolling_page
from ui.widgets import CommitLineEdit, CommitTextEdit, MessageLabel

LONG_FIELDS = ("target_group", "purpose", "summary")


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class BasicPart(SheetPart):
    keys = ("basic", "overview")
    title = "基本情報"
    always = True

    def __init__(self, host: PartHost):
        super().__init__(host)
        content = QWidget()
        layout = page_layout(content)
        info = QGroupBox("計画での位置づけ（計画の所管課が管理）")
        self.info_form = QFormLayout(info)
        self.info_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.labels: dict[str, QLabel] = {}
        for key, title in (
            ("code", "コード"),
            ("name", "名称"),
            ("kind", "種別"),
            ("path", "計画体系"),
            ("section", "担当課"),
            ("related", "関連課所室"),
            ("sdgs", "SDGs"),
            ("leading", "リーディング"),
            ("attributes", "その他"),
        ):
            label = _value_label()
            label.setObjectName(f"basic_{key}")
            self.labels[key] = label
            self.info_form.addRow(title, label)
        layout.addWidget(info)

        overview = QGroupBox("事業の概要")
        form = QFormLayout(overview)
        self.basic_edits: dict[str, CommitTextEdit | CommitLineEdit] = {}
        self.basic_labels: dict[str, QLabel] = {}
        order = (*LONG_FIELDS, "budget_item", "legal_basis", "period_label")
        for key in order:
            title = BASIC_FIELDS[key]
            if host.settings.section_may_edit(key):
                edit: CommitTextEdit | CommitLineEdit
                if key in LONG_FIELDS:
                    edit = CommitTextEdit(lines=2)
                    edit.committed.connect(lambda text, final, k=key: self._commit(f"basic.{k}", text, final))
                else:
                    edit = CommitLineEdit()
                    edit.committed.connect(lambda text, k=key: self._commit(f"basic.{k}", text, True))
                edit.setObjectName(f"basicEdit_{key}")
                self.basic_edits[key] = edit
                form.addRow(title, edit)
            else:
                label = _value_label()
                label.setObjectName(f"basic_{key}")
                self.basic_labels[key] = label
                form.addRow(title, label)
        layout.addWidget(overview)

        sign = QGroupBox("作成・確認")
        sign_form = QFormLayout(sign)
        self.author = CommitLineEdit()
        self.author.setObjectName("authorEdit")
        self.author.setPlaceholderText("例：DX推進課　山田")
        self.author.committed.connect(lambda t: self._commit("author", t, True))
        self.chief = CommitLineEdit()
        self.chief.setObjectName("chiefEdit")
        self.chief.setPlaceholderText("所属長が内容を確認したら氏名を入力")
        self.chief.committed.connect(lambda t: self._commit("chief_confirmed_by", t, True))
        author_label = QLabel("作成者(&W)")
        author_label.setBuddy(self.author)
        chief_label = QLabel("所属長確認(&K)")
        chief_label.setBuddy(self.chief)
        sign_form.addRow(author_label, self.author)
        sign_form.addRow(chief_label, self.chief)
        layout.addWidget(sign)
        self.message = MessageLabel(objectName="basicMessage")
        layout.addWidget(self.message)
        layout.addStretch(1)
        scrolling_page(self, content)

    def load(self, sheet: EditableSheet) -> None:
        info = sheet.info
        self.labels["code"].setText(info.code)
        self.labels["name"].setText(info.name)
        self.labels["kind"].setText(info.kind_label)
        self.labels["path"].setText(
            " ＞ ".join(f"{level} {code}　{name}" for level, code, name in info.plan_path)
        )
        self.labels["section"].setText(info.section_name)
        self.labels["related"].setText("、".join(info.related_section_names) or "—")
        self.labels["sdgs"].setText("、".join(f"目標{g}" for g in info.sdgs) or "—")
        self.labels["leading"].setText("リーディングプロジェクト（中核事業）" if info.is_leading else "—")
        self.labels["attributes"].setText("\n".join(f"{k}：{v}" for k, v in info.attributes) or "—")
        for key, label in self.basic_labels.items():
            label.setText(sheet.basic(key) or "—")
        for key, edit in self.basic_edits.items():
            edit.load(sheet.basic(key))
        self.author.load(sheet.display("author"))
        self.chief.load(sheet.display("chief_confirmed_by"))
        for w in (self.author, self.chief):
            w.setReadOnly(not sheet.editable("author"))
        self.message.clear_message()

    def refresh(self, sheet: EditableSheet) -> None:
        pass  # nothing computed here

    def _commit(self, path: str, text: str, final: bool) -> None:
        error = self.host.commit(path, text, coalesce=True, final=final)
        if error:
            self.message.show_message(error)
        else:
            self.message.clear_message()

    def commit_pending(self) -> None:
        for edit in (*self.basic_edits.values(), self.author, self.chief):
            edit.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        if target.path == "author":
            self.author.setFocus()
        elif target.path == "chief_confirmed_by":
            self.chief.setFocus()
        else:
            self.author.setFocus()
        return True
