"""People have names: 作成者 and 所属長 (the section application) and 審査者 (the central office) are set
once — ファイル → 名前の設定… — and used everywhere the application writes a name: the autosave's record
of who changed a field, the submission's 作成者 / 所属長確認, the central office's decisions, comments,
conflict resolutions and review workbooks. Until a name is set, the operating system's login name
stands in for 作成者 and 審査者 (and the dialog offers it).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from dxdesk.central.user import current_user
from ui.preferences import preferences

__all__ = ["LABELS", "PeopleDialog", "edit_people", "person", "set_person"]

LABELS = {"author": "作成者", "chief": "所属長", "reviewer": "審査者"}
HINTS = {
    "author": "提出ファイルの作成者として書かれます（例：山田 太郎）",
    "chief": "提出ファイルの「所属長確認」に書かれます",
    "reviewer": "審査の判断・コメント・審査結果ファイルに書かれます",
}


def saved_person(key: str) -> str:
    value = preferences().value(f"people/{key}")
    return str(value).strip() if value else ""


def person(key: str) -> str:
    """The name set for ``key`` (author / chief / reviewer); the login name for author and reviewer
    until one is set, "" for chief."""
    return saved_person(key) or (current_user() if key != "chief" else "")


def set_person(key: str, name: str) -> None:
    settings = preferences()
    settings.setValue(f"people/{key}", name.strip())
    settings.sync()


class PeopleDialog(QDialog):
    def __init__(self, keys: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("peopleDialog")
        self.setWindowTitle("名前の設定")
        self.keys = keys
        layout = QVBoxLayout(self)
        intro = QLabel(
            "ここで設定した名前が、ファイルや記録に使われます（一度設定すれば次回からも使われます）。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key in keys:
            edit = QLineEdit(person(key), objectName=f"person_{key}")
            edit.setMaxLength(100)
            edit.setPlaceholderText(HINTS[key])
            edit.setToolTip(HINTS[key])
            self.edits[key] = edit
            form.addRow(LABELS[key], edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 36)

    def accept(self) -> None:
        for key, edit in self.edits.items():
            set_person(key, edit.text())
        super().accept()


def edit_people(parent: QWidget, keys: tuple[str, ...]) -> bool:
    """Show 名前の設定 for ``keys``; True when saved."""
    return PeopleDialog(keys, parent).exec() == QDialog.DialogCode.Accepted
