"""バックアップから復元: choose one of the database's backups (newest first). The restore itself is
``dxdesk.store.backup.restore_backup``, which keeps a copy of the current state first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.section_desk import BackupInfo, list_backups


class RestoreDialog(QDialog):
    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("バックアップから復元")
        self.setObjectName("restoreDialog")
        layout = QVBoxLayout(self)
        text = QLabel(
            "復元するバックアップを選んでください。\n"
            "復元する前に、現在のデータは「復元前の状態」として保存されるため、元に戻すこともできます。"
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list = QListWidget(objectName="backupList")
        self.backups = list_backups(db_path)
        for b in self.backups:
            item = QListWidgetItem(f"{b.label}　{b.size / 1024:,.0f} KB")
            item.setToolTip(str(b.path))
            self.list.addItem(item)
        if not self.backups:
            self.list.addItem("バックアップはまだありません（入力を始めると自動で作成されます）。")
            self.list.setEnabled(False)
        else:
            self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("復元する", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(self.backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("あ") * 40, self.fontMetrics().height() * 22)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None
