"""Free-text parts (取組結果・成果・課題・改善目標…, 市民参加, 見直し, ロードマップ, 目標（総括）・事業総括,
実績の検証・方向性 …): one tab per sheet part the plan's text fields belong to (:func:`text_parts`),
one box per field, with a character counter against the plan's limit and the field's check messages.
A plan that gives its text fields a part of its own gets a tab for it without any change here."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from dxdesk.domain.fields import JumpTarget
from dxdesk.domain.settings import SHEET_PARTS, PlanSettings, TextFieldSpec
from dxdesk.section_desk import EditableSheet
from ui.parts.base import PartHost, SheetPart, page_layout, scrolling_page
from ui.widgets import CommitTextEdit, MessageLabel

# tab titles, shorter than the part headings where those are long
TAB_TITLES = {
    "results": "成果と課題",
    "citizen": "市民参加",
    "review": "見直し",
    "roadmap": "ロードマップ",
    "goals": "目標・事業総括",
    "verification": "検証・方向性",
}


# parts whose tab shows their text fields itself (ui/parts/costs.py: 主な内容 and 特定財源の内訳 under
# the cost table), so no second tab of the same name is made for them
OWN_TAB_TEXTS = frozenset({"costs"})


def text_parts(host: PartHost, settings: PlanSettings) -> list[TextPart]:
    """One tab per sheet part that has text fields in the plan, its fields in the plan's order."""
    by_part: dict[str, list[TextFieldSpec]] = {}
    for spec in settings.text_fields:
        if spec.part in OWN_TAB_TEXTS:
            continue
        by_part.setdefault(spec.part, []).append(spec)
    return [
        TextPart(host, key, TAB_TITLES.get(key) or SHEET_PARTS.get(key, key), specs)
        for key, specs in by_part.items()
    ]


class _TextField:
    def __init__(self, spec: TextFieldSpec, parent: QWidget):
        self.spec = spec
        self.title = QLabel(spec.label + ("　（必須）" if spec.required else ""), parent)
        self.title.setObjectName("fieldTitle")
        self.counter = QLabel(parent)
        self.counter.setObjectName(f"counter_{spec.key}")
        self.edit = CommitTextEdit(parent, lines=4)
        self.edit.setObjectName(f"text_{spec.key}")
        self.edit.setAccessibleName(spec.label)
        self.title.setBuddy(self.edit)
        self.message = MessageLabel(parent, keep_space=True)  # the boxes stay put as messages come and go
        self.message.setObjectName(f"message_{spec.key}")

    @property
    def path(self) -> str:
        return f"texts.{self.spec.key}"


class TextPart(SheetPart):
    def __init__(self, host: PartHost, key: str, title: str, specs: list[TextFieldSpec]):
        super().__init__(host)
        self.keys = (key,)
        self.title = title
        content = QWidget()
        layout = page_layout(content)
        self.fields: dict[str, _TextField] = {}
        for spec in specs:
            f = _TextField(spec, content)
            row = QHBoxLayout()
            row.addWidget(f.title)
            row.addStretch(1)
            row.addWidget(f.counter)
            layout.addLayout(row)
            layout.addWidget(f.edit)
            layout.addWidget(f.message)
            f.edit.committed.connect(lambda text, final, f=f: self._commit(f, text, final))
            f.edit.textChanged.connect(lambda f=f: self._count(f))
            self.fields[spec.key] = f
        layout.addStretch(1)
        self.area = scrolling_page(self, content)

    def load(self, sheet: EditableSheet) -> None:
        for f in self.fields.values():
            label = sheet.text_label(f.spec.key)  # a roadmap box named after the measure's own 取組
            f.title.setText(label + ("　（必須）" if f.spec.required else ""))
            f.edit.setAccessibleName(label)
            f.edit.load(sheet.display(f.path))
            f.edit.setReadOnly(not sheet.editable(f.path))
        self.refresh(sheet)

    def refresh(self, sheet: EditableSheet) -> None:
        findings = sheet.evaluate().findings
        for f in self.fields.values():
            self._count(f)
            if f.message.property("kind") == "error" and f.edit.dirty:
                continue  # keep the message about text not saved yet
            mine = [x for x in findings if x.field == f.path]
            if mine:
                kind = "error" if any(x.severity.value == "error" for x in mine) else "warning"
                f.message.show_message("\n".join(x.message for x in mine), kind)
            else:
                f.message.clear_message()

    def _count(self, f: _TextField) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        count = sheet.text_count(f.spec.key, f.edit.toPlainText())
        f.counter.setText(count.display)
        f.counter.setStyleSheet("color: #b00020; font-weight: bold;" if count.over else "color: #555555;")

    def _commit(self, f: _TextField, text: str, final: bool) -> None:
        error = self.host.commit(f.path, text, coalesce=True, final=final)
        if error:
            f.message.show_message(error, "error")
            f.edit.mark_unsaved()  # try again when the person leaves the field
        elif self.sheet is not None:
            self.refresh(self.sheet)

    def commit_pending(self) -> None:
        for f in self.fields.values():
            f.edit.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        for f in self.fields.values():
            if target.path == f.path:
                f.edit.setFocus()
                f.edit.ensureCursorVisible()
                self.area.ensureWidgetVisible(f.edit)
                return True
        return False
