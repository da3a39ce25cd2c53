"""操作の手引き: the pages of the guide, shared by the in-app help (ヘルプ → 操作の手引き) and the
printable PDF the central office hands out (:mod:`dxdesk.report.guide`, ``dxdesk guide --out FILE.pdf``).

Each page is plain Japanese naming menus and buttons by their labels on screen. Inline markup is
limited to ``<b>…</b>`` so that the same text is shown by Qt's rich text and by reportlab. The
screenshots are PNG files in ``resources/guide/`` made from the application itself on the demo data
(``scripts/make_guide.py``), so they show the screens of this version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dxdesk.paths import resource

__all__ = [
    "CENTRAL_PAGES",
    "GUIDE_TITLE",
    "PARTS",
    "SECTION_PAGES",
    "GuidePage",
    "Shot",
    "all_shots",
    "shot_path",
]

GUIDE_TITLE = "dxdesk 操作の手引き"


@dataclass(frozen=True)
class Shot:
    """A screenshot: its file in ``resources/guide/`` and the caption under it."""

    file: str
    caption: str


@dataclass(frozen=True)
class GuidePage:
    title: str
    paragraphs: tuple[str, ...]
    shots: tuple[Shot, ...] = ()
    keys: tuple[tuple[str, str], ...] = ()  # (key, what it does), shown as a table


SECTION_PAGES: tuple[GuidePage, ...] = (
    GuidePage(
        "画面の見かた",
        (
            "左に<b>施策の一覧</b>、右に選んだ施策の<b>評価シート</b>があります。"
            "上の「年度」「課所室」で表示する年度と課を選びます。",
            "一覧の「状態」は 未入力・入力中・入力完了・要確認 のどれかです。「提出」の列には"
            " 未提出・提出済み・提出後に変更あり・差戻し・受理 が出ます。"
            "「評価」の「対象外」は評価しない施策、「—」はまだ評価が出ていない施策です。",
            "画面のいちばん下（ステータスバー）に、いま行ったことの結果（「保存しました」など）が表示されます。",
        ),
        (Shot("section-window.png", "課の画面：左が施策の一覧、右が評価シート"),),
    ),
    GuidePage(
        "配布ファイルを開く",
        (
            "中央の担当課から届いた<b>配布ファイル</b>（R08_…_配布.xlsx）を、"
            "<b>ファイル → 配布ファイルを開く…</b>（Ctrl+O）で開きます。紙で届いた<b>パスワード</b>を入力すると、"
            "課の施策と過年度の値が取り込まれます。",
            "同じ配布ファイルをもう一度開いても、入力済みの内容は変わりません。",
        ),
    ),
    GuidePage(
        "入力する（保存は自動）",
        (
            "一覧で施策を選び、右のタブ（基本情報・指標・成果と課題・自己評価…）に入力します。"
            "<b>保存ボタンはありません</b>。欄を離れたとき、文章は入力が2秒止まったときに自動で保存され、"
            "ステータスバーに「保存しました（時刻）」と出ます。",
            "<b>指標</b>のタブでは、年度ごとの目標と実績を表に入力します。"
            "数値は全角でも「1,234」でもかまいません。該当しない欄は「－」と入力します。",
            "読み取れない値（「約5割」など）は<b>入力したまま赤く</b>表示され、消えません。"
            "赤い欄を直すまで提出ファイルは作れません。",
            "間違えたら<b>編集 → 元に戻す</b>（Ctrl+Z）、やり直しは Ctrl+Y です。",
        ),
        (
            Shot("section-indicators.png", "指標のタブ：年度ごとの目標と実績"),
            Shot("section-unreadable.png", "読み取れない値は赤く表示され、理由が下に出ます"),
        ),
    ),
    GuidePage(
        "提出前チェック（F8）",
        (
            "<b>F8</b> キー（チェック → 提出前チェック）で、課のすべてのシートの未入力や誤りを一覧にします。"
            "行をダブルクリックすると、その施策のその欄が開きます。エラーが残っていると提出ファイルは作れません。",
        ),
        (Shot("section-check.png", "提出前チェック：下に未入力や誤りの一覧が出ます"),),
    ),
    GuidePage(
        "提出ファイルを作る",
        (
            "エラーがなくなったら、<b>ファイル → 提出ファイルを作成…</b>で提出ファイルを書き出します。"
            "作成者と所属長は <b>ファイル → 名前の設定…</b> で一度設定しておくと毎回入ります。",
            "書き出したファイル（R08_…_提出_第1版.xlsx）を中央の担当課へ送ります。"
            "直してもう一度書き出すと第2版になります。Excel で書き換えたファイルは受け付けられません。",
        ),
        (Shot("section-export.png", "提出ファイルの作成：作成者・所属長と保存先を確かめて「書き出す」"),),
    ),
    GuidePage(
        "印刷・PDF",
        (
            "<b>ファイル → 印刷・PDF出力…</b>（Ctrl+P）で、選んだシート・課の冊子をPDFにします。"
            "作成が終わると画面の右下に知らせが出て、「フォルダを開く」で保存先を開けます。",
        ),
    ),
    GuidePage(
        "審査結果を読む",
        (
            "中央から<b>審査結果ファイル</b>が届いたら、<b>ファイル → 審査結果ファイルを読み込む…</b>で読み込みます。"
            "差戻しのシートは「要確認」になり、右側に中央からのコメントが表示されます。"
            "「この項目を開く」で直す欄へ移ります。直してから、もう一度提出ファイルを作成してください。",
        ),
    ),
    GuidePage(
        "バックアップと復元",
        (
            "入力中は10分ごとと終了時に自動でバックアップを作ります。<b>ファイル → バックアップから復元…</b>で"
            "前の状態に戻せます（戻す前の状態も保存されます）。",
        ),
    ),
    GuidePage(
        "キー操作",
        (
            "よく使うキーです。メニューの文字の横の（ ）内の英字は、Alt キーと一緒に押すとそのメニューを開きます。",
        ),
        keys=(
            ("Ctrl+F", "一覧の検索"),
            ("Ctrl+PgDown / Ctrl+PgUp", "次のシート / 前のシート"),
            ("Ctrl+1 … Ctrl+9", "入力欄のタブ"),
            ("F6", "一覧と入力欄を切り替え"),
            ("F8", "提出前チェック"),
            ("Ctrl+Z / Ctrl+Y", "元に戻す / やり直し"),
            ("F1", "この手引き"),
        ),
    ),
)

CENTRAL_PAGES: tuple[GuidePage, ...] = (
    GuidePage(
        "中央の画面の見かた",
        (
            "左の一覧で画面を選びます（Ctrl+1 … Ctrl+5）：計画・配布ファイル・受信箱・提出状況・審査。"
            "上に計画と年度、いちばん下（ステータスバー）にいま行ったことの結果が表示されます。"
            "ファイルを書き出したときは右下に知らせが出て、「フォルダを開く」で保存先を開けます。",
            "審査者の名前は <b>ファイル → 名前の設定…</b> で設定します。",
        ),
    ),
    GuidePage(
        "計画マスタ",
        (
            "<b>計画</b>画面の「計画マスタのひな形を書き出す…」で Excel のひな形を書き出し、計画を入力して"
            "「計画マスタを読み込む…」で読み込みます。誤りはシート・行・列・内容の一覧で示され、"
            "直して「もう一度確認」を押すと確かめ直します。エラーがある間は何も読み込みません。",
        ),
    ),
    GuidePage(
        "配布ファイルを作る",
        (
            "<b>配布ファイル</b>画面で年度と課を選び、「配布ファイルを作成」を押します。"
            "課ごとの配布ファイルと、パスワード通知書（A4に3課分）ができます。パスワードは紙で渡してください。",
        ),
        (Shot("central-kits.png", "配布ファイル：課を選んで配布ファイルを作成"),),
    ),
    GuidePage(
        "提出ファイルを取り込む",
        (
            "<b>受信箱</b>画面に、届いた提出ファイルやフォルダをドラッグします（「ファイルを選ぶ…」でも可）。"
            "1ファイル1行で、受理・重複・旧版・競合・不受理とその理由が表示されます。"
            "競合の行をダブルクリックすると、2つのファイルを見比べて採用するほうを選べます。",
        ),
        (Shot("central-inbox.png", "受信箱：取り込んだファイルごとの結果と理由"),),
    ),
    GuidePage(
        "提出状況と督促",
        (
            "<b>提出状況</b>画面で、課ごとの 未提出・提出済・差戻し中・受理 と受信日時を確認します。"
            "まだ提出していない課への督促メールの文面を「督促メールの文面をコピー」でコピーできます。",
        ),
        (Shot("central-status.png", "提出状況：課ごとの状態と督促メールの文面"),),
    ),
    GuidePage(
        "審査",
        (
            "<b>審査</b>画面で課と施策を選び、シートと指摘を読んで <b>受理（Alt+A）</b>か<b>差戻し（Alt+R）</b>にします。"
            "差戻しには、直してほしい点をコメントに書きます（Ctrl+Enter で追加）。"
            "すでに受理・差戻しにした施策は、確認なしに変わることはありません。",
            "終わったら「審査結果ファイルを作成…」で課に返すファイルを作ります。",
        ),
        (Shot("central-review.png", "審査：シートを読み、コメントを付けて受理か差戻し"),),
    ),
    GuidePage(
        "全庁集計と印刷",
        (
            "<b>ファイル → 全庁集計を書き出す…</b>（Ctrl+E）で全課の一覧・評価分布・提出状況をまとめた Excel を、"
            "<b>ファイル → 印刷・PDF出力…</b>（Ctrl+P）でシートや報告書のPDFを作ります。",
            "この手引きは <b>ヘルプ → 操作の手引きをPDFで書き出す…</b> で印刷用のPDFにできます。",
        ),
    ),
)

# the two parts of the printed guide: (title, who it is for, pages)
PARTS: tuple[tuple[str, str, tuple[GuidePage, ...]], ...] = (
    ("課の入力担当の方へ", "施策評価シートを入力して提出する方", SECTION_PAGES),
    ("中央の担当課の方へ", "計画を管理し、各課の提出を取りまとめて審査する方", CENTRAL_PAGES),
)


def shot_path(shot: Shot) -> Path:
    return resource("guide", shot.file)


def all_shots() -> list[Shot]:
    return [s for _title, _who, pages in PARTS for page in pages for s in page.shots]
