"""Passphrase slips for the central office: one slip per section, three to an A4 page, to cut and hand
over on paper, plus a list sheet for the office's own record of what was handed to whom.

The workbook is not signed (it travels on paper, not as a file) and should not be sent by mail: whoever
holds a kit and its passphrase can sign as the section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dxdesk.domain.fiscal import JST, fy_label
from dxdesk.exchange.certificates import format_fingerprint
from dxdesk.exchange.layout import C, Form
from dxdesk.exchange.workbook import WorkbookBuilder

__all__ = ["SLIP_NOTICE", "Slip", "write_passphrase_slips"]

SLIP_NOTICE = (
    "配布ファイルを dxdesk に取り込むときに入力します（大文字・小文字、全角・半角、ハイフンの有無は問いません）。"
    "他の人に見せず、取り込みが終わったらシュレッダー等で廃棄してください。"
    "中央認証局の指紋は、取り込み画面に表示される指紋と同じであることを確かめてください。"
)
SLIPS_PER_PAGE = 3


@dataclass(frozen=True)
class Slip:
    section_code: str
    section_name: str
    passphrase: str
    kit_file: str
    version: int


def write_passphrase_slips(
    path: Path,
    slips: Sequence[Slip],
    *,
    plan_name: str,
    fiscal_year: int,
    ca_fingerprint: str,
    issued_at: dt.datetime,
) -> None:
    book = WorkbookBuilder()
    issued = issued_at.astimezone(JST).strftime("%Y年%m月%d日 %H:%M")
    fp = format_fingerprint(ca_fingerprint, 8)
    f = Form(book, "通知書", [17.0, 24.0, 24.0, 24.0], header=("", "パスワード通知書", fy_label(fiscal_year)))
    for i, slip in enumerate(slips):
        if i and i % SLIPS_PER_PAGE == 0:
            f.page_break()
        f.line(C("dxdesk 配布ファイル　パスワード通知書", 4, "head"), height=24)
        f.line(C("計画", 1, "label"), C(plan_name, 3, "value"))
        f.line(
            C("年度", 1, "label"),
            C(fy_label(fiscal_year), 1, "value"),
            C("発行日時", 1, "label"),
            C(issued, 1, "value"),
        )
        f.line(C("課所室", 1, "label"), C(f"{slip.section_code}　{slip.section_name}", 3, "value"))
        f.line(C("配布ファイル", 1, "label"), C(f"{slip.kit_file}（第{slip.version}版）", 3, "value"))
        f.line(C("パスワード", 1, "label"), C(slip.passphrase, 3, "mono"), height=34)
        f.line(C("中央認証局の指紋", 1, "label"), C(fp, 3, "value"))
        f.line(C(SLIP_NOTICE, 4, "note"))
        f.line(
            C(
                "- - - - - - - - - - - - - - - - - - - - - - - - - - - - -  きりとり  - - - - - - - - - - - - - - - - - - - - - - - - - - - - -",
                4,
                "subtitle",
            ),
            height=22,
        )
    lst = Form(
        book,
        "一覧",
        [10.0, 26.0, 40.0, 8.0, 26.0],
        header=("", "パスワード一覧（中央保管用）", fy_label(fiscal_year)),
        title_rows="1:2",
    )
    lst.title(f"{fy_label(fiscal_year)}　配布ファイルのパスワード一覧（中央保管用・取扱注意）", height=26)
    lst.line(*(C(h, 1, "label") for h in ("課コード", "課所室", "配布ファイル", "版", "パスワード")))
    for slip in slips:
        lst.line(
            C(slip.section_code, 1, "center"),
            C(slip.section_name, 1, "value"),
            C(slip.kit_file, 1, "value"),
            C(f"第{slip.version}版", 1, "center"),
            C(slip.passphrase, 1, "center"),
        )
    book.save_unsigned(path)
