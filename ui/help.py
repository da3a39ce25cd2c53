"""ヘルプ → 操作の手引き (F1): short pages in plain Japanese for a section clerk and for the central office,
and 「はじめての方へ」, one page shown once on the first start (and from the ヘルプ menu afterwards).

The pages (:mod:`dxdesk.guide`, shared with the printable PDF) describe this version's screens and keys;
each names the menu or button by its label on screen, so a person can follow them with the window open
beside them. Their screenshots come from the application itself (``scripts/make_guide.py``); a click on
「拡大して見る」 under one shows it at full size.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dxdesk.guide import CENTRAL_PAGES, SECTION_PAGES, GuidePage, Shot, shot_path
from ui.notice import notify
from ui.preferences import preferences

__all__ = [
    "CENTRAL_PAGES",
    "SECTION_PAGES",
    "GuideDialog",
    "export_guide_pdf",
    "first_start_page",
    "show_guide",
]

FIRST_START = {
    "section": (
        "<h2>はじめての方へ</h2>"
        "<p>dxdesk は、課の施策評価シートを入力して、中央の担当課へ提出するためのソフトです。"
        "インターネットには接続しません。</p>"
        "<ol>"
        "<li><b>配布ファイルを開く</b>：中央から届いた配布ファイルを ファイル → 配布ファイルを開く… で開き、"
        "紙で届いたパスワードを入力します。</li>"
        "<li><b>入力する</b>：左の一覧で施策を選び、右のタブに入力します。保存は自動です。</li>"
        "<li><b>確かめる</b>：F8 キーで未入力や誤りの一覧を出し、すべて直します。</li>"
        "<li><b>提出する</b>：ファイル → 提出ファイルを作成… で書き出し、中央へ送ります。</li>"
        "</ol>"
        "<p>詳しくは ヘルプ → 操作の手引き（F1）をご覧ください。</p>"
    ),
    "central": (
        "<h2>はじめての方へ（中央）</h2>"
        "<p>この画面は、計画の所管課（中央）が計画を管理し、各課の提出を取りまとめるためのものです。</p>"
        "<ol>"
        "<li><b>計画</b>：計画マスタ（Excel）を書き出して入力し、読み込みます。</li>"
        "<li><b>配布ファイル</b>：課ごとの配布ファイルとパスワード通知書を作って配ります。</li>"
        "<li><b>受信箱</b>：届いた提出ファイルをドラッグして取り込みます。</li>"
        "<li><b>提出状況・審査</b>：提出を確認し、受理・差戻しを決めて審査結果ファイルを返します。</li>"
        "</ol>"
        "<p>詳しくは ヘルプ → 操作の手引き（F1）をご覧ください。</p>"
    ),
}


def page_html(page: GuidePage, image_width: int) -> str:
    """One page as Qt rich text: its paragraphs, its key table, its screenshots ``image_width`` wide."""
    parts = [f"<h2>{escape(page.title)}</h2>"]
    parts += [f"<p>{text}</p>" for text in page.paragraphs]  # the texts carry <b> on purpose
    if page.keys:
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in page.keys)
        parts.append(f"<table cellpadding='3'>{rows}</table>")
    for shot in page.shots:
        path = shot_path(shot)
        if path.is_file():
            url = QUrl.fromLocalFile(str(path)).toString()
            parts.append(
                f"<p><img src='{url}' width='{image_width}'><br>{escape(shot.caption)}　"
                f"<a href='shot:{escape(shot.file)}'>拡大して見る</a></p>"
            )
    return "".join(parts)


class ShotDialog(QDialog):
    """A screenshot of the guide at its full size (scrolled if the screen is smaller)."""

    def __init__(self, shot: Shot, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guideShot")
        self.setWindowTitle(shot.caption)
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        self.image = QLabel(objectName="guideShotImage")
        self.image.setPixmap(QPixmap(str(shot_path(shot))))
        scroll.setWidget(self.image)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        room = self.screen().availableGeometry()
        size = self.image.sizeHint()
        self.resize(min(size.width() + 40, room.width()), min(size.height() + 80, room.height()))


class GuideDialog(QDialog):
    """The pages on the left, the chosen page on the right."""

    def __init__(self, pages: tuple[GuidePage, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("操作の手引き")
        self.pages = pages
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.list = QListWidget(objectName="guidePages")
        self.list.addItems([page.title for page in pages])
        em = self.fontMetrics().horizontalAdvance("あ")
        self.list.setFixedWidth(em * 13)
        self.view = QTextBrowser(objectName="guideText")
        self.view.setOpenExternalLinks(False)
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self.open_shot)
        row.addWidget(self.list)
        row.addWidget(self.view, 1)
        layout.addLayout(row, 1)
        buttons = QDialogButtonBox()
        close = buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("closeGuide")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self.show_page)
        self.list.setCurrentRow(0)
        room = self.screen().availableGeometry()
        self.resize(
            min(em * 66, int(room.width() * 0.9)),
            min(self.fontMetrics().height() * 34, int(room.height() * 0.85)),
        )

    def show_page(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            width = max(200, self.view.viewport().width() - 2 * self.fontMetrics().horizontalAdvance("あ"))
            self.view.setHtml(page_html(self.pages[row], width))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.show_page(self.list.currentRow())  # the screenshots follow the width of the page

    def open_shot(self, url: QUrl) -> QDialog | None:
        """「拡大して見る」: the screenshot at full size."""
        name = url.toString().removeprefix("shot:")
        shot = next((s for page in self.pages for s in page.shots if s.file == name), None)
        if shot is None:
            return None
        dialog = ShotDialog(shot, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


def show_guide(parent: QWidget, kind: str) -> GuideDialog:
    """ヘルプ → 操作の手引き (not modal: it stays open beside the window)."""
    dialog = GuideDialog(CENTRAL_PAGES if kind == "central" else SECTION_PAGES, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def export_guide_pdf(parent: QWidget, path: Path | None = None) -> Path | None:
    """ヘルプ → 操作の手引きをPDFで書き出す…: the printable guide (A4, screenshots) to hand out."""
    from dxdesk.report.errors import PrintError
    from dxdesk.report.guide import make_guide_pdf

    if path is None:
        start = preferences().value("help/guide_pdf_dir") or str(Path.home())
        chosen, _f = QFileDialog.getSaveFileName(
            parent,
            "操作の手引きをPDFで書き出す",
            str(Path(str(start)) / "dxdesk_操作の手引き.pdf"),
            "PDF (*.pdf)",
        )
        if not chosen:
            return None
        path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # about 2 s
    try:
        result = make_guide_pdf(path)
    except PrintError as exc:
        QGuiApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, "操作の手引き", str(exc))
        return None
    QGuiApplication.restoreOverrideCursor()
    preferences().setValue("help/guide_pdf_dir", str(path.parent))
    notify(
        parent, f"操作の手引きをPDFで書き出しました（{path.name}：{result.pages}ページ）", folder=path.parent
    )
    return path


def first_start_page(parent: QWidget, kind: str, *, force: bool = False) -> QDialog | None:
    """「はじめての方へ」: shown once per person and kind of window (and whenever ``force``)."""
    key = f"help/first_start_shown_{kind}"
    settings = preferences()
    if not force and settings.value(key) in (True, "true"):
        return None
    settings.setValue(key, True)
    settings.sync()
    dialog = QDialog(parent)
    dialog.setObjectName("firstStartDialog")
    dialog.setWindowTitle("はじめての方へ")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    layout = QVBoxLayout(dialog)
    text = QTextBrowser(objectName="firstStartText")
    text.setHtml(FIRST_START.get(kind, FIRST_START["section"]))
    layout.addWidget(text, 1)
    buttons = QDialogButtonBox()
    guide = buttons.addButton("操作の手引きを開く", QDialogButtonBox.ButtonRole.ActionRole)
    close = buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
    close.setDefault(True)
    guide.clicked.connect(lambda: (dialog.close(), show_guide(parent, kind)))
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    em = dialog.fontMetrics().horizontalAdvance("あ")
    dialog.resize(em * 40, dialog.fontMetrics().height() * 24)
    dialog.show()
    return dialog
