"""ヘルプ → 操作の手引き (F1): short pages in plain Japanese for a section clerk and for the central office,
and 「はじめての方へ」, one page shown once on the first start (and from the ヘルプ menu afterwards).

The pages describe this version's screens and keys; each names the menu or button by its label on
screen, so a person can follow them with the window open beside them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.preferences import preferences

__all__ = ["CENTRAL_PAGES", "SECTION_PAGES", "GuideDialog", "first_start_page", "show_guide"]

SECTION_PAGES: tuple[tuple[str, str], ...] = (
    (
        "画面の見かた",
        "<p>左に<b>施策の一覧</b>、右に選んだ施策の<b>評価シート</b>があります。上の「年度」「課所室」で"
        "表示する年度と課を選びます。</p>"
        "<p>一覧の「状態」は 未入力・入力中・入力完了・要確認 のどれかです。「評価」の「対象外」は評価しない施策、"
        "「—」はまだ評価が出ていない施策です。</p>"
        "<p>画面のいちばん下（ステータスバー）に、いま行ったことの結果（「保存しました」など）が表示されます。</p>",
    ),
    (
        "配布ファイルを開く",
        "<p>中央の担当課から届いた<b>配布ファイル</b>（R08_…_配布.xlsx）を、"
        "<b>ファイル → 配布ファイルを開く…</b>（Ctrl+O）で開きます。紙で届いた<b>パスワード</b>を入力すると、"
        "課の施策と過年度の値が取り込まれます。</p>"
        "<p>同じ配布ファイルをもう一度開いても、入力済みの内容は変わりません。</p>",
    ),
    (
        "入力する（保存は自動）",
        "<p>一覧で施策を選び、右のタブ（基本情報・指標・成果と課題・自己評価…）に入力します。"
        "<b>保存ボタンはありません</b>。欄を離れたとき、文章は入力が2秒止まったときに自動で保存され、"
        "ステータスバーに「保存しました（時刻）」と出ます。</p>"
        "<p>数値は全角でも「1,234」でもかまいません。該当しない欄は「－」と入力します。"
        "赤い文字の欄は読み取れない値や入力の誤りです。</p>"
        "<p>間違えたら<b>編集 → 元に戻す</b>（Ctrl+Z）、やり直しは Ctrl+Y です。</p>",
    ),
    (
        "提出前チェック（F8）",
        "<p><b>F8</b> キー（チェック → 提出前チェック）で、課のすべてのシートの未入力や誤りを一覧にします。"
        "行をダブルクリックすると、その施策のその欄が開きます。エラーが残っていると提出ファイルは作れません。</p>",
    ),
    (
        "提出ファイルを作る",
        "<p>エラーがなくなったら、<b>ファイル → 提出ファイルを作成…</b>で提出ファイルを書き出します。"
        "作成者と所属長は <b>ファイル → 名前の設定…</b> で一度設定しておくと毎回入ります。</p>"
        "<p>書き出したファイル（R08_…_提出_第1版.xlsx）を中央の担当課へ送ります。"
        "直してもう一度書き出すと第2版になります。Excel で書き換えたファイルは受け付けられません。</p>",
    ),
    (
        "印刷・PDF",
        "<p><b>ファイル → 印刷・PDF出力…</b>（Ctrl+P）で、選んだシート・課の冊子をPDFにします。"
        "作成が終わると画面の右下に知らせが出て、「フォルダを開く」で保存先を開けます。</p>",
    ),
    (
        "審査結果を読む",
        "<p>中央から<b>審査結果ファイル</b>が届いたら、<b>ファイル → 審査結果ファイルを読み込む…</b>で読み込みます。"
        "差戻しのシートは「要確認」になり、右側に中央からのコメントが表示されます。"
        "直してから、もう一度提出ファイルを作成してください。</p>",
    ),
    (
        "バックアップと復元",
        "<p>入力中は10分ごとと終了時に自動でバックアップを作ります。<b>ファイル → バックアップから復元…</b>で"
        "前の状態に戻せます（戻す前の状態も保存されます）。</p>",
    ),
    (
        "キー操作",
        "<table cellpadding='3'>"
        "<tr><td>Ctrl+F</td><td>一覧の検索</td></tr>"
        "<tr><td>Ctrl+PgDown / Ctrl+PgUp</td><td>次のシート / 前のシート</td></tr>"
        "<tr><td>Ctrl+1 … Ctrl+9</td><td>入力欄のタブ</td></tr>"
        "<tr><td>F6</td><td>一覧と入力欄を切り替え</td></tr>"
        "<tr><td>F8</td><td>提出前チェック</td></tr>"
        "<tr><td>Ctrl+Z / Ctrl+Y</td><td>元に戻す / やり直し</td></tr>"
        "<tr><td>F1</td><td>この手引き</td></tr>"
        "</table>",
    ),
)

CENTRAL_PAGES: tuple[tuple[str, str], ...] = (
    (
        "中央の画面の見かた",
        "<p>左の一覧で画面を選びます（Ctrl+1 … Ctrl+5）：計画・配布ファイル・受信箱・提出状況・審査。"
        "上に計画と年度、いちばん下（ステータスバー）にいま行ったことの結果が表示されます。"
        "ファイルを書き出したときは右下に知らせが出て、「フォルダを開く」で保存先を開けます。</p>"
        "<p>審査者の名前は <b>ファイル → 名前の設定…</b> で設定します。</p>",
    ),
    (
        "計画マスタ",
        "<p><b>計画</b>画面の「計画マスタのひな形を書き出す…」で Excel のひな形を書き出し、計画を入力して"
        "「計画マスタを読み込む…」で読み込みます。誤りはシート・行・列・内容の一覧で示され、"
        "直して「もう一度確認」を押すと確かめ直します。エラーがある間は何も読み込みません。</p>",
    ),
    (
        "配布ファイルを作る",
        "<p><b>配布ファイル</b>画面で年度と課を選び、「配布ファイルを作成」を押します。"
        "課ごとの配布ファイルと、パスワード通知書（A4に3課分）ができます。パスワードは紙で渡してください。</p>",
    ),
    (
        "提出ファイルを取り込む",
        "<p><b>受信箱</b>画面に、届いた提出ファイルやフォルダをドラッグします（「ファイルを選ぶ…」でも可）。"
        "1ファイル1行で、受理・重複・旧版・競合・不受理とその理由が表示されます。"
        "競合の行をダブルクリックすると、2つのファイルを見比べて採用するほうを選べます。</p>",
    ),
    (
        "提出状況と督促",
        "<p><b>提出状況</b>画面で、課ごとの 未提出・提出済・差戻し中・受理 と受信日時を確認します。"
        "まだ提出していない課への督促メールの文面を「督促メールの文面をコピー」でコピーできます。</p>",
    ),
    (
        "審査",
        "<p><b>審査</b>画面で課と施策を選び、シートと指摘を読んで <b>受理（Alt+A）</b>か<b>差戻し（Alt+R）</b>にします。"
        "差戻しには、直してほしい点をコメントに書きます（Ctrl+Enter で追加）。"
        "すでに受理・差戻しにした施策は、確認なしに変わることはありません。</p>"
        "<p>終わったら「審査結果ファイルを作成…」で課に返すファイルを作ります。</p>",
    ),
    (
        "全庁集計と印刷",
        "<p><b>ファイル → 全庁集計を書き出す…</b>（Ctrl+E）で全課の一覧・評価分布・提出状況をまとめた Excel を、"
        "<b>ファイル → 印刷・PDF出力…</b>（Ctrl+P）でシートや報告書のPDFを作ります。</p>",
    ),
)

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


class GuideDialog(QDialog):
    """The pages on the left, the chosen page on the right."""

    def __init__(self, pages: tuple[tuple[str, str], ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("操作の手引き")
        self.pages = pages
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.list = QListWidget(objectName="guidePages")
        self.list.addItems([title for title, _html in pages])
        em = self.fontMetrics().horizontalAdvance("あ")
        self.list.setFixedWidth(em * 13)
        self.view = QTextBrowser(objectName="guideText")
        self.view.setOpenExternalLinks(False)
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
            min(em * 52, int(room.width() * 0.9)),
            min(self.fontMetrics().height() * 30, int(room.height() * 0.85)),
        )

    def show_page(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            title, body = self.pages[row]
            self.view.setHtml(f"<h2>{title}</h2>{body}")


def show_guide(parent: QWidget, kind: str) -> GuideDialog:
    """ヘルプ → 操作の手引き (not modal: it stays open beside the window)."""
    dialog = GuideDialog(CENTRAL_PAGES if kind == "central" else SECTION_PAGES, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


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
