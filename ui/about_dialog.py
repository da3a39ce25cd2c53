"""ヘルプ → dxdesk について: the version, where the data is, and the licences of what is shipped.

What a person asks the IT department about, in one place: which version this is, which database file is
open, where the data folder and its backups are (with a button that opens the folder and one that copies
everything as text for an enquiry), and the licence notices of every component shipped with dxdesk
(:mod:`dxdesk.licenses`: collected when the bundle was built, from the installed packages otherwise).
"""

from __future__ import annotations

import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk import __version__
from dxdesk.licenses import Notice, bundled_notices
from dxdesk.paths import data_dir
from dxdesk.section_desk import Database, SectionDesk, backup_dir

__all__ = ["AboutDialog", "show_about"]


def _database_text(db: Database) -> str:
    return SectionDesk(db).location


class AboutDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, *, central: bool = False):
        super().__init__(parent)
        self.setWindowTitle("dxdesk について")
        self.setObjectName("aboutDialog")
        self.notices: list[Notice] = bundled_notices()
        layout = QVBoxLayout(self)

        which = "（中央・計画の所管課）" if central else ""
        title = QLabel(f"dxdesk{which}　バージョン {__version__}", objectName="aboutTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        purpose = (
            "計画マスタの管理、配布ファイルの作成、提出ファイルの取り込み・審査・全庁集計"
            if central
            else "施策評価シートの入力・提出"
        )
        layout.addWidget(QLabel(f"{purpose}（インターネットに接続せずに動作します）"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, str] = {"バージョン": __version__, "データベース": _database_text(db)}
        self.data_folder = data_dir()
        self.values["データフォルダ"] = str(self.data_folder)
        if db.path is not None:
            self.values["バックアップ"] = str(backup_dir(db.path))
        self.values["実行環境"] = (
            f"Python {platform.python_version()}　Qt {qVersion()}　PySide6 {pyside_version}　"
            f"{platform.system()} {platform.release()}{'（配布用パッケージ）' if getattr(sys, 'frozen', False) else ''}"
        )
        for label, value in list(self.values.items())[1:]:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}：", text)
        layout.addLayout(form)

        folder_row = QHBoxLayout()
        open_folder = QPushButton("データフォルダを開く(&O)", objectName="openDataFolder")
        open_folder.clicked.connect(self.open_data_folder)
        copy = QPushButton("情報をコピー(&C)", objectName="copyAbout")
        copy.setToolTip(
            "バージョンと保存場所をクリップボードにコピーします（問い合わせのときに貼り付けてください）"
        )
        copy.clicked.connect(self.copy_info)
        folder_row.addWidget(open_folder)
        folder_row.addWidget(copy)
        folder_row.addStretch(1)
        layout.addLayout(folder_row)

        layout.addWidget(QLabel(f"同梱しているソフトウェアとライセンス（{len(self.notices)}件）"))
        splitter = QSplitter(Qt.Orientation.Vertical)  # the text gets the full width: 80 columns fit
        self.list = QTreeWidget(objectName="licenceList")
        self.list.setHeaderLabels(["ソフトウェア", "バージョン", "ライセンス"])
        self.list.setRootIsDecorated(False)
        for n in self.notices:
            item = QTreeWidgetItem([n.name, n.version, n.license])
            item.setToolTip(2, n.license)
            self.list.addTopLevelItem(item)
        for column in range(3):
            self.list.resizeColumnToContents(column)
        self.text = QPlainTextEdit(objectName="licenceText")
        self.text.setReadOnly(True)
        # licence texts are laid out for a fixed-width font (80 columns); long lines wrap at the edge
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(self.font().pointSizeF() * 0.9)
        self.text.setFont(fixed)
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        self.list.currentItemChanged.connect(
            lambda item, _old: self._show_notice(self.list.indexOfTopLevelItem(item))
        )
        if self.notices:
            self.list.setCurrentItem(self.list.topLevelItem(0))

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("閉じる", objectName="closeAbout")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)

        em = self.fontMetrics().horizontalAdvance("あ")
        room = self.screen().availableGeometry()
        self.resize(
            min(em * 70, int(room.width() * 0.95)),
            min(self.fontMetrics().height() * 42, int(room.height() * 0.9)),
        )

    def _show_notice(self, row: int) -> None:
        if 0 <= row < len(self.notices):
            self.text.setPlainText(self.notices[row].text)

    def info_text(self) -> str:
        return "\n".join(f"{k}：{v}" for k, v in self.values.items())

    def copy_info(self) -> None:
        QGuiApplication.clipboard().setText(self.info_text())

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder)))


def show_about(parent: QWidget | None, db: Database, *, central: bool = False) -> None:
    """Show the About dialog (modal) for the open database."""
    AboutDialog(db, parent, central=central).exec()
