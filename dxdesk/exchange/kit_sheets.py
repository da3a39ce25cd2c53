"""The visible sheets of a kit: a cover with instructions in Japanese, and the section's measures with
last year's target, actual and 達成率 beside this year's target (one row per indicator)."""

from __future__ import annotations

from collections.abc import Sequence

from dxdesk.domain.fiscal import fy_label, fy_short
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.sheet import MeasureSnapshot
from dxdesk.exchange.layout import C, Form, draw_cover, text_units
from dxdesk.exchange.measure_sheet import cell_value
from dxdesk.exchange.workbook import WorkbookBuilder

__all__ = ["INSTRUCTIONS", "draw_kit_cover", "draw_kit_list"]

INSTRUCTIONS = (
    "【このファイルの使い方】\n"
    "1. dxdesk を起動し、最初の画面（2回目以降は「ファイル」メニュー）の「配布ファイルを開く」を選びます。\n"
    "2. このファイルを選び、中央の担当課から届いた「パスワード通知書」のパスワード（16文字）を入力します。\n"
    "3. 取り込みが終わると、この課の施策の入力画面が開きます。入力を終えたら「ファイル」メニューの"
    "「提出ファイルを作成」で提出ファイルを作り、中央の担当課へ送ってください。\n"
    "・新しい版の配布ファイルを取り込んでも、入力済みの内容は消えません。\n"
    "・このファイルは dxdesk で電子署名されています。Excel で書き換えても取り込む内容は変わりません。"
    "パスワードはこのファイルには含まれていません。"
)


def draw_kit_cover(book: WorkbookBuilder, info: dict[str, str], fiscal_year: int) -> None:
    rows = (
        ("計画", "plan"),
        ("課所室", "section"),
        ("年度", "fiscal_year"),
        ("版", "version"),
        ("発行日時", "issued_at"),
        ("施策数", "measures"),
        ("発行元", "ca"),
        ("中央認証局の指紋", "fingerprint"),
    )
    label = fy_label(fiscal_year)
    draw_cover(
        book, f"{label}　施策評価シート", "配布ファイル", [(t, info[k]) for t, k in rows], INSTRUCTIONS, label
    )


def draw_kit_list(
    book: WorkbookBuilder, snaps: Sequence[MeasureSnapshot], fiscal_year: int, section: str
) -> None:
    prev = fiscal_year - 1
    code_w = max(8.0, max((text_units(m.code) for m in snaps), default=6.0) + 2.0)
    longest = max((text_units(i.name) for m in snaps for i in m.indicators), default=20.0)
    widths = [code_w, 26.0, min(56.0, max(30.0, longest + 2.0)), 7.0, 11.0, 11.0, 9.0, 11.0]
    f = Form(
        book,
        "施策一覧",
        widths,
        landscape=True,
        title_rows="1:2",
        header=(section, "施策一覧", fy_label(fiscal_year)),
    )
    f.title(
        f"{fy_label(fiscal_year)}　この課の施策と前年度（{fy_label(prev)}）の実績", bind="表題", height=28
    )
    heads = (
        "コード",
        "施策名",
        "指標",
        "単位",
        f"{fy_short(prev)} 目標",
        f"{fy_short(prev)} 実績",
        "達成率",
        f"{fy_short(fiscal_year)} 目標",
    )
    f.line(*(C(h, 1, "label") for h in heads), min_lines=2)
    for m in snaps:
        active = [i for i in m.indicators if i.active_in(fiscal_year) or i.active_in(prev)]
        if not active:
            f.line(
                C(m.code, 1, "center", f"{m.code} コード"),
                C(m.name, 1, "value", f"{m.code} 施策名"),
                C("（指標なし）", 6, "value"),
            )
            continue
        for k, ind in enumerate(active, start=1):
            y = ind.year(prev)
            rate = (
                ""
                if y.actual.is_blank
                else achievement_rate(ind.direction, ind.target_for(prev), y.actual, ind.baseline).display
            )
            tag = f"{m.code} 指標{k}"
            f.line(
                C(m.code if k == 1 else "", 1, "center", f"{m.code} コード" if k == 1 else None),
                C(m.name if k == 1 else "", 1, "value", f"{m.code} 施策名" if k == 1 else None),
                C(ind.name, 1, "value", f"{tag} 名称"),
                C(ind.unit, 1, "center", f"{tag} 単位"),
                C(cell_value(y.target), 1, "num", f"{tag} {fy_short(prev)} 目標"),
                C(cell_value(y.actual), 1, "num", f"{tag} {fy_short(prev)} 実績"),
                C(rate, 1, "num", f"{tag} 達成率"),
                C(cell_value(ind.target_for(fiscal_year)), 1, "num", f"{tag} {fy_short(fiscal_year)} 目標"),
            )
    f.gap(6)
    f.line(C(f"施策数 {len(snaps)}件", len(widths), "note"))
